// When the pages paint and work on a line that all their downloads share. A benchmark, not a
// test: it prints figures and fails only when something breaks, or when the line does not share.
//
//   node scripts/bench-shared-line.mjs [dist]     (make bench runs it after the other figures)
//
// The two other instruments disagree: applied (DevTools) throttling slows each request on its
// own, so two parallel downloads each get the whole line; Lighthouse's simulation counts every
// request that started and finished before the largest paint of an unthrottled load (the
// head-preloaded wasm too) as if the paint had waited for it. Here the line is
// shared, as a phone's is: a proxy (scripts/bench-line.mjs) in front of the static host
// (scripts/bench-common.mjs, the same one scripts/bench-working.mjs uses) gives all connections
// one 1.6 Mbit/s down and one 750 kbit/s up (Mbit = 1024 × 1024 bits, as Lighthouse counts),
// 75 ms each way, chunks of 1,460 bytes round-robin across the connections with data waiting,
// and a round trip for each new connection's handshake. Chromium opens the pages at the proxy's
// origin, over HTTP/1.1 with keep-alive (up to 6 connections per origin), with no DevTools
// network throttling and the CPU 4× slower.
//
// First it checks the line: one 200 KB file alone, then two 100 KB files at once, each on a new
// connection; on a shared line both take the same time (the two halves share it), and unless
// they are within 10 % of each other it says so and fails.
//
// Then, each run opening each page in a fresh browser context (a first visit), the pages
// interleaved (each run starting one page later): the floor (bench/floor.html with dist's
// styles inline: nothing for its paint to wait on but the HTML), the forms in plain JavaScript
// (bench/plain-*.html, dist's styles as dist carries them), each page's static twin (the same
// HTML in its language without the app: what this page would cost as a static page),
// /recover and /reset?token=… in English and in Arabic (?lang=ar, the prerendered copy). Per
// page, medians of BENCH_RUNS runs (5 unless set): when the HTML, the last stylesheet and the
// wasm had arrived (from the first request), the first and largest paints (FCP, LCP), the LCP
// as a ratio to the floor's and to its static twin's (the Arabic pages' text costs more to lay
// out than the English floor's, the same in their twins), the time from navigation to the first
// POST reaching the API and its ratio to the plain-JavaScript page's, and how many connections
// the page opened. BENCH_WATERFALL=1 adds every request of Reclaim's pages in the last run.
import { randomBytes } from "node:crypto";
import { get } from "node:http";
import {
  TOKEN, failer, launchBrowser, loadSite, median, ms, range, ratioRange, runsFromEnv, shown, startHost, times,
  visit,
} from "./bench-common.mjs";
import { startLine } from "./bench-line.mjs";

const dist = process.argv[2] ?? "dist";
const fail = failer("bench-shared-line");
const runs = runsFromEnv(5);

const LINE = {
  down: (1.6 * 1024 * 1024) / 8,
  up: (750 * 1024) / 8,
  latency: 75,
  chunk: 1460,
};
const CPU_SLOWDOWN = 4;
const SHARING_TOLERANCE = 0.1;
const SETTLE_MS = 250;

const recover = ["#email"];
const reset = ["#new-password", "#confirm-password"];
const pages = [
  { slug: "floor", path: "/floor/", fields: recover },
  { slug: "plain-recover", path: "/plain/recover/", fields: recover },
  { slug: "plain-reset", path: `/plain/reset/?token=${TOKEN}`, fields: reset },
  { slug: "static-recover", path: "/static/recover/", fields: recover },
  { slug: "static-reset", path: "/static/reset/", fields: reset },
  { slug: "static-recover-ar", path: "/static/ar/recover/", fields: recover },
  { slug: "static-reset-ar", path: "/static/ar/reset/", fields: reset },
  { slug: "recover", path: "/recover", fields: recover, against: "plain-recover", twin: "static-recover" },
  { slug: "reset-token", path: `/reset?token=${TOKEN}`, fields: reset, against: "plain-reset", twin: "static-reset" },
  { slug: "recover-ar", path: "/recover?lang=ar", fields: recover, against: "plain-recover", twin: "static-recover-ar" },
  { slug: "reset-token-ar", path: `/reset?token=${TOKEN}&lang=ar`, fields: reset, against: "plain-reset", twin: "static-reset-ar" },
];
// BENCH_PAGES=floor,recover measures only those.
const only = process.env.BENCH_PAGES?.split(",");
if (only) pages.splice(0, pages.length, ...pages.filter((p) => only.includes(p.slug)));

