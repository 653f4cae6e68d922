// Slims what wasm-bindgen wrote for a release build (run by scripts/post-build.sh, in place of
// trunk's own wasm-opt, which index.html turns off with data-wasm-opt="0"):
//
// 1. Drops the classes the glue exports and their wasm exports. The app's only JS surface is
//    its `init`: the classes are wasm-streams' (`IntoUnderlyingSink`, …), which leptos pulls in
//    through server_fn's "browser" feature and no page uses. The release build's linker
//    (scripts/link-wasm.sh) already leaves their wasm exports out, so that the code behind them
//    goes too (dropped here, after linking, the futures their methods start stayed in the
//    function table); wasm-bindgen still writes the classes into the glue, and they go here.
// 2. Runs wasm-opt -Oz (as trunk would) and terser over the glue (trunk's own minifier cannot
//    parse it).
// 3. Gives every name the wasm and its glue share a short one, in both files. wasm-bindgen names
//    each import after its JS function and a 16-digit hash (`__wbg_addEventListener_3acb0a…`)
//    and each closure's export after its Rust types (250 characters); each name is written in
//    the wasm and again in the glue. About 160 such names are 5 KB of hex no compressor can
//    shrink: renamed `a`, `b`, … they cost about 3.8 KB less brotli on every first visit.
// 4. Drops the wasm's custom sections (`producers`, `target_features` and leptos's
//    `__wasm_split_unstable`): no browser reads them, and they were 0.2 KB brotli.
//
//   node scripts/slim-bindings.mjs <folder holding one *_bg.wasm and its glue *.js>
//
// The wasm's file name stays: trunk named it after its content, and the slimming is the same for
// the same content. Anything the glue does not hold as expected stops the build, as a mismatch
// would only show in the browser (the wasm would not instantiate, or a call would fail).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function main() {
  const folder = process.argv[2] ?? fail("usage: slim-bindings.mjs <folder>");
  const files = readdirSync(folder);
  const only = (pattern, what) => {
    const found = files.filter((name) => pattern.test(name));
    if (found.length !== 1) fail(`expected one ${what} in ${folder}, found ${found.length}`);
    return join(folder, found[0]);
  };
  const wasmPath = only(/_bg\.wasm$/, "wasm");
  const gluePath = only(/^[^/]*(?<!_bg)\.js$/, "JS glue");

  // 1. Unused classes out of both files.
  const { glue: withoutClasses, unused } = dropExportedClasses(readFileSync(gluePath, "utf8"));
  writeFileSync(gluePath, withoutClasses);
  writeFileSync(
    wasmPath,
    withSection(readFileSync(wasmPath), EXPORTS, (section) =>
      keepExports(section, (name) => !unused.has(name)),
    ),
  );

  // 2. The optimizer and the minifier.
  run("wasm-opt", ["-Oz", wasmPath, "-o", wasmPath]);
  run("terser", [gluePath, "--module", "--compress", "--mangle", "--output", gluePath]);

  // 3. Short names in both files.
  let wasm = readFileSync(wasmPath);
  let glue = readFileSync(gluePath, "utf8");
  const imports = new Map();
  wasm = withSection(wasm, IMPORTS, (section) => renameImports(section, imports));
  for (const [name, short] of imports) {
    const key = `${name}:`;
    const count = glue.split(key).length - 1;
    if (count !== 1) fail(`the glue holds the import key ${key} ${count} times, not once`);
    glue = glue.replace(key, `${short}:`);
  }
  // An export is renamed only when wasm-bindgen made its name and the glue reaches it as a
  // property (`wasm.name`) and in no other way; `memory`, `main` and the like keep theirs.
  const exports = new Map();
  wasm = withSection(wasm, EXPORTS, (section) =>
    renameExports(section, exports, (name) => {
      if (!/^(__wbg_|__wbindgen_|__externref_|wasm_bindgen_)/.test(name)) return false;
      const anywhere = occurrences(glue, name);
      return anywhere > 0 && occurrences(glue, name, true) === anywhere;
    }),
  );
  for (const [name, short] of exports) {
    glue = glue.replace(token(name, true, "g"), `.${short}`);
  }
  // 4. Custom sections out.
  wasm = withoutCustomSections(wasm);
  writeFileSync(wasmPath, wasm);
  writeFileSync(gluePath, glue);
  console.log(
    `slim-bindings: ${unused.size} unused exports dropped, ${imports.size} imports and ` +
      `${exports.size} exports renamed in ${wasmPath} and its glue`,
  );
}

const IMPORTS = 2;
const EXPORTS = 7;

