#!/usr/bin/env bash
# The release wasm's linker (set by scripts/build-pages.sh): rust-lld, without the exports of
# the classes wasm-streams gives JavaScript (`IntoUnderlyingSink`, `IntoUnderlyingSource`,
# `IntoUnderlyingByteSource`: their methods, `free`s and wasm-bindgen descriptors).
#
# Why here: leptos pulls wasm-streams in through server_fn, which no page uses, and its
# `#[wasm_bindgen]` classes are exports, so nothing before the linker may drop them.
# scripts/slim-bindings.mjs used to drop them after linking, but by then the futures their methods
# start were already in the function table (through their vtables), where no optimizer can tell
# a dead entry from a live one: their code stayed, 10 KB raw (3.3 KB brotli), with 13 imports
# of the glue's that only it called (0.2 KB brotli). Unexported here, the linker's
# garbage collection drops the methods, their vtables and those table entries with them.
# wasm-bindgen skips an export whose descriptor is gone; slim-bindings still drops the classes
# from the glue.
set -euo pipefail

args=()
unexported=0
while (($#)); do
    if [[ $1 == --export && $# -gt 1 ]]; then
        case $2 in
            intounderlying* | __wbg_intounderlying* | __wbindgen_describe_intounderlying*)
                unexported=$((unexported + 1))
                shift 2
                continue
                ;;
        esac
    fi
    args+=("$1")
    shift
done
# Anything else would mean the names changed (a new wasm-streams or wasm-bindgen): say so
# rather than silently ship the dead code again.
if ((unexported == 0)); then
    echo "link-wasm.sh: found no wasm-streams exports to drop; update the names" >&2
    exit 1
fi

# For size work: RECLAIM_LINK_MAP=/tmp/reclaim.map writes the linker's map (every function and
# piece of data, with its size), e.g. to see what the data segments hold.
if [[ -n ${RECLAIM_LINK_MAP:-} ]]; then
    args+=("--Map=$RECLAIM_LINK_MAP")
fi

lld=$(command -v rust-lld || true)
if [[ -z $lld ]]; then
    lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
fi
case " ${args[*]} " in
    *" -flavor "*) exec "$lld" "${args[@]}" ;;
    *) exec "$lld" -flavor wasm "${args[@]}" ;;
esac