const files = loadSite(dist, { floorStyles: "inline" });
// The line's check: incompressible files (served as they are, never compressed).
const KB = 1024;
files.set("/bench-line/200k.bin", randomBytes(200 * KB));
files.set("/bench-line/100k-a.bin", randomBytes(100 * KB));
files.set("/bench-line/100k-b.bin", randomBytes(100 * KB));
const host = await startHost(files);
const line = await startLine({ target: host.port, ...LINE });
const base = `http://127.0.0.1:${line.port}`;

/** Fetches a path through the line on a new connection; resolves to the ms it took. */
function fetched(path) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get({ host: "127.0.0.1", port: line.port, path, agent: false }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${path}: status ${response.statusCode}`));
      response.resume();
      response.on("end", () => resolve(performance.now() - started)).on("error", reject);
    }).on("error", reject);
  });
}

console.log(`\nOn a shared line at ${base} (a proxy in front of the static host on ${host.base}): ` +
  `1.6 Mbit/s down, 750 kbit/s up (as Lighthouse counts: ${Math.round(LINE.down).toLocaleString("en")} and ` +
  `${Math.round(LINE.up).toLocaleString("en")} bytes/s), ${LINE.latency} ms each way, ${LINE.chunk}-byte chunks ` +
  `round-robin across connections (the proxy in a thread of its own, nice ${line.priority}); no DevTools throttling, ` +
  `CPU ×${CPU_SLOWDOWN}; brotli; ${runs} run(s) per page`);

// The check, three times each, alternating; medians.
const alone = [];
const together = [];
let each = [];
try {
  for (let i = 0; i < 3; i++) {
    alone.push(await fetched("/bench-line/200k.bin"));
    await line.idle();
    const pair = await Promise.all([fetched("/bench-line/100k-a.bin"), fetched("/bench-line/100k-b.bin")]);
    together.push(Math.max(...pair));
    each.push(pair);
    await line.idle();
  }
} catch (e) {
  fail(`the line's check failed: ${e.message}`);
}
const one = median(alone);
const two = median(together);
const ratio = two / one;
// On the line: a round trip for the handshake, the request up, the answer down, and the bytes.
const expected = 4 * LINE.latency + (200 * KB / LINE.down) * 1000;
const unshared = 4 * LINE.latency + (100 * KB / LINE.down) * 1000;
each = each[together.indexOf(two)] ?? each[0];
console.log(`The line's check (medians of 3): one 200 KB file alone ${ms(one, 0)}; ` +
  `two 100 KB files at once ${ms(two, 0)} (${each.map((t) => ms(t, 0)).join(" and ")}); ` +
  `ratio ${ratio.toFixed(2)} (a shared line: about 1.00 and ${Math.round(expected)} ms; ` +
  `a line each: ${(unshared / expected).toFixed(2)})`);
if (!(Math.abs(ratio - 1) <= SHARING_TOLERANCE)) {
  line.close();
  host.close();
  fail(`the proxy is not sharing the line: two 100 KB files at once took ${ratio.toFixed(2)}× ` +
    `one 200 KB file alone (must be within ${SHARING_TOLERANCE * 100} % of 1.00)`);
}

