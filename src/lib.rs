//! Reclaim: the account-recovery pages. `/recover` asks for a reset link,
//! `/reset` sets the new password from that link's token. `backend` decides
//! which recovery API they speak to.

pub mod api;
mod app;
pub mod backend;
pub mod browser;
pub mod components;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod pages;
#[cfg(feature = "csr")]
pub mod takeover;
pub mod token_store;

pub use app::{use_settings, App, Route, Settings};

/// The id of the element the pages live in: written by the prerender, taken
/// over by the app.
pub const APP_ELEMENT_ID: &str = "app";
