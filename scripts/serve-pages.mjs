// Serves the built pages (dist/) as a deployer's static host would, in front of an API on
// another origin (Firebase, django-allauth, Better Auth, PocketBase): the files of a site
// folder win over dist's, so its config.json (and any file beside it, e.g.
// backends/<name>.json) is what the pages read. Used by `make serve-firebase` and the
// end-to-end tests of the other backends.
//
//   node scripts/serve-pages.mjs DIST PORT SITE_DIR
//
// The reference server cannot serve these pages: its Content-Security-Policy lets them call
// only their own origin. This one adds the origin of config.json's `api_base` to connect-src,
// as a deployer's host must (docs/backends/). The site folder is read at
// each request, so a test may add or change files in it while this runs.
// Prints "listening on http://127.0.0.1:PORT".
import { createServer } from "node:http";
import { headerRules, pageHeaders } from "./headers-file.mjs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const [dist, port, site] = process.argv.slice(2);
if (!dist || !port || !site) {
  console.error("usage: serve-pages.mjs DIST PORT SITE_DIR");
  process.exit(2);
}
// Fails at start, not at the first request, when the site has no usable config.json.
await apiOrigin();

// The origin the pages may call besides their own: config.json's api_base (Firebase's
// production API when a Firebase config leaves it out; none for an API on the pages' origin).
async function apiOrigin() {
  const config = JSON.parse(await readFile(join(site, "config.json"), "utf8"));
  const fallback = config.backend === "firebase" ? "https://identitytoolkit.googleapis.com" : "";
  const base = config.api_base || fallback;
  return base ? new URL(base).origin : "";
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
// The host's half of the policy, as dist/_headers (the build's) gives every path, with the API's
// origin added to connect-src as that file tells a deployer to: each page carries the other
// half, its scripts and styles by hash, itself.
// On a page, also the build's Link preload of the wasm and the referrer policy (`pageHeaders`).
const rules = headerRules(await readFile(join(dist, "_headers"), "utf8"));
const hostPolicy = pageHeaders(rules, "/*", ["Content-Security-Policy"])["Content-Security-Policy"];
if (!hostPolicy) {
  console.error(`no Content-Security-Policy for /* in ${join(dist, "_headers")}`);
  process.exit(2);
}
const policy = (api) =>
  hostPolicy.replace("connect-src 'self'", ["connect-src 'self'", api].join(" ").trim());

// The file a path names, relative to a root: each page is its folder's index.html; a path
// with an extension is a file. Undefined for a path that would leave the root.
function relativeFile(pathname) {
  let clean;
  try {
    clean = normalize(decodeURIComponent(pathname)).replace(/\/+$/, "");
  } catch {
    return undefined; // not valid percent-encoding
  }
  if (clean.split(sep).includes("..")) return undefined;
  return extname(clean) ? clean : join(clean, "index.html");
}

// The site folder's file if it has one, else dist's.
async function read(file) {
  try {
    return await readFile(join(site, file));
  } catch {
    return readFile(join(dist, file));
  }
}

createServer(async (request, response) => {
  const { pathname } = new URL(request.url, "http://localhost");
  const file = relativeFile(pathname);
  let status = 200;
  let body;
  let type;
  try {
    if (file === undefined) throw new Error("outside the site");
    body = await read(file);
    type = types[extname(file)] || "application/octet-stream";
  } catch {
    status = 404;
    body = await read("404.html").catch(() => "Not found");
    type = types[".html"];
  }
  const headers = { "Content-Type": type, "Cache-Control": "no-store" };
  if (type === types[".html"]) {
    // A config.json broken while this runs leaves the pages only their own origin.
    headers["Content-Security-Policy"] = policy(await apiOrigin().catch(() => ""));
    Object.assign(headers, pageHeaders(rules, pathname));
  }
  response.writeHead(status, headers);
  response.end(request.method === "HEAD" ? undefined : body);
}).listen(Number(port), "127.0.0.1", function () {
  console.log(`listening on http://127.0.0.1:${this.address().port}`);
});
