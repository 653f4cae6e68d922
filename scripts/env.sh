# Environment for building and testing Reclaim. Sourced by the Makefile's recipes and by the
# other scripts (`. scripts/env.sh`); safe to source more than once.
#
# Node tools live in cache folders outside the repository so that every clone on this machine
# shares one install: what the build needs (wasm-opt from the npm package binaryen, terser) in
# build-tools, what the tests and benchmarks need (axe-core, Lighthouse) in node.

RECLAIM_CACHE="${RECLAIM_CACHE:-$HOME/.cache/reclaim}"
# The nightly toolchain that builds the release wasm (scripts/build-pages.sh, scripts/setup.sh).
RECLAIM_NIGHTLY=nightly-2026-05-20
export RECLAIM_NIGHTLY
RECLAIM_NODE="$RECLAIM_CACHE/node"
RECLAIM_BUILD_TOOLS="$RECLAIM_CACHE/build-tools"
export RECLAIM_CACHE RECLAIM_NODE RECLAIM_BUILD_TOOLS

# The npm binaryen's wasm-opt must come before anything else on PATH: Debian's binaryen
# (wasm-opt 108) produces wasm that fails at run time. scripts/setup.sh checks this.
_reclaim_prepend_path() {
    case ":$PATH:" in
        ":$1:"*) ;;  # already first
        *) PATH="$1:$PATH" ;;
    esac
}
_reclaim_prepend_path "${CARGO_HOME:-$HOME/.cargo}/bin"
_reclaim_prepend_path "$RECLAIM_NODE/node_modules/.bin"
_reclaim_prepend_path "$RECLAIM_BUILD_TOOLS/node_modules/.bin"
unset -f _reclaim_prepend_path
export PATH

# Browser tests: Debian's Chromium and its driver.
export CHROME="${CHROME:-/usr/bin/chromium}"
export CHROME_PATH="${CHROME_PATH:-$CHROME}"   # what Lighthouse's launcher reads
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
# The defaults (5 s to start the driver) fail on a busy 2-core machine.
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT="${WASM_BINDGEN_TEST_DRIVER_TIMEOUT:-60}"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}"

# axe-core, injected into pages by the end-to-end tests.
export RECLAIM_AXE_JS="${RECLAIM_AXE_JS:-$RECLAIM_NODE/node_modules/axe-core/axe.min.js}"
