//! End-to-end tests: what a person sees using the release pages with the reference server.
//!
//! One test binary (the harness is shared); run with a couple of threads:
//! `RECLAIM_DIST=$PWD/dist cargo test -p reclaim-e2e -- --test-threads=2` (`make test` does).

mod accessibility;
mod backends;
mod branding;
mod deployment_check;
mod firebase;
mod first_paint;
mod flows;
mod keyboard;
mod languages;
mod pages;
mod security;
mod static_hosting;

use anyhow::{ensure, Context, Result};
use reclaim_e2e::Browser;

// The pages' headings, one per state.
pub const REQUEST: &str = "Forgot your password?";
pub const CHECK_EMAIL: &str = "Check your email";
pub const CHOOSE: &str = "Choose a new password";
pub const INVALID: &str = "This link is invalid or has expired";
pub const INVALID_CODE: &str = "This code is invalid or has expired";
pub const CHANGED: &str = "Your password has been changed";
pub const NOT_FOUND: &str = "Page not found";

/// Passwords the server's policy accepts (long, not common, not the address).
pub const NEW_PASSWORD: &str = "violet-harbor-sextant-91";
pub const OTHER_PASSWORD: &str = "copper lantern \u{1F511} drifting";

/// On the request page: types `email`, sends, waits for the confirmation; returns its words.
pub async fn request_link_in_page(browser: &Browser, email: &str) -> Result<String> {
    browser.goto("/recover").await?;
    browser.wait_heading(REQUEST).await?;
    browser.replace_text("#email", email).await?;
    browser.click("#send-link").await?;
    browser.wait_heading(CHECK_EMAIL).await?;
    browser.wait_text("confirmation").await
}

/// On an opened reset link: types `password` twice and sends; returns the heading it ends on
/// (`CHANGED` or `INVALID`). A page that already knows the link is bad may skip the form.
pub async fn set_password_in_page(browser: &Browser, password: &str) -> Result<String> {
    if browser.wait_heading_any(&[CHOOSE, INVALID]).await? == INVALID {
        return Ok(INVALID.to_owned());
    }
    browser.type_into("#new-password", password).await?;
    browser.type_into("#confirm-password", password).await?;
    browser.click("#set-password").await?;
    browser
        .wait_heading_any(&[CHANGED, INVALID, INVALID_CODE])
        .await
}

/// The address bar must not show the token once the page has read it.
pub async fn assert_token_gone(browser: &Browser, link: &str) -> Result<()> {
    let (before_fragment, fragment) = link.split_once('#').unwrap_or((link, ""));
    let query = before_fragment
        .split_once('?')
        .map_or("", |(_, query)| query);
    let token = reclaim_contract::link::token_from_link(query, fragment)
        .with_context(|| format!("no token in {link}"))?;
    let token = token.as_str();
    let url = browser.current_url().await?;
    ensure!(
        !url.contains("token") && !url.contains(token),
        "the address bar still shows the token: {url}"
    );
    // What stays is the page, and the language the link named (`?lang=en`, or `#lang=en`
    // when the link carried it in the fragment with the token).
    let (page, rest) = url.split_once(['?', '#']).unwrap_or((&url, ""));
    ensure!(
        page.ends_with("/reset") && (rest.is_empty() || rest.starts_with("lang=")),
        "the address bar shows {url}, expected …/reset or …/reset?lang=…"
    );
    // Nor is it kept anywhere a script or a later visitor could find it.
    let stored = browser
        .js(
            "return JSON.stringify(Object.entries(localStorage)) + \
                    JSON.stringify(Object.entries(sessionStorage)) + document.cookie;",
            vec![],
        )
        .await?;
    ensure!(
        !stored.as_str().unwrap_or_default().contains(token),
        "the token is kept in storage or cookies: {stored}"
    );
    Ok(())
}

/// `/reset` with no token in the link: the same heading as a link's form, and the field for
/// the code from the email.
pub async fn open_code_entry(browser: &Browser) -> Result<()> {
    browser.goto("/reset").await?;
    browser.wait_heading(CHOOSE).await?;
    browser.wait_element("#reset-code").await.map(|_| ())
}
