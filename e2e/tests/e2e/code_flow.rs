//! The short code from the mail, against the real server, in Chromium: the whole recovery in
//! the tab where it started, with the keyboard alone; five wrong codes spending the code and
//! never its link; every state of the code step audited by axe, in English and in Arabic.

use anyhow::{ensure, Context, Result};
use reclaim_e2e::{run, Browser, Env, Key, ALICE, ALICE_PASSWORD};
use reclaim_testkit::MailKind;

use crate::reset_flow::Mailbox;

use crate::*;

/// "Check your email" → "Enter the code from the email", in the reader's language.
async fn to_code_step(browser: &Browser, t: &Texts, lang: &str) -> Result<()> {
    browser.goto(&format!("/recover?lang={lang}")).await?;
    browser.wait_heading(&t.get("recover.heading")).await?;
    browser.type_into("#email", ALICE).await?;
    browser.click("#send-link").await?;
    browser.wait_heading(&t.get("recover.sent_heading")).await?;
    browser.click("#enter-code").await?;
    browser.wait_heading(&t.get("code.heading")).await?;
    Ok(())
}

/// The link mailed with alice's first code no longer works: the code spent it, and the page
/// says it was used.
async fn assert_first_link_spent(browser: &Browser, env: &Env) -> Result<()> {
    let link = env.reset_link(ALICE, 1).await?;
    browser.goto(&link.url).await?;
    let outcome = ResetFlow::new(browser, env, ALICE)
        .choose(OTHER_PASSWORD)
        .await?;
    ensure!(
        outcome == USED,
        "the link still works: it led to {outcome:?}"
    );
    Ok(())
}

/// The short code of the `count`th reset mail to alice.
async fn mailed_code(env: &Env, count: usize) -> String {
    let mails = env
        .server()
        .outbox
        .wait_for(MailKind::Reset, ALICE, count)
        .await;
    mails[count - 1].reset_code()
}

#[test]
fn the_whole_recovery_in_one_tab_with_the_keyboard() {
    run("code_in_one_tab", &[], |env| async move {
        let browser = env.browser().await?;
        browser.goto("/recover").await?;
        browser.wait_heading(REQUEST).await?;
        browser.tab_to("email").await?;
        browser.keys(ALICE).await?;
        browser.press(Key::Enter).await?;
        browser.wait_heading(CHECK_EMAIL).await?;
        browser.tab_to("enter-code").await?;
        browser.press(Key::Enter).await?;
        browser
            .wait_heading("Enter the code from the email")
            .await?;
        browser.wait_focus("page-heading").await?;
        let autocomplete = browser.attr("#reset-code", "autocomplete").await?;
        ensure!(
            autocomplete.as_deref() == Some("one-time-code"),
            "{autocomplete:?}"
        );

        // Read off a phone: lower case, no dash.
        let code = mailed_code(&env, 1).await;
        browser.tab_to("reset-code").await?;
        browser.keys(&code.replace('-', "").to_lowercase()).await?;
        browser.tab_to("new-password").await?;
        browser.keys(NEW_PASSWORD).await?;
        browser.tab_to("confirm-password").await?;
        browser.keys(NEW_PASSWORD).await?;
        browser.press(Key::Enter).await?;
        browser.wait_heading(CHANGED).await?;
        browser.wait_focus("page-heading").await?;

        let url = browser.current_url().await?;
        ensure!(url.ends_with("/recover"), "the address bar shows {url}");
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "the new password does not sign in"
        );
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 401,
            "the old password still signs in"
        );
        // The code spent the link too.
        assert_first_link_spent(&browser, &env).await?;
        browser.assert_console_clean(&[400, 410]).await?;
        Ok(())
    });
}

#[test]
fn five_wrong_codes_spend_the_code_and_never_its_link() {
    run("five_wrong_codes", &[], |env| async move {
        let browser = env.browser().await?;
        let en = Texts::load("en")?;
        to_code_step(&browser, &en, "en").await?;
        browser.axe("the code step").await?;
        browser.screenshots("code-step").await?;
        let code = mailed_code(&env, 1).await;
        browser.type_into("#new-password", NEW_PASSWORD).await?;
        browser.type_into("#confirm-password", NEW_PASSWORD).await?;
        // A wrong code that is still one of the alphabet's: only the last letter differs.
        let last = code.chars().last().unwrap_or('Z');
        let wrong = format!("{}{}", &code[..8], if last == 'Z' { 'Y' } else { 'Z' });
        for attempt in 1..=4 {
            browser.replace_text("#reset-code", &wrong).await?;
            browser.click("#set-password").await?;
            assert_field_error(&browser, "reset-code")
                .await
                .with_context(|| format!("attempt {attempt}"))?;
            browser.wait_focus("reset-code").await?;
            if attempt == 1 {
                browser.axe("a wrong code").await?;
            }
        }
        browser.replace_text("#reset-code", &wrong).await?;
        browser.click("#set-password").await?;
        browser
            .wait_heading("This code can no longer be used")
            .await?;
        browser.axe("a spent code").await?;

        // The right code now fails exactly like a wrong one, on /reset with the address…
        open_code_entry(&browser).await?;
        browser.type_into("#email", ALICE).await?;
        browser.type_into("#reset-code", &code).await?;
        browser.type_into("#new-password", NEW_PASSWORD).await?;
        browser.type_into("#confirm-password", NEW_PASSWORD).await?;
        browser.click("#set-password").await?;
        browser.wait_element("#reset-code-error").await?;
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 200,
            "the password changed, though every code was wrong"
        );
        // …while the link it came with still resets the password: no guess ends a link.
        let link = env.reset_link(ALICE, 1).await?;
        browser.goto(&link.url).await?;
        let outcome = ResetFlow::new(&browser, &env, ALICE)
            .choose(OTHER_PASSWORD)
            .await?;
        ensure!(
            outcome == CHANGED,
            "the link no longer works: it led to {outcome:?}"
        );
        ensure!(
            env.server().login(ALICE, OTHER_PASSWORD).await.status() == 200,
            "the password the link set does not sign in"
        );
        Ok(())
    });
}

#[test]
fn the_code_step_in_arabic_right_to_left() {
    run("code_in_arabic", &[], |env| async move {
        let browser = env.browser().await?;
        let ar = Texts::load("ar")?;
        to_code_step(&browser, &ar, "ar").await?;
        let dir = browser
            .js("return document.documentElement.dir", vec![])
            .await?;
        ensure!(
            dir.as_str() == Some("rtl"),
            "the page is not right to left: {dir}"
        );
        // The code reads left to right, in capitals, whatever the page's direction.
        ensure!(
            browser.attr("#reset-code", "dir").await?.as_deref() == Some("ltr"),
            "the code field is not left to right"
        );
        browser.axe("the code step, Arabic").await?;
        browser.screenshots("code-step-ar").await?;
        let code = mailed_code(&env, 1).await;
        browser
            .type_into("#reset-code", &code.to_lowercase())
            .await?;
        browser.type_into("#new-password", "قصير").await?;
        browser.type_into("#confirm-password", "قصير").await?;
        browser.click("#set-password").await?;
        browser.wait_element("#new-password-error").await?;
        browser
            .axe("a short password at the code step, Arabic")
            .await?;
        browser.replace_text("#new-password", NEW_PASSWORD).await?;
        browser
            .replace_text("#confirm-password", NEW_PASSWORD)
            .await?;
        browser.click("#set-password").await?;
        browser.wait_heading(&ar.get("reset.done_heading")).await?;
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "the new password does not sign in"
        );
        Ok(())
    });
}
