// Serves the built pages (dist/) as a static host would, with the config.json given on the
// command line instead of dist's, for the pages in front of Firebase Authentication (its
// emulator, here). Used by `make serve-firebase` and the Firebase end-to-end tests.
//
//   node scripts/firebase/serve-pages.mjs DIST PORT CONFIG_FILE
//
// The reference server cannot serve these pages: its Content-Security-Policy lets them call
// only their own origin. This one adds the API's origin to connect-src, as a deployer's host
// must (README, "Firebase Authentication"). Prints "listening on http://127.0.0.1:PORT".
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const [dist, port, configFile] = process.argv.slice(2);
if (!dist || !port || !configFile) {
  console.error("usage: serve-pages.mjs DIST PORT CONFIG_FILE");
  process.exit(2);
}
const config = await readFile(configFile);
const apiBase = JSON.parse(config).api_base || "https://identitytoolkit.googleapis.com";
const apiOrigin = new URL(apiBase).origin;

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
// The pages' inline script (the bootstrap) allowed by its hash, as the reference server does.
const inlineHashes = new Set();
for (const entry of await readdir(dist, { recursive: true })) {
  if (!entry.endsWith(".html")) continue;
  const html = await readFile(join(dist, entry), "utf8");
  for (const [, body] of html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    inlineHashes.add(`'sha256-${createHash("sha256").update(body).digest("base64")}'`);
  }
}
const scriptSources = ["'self'", "'wasm-unsafe-eval'", ...inlineHashes].join(" ");
const policy =
  `default-src 'self'; script-src ${scriptSources}; connect-src 'self' ${apiOrigin}; ` +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// Each page is its folder's index.html; a path with an extension is a file.
function fileFor(pathname) {
  if (pathname === "/config.json") return null;
  let clean;
  try {
    clean = normalize(decodeURIComponent(pathname)).replace(/\/+$/, "");
  } catch {
    return undefined; // not valid percent-encoding
  }
  if (clean.split(sep).includes("..")) return undefined;
  return extname(clean) ? join(dist, clean) : join(dist, clean, "index.html");
}

createServer(async (request, response) => {
  const { pathname } = new URL(request.url, "http://localhost");
  const file = fileFor(pathname);
  let status = 200;
  let body;
  let type;
  if (file === null) {
    [body, type] = [config, types[".json"]];
  } else {
    try {
      body = await readFile(file);
      type = types[extname(file)] || "application/octet-stream";
    } catch {
      status = 404;
      body = await readFile(join(dist, "404.html")).catch(() => "Not found");
      type = types[".html"];
    }
  }
  response.writeHead(status, {
    "Content-Type": type,
    "Cache-Control": "no-store",
    ...(type === types[".html"] ? { "Content-Security-Policy": policy } : {}),
  });
  response.end(request.method === "HEAD" ? undefined : body);
}).listen(Number(port), "127.0.0.1", function () {
  console.log(`listening on http://127.0.0.1:${this.address().port}`);
});
