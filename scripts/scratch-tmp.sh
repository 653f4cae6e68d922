#!/usr/bin/env bash
# Runs a command with TMPDIR set to a fresh folder, removed afterwards whatever the outcome.
# Chromium keeps scratch folders (`org.chromium.Chromium.*`) in TMPDIR and leaves them behind
# when a test runner or Lighthouse kills it rather than closing it: about 70 MB each, a few per
# run, which filled the disk of a machine that runs `make test` and `make bench` day after day.
set -uo pipefail
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
TMPDIR="$scratch" "$@"
