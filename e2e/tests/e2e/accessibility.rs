//! Every state of both pages: axe-core finds nothing (light and dark schemes), errors are tied to
//! their fields, nothing scrolls sideways at 320 px, and a screenshot of each state is saved at
//! 320 and 1280 px under `${CARGO_TARGET_DIR:-target}/screenshots/`.

use anyhow::{ensure, Result};
use reclaim_e2e::{run, Browser, ALICE};

use crate::*;

/// axe-core and screenshots for the state the page is in.
async fn check_state(browser: &Browser, state: &str) -> Result<()> {
    browser.axe(state).await?;
    browser.screenshots(state).await
}

#[test]
fn request_page_states() {
    run("request_page", &[], |env| async move {
        let browser = env.browser().await?;
        browser.goto("/recover").await?;
        browser.wait_heading(REQUEST).await?;
        ensure!(
            browser.attr("html", "lang").await?.as_deref() == Some("en"),
            "<html> has no lang=\"en\""
        );
        ensure!(browser.exists("main#main").await?, "no <main id=\"main\">");
        ensure!(
            browser.exists("#announcer").await?,
            "no #announcer live region"
        );
        check_state(&browser, "empty").await?;

        // A malformed address: a message at the field, and nothing sent.
        browser.type_into("#email", "alice.example.com").await?;
        browser.click("#send-link").await?;
        assert_field_error(&browser, "email").await?;
        let sent = browser
            .js(
                "return performance.getEntriesByType('resource')\
                   .filter(e => e.name.includes('/account/')).length;",
                vec![],
            )
            .await?;
        ensure!(
            sent == serde_json::json!(0),
            "a malformed address was sent to the API"
        );
        check_state(&browser, "email-error").await?;

        browser.replace_text("#email", ALICE).await?;
        browser.click("#send-link").await?;
        browser.wait_heading(CHECK_EMAIL).await?;
        browser.wait_text("confirmation").await?;
        check_state(&browser, "confirmation").await?;

        browser.goto("/no-such-page").await?;
        browser.wait_heading(NOT_FOUND).await?;
        ensure!(
            browser.exists("a[href*='/recover']").await?,
            "the not-found page has no link to /recover"
        );
        check_state(&browser, "not-found").await?;
        Ok(())
    });
}

#[test]
fn reset_page_states() {
    run("reset_page", &[], |env| async move {
        ensure!(
            env.server().request_recovery(ALICE).await.status() == 200,
            "the recovery request failed"
        );
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        flow.open_link(1).await?;
        check_state(&browser, "empty").await?;

        // Confirmation that does not match: an error at the confirmation field.
        browser.type_into("#new-password", NEW_PASSWORD).await?;
        browser
            .type_into("#confirm-password", "violet-harbor-sextant-19")
            .await?;
        browser.click("#set-password").await?;
        assert_field_error(&browser, "confirm-password").await?;
        ensure!(
            browser.heading().await?.as_deref() == Some(CHOOSE),
            "a mismatch left the form"
        );
        check_state(&browser, "mismatch").await?;

        // Too short (7 code points): an error at the new password.
        browser.replace_text("#new-password", "short12").await?;
        browser.replace_text("#confirm-password", "short12").await?;
        browser.click("#set-password").await?;
        assert_field_error(&browser, "new-password").await?;
        check_state(&browser, "too-short").await?;

        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(outcome == CHANGED, "the reset ended on {outcome:?}");
        check_state(&browser, "success").await?;

        // No token in the link: the code from the email is typed instead.
        open_code_entry(&browser).await?;
        ensure!(
            browser.exists("a#request-new-link").await?,
            "the code-entry state has no a#request-new-link"
        );
        check_state(&browser, "code-entry").await?;
        browser.click("#set-password").await?;
        assert_field_error(&browser, "reset-code").await?;
        check_state(&browser, "code-missing").await?;

        // A token the server never issued reads as a link cut short: the code is asked for.
        browser.goto("/reset?token=AAAAAAAAAAAAAAAAAAAAAA").await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(
            outcome == INCOMPLETE,
            "an unknown token ended on {outcome:?}"
        );
        check_state(&browser, "incomplete").await?;
        Ok(())
    });
}
