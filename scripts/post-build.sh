#!/bin/sh
# trunk's post-build step (see Trunk.toml), one script because its steps depend on each other
# and trunk starts the hooks of one stage all at once: terser over the JS glue first, the
# wasm's import names shortened, then the prerender, which writes each page's HTML (in every
# language) into the staging folder.
set -eu
: "${TRUNK_STAGING_DIR:?run by trunk}"

# trunk's own JS minifier cannot parse wasm-bindgen's glue: release builds run terser (from
# scripts/package.json, installed by scripts/setup.sh), about 1.7 KB less brotli per visitor.
if [ "${TRUNK_PROFILE:-}" = release ]; then
    command -v terser >/dev/null || {
        echo 'terser is missing: build with make dist (scripts/setup.sh installs it)' >&2
        exit 1
    }
    for f in "$TRUNK_STAGING_DIR"/*.js; do
        terser "$f" --module --compress --mangle --output "$f"
    done
    # The names the wasm imports from the glue, shortened in both: about 3.8 KB less brotli.
    node scripts/short-imports.mjs "$TRUNK_STAGING_DIR"
fi

# The module that sends a form held before the app ran (src/start_up/send_ahead.js), fetched
# only by a page where that happened: named after its content, as trunk names the app's files,
# after the glue's renaming above (which wants the glue alone). The prerender names it in each
# page.
sender=src/start_up/send_ahead.js
rm -f "$TRUNK_STAGING_DIR"/send-ahead-*.js
staged="$TRUNK_STAGING_DIR/send-ahead.js"
if [ "${TRUNK_PROFILE:-}" = release ]; then
    terser "$sender" --module --compress --mangle --output "$staged"
else
    cp "$sender" "$staged"
fi
hash=$(sha256sum "$staged" | cut -c1-16)
mv "$staged" "$TRUNK_STAGING_DIR/send-ahead-$hash.js"

# Each page prerendered into its own HTML file (src/bin/prerender.rs), natively, with the stable
# toolchain: the nightly settings of scripts/build-pages.sh are for the release wasm alone.
env -u RUSTUP_TOOLCHAIN -u CARGO_UNSTABLE_BUILD_STD -u CARGO_UNSTABLE_BUILD_STD_FEATURES \
    cargo run --quiet --offline --no-default-features --features ssr --bin prerender -- "$TRUNK_STAGING_DIR"
