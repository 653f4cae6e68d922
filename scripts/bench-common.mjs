// What the browser benchmarks share (scripts/bench-working.mjs, scripts/bench-shared-line.mjs):
// the site (dist/ plus the yardsticks of bench/), a static host that serves it as a deployer's
// would, Chromium, and one first visit to a page that types into its form and notes when the API
// sees the first POST. Nothing here is downloaded: puppeteer-core comes with the lighthouse
// package in $RECLAIM_NODE (scripts/setup.sh).
//
// The yardsticks, served beside dist's pages:
//   /floor/         bench/floor.html, posting natively: what the form costs with no script at all;
//   /plain/recover/ bench/plain-recover.html, the request form in plain JavaScript;
//   /plain/reset/   bench/plain-reset.html, the reset form in plain JavaScript;
//   /static/<page>/ each of dist's pages named in STATIC_TWINS as static HTML: the same
//                   markup, styles and icon without the app (see `withoutTheApp`), posting
//                   natively: when this very page would paint with nothing else to download.
// Their icon and stylesheet links are replaced by what dist's pages carry (the hashed files they
// link, or the <style> they inline), so their heads cost what the app's does; with
// `floorStyles: "inline"` the floor carries dist's styles inline, whatever dist does.
//
// Also a command: `node scripts/bench-common.mjs floor DIST` prints the floor's HTML as
// scripts/bench-lighthouse.sh serves it (dist's styles as dist carries them, no native post).
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";
import { headerRules, pageHeaders } from "./headers-file.mjs";

export const EMAIL = "alice@example.com";
export const PASSWORD = "violet-harbor-sextant-91";
export const TOKEN = "Hs3kQ9vT2mLx7bWc4pYz8dRf1nJg6aKe5uVo0iMq";
const GIVE_UP_MS = 30_000;
const ENTER_EVERY_MS = 40;

/** A function that prints `NAME: message` and exits 1. */
export const failer = (name) => (message) => {
  console.error(`${name}: ${message}`);
  process.exit(1);
};
const fail = failer("bench");

