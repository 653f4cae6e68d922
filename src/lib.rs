//! Reclaim: the account-recovery pages. `/recover` asks for a reset link,
//! `/reset` sets the new password from that link's token.

pub mod api;
mod app;
pub mod browser;
pub mod components;
pub mod config;
pub mod domain;
pub mod pages;
pub mod token_store;

pub use app::{use_settings, App, Route, Settings};
