//! End-to-end tests: what a person sees using the release pages with the reference server,
//! and with the real servers of the other backends (Firebase's emulator, django-allauth,
//! Better Auth, PocketBase). The reset flow they share is [`reset_flow::ResetFlow`].
//!
//! One test binary (the harness is shared); run with a couple of threads:
//! `RECLAIM_DIST=$PWD/dist cargo test -p reclaim-e2e -- --test-threads=2` (`make test` does).

mod accessibility;
mod backend_codes;
mod backends;
mod branding;
mod code_flow;
mod deployment_check;
mod firebase;
mod first_paint;
mod flows;
mod keyboard;
mod languages;
mod link_states;
mod locales;
mod mail_scanners;
mod pages;
mod reset_flow;
mod security;
mod signed_out_and_back;
mod static_hosting;

use anyhow::{Context, Result};
use reclaim_e2e::Browser;

pub use reset_flow::{assert_field_error, assert_password_changed, MailedLink, ResetFlow};

// The pages' headings, one per state.
pub const REQUEST: &str = "Forgot your password?";
pub const CHECK_EMAIL: &str = "Check your email";
pub const CHOOSE: &str = "Choose a new password";
pub const INVALID: &str = "This link is invalid or has expired";
pub const USED: &str = "This link has already been used";
pub const EXPIRED: &str = "This link has expired";
pub const INCOMPLETE: &str = "This link is incomplete";
pub const INVALID_CODE: &str = "This code is invalid or has expired";
pub const CHANGED: &str = "Your password has been changed";
pub const NOT_FOUND: &str = "Page not found";

/// Passwords the server's policy accepts (long, not common, not the address).
pub const NEW_PASSWORD: &str = "violet-harbor-sextant-91";
pub const OTHER_PASSWORD: &str = "copper lantern \u{1F511} drifting";

/// Runs `test` on a runtime of its own, for tests that need no reference server (`run` starts
/// one); a failure panics with its whole chain.
pub fn block_on(test: impl std::future::Future<Output = Result<()>>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = runtime.block_on(test) {
        panic!("{e:#}");
    }
}

/// The password the backends' accounts are created with.
pub const OLD_PASSWORD: &str = "first-password-1";

/// A built-in locale's texts, as the pages have them (`src/i18n/builtin/<tag>.json`).
pub struct Texts {
    pub locale: &'static str,
    texts: serde_json::Value,
}

impl Texts {
    pub fn load(locale: &'static str) -> Result<Self> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../src/i18n/builtin/{locale}.json"));
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        Ok(Texts {
            locale,
            texts: serde_json::from_str(&text)?,
        })
    }

    pub fn get(&self, key: &str) -> String {
        self.texts[key].as_str().unwrap_or_default().to_owned()
    }
}

/// `/reset` with no token in the link: the same heading as a link's form, and the field for
/// the code from the email.
pub async fn open_code_entry(browser: &Browser) -> Result<()> {
    browser.goto("/reset").await?;
    browser.wait_heading(CHOOSE).await?;
    browser.wait_element("#reset-code").await.map(|_| ())
}
