#!/usr/bin/env bash
# Installs what building, testing or measuring Reclaim needs, skipping each piece that is
# already present at the right version. Safe to run again and again: when everything is there it
# takes a second or two and prints one "ok" line per piece.
#
#   scripts/setup.sh build   what building the pages needs (make dist, make serve): the wasm32
#                            target, a pinned nightly toolchain for the release wasm, trunk,
#                            wasm-bindgen-cli (the version in Cargo.lock), Node.js and the npm
#                            build tools of scripts/build-tools/ (binaryen's wasm-opt, terser),
#                            and the crates Cargo.lock names
#   scripts/setup.sh test    that, and what the tests run (make test): Debian's Chromium and
#                            ChromeDriver, the Noto fonts (every script the pages speak is drawn
#                            in the screenshots), Debian's nginx, axe-core (scripts/package.json),
#                            the Firebase Auth emulator (scripts/firebase/), django-allauth
#                            (scripts/allauth/, a venv), PocketBase with its SMTP sink
#                            (scripts/pocketbase/, a venv), Better Auth with better-sqlite3
#                            compiled by node-gyp (scripts/better-auth/)
#   scripts/setup.sh bench   build's, Chromium, and Lighthouse (scripts/package.json)
#   scripts/setup.sh         all of it (make setup)
#
# npm and Python packages go into ${RECLAIM_CACHE:-~/.cache/reclaim}/<name>, each (re)installed
# only when its committed lock or pin file differs from the copy kept there at the last install.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

TRUNK_VERSION=0.21.14

ok() { echo "ok $*"; }
installing() { echo "installing $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
    if [ -z "$apt_updated" ]; then
        as_root apt-get update -qq
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- npm packages, each set into its own folder of the cache ----------------------------------
# npm ci runs only when the committed lock differs from the one last installed there.
npm_tools() { # LABEL SOURCE_FOLDER TARGET_FOLDER
    local label="$1" source="$2" target="$3"
    mkdir -p "$target"
    (
        flock 9
        if cmp -s "$source/package-lock.json" "$target/.installed-lock.json" \
            && [ -d "$target/node_modules" ]; then
            ok "npm $label in $target (present)"
        else
            installing "npm $label into $target"
            rm -f "$target/.installed-lock.json"
            cp "$source/package.json" "$source/package-lock.json" "$target/"
            (cd "$target" && npm ci --no-audit --no-fund --loglevel=error)
            cp "$source/package-lock.json" "$target/.installed-lock.json"
        fi
    ) 9>"$target.lock"
}

build_tools() {
    # --- Rust: the wasm target -------------------------------------------------------------------
    if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        ok "rust target wasm32-unknown-unknown (present)"
    else
        installing "rust target wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi

    # --- the pinned nightly toolchain for the release wasm (scripts/build-pages.sh) --------------
    # Rebuilding the standard library for the wasm takes about 12 % off what every visitor
    # downloads; that needs a nightly compiler with its sources. One pinned nightly
    # ($RECLAIM_NIGHTLY, scripts/env.sh), so that the size does not move with whatever nightly is
    # newest.
    nightly_sysroot="$(rustup run "$RECLAIM_NIGHTLY" rustc --print sysroot 2>/dev/null || true)"
    # The standard library is built from its sources (rust-src) for the wasm: no prebuilt one needed.
    if [ -n "$nightly_sysroot" ] && [ -d "$nightly_sysroot/lib/rustlib/src/rust/library" ]; then
        ok "$RECLAIM_NIGHTLY with rust-src (present)"
    else
        installing "$RECLAIM_NIGHTLY with rust-src (about 1 minute)"
        rustup toolchain install "$RECLAIM_NIGHTLY" --profile minimal --no-self-update --component rust-src
    fi

    # --- trunk -----------------------------------------------------------------------------------
    # 0.22 needs a newer rustc than this machine has; --locked keeps its dependencies buildable.
    have_trunk="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have_trunk" = "$TRUNK_VERSION" ]; then
        ok "trunk $TRUNK_VERSION (present)"
    else
        installing "trunk $TRUNK_VERSION (found: ${have_trunk:-none}; about 10 minutes on 2 cores)"
        cargo install trunk --version "$TRUNK_VERSION" --locked
    fi

    # --- wasm-bindgen-cli, at exactly the version the app links ----------------------------------
    if [ ! -f Cargo.lock ]; then
        # Cargo writes the lock file when it first resolves the workspace.
        cargo metadata --format-version 1 >/dev/null
    fi
    wbg_version="$(awk '
        $0 == "[[package]]" { name = "" }
        $1 == "name" && $3 == "\"wasm-bindgen\"" { name = "wasm-bindgen" }
        name == "wasm-bindgen" && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
    ' Cargo.lock)"
    [ -n "$wbg_version" ] || die "Cargo.lock names no wasm-bindgen package: the root crate must depend on wasm-bindgen (pinned with =X.Y.Z)"
    have_wbg="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
    if [ "$have_wbg" = "$wbg_version" ]; then
        ok "wasm-bindgen-cli $wbg_version (present)"
    else
        # Without --locked on purpose: the CLI's own lock names a crate version the registry no
        # longer serves.
        installing "wasm-bindgen-cli $wbg_version (found: ${have_wbg:-none}; about 8 minutes on 2 cores)"
        cargo install wasm-bindgen-cli --version "$wbg_version" --force
    fi

    # --- Node.js ---------------------------------------------------------------------------------
    if command -v node >/dev/null && command -v npm >/dev/null; then
        ok "node $(node --version) and npm $(npm --version) (present)"
    else
        installing "nodejs npm (Debian packages)"
        apt_install nodejs npm
    fi
    node_major="$(node -p 'process.versions.node.split(".")[0]')"
    [ "$node_major" -ge 18 ] || die "Node.js $node_major is too old (Lighthouse 12 needs 18.20 or newer)"
    # --- npm build tools: wasm-opt (binaryen) and terser ------------------------------------------
    npm_tools "build tools: binaryen, terser" scripts/build-tools "$RECLAIM_BUILD_TOOLS"
    # --- wasm-opt: the npm binaryen, never Debian's ----------------------------------------------
    wasm_opt="$(command -v wasm-opt || true)"
    [ "$wasm_opt" = "$RECLAIM_BUILD_TOOLS/node_modules/.bin/wasm-opt" ] \
        || die "wasm-opt on PATH is '${wasm_opt:-none}', not the npm binaryen's. Debian's binaryen (wasm-opt 108) builds wasm that fails at run time: source scripts/env.sh, or remove Debian's binaryen (apt-get remove binaryen)."
    wasm_opt_version="$(wasm-opt --version)"
    case "$wasm_opt_version" in
        *"version 132"*) ok "wasm-opt: $wasm_opt_version (npm binaryen)" ;;
        *) die "wasm-opt reports '$wasm_opt_version', expected version 132" ;;
    esac
    # --- crates: trunk builds offline (Trunk.toml), so fetch what Cargo.lock names first ---------
    cargo fetch --quiet
    # The release wasm rebuilds the standard library (scripts/build-pages.sh), whose own crates
    # (dlmalloc, hashbrown, ...) trunk's offline build must find too.
    std_library="$(rustup run "$RECLAIM_NIGHTLY" rustc --print sysroot)/lib/rustlib/src/rust/library"
    RUSTUP_TOOLCHAIN="$RECLAIM_NIGHTLY" cargo fetch --quiet --manifest-path "$std_library/Cargo.toml"
    ok "crates named in Cargo.lock and in the standard library's (fetched)"
}

