//! Reclaim: the account-recovery pages. `/recover` asks for a reset link, `/reset` sets the new
//! password from that link's secret. Which recovery API they speak is data: the backend's
//! description beside `config.json`, run by `backend`.
//!
//! The layers, each importing only those below it: `app` (the frame) composes `pages`, which
//! are built from `components`; they read `settings` (the configuration, the language, the
//! opened link) and call `backend`, which sends through `http`; `browser` is the thin layer
//! under all of them; `domain` and `i18n` hold the rules and the words.

#![recursion_limit = "256"]

mod app;
pub mod backend;
pub mod browser;
pub mod components;
pub mod config;
pub mod domain;
pub mod effect;
pub mod http;
pub mod i18n;
pub mod pages;
pub mod route;
pub mod settings;
pub mod start_up;

pub use app::App;
pub use route::Route;

/// The id of the element the pages live in: written by the prerender, taken over by the app.
pub const APP_ELEMENT_ID: &str = "app";
