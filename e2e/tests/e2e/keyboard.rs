//! Both flows with the keyboard alone: Tab, typing and Enter (and Space on a button).
//! Key presses go to whatever has focus; nothing is clicked.

use anyhow::ensure;
use reclaim_e2e::{run, Key, ALICE, ALICE_PASSWORD};

use crate::*;

#[test]
fn keyboard_only() {
    run("keyboard_only", &[], |env| async move {
        let browser = env.browser().await?;

        // Request page.
        browser.goto("/recover").await?;
        browser.wait_heading(REQUEST).await?;
        browser.tab_to("email").await?;
        browser.keys(ALICE).await?;
        browser.press(Key::Enter).await?;
        browser.wait_heading(CHECK_EMAIL).await?;
        browser.wait_focus("page-heading").await?;
        // The next actions are reachable from the new state.
        browser.tab_to("use-different-address").await?;

        // Reset page, from the mailed link.
        ResetFlow::new(&browser, &env, ALICE).open_link(1).await?;
        browser.tab_to("new-password").await?;
        browser.keys(NEW_PASSWORD).await?;

        // The show/hide control works from the keyboard and reveals both fields.
        browser.tab_to("show-passwords").await?;
        browser.press(Key::Space).await?;
        let pressed = browser.attr("#show-passwords", "aria-pressed").await?;
        let types = (
            browser.attr("#new-password", "type").await?,
            browser.attr("#confirm-password", "type").await?,
        );
        ensure!(
            pressed.as_deref() == Some("true"),
            "Space on #show-passwords left aria-pressed={pressed:?}"
        );
        ensure!(
            types == (Some("text".into()), Some("text".into())),
            "after 'show', the fields' types are {types:?}"
        );
        browser.press(Key::Space).await?;
        ensure!(
            browser.attr("#new-password", "type").await?.as_deref() == Some("password"),
            "a second Space did not hide the password again"
        );

        browser.tab_to("confirm-password").await?;
        browser.keys(NEW_PASSWORD).await?;
        browser.press(Key::Enter).await?;
        browser.wait_heading(CHANGED).await?;
        browser.wait_focus("page-heading").await?;
        browser.tab_to("sign-in").await?;

        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "the password typed from the keyboard does not work"
        );
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 401,
            "the old password still works"
        );
        browser.assert_console_clean(&[]).await?;
        Ok(())
    });
}