const checked = await line.lateness();
const browser = await launchBrowser();
const results = new Map(pages.map((p) => [p.slug, []]));
for (let run = 0; run < runs; run++) {
  // Each run starts one page later, so that no page always follows the same one (a page that
  // compiled a wasm leaves the machine busier for a moment than one that did not).
  for (const page of [...pages.slice(run % pages.length), ...pages.slice(0, run % pages.length)]) {
    const opened = await line.opened();
    try {
      const result = await visit(browser, host, base + page.path, page.fields, { cpu: CPU_SLOWDOWN });
      results.get(page.slug).push({ ...result, connections: (await line.opened()) - opened });
    } catch (e) {
      await browser.close();
      line.close();
      host.close();
      fail(`${page.path}: ${e.message}`);
    }
    // The next page starts on an empty line, and once the closed one has let go of the CPU.
    await line.idle();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
}
await browser.close();
const lateness = await line.lateness();
await line.close();
host.close();

// When each kind of file had arrived, ms from the first request (NaN when the page has none).
const arrived = (waterfall, test) => {
  const ends = waterfall.filter(test).map((r) => r.end);
  return ends.length ? Math.max(...ends) : NaN;
};
// The page's own HTML: the first document (the floor's native post is a second one).
const html = (waterfall) => waterfall.find((r) => r.type === "Document")?.end ?? NaN;
const isStylesheet = (r) => r.type === "Stylesheet";
const isWasm = (r) => new URL(r.url).pathname.endsWith(".wasm");

const w = 24;
console.log(`\n${"page".padEnd(w)} ${"HTML in".padStart(9)} ${"CSS in".padStart(9)} ${"wasm in".padStart(9)} ` +
  `${"FCP".padStart(9)} ${"LCP".padStart(9)} ${"LCP/floor".padStart(9)} ${"90 % range".padStart(11)} ${"LCP/static".padStart(10)} ${"first POST".padStart(10)} ${"POST/plain".padStart(10)} conns`);
const all = (slug, key) => results.get(slug)?.map((v) => (typeof key === "function" ? key(v) : v[key])) ?? [];
const of = (slug, key) => median(all(slug, key));
const floorLcp = of("floor", "lcp");
for (const page of pages) {
  const lcp = of(page.slug, "lcp");
  const post = of(page.slug, "post");
  const against = page.against ? post / of(page.against, "post") : NaN;
  console.log([
    shown(page.path).padEnd(w),
    ms(of(page.slug, (v) => html(v.waterfall))),
    ms(of(page.slug, (v) => arrived(v.waterfall, isStylesheet))),
    ms(of(page.slug, (v) => arrived(v.waterfall, isWasm))),
    ms(of(page.slug, "fcp")),
    ms(lcp),
    times(lcp / floorLcp),
    range(page.slug === "floor" ? [NaN, NaN] : ratioRange(all(page.slug, "lcp"), all("floor", "lcp"))),
    times(page.twin ? lcp / of(page.twin, "lcp") : NaN, 10),
    ms(post, 10),
    times(against, 10),
    String(Math.round(of(page.slug, "connections"))).padStart(5),
  ].join(" "));
}
console.log(`LCP/floor: the page's median LCP ÷ the floor's (styles inline), and the range in which 90 % of ` +
  `its resamples fell (a bootstrap over the runs: how far the next run's figure may move); LCP/static: ÷ its static twin's ` +
  `(the same page, in its language, without the app); POST/plain: its median first POST ÷ ` +
  `the plain-JavaScript page's (${pages.some((p) => p.slug.endsWith("-ar")) ? "the Arabic pages against the English plain pages; " : ""}` +
  `the floor posts natively). Each "in" is when the last such file had arrived, from the first request.`);

// A busy machine fires the proxy's timers late: each late chunk arrives that much later.
const [late, late95, lateMax] = lateness;
console.log(`The proxy handed chunks over ${late.toFixed(1)} ms after they were due (median; 95th percentile ` +
  `${late95.toFixed(1)} ms, at most ${lateMax.toFixed(0)} ms; in the line's check: ${checked[0].toFixed(1)}, ` +
  `${checked[1].toFixed(1)}, ${checked[2].toFixed(0)} ms). Figures from this machine, under whatever else it runs.`);
if (late95 > 10) console.log("The machine was busy enough to delay the line itself: read these figures with that in mind.");

if (process.env.BENCH_WATERFALL) {
  for (const page of pages.filter((p) => p.against)) {
    console.log(`\nWaterfall of ${shown(page.path)} on the shared line (last run; ms from the first request; started by):`);
    for (const r of results.get(page.slug).at(-1).waterfall.sort((a, b) => a.start - b.start)) {
      const name = shown(new URL(r.url).pathname + new URL(r.url).search);
      const by = r.by.startsWith(base) ? shown(new URL(r.by).pathname) : r.by;
      console.log(`  ${ms(r.start)} → ${ms(r.end)}  ${r.method.padEnd(4)} ${name.padEnd(34)} ${by}`);
    }
  }
}
