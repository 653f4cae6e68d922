#!/usr/bin/env bash
# Builds the release pages into dist/ (`make dist`, `make test`): trunk, with the wasm compiled
# by the pinned nightly toolchain that scripts/setup.sh installs ($RECLAIM_NIGHTLY).
#
# Why nightly: every visitor downloads the wasm on every visit, and rebuilding the standard
# library for it with panics that abort at once, no panic locations and no `Debug` formatting
# (`-Zbuild-std`, `-Cpanic=immediate-abort`, `-Zlocation-detail=none`, `-Zfmt-debug=none`)
# takes about 12 % off its compressed size. Only the release wasm is built so: the tests, the
# server and the build's prerender use the stable toolchain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/env.sh

export RUSTUP_TOOLCHAIN="$RECLAIM_NIGHTLY"
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
# The standard library's own size-over-speed choices (about 0.2 KB less brotli).
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
# For the wasm target only (the flags of .cargo/config.toml's target table are replaced, so
# erase_components is repeated here).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none"
# Linked without wasm-streams' exported classes, so that the code behind them goes (3.5 KB less
# brotli, wasm and glue: see scripts/link-wasm.sh).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$PWD/scripts/link-wasm.sh"
exec trunk build --release "$@"