/// The host's half of the pages' Content-Security-Policy, `reclaim_contract::policy::HOST_POLICY`,
/// read from its source so that the header is that string exactly.
export function hostPolicy() {
  const source = readFileSync(new URL("../contract/src/policy.rs", import.meta.url), "utf8");
  const literal = source.match(/pub const HOST_POLICY: &str = "((?:[^"\\]|\\[\s\S])*)";/)?.[1];
  if (literal === undefined) fail("contract/src/policy.rs has no `pub const HOST_POLICY: &str = \"…\";`");
  // A Rust string: `\` at a line's end skips the line break and the next line's indent.
  return literal.replace(/\\\r?\n\s*/g, "").replace(/\\(["\\])/g, "$1");
}

function walk(dir) {
  // Hidden entries (trunk's `.stage` left by an interrupted build) are never served.
  return readdirSync(dir).filter((n) => !n.startsWith(".")).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/// What dist's request page puts in its head for styles and the icon: the tags as written, and
/// the styles' text (the linked files' content and the inline <style>s, in order).
function distHead(files) {
  const page = (files.get("/recover/index.html") ?? files.get("/index.html"))?.toString();
  if (!page) fail("dist has neither recover/index.html nor index.html");
  const head = page.slice(0, page.search(/<body[\s>]/i) >>> 0);
  const attribute = (tag, name) =>
    tag.match(new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i"))?.slice(1).find((v) => v !== undefined);
  const tags = [];
  const css = [];
  let icon = "";
  for (const [tag] of head.matchAll(/<style[^>]*>[\s\S]*?<\/style>|<link\s[^>]*>/gi)) {
    if (/^<style/i.test(tag)) {
      tags.push(tag);
      css.push(tag.replace(/^<style[^>]*>|<\/style>$/gi, ""));
      continue;
    }
    const rel = (attribute(tag, "rel") ?? "").toLowerCase().split(/\s+/);
    const href = attribute(tag, "href");
    if (rel.includes("icon")) icon = tag;
    if (!rel.includes("stylesheet")) continue;
    const file = files.get(href?.replace(/^(?!\/)/, "/"));
    if (!file) fail(`dist's page links the stylesheet ${href}, which dist does not hold`);
    tags.push(tag);
    css.push(file.toString());
  }
  if (tags.length === 0) fail("dist's page has no stylesheet: neither <link rel=stylesheet> nor <style>");
  return { icon, tags: tags.join(""), css: css.join("\n") };
}

/// A yardstick from bench/, its icon and stylesheet links replaced by dist's.
function yardstick(name, head, { inline = false } = {}) {
  const html = readFileSync(new URL(`../bench/${name}`, import.meta.url), "utf8");
  const icon = /<link rel="icon" href="\/favicon.svg">/;
  const styles = /<link rel="stylesheet" href="\/main.css">\s*<link rel="stylesheet" href="\/brand.css">/;
  if (!icon.test(html) || !styles.test(html)) {
    fail(`bench/${name} must link /favicon.svg, then /main.css and /brand.css, for the bench to put dist's in their place`);
  }
  // Replacement functions: `$` in CSS is not a pattern.
  return html
    .replace(icon, () => head.icon)
    .replace(styles, () => (inline ? `<style>${head.css}</style>` : head.tags));
}

/// The floor as scripts/bench-lighthouse.sh serves it.
export function floorPage(dist) {
  return yardstick("floor.html", distHead(readSite(dist)));
}

function readSite(dist) {
  let paths;
  try {
    paths = walk(dist);
  } catch (e) {
    fail(`cannot read ${dist}/ (${e.code}); run \`make dist\` first`);
  }
  return new Map(paths.map((path) => ["/" + relative(dist, path).split("\\").join("/"), readFileSync(path)]));
}

/// dist's pages that get a static twin at /static/<page>/ (English and Arabic).
export const STATIC_TWINS = ["recover", "reset", "ar/recover", "ar/reset"];

/// A page of dist's as static HTML: the same markup, styles and icon, without the app (its
/// script, the preloads of its wasm and glue, the <meta> naming them), its submit button enabled
/// so that the form posts natively.
function withoutTheApp(html) {
  const page = html
    .replace(/<script>[\s\S]*?<\/script>/g, "")
    .replace(/<link rel=(?:modulepreload|preload) [^>]*>/g, "")
    .replace(/<meta name=reclaim-app [^>]*>/g, "")
    .replace(/(<button [^>]*type="submit") disabled/g, "$1");
  if (/<script|reclaim-app|_bg\.wasm| disabled/.test(page)) fail("a static twin still holds part of the app");
  return page;
}

/// dist/ and the yardsticks, by path (`/recover/index.html`).
export function loadSite(dist, { floorStyles = "as-dist" } = {}) {
  const files = readSite(dist);
  if (!files.has("/index.html")) fail(`${dist}/index.html is missing; run \`make dist\``);
  const head = distHead(files);
  // The floor posts natively: what a form does with no script at all.
  const floor = yardstick("floor.html", head, { inline: floorStyles === "inline" })
    .replace("<form ", '<form method="post" action="/account/recovery" ');
  files.set("/floor/index.html", Buffer.from(floor));
  files.set("/plain/recover/index.html", Buffer.from(yardstick("plain-recover.html", head)));
  files.set("/plain/reset/index.html", Buffer.from(yardstick("plain-reset.html", head)));
  for (const page of STATIC_TWINS) {
    const html = files.get(`/${page}/index.html`) ?? fail(`dist has no ${page}/index.html`);
    files.set(`/static/${page}/index.html`, Buffer.from(withoutTheApp(html.toString())));
  }
  return files;
}

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml",
};

/// Serves the files as a deployer's static host would (deploy/nginx/reclaim.conf, dist/_headers):
/// each page is its folder's index.html, with the Link and Referrer-Policy headers dist/_headers
/// gives its path (as Netlify and Cloudflare Pages send them; nginx's recipe has no Link),
/// `?lang=<tag>` serves the copy prerendered in that language when the build wrote one, each
/// file brotli-11 compressed once (before any visit) for a browser that accepts it, HTTP/1.1
/// keep-alive, and HOST_POLICY as the Content-Security-Policy of every HTML answer (each page
/// carries its own half in a <meta>). A stand-in API answers every POST with 200 and notes when
/// the first one arrived (`host.firstPost`, set to null before a visit).
export async function startHost(files) {
  const policy = hostPolicy();
  const rules = headerRules((files.get("/_headers") ?? "").toString());
  const brotli = new Map();
  for (const [name, data] of files) {
    brotli.set(name, brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }));
  }
  const host = { firstPost: null, posts: 0 };
  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://localhost");
    if (request.method === "POST") {
      host.firstPost ??= performance.now();
      host.posts++;
      request.resume();
      response.writeHead(200, { "Content-Type": "application/json" });
      return response.end("{}");
    }
    const { pathname } = url;
    let name = extname(pathname) ? pathname : join(pathname, "index.html");
    const lang = url.searchParams.get("lang") ?? "";
    const page = /^\/(recover\/?|reset\/?)?$/.test(pathname);
    if (page && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/.test(lang) && files.has(`/${lang}${name}`)) {
      name = `/${lang}${name}`;
    }
    if (!files.has(name)) {
      response.writeHead(404, { "Content-Type": "text/plain" });
      return response.end("not found");
    }
    const headers = { "Content-Type": TYPES[extname(name)] ?? "application/octet-stream" };
    if (name.endsWith(".html")) {
      Object.assign(headers, pageHeaders(rules, pathname));
      headers["Content-Security-Policy"] = policy;
      headers["Cache-Control"] = "no-store";
    } else {
      headers["Cache-Control"] = /-[0-9a-f]{12,}(_bg)?\.\w+$/.test(name) ? "public, max-age=31536000, immutable" : "no-cache";
    }
    let body = files.get(name);
    if (/\bbr\b/.test(request.headers["accept-encoding"] ?? "") && !name.endsWith(".bin")) {
      body = brotli.get(name);
      headers["Content-Encoding"] = "br";
    }
    headers["Content-Length"] = body.length;
    response.writeHead(200, headers);
    response.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  host.port = server.address().port;
  host.base = `http://127.0.0.1:${host.port}`;
  host.close = () => {
    server.closeAllConnections?.();
    server.close();
  };
  return host;
}

export async function launchBrowser() {
  const node = process.env.RECLAIM_NODE ?? fail("RECLAIM_NODE is not set: source scripts/env.sh");
  const puppeteer = createRequire(join(node, "package.json"))("puppeteer-core");
  return puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-default-apps", "--disable-extensions"],
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const typed = (field) => (field === "#email" ? EMAIL : PASSWORD);

/// One first visit to `url` in a fresh browser context (nothing cached, no connection kept):
/// the time from navigation to the first POST the host sees, the first and largest paints
/// (FCP, LCP, as Chromium reported them) and each request's timing. A script types as soon as
/// each field of `fields` is on screen (it exists and the page has painted), all at once as
/// autofill would, then presses Enter every 40 ms until the API sees a POST.
/// `network`: DevTools network conditions to apply, or null for none; `cpu`: the CPU slowdown.
export async function visit(browser, host, url, fields, { network = null, cpu = 1 } = {}) {
  const context = await browser.createBrowserContext();
  const tab = await context.newPage();
  const cdp = await tab.createCDPSession();
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (network) await cdp.send("Network.emulateNetworkConditions", network);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  const requests = new Map();
  cdp.on("Network.requestWillBeSent", ({ requestId, request, timestamp, initiator, type }) => {
    const by = initiator.stack?.callFrames?.[0]?.url || initiator.url || initiator.type;
    requests.set(requestId, { url: request.url, method: request.method, type, start: timestamp, by });
  });
  cdp.on("Network.loadingFinished", ({ requestId, timestamp }) => {
    if (requests.has(requestId)) requests.get(requestId).end = timestamp;
  });

  host.firstPost = null;
  const started = performance.now();
  const navigated = tab.goto(url, { waitUntil: "load", timeout: GIVE_UP_MS });
  let error = null;
  let fcp = NaN;
  let lcp = NaN;
  try {
    for (const field of fields) {
      await tab.waitForFunction(
        (css) => document.querySelector(css) && performance.getEntriesByName("first-contentful-paint").length,
        { polling: "raf", timeout: GIVE_UP_MS },
        field,
      );
      // The paints, the largest to set beside the floor's: read before typing, which ends the
      // largest paint's candidates, and before the floor's native post leaves the page.
      if (Number.isNaN(lcp)) [fcp, lcp] = await tab.evaluate(() => new Promise((resolve) => {
        const first = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
        new PerformanceObserver((list) => resolve([first, list.getEntries().at(-1)?.startTime ?? NaN]))
          .observe({ type: "largest-contentful-paint", buffered: true });
        setTimeout(() => resolve([first, NaN]), 1000);
      }));
      // Found again in the page, not by a handle that the app's takeover may have detached.
      await tab.evaluate((css) => document.querySelector(css).focus(), field);
      await tab.keyboard.sendCharacter(typed(field));
    }
    while (host.firstPost === null) {
      if (performance.now() - started > GIVE_UP_MS) throw new Error("no POST within 30 s");
      await tab.keyboard.press("Enter");
      await sleep(ENTER_EVERY_MS);
    }
    await navigated.catch(() => {});
  } catch (e) {
    // What the page showed, to say why.
    const showing = await tab
      .evaluate(() => `${location.href}: "${document.querySelector("h1")?.textContent}", ` +
        `${document.querySelector("[data-prerendered]") ? "prerendered" : "the app's"}, ` +
        `${document.querySelector("[type=submit]")?.outerHTML}`)
      .catch(() => "");
    error = new Error(`${e.message}; the page showed ${showing}`);
  }
  const post = host.firstPost - started;
  await context.close();
  if (error) throw error;
  const navigation = Math.min(...[...requests.values()].map((r) => r.start));
  const waterfall = [...requests.values()].map((r) => ({
    ...r,
    start: (r.start - navigation) * 1000,
    end: r.end === undefined ? NaN : (r.end - navigation) * 1000,
  }));
  // The page's <link>, the Link header and the bootstrap's fetch must all take one download.
  const wasmRequests = waterfall.filter((r) => r.url.endsWith("_bg.wasm")).length;
  if (wasmRequests > 1) throw new Error(`${url}: the wasm was asked for ${wasmRequests} times`);
  return { post, fcp, lcp, waterfall };
}

export const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
/// How far a ratio of two medians can be trusted: the 5th and 95th percentiles of
/// median(a) ÷ median(b) over 2,000 resamples of each page's runs (a bootstrap). Runs of one
/// page on this machine spread by ±20 % and more, so a median ratio near its target can land on
/// either side of it in the next run; the range says whether it can. Seeded: the same runs
/// print the same range.
export function ratioRange(a, b, resamples = 2000) {
  const x = a.filter(Number.isFinite);
  const y = b.filter(Number.isFinite);
  if (x.length === 0 || y.length === 0) return [NaN, NaN];
  let seed = 0x9e3779b9;
  // mulberry32: a small, seedable generator; Math.random cannot be seeded.
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resample = (v) => v.map(() => v[Math.floor(random() * v.length)]);
  const ratios = Array.from({ length: resamples }, () => median(resample(x)) / median(resample(y)))
    .sort((p, q) => p - q);
  return [ratios[Math.floor(resamples * 0.05)], ratios[Math.ceil(resamples * 0.95) - 1]];
}
/// A ratioRange as printed: "1.02–1.18".
export const range = ([low, high], width = 11) =>
  (Number.isFinite(low) ? `${low.toFixed(2)}–${high.toFixed(2)}` : "–").padStart(width);
export const ms = (n, width = 9) => (Number.isFinite(n) ? `${Math.round(n).toLocaleString("en")} ms` : "–").padStart(width);
export const times = (n, width = 9) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–").padStart(width);
export const shown = (path) => path.replace(/token=[^&]+/, "token=…");

/// BENCH_RUNS, or the script's own default.
export function runsFromEnv(fallback) {
  const runs = Number(process.env.BENCH_RUNS ?? fallback);
  if (!Number.isInteger(runs) || runs < 1) fail("BENCH_RUNS must be a whole number of at least 1");
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, dist] = process.argv.slice(2);
  if (command !== "floor" || !dist) fail("usage: node scripts/bench-common.mjs floor DIST");
  process.stdout.write(floorPage(dist));
}
