// How soon each page works, not only paints: the time from navigation to the first POST
// reaching the API, under Chromium with applied throttling (issue #21). A benchmark, not a test:
// it prints figures and fails only when something breaks.
//
//   node scripts/bench-working.mjs [dist]        (make bench runs it after make dist)
//
// One Node process serves everything, as a static host would: dist/ with each file brotli-11
// compressed once, the same Content-Security-Policy as the reference server (inline scripts
// by hash), and a stand-in API that notes when each POST arrives and answers 200. Beside
// Reclaim's /recover and /reset?token=… it serves, in the same run, the same forms written in
// plain JavaScript (bench/plain-*.html) and the static floor (bench/floor.html, posting
// natively). Each run opens each page in a fresh browser context (a first visit: nothing
// cached), the pages interleaved so that other work on the machine falls on all alike; a
// script types as soon as the field is on screen, as autofill would, and presses Enter every
// 40 ms until the API sees a POST. Medians of BENCH_RUNS runs (9 unless set: the plain page
// alone varies by about 5 % from run to run).
//
// Beside each page's first POST it prints its first and largest paints (FCP, LCP) as this
// throttled Chromium reported them, the LCP as a ratio to the floor's: what the page downloads
// early must not delay it.
//
// With BENCH_WATERFALL=1 it also prints, for Reclaim's pages in the last run, every request
// with when it started and ended and what started it: which fetch waits on which.
//
// Drives Debian's Chromium with puppeteer-core, which the lighthouse package installs into
// $RECLAIM_NODE (scripts/setup.sh); nothing is downloaded.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const dist = process.argv[2] ?? "dist";
const runs = Number(process.env.BENCH_RUNS ?? 9);
if (!Number.isInteger(runs) || runs < 1) fail(`BENCH_RUNS must be a whole number of at least 1`);
const node = process.env.RECLAIM_NODE ?? fail("RECLAIM_NODE is not set: source scripts/env.sh");
const puppeteer = createRequire(join(node, "package.json"))("puppeteer-core");

// Applied throttling, Lighthouse's mobile profile as DevTools applies it (each figure × 0.9).
const THROTTLING = {
  offline: false,
  latency: 150 * 0.9,
  downloadThroughput: ((1.6 * 1024 * 1024) / 8) * 0.9,
  uploadThroughput: ((750 * 1024) / 8) * 0.9,
};
const CPU_SLOWDOWN = 4;
const ENTER_EVERY_MS = 40;
const GIVE_UP_MS = 30_000;
const EMAIL = "alice@example.com";
const PASSWORD = "violet-harbor-sextant-91";
const TOKEN = "Hs3kQ9vT2mLx7bWc4pYz8dRf1nJg6aKe5uVo0iMq";

// The pages, each with the fields typed into and the page it is measured against.
const pages = [
  { slug: "floor", path: "/floor/", fields: ["#email"] },
  { slug: "plain-recover", path: "/plain/recover/", fields: ["#email"] },
  { slug: "recover", path: "/recover", fields: ["#email"], against: "plain-recover" },
  { slug: "plain-reset", path: `/plain/reset/?token=${TOKEN}`, fields: ["#new-password", "#confirm-password"] },
  { slug: "reset-token", path: `/reset?token=${TOKEN}`, fields: ["#new-password", "#confirm-password"], against: "plain-reset" },
  // A reader of another language: its catalog is one more file the start waits on.
  { slug: "recover-ar", path: "/recover?lang=ar", fields: ["#email"], against: "plain-recover" },
];
// BENCH_PAGES=recover,plain-recover measures only those.
const only = process.env.BENCH_PAGES?.split(",");
if (only) pages.splice(0, pages.length, ...pages.filter((p) => only.includes(p.slug)));
const typed = (field) => (field === "#email" ? EMAIL : PASSWORD);

function fail(message) {
  console.error(`bench-working: ${message}`);
  process.exit(1);
}

