// Prints the release bundle's size per file (raw, gzip, brotli) and what a first visit
// downloads, against the budget. Usage: node scripts/bench-bundle.mjs [dist]
// Compression uses Node's own zlib at maximum quality, as a static host would precompress.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const BUDGET_BROTLI = 120 * 1024;
const dist = process.argv[2] ?? "dist";

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

let files;
try {
  files = walk(dist).sort();
} catch (e) {
  console.error(`bench-bundle: cannot read ${dist}/ (${e.code}); run \`make dist\` first`);
  process.exit(1);
}

const sizes = files.map((path) => {
  const data = readFileSync(path);
  return {
    name: relative(dist, path),
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }).length,
  };
});

// A first visit loads one HTML page (the per-route copies are the same page) and every other
// top-level file: the scripts, the wasm, the styles, the icon and the deploy-time configuration.
const firstVisit = sizes.filter(({ name }) => !name.includes("/"));

const kb = (n) => (n / 1024).toFixed(1).padStart(8);
const width = Math.max(24, ...sizes.map(({ name }) => name.length));
const row = (name, { raw, gzip, brotli }) =>
  `${name.padEnd(width)} ${kb(raw)} ${kb(gzip)} ${kb(brotli)}`;
const total = (list) =>
  list.reduce(
    (t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, brotli: t.brotli + s.brotli }),
    { raw: 0, gzip: 0, brotli: 0 },
  );

console.log(`Release bundle in ${dist}/ (KB = 1024 bytes)`);
console.log(`${"file".padEnd(width)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}`);
for (const s of sizes) console.log(row(s.name, s));
console.log(row("total (all files)", total(sizes)));
const first = total(firstVisit);
console.log(row("first visit", first));
console.log(`  (${firstVisit.map((s) => s.name).join(", ")})`);
const verdict = first.brotli <= BUDGET_BROTLI ? "within" : "OVER";
console.log(
  `first visit: ${kb(first.brotli).trim()} KB brotli, ${verdict} the budget of ${BUDGET_BROTLI / 1024} KB`,
);
