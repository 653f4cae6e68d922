#!/bin/sh
# trunk's post-build step (see Trunk.toml), one script because its steps depend on each other
# and trunk starts the hooks of one stage all at once: the wasm and its JS glue slimmed first
# (scripts/slim-bindings.mjs: unused exports out, wasm-opt, terser, short names), then the prerender, which writes each page's HTML (in every
# language, with the page's first script minified by terser too) into the staging folder.
set -eu
: "${TRUNK_STAGING_DIR:?run by trunk}"

# Release builds: scripts/slim-bindings.mjs runs wasm-opt (index.html turns trunk's off, so
# that the unused exports go before the optimizer) and terser, from scripts/build-tools/,
# installed by scripts/setup.sh.
if [ "${TRUNK_PROFILE:-}" = release ]; then
    for tool in wasm-opt terser; do
        command -v "$tool" >/dev/null || {
            echo "$tool is missing: build with make dist (scripts/setup.sh installs it)" >&2
            exit 1
        }
    done
    node scripts/slim-bindings.mjs "$TRUNK_STAGING_DIR"
fi

# Each page prerendered into its own HTML file (src/bin/prerender.rs), natively, with the stable
# toolchain: the nightly settings of scripts/build-pages.sh are for the release wasm alone.
env -u RUSTUP_TOOLCHAIN -u CARGO_UNSTABLE_BUILD_STD -u CARGO_UNSTABLE_BUILD_STD_FEATURES \
    cargo run --quiet --offline --no-default-features --features ssr --bin prerender -- "$TRUNK_STAGING_DIR"
