// Reads the Lighthouse reports written by scripts/bench-lighthouse.sh and prints, per page, the
// medians over the runs (LCP, its ratio to the floor page's, FCP, TBT, CLS, scores), then
// whether each page holds the targets of issue #7. Missed targets are figures, not failures;
// only a report that cannot be read (or a Lighthouse runtime error) exits non-zero.
// Usage: node scripts/bench-lighthouse-table.mjs [--simulated SIM_DIR] REPORT_DIR SLUG=PATH...
// (the first page is the floor). Reports are REPORT_DIR/SLUG.N.json. With --simulated, the same
// pages measured with Lighthouse's simulated throttling (SIM_DIR/SLUG.N.json): their LCP is
// printed beside the applied one, with the requests the simulation counted.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const TARGET = { ratio: 1.15, perf: 100, tbt: 30, cls: 0, a11y: 100 };

const args = process.argv.slice(2);
const simulatedDir = args[0] === "--simulated" ? args.splice(0, 2)[1] : null;
const [dir, ...specs] = args;
const pages = specs.map((spec) => {
  const at = spec.indexOf("=");
  // A token in the address is shown as "…": the table stays narrow.
  return { slug: spec.slice(0, at), path: spec.slice(at + 1).replace(/token=[^&]+/, "token=…") };
});

