#!/bin/sh
# trunk's post-build step (see Trunk.toml), one script because its steps depend on each other
# and trunk starts the hooks of one stage all at once: terser over the JS glue first, the
# wasm's import names shortened, then the prerender, which writes each page's HTML (in every
# language, with the page's first script minified by terser too) into the staging folder.
set -eu
: "${TRUNK_STAGING_DIR:?run by trunk}"

# trunk's own JS minifier cannot parse wasm-bindgen's glue: release builds run terser (from
# scripts/build-tools/, installed by scripts/setup.sh), about 1.7 KB less brotli per visitor.
command -v terser >/dev/null || {
    echo 'terser is missing: build with make dist (scripts/setup.sh installs it)' >&2
    exit 1
}
if [ "${TRUNK_PROFILE:-}" = release ]; then
    for f in "$TRUNK_STAGING_DIR"/*.js; do
        terser "$f" --module --compress --mangle --output "$f"
    done
    # The names the wasm imports from the glue, shortened in both: about 3.8 KB less brotli.
    node scripts/short-imports.mjs "$TRUNK_STAGING_DIR"
fi

# Each page prerendered into its own HTML file (src/bin/prerender.rs), natively, with the stable
# toolchain: the nightly settings of scripts/build-pages.sh are for the release wasm alone.
env -u RUSTUP_TOOLCHAIN -u CARGO_UNSTABLE_BUILD_STD -u CARGO_UNSTABLE_BUILD_STD_FEATURES \
    cargo run --quiet --offline --no-default-features --features ssr --bin prerender -- "$TRUNK_STAGING_DIR"
