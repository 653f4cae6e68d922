// dist/_headers as Netlify and Cloudflare Pages read it, for the hosts the benchmarks and the
// end-to-end tests run in their place (scripts/bench-common.mjs, scripts/serve-pages.mjs).

/// The rules in file order: [path pattern, [[name, value], ...]].
export function headerRules(text) {
  const rules = [];
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    if (!/^\s/.test(line)) rules.push([line.trim(), []]);
    else if (rules.length) rules.at(-1)[1].push(line.trim().split(/:\s*(.*)/s).slice(0, 2));
  }
  return rules;
}

/// The headers among `names` that `rules` give a page at `path`: those of `/*` and of the rule
/// for exactly that path (the pages' own rules name them one by one). On a page, dist/_headers
/// adds the build's Link preload of the wasm, and the referrer policy of every path keeps that
/// early request's Referer free of the address's secret.
export function pageHeaders(rules, path, names = ["Link", "Referrer-Policy"]) {
  return Object.fromEntries(rules
    .filter(([pattern]) => pattern === path || pattern === "/*")
    .flatMap(([, headers]) => headers)
    .filter(([name]) => names.includes(name)));
}