// The site: dist/ plus the yardsticks, their head pointed at dist's hashed icon and stylesheet.
function walk(dir) {
  return readdirSync(dir).filter((n) => !n.startsWith(".")).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
let distFiles;
try {
  distFiles = walk(dist);
} catch (e) {
  fail(`cannot read ${dist}/ (${e.code}); run \`make dist\` first`);
}
const files = new Map(distFiles.map((path) => ["/" + relative(dist, path), readFileSync(path)]));
const index = files.get("/index.html")?.toString() ?? fail(`${dist}/index.html is missing`);
const hashed = (ext) => index.match(new RegExp(`href=\"?(/[\\w.-]+\\.${ext})`))?.[1];
const yardstick = (name) =>
  readFileSync(new URL(`../bench/${name}`, import.meta.url), "utf8")
    .replace('href="/main.css"', `href="${hashed("css")}"`)
    .replace('href="/favicon.svg"', `href="${hashed("svg")}"`);
files.set("/floor/index.html", Buffer.from(
  // The floor posts natively: what a form does with no script at all.
  yardstick("floor.html").replace("<form ", '<form method="post" action="/account/recovery" '),
));
files.set("/plain/recover/index.html", Buffer.from(yardstick("plain-recover.html")));
files.set("/plain/reset/index.html", Buffer.from(yardstick("plain-reset.html")));

const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".wasm": "application/wasm",
  ".json": "application/json", ".svg": "image/svg+xml",
};
const brotli = new Map();
function compressed(name) {
  if (!brotli.has(name)) {
    const data = files.get(name);
    brotli.set(name, brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }));
  }
  return brotli.get(name);
}
const inlineHashes = new Set();
for (const [name, data] of files) {
  if (!name.endsWith(".html")) continue;
  for (const [, body] of data.toString().matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    inlineHashes.add(`'sha256-${createHash("sha256").update(body).digest("base64")}'`);
  }
}
const policy = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' ${[...inlineHashes].join(" ")}; ` +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// When the API saw its first POST, per page visit (the visit sets `expecting`).
let firstPost = null;
const server = createServer((request, response) => {
  const { pathname } = new URL(request.url, "http://localhost");
  if (request.method === "POST") {
    firstPost ??= performance.now();
    request.resume();
    response.writeHead(200, { "Content-Type": "application/json" });
    return response.end("{}");
  }
  const name = extname(pathname) ? pathname : join(pathname, "index.html");
  if (!files.has(name)) {
    response.writeHead(404, { "Content-Type": "text/plain" });
    return response.end("not found");
  }
  const headers = { "Content-Type": types[extname(name)] ?? "application/octet-stream", "Cache-Control": "no-cache" };
  if (name.endsWith(".html")) headers["Content-Security-Policy"] = policy;
  let body = files.get(name);
  if (/\bbr\b/.test(request.headers["accept-encoding"] ?? "")) {
    body = compressed(name);
    headers["Content-Encoding"] = "br";
  }
  response.writeHead(200, headers);
  response.end(body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${server.address().port}`;
// Compressed once before any visit, so no visit waits on the compressor.
for (const name of files.keys()) compressed(name);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions"],
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// One first visit: the time from navigation to the first POST the API sees, the first paint,
/// and each request's timing.
async function visit(page) {
  const context = await browser.createBrowserContext();
  const tab = await context.newPage();
  const cdp = await tab.createCDPSession();
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", THROTTLING);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  const requests = new Map();
  cdp.on("Network.requestWillBeSent", ({ requestId, request, timestamp, initiator }) => {
    const by = initiator.stack?.callFrames?.[0]?.url || initiator.url || initiator.type;
    requests.set(requestId, { url: request.url, method: request.method, start: timestamp, by });
  });
  cdp.on("Network.loadingFinished", ({ requestId, timestamp }) => {
    if (requests.has(requestId)) requests.get(requestId).end = timestamp;
  });

  firstPost = null;
  const started = performance.now();
  const navigated = tab.goto(base + page.path, { waitUntil: "load", timeout: GIVE_UP_MS });
  let error = null;
  let fcp = NaN;
  let lcp = NaN;
  try {
    // Types as soon as each field is on screen (it exists and the page has painted: nobody
    // types into a page they cannot see), all at once as autofill would, then Enter every 40 ms.
    for (const field of page.fields) {
      await tab.waitForFunction(
        (css) => document.querySelector(css) && performance.getEntriesByName("first-contentful-paint").length,
        { polling: "raf", timeout: GIVE_UP_MS },
        field,
      );
      // The paints as this throttled Chromium saw them, the largest to set beside the floor's
      // (whether what the page fetches early slows it): read before typing, which ends the
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
    while (firstPost === null) {
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
  await context.close();
  if (error) fail(`${page.path}: ${error.message}`);
  const navigation = Math.min(...[...requests.values()].map((r) => r.start));
  const waterfall = [...requests.values()].map((r) => ({
    ...r,
    start: (r.start - navigation) * 1000,
    end: r.end === undefined ? NaN : (r.end - navigation) * 1000,
  }));
  return { post: firstPost - started, fcp, lcp, waterfall };
}

const results = new Map(pages.map((p) => [p.slug, []]));
console.log(`\nTime to a working form on ${base}: applied throttling (${THROTTLING.latency} ms, ` +
  `${(THROTTLING.downloadThroughput * 8 / 1e6).toFixed(2)} Mbit/s down, CPU ×${CPU_SLOWDOWN}), brotli; ${runs} run(s) per page`);
for (let run = 1; run <= runs; run++) {
  for (const page of pages) results.get(page.slug).push(await visit(page));
}
await browser.close();
server.close();

const median = (values) => {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const ms = (n) => (Number.isFinite(n) ? `${Math.round(n)} ms` : "–").padStart(9);
const times = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "–").padStart(9);
const shown = (path) => path.replace(/token=[^&]+/, "token=…");
console.log(`\n${"page".padEnd(24)} ${"FCP".padStart(9)} ${"LCP".padStart(9)} ${"LCP/floor".padStart(9)} ${"first POST".padStart(10)}  ratio`);
const floorLcp = results.has("floor") ? median(results.get("floor").map((v) => v.lcp)) : NaN;
let missed = [];
let compared = 0;
for (const page of pages) {
  const visits = results.get(page.slug);
  const post = median(visits.map((v) => v.post));
  const fcp = median(visits.map((v) => v.fcp));
  const lcp = median(visits.map((v) => v.lcp));
  const lcpRatio = lcp / floorLcp;
  if (page.against && Number.isFinite(floorLcp) && !(lcpRatio <= 1.15)) missed.push(`${shown(page.path)} LCP ${lcpRatio.toFixed(2)}× the floor (target ≤ 1.15×)`);
  let ratio = "";
  if (page.against && results.has(page.against)) {
    const r = post / median(results.get(page.against).map((v) => v.post));
    ratio = `${r.toFixed(2)}× ${page.against}`;
    compared++;
    if (!(r <= 2.0)) missed.push(`${shown(page.path)} ${r.toFixed(2)}× (target ≤ 2.0×)`);
  }
  console.log(`${shown(page.path).padEnd(24)} ${ms(fcp)} ${ms(lcp)} ${times(lcpRatio)} ${ms(post).padStart(10)}  ${ratio}`);
}
if (missed.length) console.log(`\nMissed: ${missed.join("; ")}`);
else if (compared) console.log("\nEach page works within 2.0× its plain-JavaScript page.");

if (process.env.BENCH_WATERFALL) {
  for (const page of pages.filter((p) => p.against)) {
    console.log(`\nWaterfall of ${shown(page.path)} (last run; ms from navigation; started by):`);
    for (const r of results.get(page.slug).at(-1).waterfall.sort((a, b) => a.start - b.start)) {
      const name = shown(new URL(r.url).pathname + new URL(r.url).search);
      const by = r.by.startsWith(base) ? shown(new URL(r.by).pathname) : r.by;
      console.log(`  ${ms(r.start)} → ${ms(r.end)}  ${r.method.padEnd(4)} ${name.padEnd(34)} ${by}`);
    }
  }
}
