// Gives every function the wasm imports from its JS glue a short name, in both files (run on
// release builds by scripts/post-build.sh, after terser).
//
// Why: wasm-bindgen names each import after its JS function and a 16-digit hash
// (`__wbg_addEventListener_3acb0aad4483804c`), and each name is written twice, in the wasm's
// import section and as a key of the glue's imports object. About 160 such names are
// 5 KB of hex that no compressor can shrink: renamed `a`, `b`, … they cost about 3.8 KB less
// brotli on every first visit (measured on this bundle: wasm 111.6 → 109.5 KB, glue 5.4 → 3.7).
//
//   node scripts/short-imports.mjs <folder holding one *_bg.wasm and its glue *.js>
//
// The wasm's name stays: trunk named it after its content, and the renaming is the same for
// the same content. A name the glue does not hold exactly once as a key stops the build, as a
// mismatch would only show in the browser (the wasm would not instantiate).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function main() {
  const folder = process.argv[2] ?? fail("usage: short-imports.mjs <folder>");
  const files = readdirSync(folder);
  const only = (pattern, what) => {
    const found = files.filter((name) => pattern.test(name));
    if (found.length !== 1) fail(`expected one ${what} in ${folder}, found ${found.length}`);
    return join(folder, found[0]);
  };
  const wasmPath = only(/_bg\.wasm$/, "wasm");
  const gluePath = only(/^[^/]*(?<!_bg)\.js$/, "JS glue");

  const wasm = readFileSync(wasmPath);
  let glue = readFileSync(gluePath, "utf8");
  const renamed = new Map();
  writeFileSync(wasmPath, withImportSection(wasm, (section) => renameImports(section, renamed)));
  for (const [name, short] of renamed) {
    const key = `${name}:`;
    const count = glue.split(key).length - 1;
    if (count !== 1) fail(`the glue holds the import key ${key} ${count} times, not once`);
    glue = glue.replace(key, `${short}:`);
  }
  writeFileSync(gluePath, glue);
  console.log(`short-imports: ${renamed.size} imports renamed in ${wasmPath} and its glue`);
}

/// The import section (id 2) with each import's name shortened, noting each in `renamed`.
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

/// `wasm` with its import section replaced by `rewrite(section)`.
function withImportSection(wasm, rewrite) {
  const out = [wasm.subarray(0, 8)]; // magic and version
  const reader = new Reader(wasm, 8);
  while (!reader.done()) {
    const start = reader.at;
    const id = reader.byte();
    const body = reader.bytes();
    if (id === 2) {
      const section = rewrite(body);
      out.push(Buffer.from([2]), leb(section.length), section);
    } else {
      out.push(wasm.subarray(start, reader.at));
    }
  }
  return Buffer.concat(out);
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
  console.error(`short-imports: ${message}`);
  process.exit(1);
}

main();
