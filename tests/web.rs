//! Browser tests: the pages mounted in headless Chromium, driven like a person,
//! with `fetch` stubbed to answer every status of the contract.
//! Run with `cargo test --target wasm32-unknown-unknown` (see the Makefile).

#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod support;

#[path = "web/app_shell.rs"]
mod app_shell;
#[path = "web/code_step.rs"]
mod code_step;
#[path = "web/firebase.rs"]
mod firebase;
#[path = "web/languages.rs"]
mod languages;
#[path = "web/recover_page.rs"]
mod recover_page;
#[path = "web/reset_page.rs"]
mod reset_page;
#[path = "web/takeover.rs"]
mod takeover;
