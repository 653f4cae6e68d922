# Reclaim: `make serve` to try it, `make test` to prove it.
#
# Every target first runs scripts/setup.sh for what it needs (building the pages; and for the
# tests the browser, nginx, fonts and the backends; for the benchmarks Lighthouse), which
# installs what is missing (and only that) and takes a second or two when everything is present. Recipes source scripts/env.sh for PATH
# (cargo's bin, the npm binaryen's wasm-opt first) and the browser-test variables.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ENV := . scripts/env.sh &&
DIST := $(abspath dist)
# Each test stage reports how long it took, e.g. "--- wasm tests: 212s".
TIMED = TIMEFORMAT='--- $(1): %0Rs'; time
# The end-to-end tests, against the release pages in dist/. Two at a time: each runs a server
# and a Chromium. Failures read better without backtraces (they say what the page showed).
# Screenshots go to ${CARGO_TARGET_DIR:-target}/screenshots/.
E2E = $(ENV) export RECLAIM_DIST='$(DIST)' RUST_BACKTRACE=0; \
	$(call TIMED,end-to-end tests) cargo test -p reclaim-e2e --tests -- --test-threads=2

.PHONY: help setup setup-build dist serve serve-firebase test test-e2e bench bench-server

help:
	@echo "make serve         build the pages and the server, run them on http://127.0.0.1:8080"
	@echo "make serve-firebase  the pages in front of the Firebase Auth emulator, on http://127.0.0.1:8081"
	@echo "make test          every test: native, wasm in headless Chromium, end-to-end"
	@echo "make test-e2e      only the end-to-end tests (after building dist/)"
	@echo "make dist          the release pages in dist/"
	@echo "make bench         bundle sizes per page and per language; Lighthouse paint figures beside a static floor;"
	@echo "                   time to a working form beside the same form in plain JavaScript; the same on a"
	@echo "                   line the downloads share (a shaping proxy)"
	@echo "make bench-server  the server's benchmarks: recovery latency, and figures under abuse"
	@echo "make setup         install what is missing (every target does this first)"

setup:
	@scripts/setup.sh

setup-build:
	@scripts/setup.sh build

dist: setup-build
	@$(ENV) $(call TIMED,trunk build --release) scripts/build-pages.sh

serve: dist
	@scripts/serve.sh

serve-firebase: setup dist
	@scripts/serve-firebase.sh

test:
	@scripts/setup.sh test
	@$(ENV) $(call TIMED,native tests) cargo test --workspace --exclude reclaim-e2e
	@$(ENV) $(call TIMED,wasm tests) scripts/scratch-tmp.sh cargo test -p reclaim --target wasm32-unknown-unknown --test web
	@$(ENV) $(call TIMED,trunk build --release) scripts/build-pages.sh
	@$(E2E)

test-e2e:
	@scripts/setup.sh test
	@$(ENV) $(call TIMED,trunk build --release) scripts/build-pages.sh
	@$(E2E)

bench: dist
	@scripts/setup.sh bench
	@$(ENV) node scripts/bench-bundle.mjs dist
	@scripts/scratch-tmp.sh scripts/bench-lighthouse.sh
	@$(ENV) scripts/scratch-tmp.sh node scripts/bench-working.mjs dist
	@$(ENV) scripts/scratch-tmp.sh node scripts/bench-shared-line.mjs dist

bench-server: setup-build
	@$(ENV) cargo bench -p reclaim-server --bench recovery_latency --bench abuse
