// How soon each page works, not only paints: the time from navigation to the first POST
// reaching the API, under Chromium with applied throttling (issue #21). A benchmark, not a test:
// it prints figures and fails only when something breaks.
//
//   node scripts/bench-working.mjs [dist]        (make bench runs it after make dist)
//
// One Node process serves everything, as a deployer's static host would (scripts/bench-common.mjs,
// shared with scripts/bench-shared-line.mjs): dist/ with each file brotli-11 compressed once,
// the host's half of the Content-Security-Policy on each page (HOST_POLICY; the page carries
// its own half), ?lang= served from the build's prerendered copy, and a stand-in API that
// notes when each POST arrives and answers 200. Beside Reclaim's /recover and /reset?token=…
// it serves, in the same run, the same forms written in plain JavaScript (bench/plain-*.html)
// and the static floor (bench/floor.html, posting natively). Each run opens each page in a fresh browser context (a first visit: nothing
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
// $RECLAIM_NODE (scripts/setup.sh); nothing is downloaded. Applied throttling slows each
// request on its own (parallel downloads never share the line): scripts/bench-shared-line.mjs
// measures the same pages on a line that every connection shares.
import {
  TOKEN, failer, launchBrowser, loadSite, median, ms, range, ratioRange, runsFromEnv, shown, startHost, times,
  visit,
} from "./bench-common.mjs";

const dist = process.argv[2] ?? "dist";
const fail = failer("bench-working");
const runs = runsFromEnv(9);

// Applied throttling, Lighthouse's mobile profile as DevTools applies it (each figure × 0.9).
const THROTTLING = {
  offline: false,
  latency: 150 * 0.9,
  downloadThroughput: ((1.6 * 1024 * 1024) / 8) * 0.9,
  uploadThroughput: ((750 * 1024) / 8) * 0.9,
};
const CPU_SLOWDOWN = 4;

// The pages, each with the fields typed into and the page it is measured against.
const pages = [
  { slug: "floor", path: "/floor/", fields: ["#email"] },
  { slug: "plain-recover", path: "/plain/recover/", fields: ["#email"] },
  { slug: "recover", path: "/recover", fields: ["#email"], against: "plain-recover" },
  { slug: "plain-reset", path: `/plain/reset/?token=${TOKEN}`, fields: ["#new-password", "#confirm-password"] },
  { slug: "reset-token", path: `/reset?token=${TOKEN}`, fields: ["#new-password", "#confirm-password"], against: "plain-reset" },
  // A reader of another language: the page prerendered in it, and its catalog one more file.
  { slug: "recover-ar", path: "/recover?lang=ar", fields: ["#email"], against: "plain-recover" },
];
// BENCH_PAGES=recover,plain-recover measures only those.
const only = process.env.BENCH_PAGES?.split(",");
if (only) pages.splice(0, pages.length, ...pages.filter((p) => only.includes(p.slug)));

const host = await startHost(loadSite(dist));
const base = host.base;
const browser = await launchBrowser();

const results = new Map(pages.map((p) => [p.slug, []]));
console.log(`\nTime to a working form on ${base}: applied throttling (${THROTTLING.latency} ms, ` +
  `${(THROTTLING.downloadThroughput * 8 / 1e6).toFixed(2)} Mbit/s down, CPU ×${CPU_SLOWDOWN}), brotli; ${runs} run(s) per page`);
for (let run = 1; run <= runs; run++) {
  for (const page of pages) {
    try {
      results.get(page.slug).push(await visit(browser, host, base + page.path, page.fields,
        { network: THROTTLING, cpu: CPU_SLOWDOWN }));
    } catch (e) {
      await browser.close();
      fail(`${page.path}: ${e.message}`);
    }
  }
}
await browser.close();
host.close();
console.log(`\n${"page".padEnd(24)} ${"FCP".padStart(9)} ${"LCP".padStart(9)} ${"LCP/floor".padStart(9)} ${"first POST".padStart(10)}  ratio`);
const floorLcp = results.has("floor") ? median(results.get("floor").map((v) => v.lcp)) : NaN;
const WORKING_TARGET = 2.3;
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
    const spread = ratioRange(visits.map((v) => v.post), results.get(page.against).map((v) => v.post));
    ratio = `${r.toFixed(2)}× ${page.against} (90 % range ${range(spread, 0)})`;
    compared++;
    // Issue #27: with one client (the app sends; no second copy in JavaScript), up to 2.3×.
    if (!(r <= WORKING_TARGET)) missed.push(`${shown(page.path)} ${r.toFixed(2)}× (target ≤ ${WORKING_TARGET}×)`);
  }
  console.log(`${shown(page.path).padEnd(24)} ${ms(fcp)} ${ms(lcp)} ${times(lcpRatio)} ${ms(post).padStart(10)}  ${ratio}`);
}
if (missed.length) console.log(`\nMissed: ${missed.join("; ")}`);
else if (compared) console.log(`\nEach page works within ${WORKING_TARGET}× its plain-JavaScript page.`);

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
