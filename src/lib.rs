//! Reclaim: the account-recovery pages. `/recover` asks for a reset link, `/reset` sets the new
//! password from that link's secret. Which recovery API they speak is data: the backend's
//! description beside `config.json`, run by `api`.
//!
//! The layers, each importing only those below it: `start_up` mounts `app` (the frame) over the
//! prerendered page; `app` composes `pages`, which are built from `components`; they read three
//! owners of what a page starts from: `deployment` (the configuration and the API), `language`
//! (the reader's), and `start_up::handoff` (the address the page was opened at, and what the
//! page's first script did); all HTTP goes through `api`; `browser` is the thin layer under all
//! of them; `domain` and `i18n` hold the rules and the words.

#![recursion_limit = "256"]

pub mod api;
mod app;
pub mod browser;
pub mod components;
pub mod deployment;
pub mod domain;
pub mod effect;
pub mod i18n;
pub mod language;
pub mod pages;
pub mod route;
pub mod start_up;

pub use app::App;
pub use route::Route;

/// The id of the element the pages live in: written by the prerender, taken over by the app.
pub const APP_ELEMENT_ID: &str = "app";