/// The glue without its exported classes (and their finalization registries), and the names of
/// the wasm exports only those classes called.
function dropExportedClasses(glue) {
  const classes = [...glue.matchAll(/^export class (\w+) \{$/gm)].map((m) => m[1]);
  const removed = [];
  for (const name of classes) {
    const block = new RegExp(
      `^export class ${name} \\{\\n[\\s\\S]*?^\\}\\n` +
        `(?:if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[Symbol\\.dispose\\] = ${name}\\.prototype\\.free;\\n)?`,
      "m",
    );
    const registry = new RegExp(
      `^const ${name}Finalization = [\\s\\S]*?;\\n`,
      "m",
    );
    for (const pattern of [block, registry]) {
      const found = glue.match(pattern) ?? fail(`cannot find the class ${name} in the glue`);
      removed.push(found[0]);
      glue = glue.replace(pattern, "");
    }
    if (occurrences(glue, name) > 0) fail(`the glue still uses the class ${name}`);
  }
  const unused = new Set();
  for (const text of removed) {
    for (const [, name] of text.matchAll(/\bwasm\.(\w+)/g)) {
      if (occurrences(glue, name) === 0) unused.add(name);
    }
  }
  return { glue, unused };
}

/// How often `name` stands whole in `text` (as a property, `.name`, when `property`).
function occurrences(text, name, property = false) {
  return (text.match(token(name, property, "g")) ?? []).length;
}

/// A pattern for `name` standing whole (wasm-bindgen's names are word characters alone).
function token(name, property = false, flags = "") {
  return new RegExp(`${property ? "\\." : "(?<![\\w$])"}${name}(?![\\w$])`, flags);
}

/// The import section with each import's name shortened, noting each in `renamed`.
function renameImports(section, renamed) {
  const reader = new Reader(section);
  const count = reader.u32();
  const out = [leb(count)];
  for (let i = 0; i < count; i++) {
    const module = reader.bytes();
    const name = reader.bytes().toString("utf8");
    const start = reader.at;
    reader.importDescription();
    const description = section.subarray(start, reader.at);
    const short = Buffer.from(shortName(renamed.size));
    renamed.set(name, short.toString());
    out.push(leb(module.length), module, leb(short.length), short, description);
  }
  return Buffer.concat(out);
}

/// The export section without the exports `keep` refuses.
function keepExports(section, keep) {
  const reader = new Reader(section);
  const count = reader.u32();
  const kept = [];
  for (let i = 0; i < count; i++) {
    const start = reader.at;
    const name = reader.bytes().toString("utf8");
    reader.exportDescription();
    if (keep(name)) kept.push(section.subarray(start, reader.at));
  }
  return Buffer.concat([leb(kept.length), ...kept]);
}

/// The export section with the exports `rename` accepts shortened, noting each in `renamed`.
/// Short names skip those the kept exports hold.
function renameExports(section, renamed, rename) {
  const reader = new Reader(section);
  const count = reader.u32();
  const entries = [];
  for (let i = 0; i < count; i++) {
    const name = reader.bytes().toString("utf8");
    const start = reader.at;
    reader.exportDescription();
    entries.push({ name, description: section.subarray(start, reader.at) });
  }
  const taken = new Set(entries.filter((e) => !rename(e.name)).map((e) => e.name));
  let next = 0;
  const out = [leb(count)];
  for (const { name, description } of entries) {
    let final = name;
    if (!taken.has(name)) {
      do final = shortName(next++);
      while (taken.has(final));
      renamed.set(name, final);
    }
    const bytes = Buffer.from(final);
    out.push(leb(bytes.length), bytes, description);
  }
  return Buffer.concat(out);
}

/// `wasm` with its section `id` replaced by `rewrite(section)`.
function withSection(wasm, id, rewrite) {
  const out = [wasm.subarray(0, 8)]; // magic and version
  const reader = new Reader(wasm, 8);
  let found = false;
  while (!reader.done()) {
    const start = reader.at;
    const sectionId = reader.byte();
    const body = reader.bytes();
    if (sectionId === id) {
      found = true;
      const section = rewrite(body);
      out.push(Buffer.from([id]), leb(section.length), section);
    } else {
      out.push(wasm.subarray(start, reader.at));
    }
  }
  if (!found) fail(`the wasm has no section ${id}`);
  return Buffer.concat(out);
}

/// `wasm` without its custom sections (id 0): metadata for tools, never read when it runs.
function withoutCustomSections(wasm) {
  const out = [wasm.subarray(0, 8)]; // magic and version
  const reader = new Reader(wasm, 8);
  while (!reader.done()) {
    const start = reader.at;
    const custom = reader.byte() === 0;
    reader.bytes();
    if (!custom) out.push(wasm.subarray(start, reader.at));
  }
  return Buffer.concat(out);
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: "inherit" });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} failed (exit ${result.status})`);
}

/// `a` … `Z`, then `aa` …: the shortest names first.
function shortName(index) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  do {
    name += letters[index % letters.length];
    index = Math.floor(index / letters.length);
  } while (index > 0);
  return name;
}

class Reader {
  constructor(buffer, at = 0) {
    this.buffer = buffer;
    this.at = at;
  }
  done() {
    return this.at >= this.buffer.length;
  }
  byte() {
    return this.buffer[this.at++];
  }
  u32() {
    let value = 0;
    let shift = 0;
    let byte;
    do {
      byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  }
  bytes() {
    const length = this.u32();
    const bytes = this.buffer.subarray(this.at, this.at + length);
    this.at += length;
    return bytes;
  }
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
  /// Skips an import's description: a function, table, memory, global or tag.
  importDescription() {
    const kind = this.byte();
    if (kind === 0) this.u32(); // function: its type index
    else if (kind === 1) (this.byte(), this.limits()); // table: element type, limits
    else if (kind === 2) this.limits(); // memory
    else if (kind === 3) (this.byte(), this.byte()); // global: value type, mutability
    else if (kind === 4) (this.byte(), this.u32()); // tag
    else fail(`unknown import kind ${kind}`);
  }
  /// Skips an export's description: its kind and index.
  exportDescription() {
    this.byte();
    this.u32();
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

function fail(message) {
  console.error(`slim-bindings: ${message}`);
  process.exit(1);
}

main();