const median = (values) => {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

let broken = false;
function reports(dir, page) {
  const names = readdirSync(dir).filter((n) => n.startsWith(`${page.slug}.`) && n.endsWith(".json"));
  const runs = names.map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")));
  if (runs.length === 0) {
    console.error(`bench: no Lighthouse report for ${page.path} in ${dir}`);
    broken = true;
  }
  for (const r of runs) {
    if (r.runtimeError) {
      console.error(`bench: Lighthouse runtime error on ${page.path}: ${r.runtimeError.code} ${r.runtimeError.message}`);
      broken = true;
    }
  }
  return runs;
}
for (const page of pages) {
  page.runs = reports(dir, page);
  if (simulatedDir) {
    page.simulated = reports(simulatedDir, page);
    page.simLcp = median(page.simulated.map((r) => r.audits["largest-contentful-paint"]?.numericValue));
  }
  const audit = (id) => median(page.runs.map((r) => r.audits[id]?.numericValue));
  const score = (id) =>
    median(page.runs.map((r) => (r.categories[id]?.score == null ? NaN : r.categories[id].score * 100)));
  page.lcp = audit("largest-contentful-paint");
  page.fcp = audit("first-contentful-paint");
  page.tbt = audit("total-blocking-time");
  page.cls = audit("cumulative-layout-shift");
  page.perf = score("performance");
  page.a11y = score("accessibility");
  page.bp = score("best-practices");
  page.lcps = page.runs.map((r) => r.audits["largest-contentful-paint"]?.numericValue);
}

const floor = pages[0];
for (const page of pages) {
  page.ratio = page.lcp / floor.lcp;
  page.simRatio = page.simLcp / floor.simLcp;
}

const fmt = (x, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const runs = Math.max(...pages.map((p) => p.runs.length));
const width = Math.max(16, ...pages.map((p) => p.path.length));
console.log(`medians of ${runs} run(s) per page; ratio = the page's median LCP / the floor's (${floor.path})`);
console.log(
  [
    "page".padEnd(width), "LCP ms".padStart(7), "ratio".padStart(6), "FCP ms".padStart(7),
    "TBT ms".padStart(7), "CLS".padStart(5), "perf".padStart(5), "a11y".padStart(5), "bp".padStart(4),
    ...(simulatedDir ? ["sim LCP".padStart(7), "ratio".padStart(6)] : []),
    "  LCP of each run (ms)",
  ].join(" "),
);
for (const p of pages) {
  console.log(
    [
      p.path.padEnd(width), fmt(p.lcp).padStart(7), `${fmt(p.ratio, 2)}x`.padStart(6),
      fmt(p.fcp).padStart(7), fmt(p.tbt).padStart(7), fmt(p.cls, 2).padStart(5),
      fmt(p.perf).padStart(5), fmt(p.a11y).padStart(5), fmt(p.bp).padStart(4),
      ...(simulatedDir ? [fmt(p.simLcp).padStart(7), `${fmt(p.simRatio, 2)}x`.padStart(6)] : []),
      `  ${p.lcps.map((x) => fmt(x)).join(" ")}`,
    ].join(" "),
  );
}

// What the simulation counted: Lantern replays the unthrottled load and keeps, for the largest
// paint, every request that started and finished before that paint was observed (whatever it
// was for: the head-preloaded wasm too), then prices each on its simulated network.
if (simulatedDir) {
  console.log();
  console.log(
    "sim LCP: Lighthouse's simulation (Lantern), medians of its own runs. It counts every request that started and " +
      "finished before the largest paint of the unthrottled load as if the paint waited for it, the head-preloaded " +
      "wasm included; the applied LCP is the paint Chromium reported while slowed. Counted, in its first run:",
  );
  for (const p of pages) {
    const r = p.simulated[0];
    if (!r) continue;
    const observed = r.audits.metrics?.details?.items?.[0]?.observedLargestContentfulPaint;
    const requests = r.audits["network-requests"]?.details?.items ?? [];
    const start = Math.min(...requests.map((q) => q.networkRequestTime));
    const counted = requests.filter((q) => q.networkEndTime - start <= observed && !/^data:/.test(q.url));
    const kb = counted.reduce((sum, q) => sum + (q.transferSize ?? 0), 0) / 1024;
    const names = counted.map((q) => `${new URL(q.url).pathname.replace(/-[0-9a-f]{12,}/, "")} ${fmt((q.transferSize ?? 0) / 1024, 1)} KB`);
    console.log(`  ${p.path.padEnd(width)} ${fmt(kb, 1).padStart(6)} KB: ${names.join(", ")}`);
  }
}

console.log();
console.log(
  `targets (issue #7): LCP ratio <= ${TARGET.ratio}, performance ${TARGET.perf}, TBT <= ${TARGET.tbt} ms, CLS 0.00, accessibility ${TARGET.a11y}`,
);
for (const p of pages) {
  const checks = [
    [`LCP ratio ${fmt(p.ratio, 2)}x`, p.ratio <= TARGET.ratio],
    [`perf ${fmt(p.perf)}`, p.perf >= TARGET.perf],
    [`TBT ${fmt(p.tbt)} ms`, p.tbt <= TARGET.tbt],
    [`CLS ${fmt(p.cls, 2)}`, fmt(p.cls, 2) === "0.00"],
    [`a11y ${fmt(p.a11y)}`, p.a11y >= TARGET.a11y],
  ];
  const missed = checks.filter(([, ok]) => !ok).map(([what]) => what);
  const verdict = missed.length === 0 ? "all targets hold" : `MISSED: ${missed.join(", ")}`;
  console.log(`${p.path.padEnd(width)} ${verdict}`);
}

// Why a score is below 100: the failing audits of accessibility and best practices, once each.
for (const p of pages) {
  const seen = new Set();
  for (const r of p.runs) {
    for (const id of ["accessibility", "best-practices"]) {
      for (const ref of r.categories[id]?.auditRefs ?? []) {
        const a = r.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1 && !seen.has(a.id)) {
          seen.add(a.id);
          console.log(`  ${p.path}: ${id}: ${a.id}: ${a.title}`);
          for (const item of (a.details?.items ?? []).slice(0, 5)) {
            const what = [item.url, item.description || item.node?.snippet].filter(Boolean).join(" ");
            if (what) console.log(`      ${String(what).slice(0, 160)}`);
          }
        }
      }
    }
  }
}

process.exit(broken ? 1 : 0);
