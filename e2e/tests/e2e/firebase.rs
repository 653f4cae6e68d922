//! The pages with `backend: "firebase"` in Chromium against the real Firebase Auth emulator:
//! an account created through its REST API, the link requested through `/recover`, read from
//! the emulator's `oobCodes` list and opened as a custom email action handler receives it.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Result};
use reclaim_e2e::firebase::{firebase, Firebase};
use reclaim_e2e::{run, Browser};

use crate::first_paint::{let_the_app_start, open_with_the_wasm_held_back};
use crate::{CHANGED, CHECK_EMAIL, CHOOSE, INVALID, REQUEST};

const OLD_PASSWORD: &str = "first-password-1";
const NEW_PASSWORD: &str = "violet-harbor-sextant-91";

/// An address no other test uses: the emulator is shared.
fn unique_email(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{nanos}@example.com")
}

/// Asks for a link on `/recover`; returns the confirmation with the address taken out.
async fn request_link(firebase: &Firebase, browser: &Browser, email: &str) -> Result<String> {
    browser.goto(&firebase.page("/recover")).await?;
    browser.wait_heading(REQUEST).await?;
    browser.replace_text("#email", email).await?;
    browser.click("#send-link").await?;
    browser.wait_heading(CHECK_EMAIL).await?;
    let words = browser.text("#main").await?.unwrap_or_default();
    Ok(words.replace(email, "ADDRESS"))
}

/// One test, so that only one test thread waits for the emulator to start (about ten
/// seconds) while the other runs the rest.
#[test]
fn firebase_against_the_emulator() {
    let firebase = firebase().expect("the Firebase emulator");
    run("firebase", &[], move |env| async move {
        let browser = env.browser().await?;
        unknown_address_reads_like_a_known_one(firebase, &browser).await?;
        reset_link_checks_first_sets_the_password_once_and_continues(firebase, &browser).await?;
        a_link_asked_for_before_the_app_runs_is_sent_at_once(firebase, &browser).await
    });
}

/// The emailed link, opened at the root: checked first, the password set once, then "Continue".
async fn reset_link_checks_first_sets_the_password_once_and_continues(
    firebase: &Firebase,
    browser: &Browser,
) -> Result<()> {
    let email = unique_email("alice");
    firebase.sign_up(&email, OLD_PASSWORD).await?;
    request_link(firebase, browser, &email).await?;
    let query = firebase.wait_for_reset_link(&email).await?;
    ensure!(
        query.contains("mode=resetPassword") && query.contains("oobCode="),
        "{query}"
    );

    // Opened at the site's root, as a deployer may set the action URL, with a continueUrl.
    let link = format!(
        "{}?{query}&continueUrl=https%3A%2F%2Fapp.example.test%2Fhome",
        firebase.page("/")
    );
    browser.goto(&link).await?;
    browser.wait_heading(CHOOSE).await?;
    // Checked before anything is typed: the account, masked.
    let account = browser.wait_text("account").await?;
    ensure!(
        account == "For the account a\u{2022}\u{2022}\u{2022}@example.com",
        "{account}"
    );
    browser.axe("firebase reset form").await?;
    let code = query
        .split("oobCode=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let url = browser.current_url().await?;
    ensure!(
        !url.contains(code) && !url.contains("oobCode"),
        "the code is still in {url}"
    );

    browser.type_into("#new-password", NEW_PASSWORD).await?;
    browser.type_into("#confirm-password", NEW_PASSWORD).await?;
    browser.click("#set-password").await?;
    browser.wait_heading(CHANGED).await?;
    let next = browser.attr("#continue", "href").await?;
    ensure!(
        next.as_deref() == Some("https://app.example.test/home"),
        "{next:?}"
    );

    ensure!(
        firebase.signs_in(&email, NEW_PASSWORD).await?,
        "the new password does not sign in"
    );
    ensure!(
        !firebase.signs_in(&email, OLD_PASSWORD).await?,
        "the old password still signs in"
    );

    // The same link again, on /reset: invalid, said before a password is typed.
    browser
        .goto(&format!("{}?{query}", firebase.page("/reset")))
        .await?;
    browser.wait_heading(INVALID).await?;
    ensure!(firebase.signs_in(&email, NEW_PASSWORD).await?);
    Ok(())
}

/// `EMAIL_NOT_FOUND` reads exactly like a link sent; a verify-email link gets its own page.
async fn unknown_address_reads_like_a_known_one(
    firebase: &Firebase,
    browser: &Browser,
) -> Result<()> {
    let known = unique_email("known");
    let unknown = unique_email("nobody");
    firebase.sign_up(&known, OLD_PASSWORD).await?;
    let for_known = request_link(firebase, browser, &known).await?;
    let for_unknown = request_link(firebase, browser, &unknown).await?;
    ensure!(
        for_known == for_unknown,
        "the pages differ:\n{for_known}\n---\n{for_unknown}"
    );
    // The known address did get its link (so the two answers really differed).
    firebase.wait_for_reset_link(&known).await?;
    ensure!(firebase.reset_links(&unknown).await?.is_empty());

    // A verify-email link, at the root: its own page, which sends nothing.
    browser
        .goto(&format!(
            "{}?mode=verifyEmail&oobCode=abc&apiKey=k",
            firebase.page("/")
        ))
        .await?;
    browser
        .wait_heading("This link is not for this page")
        .await?;
    browser.axe("firebase other mode").await?;
    Ok(())
}

/// Asked for before the app has run: the page holds the send while the wasm is held back, and
/// the app sends it once as soon as it runs.
async fn a_link_asked_for_before_the_app_runs_is_sent_at_once(
    firebase: &Firebase,
    browser: &Browser,
) -> Result<()> {
    let email = unique_email("early");
    firebase.sign_up(&email, OLD_PASSWORD).await?;
    open_with_the_wasm_held_back(browser, &firebase.page("/recover"), REQUEST).await?;
    browser.type_into("#email", &email).await?;
    browser.click("#send-link").await?;
    let_the_app_start(browser).await?;
    browser.wait_heading(CHECK_EMAIL).await?;
    firebase.wait_for_reset_link(&email).await?;
    let asked = browser
        .js(
            "return performance.getEntriesByType('resource')\
               .filter((entry) => new URL(entry.name).pathname.endsWith(':sendOobCode')).length;",
            vec![],
        )
        .await?;
    ensure!(asked == 1, "{asked} requests for a link, expected one");
    Ok(())
}