browser() {
    # --- Chromium and ChromeDriver (Debian's; a tool's own browser download fails here) ----------
    if [ -x "$CHROME" ] && [ -x "$CHROMEDRIVER" ]; then
        ok "chromium $("$CHROME" --version 2>/dev/null | awk '{print $2}') and chromedriver (present)"
    else
        installing "chromium chromium-driver (Debian packages)"
        apt_install chromium chromium-driver
    fi
}

test_tools() {
    # --- fonts: every script the pages speak, drawn in the tests' screenshots --------------------
    # Debian's Noto fonts (Arabic, Hebrew, Devanagari, Bengali, Tamil, Thai, CJK, ...): without them
    # the test browser draws boxes where a glyph is missing.
    if fc-list 2>/dev/null | grep -q "NotoSansCJK" && fc-list | grep -q "NotoSansTamil"; then
        ok "Noto fonts (present)"
    else
        installing "fonts-noto-core fonts-noto-cjk (Debian packages)"
        apt_install fonts-noto-core fonts-noto-cjk fontconfig
    fi
    # --- nginx (Debian's): the end-to-end tests run deploy/nginx/reclaim.conf in it ---------------
    # Only the program: the tests start their own nginx process on a free port, never the service.
    if [ -x /usr/sbin/nginx ]; then
        ok "nginx $(/usr/sbin/nginx -v 2>&1 | sed 's|.*nginx/||') (present)"
    else
        installing "nginx (Debian package)"
        apt_install nginx
    fi
    # --- npm test tools: axe-core (and Lighthouse, with the bench's) -----------------------------
    npm_tools "test and bench tools: axe-core, lighthouse" scripts "$RECLAIM_NODE"
    [ -f "$RECLAIM_AXE_JS" ] || die "axe-core not found at $RECLAIM_AXE_JS"
    # --- the Firebase Authentication emulator (firebase-tools), into the cache folder ----------
    # For `make serve-firebase` and the Firebase end-to-end tests. Its own package file: the tools
    # above stay small. --ignore-scripts: without it npm compiles re2 with node-gyp for minutes,
    # and the Auth emulator needs none of the native builds.
    RECLAIM_FIREBASE="$RECLAIM_CACHE/firebase"
    mkdir -p "$RECLAIM_FIREBASE"
    (
        flock 9
        if cmp -s scripts/firebase/package-lock.json "$RECLAIM_FIREBASE/.installed-lock.json" \
            && [ -x "$RECLAIM_FIREBASE/node_modules/.bin/firebase" ]; then
            ok "firebase-tools in $RECLAIM_FIREBASE (present)"
        else
            installing "firebase-tools (the Auth emulator) into $RECLAIM_FIREBASE"
            rm -f "$RECLAIM_FIREBASE/.installed-lock.json"
            cp scripts/firebase/package.json scripts/firebase/package-lock.json "$RECLAIM_FIREBASE/"
            (cd "$RECLAIM_FIREBASE" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
            cp scripts/firebase/package-lock.json "$RECLAIM_FIREBASE/.installed-lock.json"
        fi
    ) 9>"$RECLAIM_CACHE/.setup-firebase.lock"

    # --- the other recovery backends, for their end-to-end tests ---------------------------------
    # Each into its own folder of the cache, (re)installed only when the committed pin file differs
    # from the copy kept there at the last install. Python ones in a venv, every file's hash checked.
    python_backend() { # NAME: scripts/NAME/requirements.txt into $RECLAIM_CACHE/NAME/venv
        local name="$1" dir="$RECLAIM_CACHE/$1"
        mkdir -p "$dir"
        (
            flock 9
            if cmp -s "scripts/$name/requirements.txt" "$dir/.installed-requirements.txt" \
                && [ -x "$dir/venv/bin/python" ]; then
                ok "$name (scripts/$name/requirements.txt) in $dir/venv (present)"
            else
                installing "$name (scripts/$name/requirements.txt) into $dir/venv"
                rm -rf "$dir/venv" "$dir/.installed-requirements.txt"
                python3 -m venv "$dir/venv"
                PIP_DISABLE_PIP_VERSION_CHECK=1 "$dir/venv/bin/pip" install --quiet --no-deps \
                    --require-hashes -r "scripts/$name/requirements.txt"
                cp "scripts/$name/requirements.txt" "$dir/.installed-requirements.txt"
            fi
        ) 9>"$RECLAIM_CACHE/.setup-$name.lock"
    }
    # Debian's own python3 has no venv module until python3-venv is installed.
    python3 -m venv --help >/dev/null 2>&1 || apt_install python3-venv
    python_backend allauth
    python_backend pocketbase

    # Better Auth is a library: scripts/better-auth/serve.mjs hosts it. better-sqlite3 has no
    # reachable prebuilt binary here, so node-gyp compiles it against the installed Node's headers
    # (about 50 s on 2 cores); build_from_source skips the download attempt.
    RECLAIM_BETTER_AUTH="$RECLAIM_CACHE/better-auth"
    mkdir -p "$RECLAIM_BETTER_AUTH"
    (
        flock 9
        if cmp -s scripts/better-auth/package-lock.json "$RECLAIM_BETTER_AUTH/.installed-lock.json" \
            && [ -d "$RECLAIM_BETTER_AUTH/node_modules/better-sqlite3/build/Release" ]; then
            ok "better-auth and better-sqlite3 in $RECLAIM_BETTER_AUTH (present)"
        else
            installing "better-auth and better-sqlite3 into $RECLAIM_BETTER_AUTH (about a minute: node-gyp)"
            rm -f "$RECLAIM_BETTER_AUTH/.installed-lock.json"
            cp scripts/better-auth/package.json scripts/better-auth/package-lock.json "$RECLAIM_BETTER_AUTH/"
            node_headers=()
            [ -f /usr/include/node/node.h ] && node_headers=(env npm_config_nodedir=/usr)
            (cd "$RECLAIM_BETTER_AUTH" && "${node_headers[@]}" env npm_config_build_from_source=true \
                npm ci --no-audit --no-fund --loglevel=error)
            cp scripts/better-auth/package-lock.json "$RECLAIM_BETTER_AUTH/.installed-lock.json"
        fi
    ) 9>"$RECLAIM_CACHE/.setup-better-auth.lock"
}

case "${1:-all}" in
    build) build_tools ;;
    test) build_tools; browser; test_tools ;;
    bench) build_tools; browser; npm_tools "test and bench tools: axe-core, lighthouse" scripts "$RECLAIM_NODE" ;;
    all) build_tools; browser; test_tools ;;
    *) die "usage: scripts/setup.sh [build|test|bench]" ;;
esac
