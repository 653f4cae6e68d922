// Prints the release bundle's size per file (raw, gzip, brotli) and, for each page, what a
// first visit to it downloads, against the budget. Usage: node scripts/bench-bundle.mjs [dist]
// Compression uses Node's own zlib at maximum quality, as a static host would precompress.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const BUDGET_BROTLI = 120 * 1024;
const dist = process.argv[2] ?? "dist";

// Hidden entries (trunk's `.stage` left by an interrupted build) are never served.
function walk(dir) {
  return readdirSync(dir).filter((name) => !name.startsWith(".")).flatMap((name) => {
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
    data,
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
const byName = new Map(sizes.map((s) => [s.name, s]));

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

// What a first visit to each page downloads: its HTML file, then every top-level asset it
// names, followed through what those name in turn (its <meta name=reclaim-app> names the JS
// glue and the wasm, which the inline bootstrap loads; the wasm may name config.json). The app
// fetches config.json when it starts, so a page that loads a wasm pays for it whether or not its
// name is found. HTML files are pages, never assets of another page.
const assets = sizes.filter(({ name }) => !name.includes("/") && !name.endsWith(".html"));
function firstVisit(page) {
  const loaded = new Map();
  const queue = [page];
  while (queue.length > 0) {
    const text = queue.shift().data.toString("latin1");
    for (const asset of assets) {
      if (!loaded.has(asset.name) && text.includes(asset.name)) {
        loaded.set(asset.name, asset);
        queue.push(asset);
      }
    }
  }
  // The app fetches config.json when it starts, then the description of the backend it names.
  const config = byName.get("config.json");
  if (config && [...loaded.keys()].some((n) => n.endsWith(".wasm"))) {
    loaded.set(config.name, config);
    const description = byName.get(`backends/${configuredBackend(config)}.json`);
    if (description) loaded.set(description.name, description);
  }
  return [page, ...[...loaded.values()].sort((a, b) => a.name.localeCompare(b.name))];
}

/** The backend config.json names (the contract's, `reclaim`, when it names none). */
function configuredBackend(config) {
  try {
    return JSON.parse(config.data.toString("utf8")).backend || "reclaim";
  } catch {
    return "reclaim";
  }
}

// The pages a build may hold; whichever are present are measured.
const pages = [
  ["/", "index.html"],
  ["/recover", "recover/index.html"],
  ["/reset", "reset/index.html"],
  ["not found", "404.html"],
].filter(([, file]) => byName.has(file));

// A locale's pages are its prerendered copies (`ar/reset/index.html`; English's are the root
// ones), its catalog (`i18n/ar.json`; English's is compiled in) and the deployer's sentences for
// it (`locales/ar.json`), which the app fetches as it starts.
const locales = [
  "",
  ...[...new Set(sizes.map(({ name }) => name.split("/")))]
    // A language's folder holds its copy of the request page.
    .filter((parts) => parts.length === 3 && parts[1] === "recover" && parts[2] === "index.html")
    .map((parts) => parts[0]),
].filter((tag, i, all) => all.indexOf(tag) === i);

function localeVisit(tag, file) {
  const page = byName.get(tag ? `${tag}/${file}` : file);
  if (!page) return null;
  const list = firstVisit(page);
  // The catalog, and the deployer's file of sentences (`{}` as shipped), both fetched at start.
  for (const file of [`i18n/${tag}.json`, `locales/${tag || "en"}.json`]) {
    if (byName.has(file)) list.push(byName.get(file));
  }
  return list;
}

console.log();
console.log(`First visit per page, against the budget of ${BUDGET_BROTLI / 1024} KB brotli`);
console.log(`${"page".padEnd(width)} ${"raw KB".padStart(8)} ${"gzip KB".padStart(8)} ${"br KB".padStart(8)}  budget`);
let worst = null;
for (const tag of locales) {
  for (const [route, file] of pages) {
    const list = localeVisit(tag, file);
    if (!list) continue;
    const sum = total(list);
    const verdict = sum.brotli <= BUDGET_BROTLI ? "within" : "OVER";
    const name = tag ? `${route}?lang=${tag} (${tag}/${file})` : `${route} (${file})`;
    console.log(`${row(name, sum)}  ${verdict}`);
    if (!tag) console.log(`  (${list.map((s) => s.name).join(", ")})`);
    if (!worst || sum.brotli > worst.brotli) worst = { route: tag ? `${route}?lang=${tag}` : route, brotli: sum.brotli };
  }
}
if (worst) {
  const verdict = worst.brotli <= BUDGET_BROTLI ? "within" : "OVER";
  console.log(
    `first visit: at most ${kb(worst.brotli).trim()} KB brotli (${worst.route}), ${verdict} the budget of ${BUDGET_BROTLI / 1024} KB`,
  );
} else {
  console.log("first visit: no page found (index.html, recover/index.html, reset/index.html, 404.html)");
}

// Per language, the largest first visit and what that language itself adds to it.
if (locales.length > 1) {
  console.log();
  console.log("First visit per language (its largest page, and its catalog i18n/<tag>.json)");
  for (const tag of locales) {
    const visits = pages.map(([, file]) => localeVisit(tag, file)).filter(Boolean).map(total);
    const largest = visits.reduce((a, b) => (b.brotli > a.brotli ? b : a));
    const catalog = byName.get(`i18n/${tag}.json`);
    const extra = catalog ? `catalog ${kb(catalog.brotli).trim()} KB` : "catalog compiled in";
    console.log(`${(tag || "en").padEnd(8)} ${kb(largest.brotli)} KB brotli  (${extra})`);
  }
}

// Per backend: the largest first visit with that backend's description in place of the
// configured one, and what the backend adds to a first visit (its description file).
const descriptions = sizes.filter(({ name }) => name.startsWith("backends/") && name.endsWith(".json"));
if (descriptions.length > 0 && worst) {
  const configured = byName.get(`backends/${configuredBackend(byName.get("config.json") ?? { data: Buffer.from("{}") })}.json`);
  const without = worst.brotli - (configured ? configured.brotli : 0);
  console.log();
  console.log("First visit per backend (the largest page in any language, with that backend's description)");
  for (const description of descriptions) {
    const name = description.name.slice("backends/".length, -".json".length);
    const sum = without + description.brotli;
    const verdict = sum <= BUDGET_BROTLI ? "within" : "OVER";
    console.log(`${name.padEnd(12)} ${kb(sum)} KB brotli, the description adds ${kb(description.brotli).trim()} KB  ${verdict}`);
  }
}
