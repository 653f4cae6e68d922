//! The recovery flows, as a person goes through them.

use anyhow::{ensure, Context};
use reclaim_e2e::{run, ALICE, ALICE_PASSWORD};
use reclaim_testkit::MailKind;

use crate::reset_flow::Mailbox;
use crate::*;

/// Asks for a link, reads the mail, opens the link, sets a new password, signs in with it.
#[test]
fn full_flow() {
    run("full_flow", &[], |env| async move {
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        let confirmation = flow.request().await?;
        ensure!(
            confirmation.contains(ALICE),
            "the confirmation does not name the address: {confirmation:?}"
        );
        browser.wait_focus("page-heading").await?;
        browser.assert_same_origin().await?;

        flow.open_link(1).await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(
            outcome == CHANGED,
            "after setting the password the page says {outcome:?}\n{}",
            browser.describe().await
        );
        // The page asked for one link, once: when the "password changed" notice and everything
        // sent before it have landed, alice has that one link and the notice, nothing more.
        let outbox = &env.server().outbox;
        let notice = outbox.wait_for_one(MailKind::PasswordChanged, ALICE).await;
        outbox.wait_for_all_before(&notice).await;
        let mails = outbox.mails_to(ALICE);
        ensure!(
            mails.len() == 2,
            "expected one link and one notice to {ALICE}, found {}: {mails:#?}",
            mails.len()
        );
        browser.wait_focus("page-heading").await?;
        ensure!(
            browser.exists("a#sign-in").await?,
            "the success state has no a#sign-in link"
        );
        browser.assert_same_origin().await?;
        browser.assert_console_clean(&[]).await?;

        // The success page's link leads to sign-in, where the old password is refused and the
        // new one works.
        browser.click("a#sign-in").await?;
        browser.wait_heading("Sign in").await?;
        browser.axe("sign-in form").await?;
        browser.replace_text("#sign-in-email", ALICE).await?;
        browser
            .replace_text("#sign-in-password", ALICE_PASSWORD)
            .await?;
        browser.click("#sign-in-submit").await?;
        let refused = browser.wait_text("sign-in-password-error").await?;
        ensure!(
            refused.contains("not right"),
            "the old password was not refused at the field: {refused:?}"
        );
        browser
            .replace_text("#sign-in-password", NEW_PASSWORD)
            .await?;
        browser.click("#sign-in-submit").await?;
        browser.wait_heading("You're signed in").await?;
        browser.assert_console_clean(&[401]).await?;

        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "signing in with the new password failed"
        );
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 401,
            "the old password still works"
        );
        Ok(())
    });
}

/// A person whose link will not open types the code from the mail on `/reset`, then signs in
/// with the new password; the same code again is refused.
#[test]
fn code_typed_by_hand() {
    run("code_typed_by_hand", &[], |env| async move {
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        flow.request().await?;
        let outbox = &env.server().outbox;
        let mail = outbox.wait_for_one(MailKind::Reset, ALICE).await;
        // The code stands on a line of its own under the sentence that says where it goes.
        let body = mail.body().replace("\r\n", "\n");
        let (sentence, after) = body
            .split_once("enter this code:\n\n")
            .context("the mail does not say where to enter the code")?;
        let code = after.lines().next().unwrap_or_default().to_owned();
        ensure!(
            code == mail.reset_code(),
            "the code line {code:?} is not the mail's short code"
        );
        // The page in the mail's language (`?lang=`, from the Accept-Language the pages sent).
        let page = format!("go to {}?lang=", env.url("/reset"));
        ensure!(
            sentence.contains(&page) && sentence.ends_with(" and "),
            "the mail does not name the reset page before the code: {body}"
        );

        open_code_entry(&browser).await?;
        // Another device: the address, and the code as read off a phone, without the dash.
        browser.type_into("#email", ALICE).await?;
        browser
            .type_into("#reset-code", &format!(" {} ", code.replace('-', " ")))
            .await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(
            outcome == CHANGED,
            "after entering the code the page says {outcome:?}\n{}",
            browser.describe().await
        );
        let url = browser.current_url().await?;
        ensure!(
            !url.contains(&code),
            "the code reached the address bar: {url}"
        );
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "signing in with the new password failed"
        );
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 401,
            "the old password still works"
        );

        // The same code again: said at the code field, as a wrong one is, with a way to a new
        // link; the password stays as it was.
        open_code_entry(&browser).await?;
        browser.type_into("#email", ALICE).await?;
        browser.type_into("#reset-code", &code).await?;
        flow.submit_password(OTHER_PASSWORD).await?;
        let said = browser.wait_text("reset-code-error").await?;
        ensure!(
            said.contains("This code is wrong or has expired"),
            "a used code: {said:?}"
        );
        ensure!(
            browser.exists("a#request-new-link").await?,
            "the code entry has no a#request-new-link"
        );
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "the used code changed the password again"
        );
        browser.assert_console_clean(&[400]).await?;
        Ok(())
    });
}

/// An unknown address gets the very same words, and no mail is sent.
#[test]
fn unknown_address() {
    run("unknown_address", &[], |env| async move {
        const UNKNOWN: &str = "nobody-here@example.com";
        let browser = env.browser().await?;
        let unknown = ResetFlow::new(&browser, &env, UNKNOWN).request().await?;

        browser.click("#use-different-address").await?;
        browser.wait_heading(REQUEST).await?;
        let known = ResetFlow::new(&browser, &env, ALICE).send_request().await?;
        ensure!(
            unknown == known.replace(ALICE, UNKNOWN),
            "the words differ for a known and an unknown address:\n  known:   {known:?}\n  unknown: {unknown:?}"
        );

        // The known address's mail is the sentinel: the worker took the unknown one first, so
        // once alice's mail and everything sent before it have landed, the unknown address
        // has had its chance.
        let outbox = &env.server().outbox;
        let alices = outbox.wait_for_one(MailKind::Reset, ALICE).await;
        outbox.wait_for_all_before(&alices).await;
        let sent = outbox.mails_to(UNKNOWN);
        ensure!(
            sent.is_empty(),
            "mail was sent to an unknown address: {sent:#?}"
        );
        browser.assert_same_origin().await?;
        browser.assert_console_clean(&[]).await?;
        Ok(())
    });
}

/// The mailed link opened straight away in a browser that has never seen the pages, with the
/// token in the query and, for a second link, in the fragment.
#[test]
fn deep_link_in_new_browser() {
    run("deep_link_in_new_browser", &[], |env| async move {
        ensure!(
            env.server().request_recovery(ALICE).await.status() == 200,
            "the recovery request failed"
        );
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        let link = flow.open_link(1).await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(
            outcome == CHANGED,
            "the query-string link ended on {outcome:?}"
        );
        browser.assert_same_origin().await?;
        browser.assert_console_clean(&[]).await?;
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
            "the new password does not work"
        );

        // The same link with the token in the fragment (it never reaches a server or a log).
        ensure!(
            env.server().request_recovery(ALICE).await.status() == 200,
            "the second recovery request failed"
        );
        let second = env.reset_link(ALICE, 2).await?;
        ensure!(
            second.url != link.url,
            "the second mail repeats the first link"
        );
        let fragment_link = MailedLink {
            url: second.url.replacen("/reset?token=", "/reset#token=", 1),
            ..second
        };
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        flow.open(&fragment_link).await?;
        let outcome = flow.choose(OTHER_PASSWORD).await?;
        ensure!(outcome == CHANGED, "the fragment link ended on {outcome:?}");
        browser.assert_console_clean(&[]).await?;
        ensure!(
            env.server().login(ALICE, OTHER_PASSWORD).await.status() == 200,
            "the password set through the fragment link does not work"
        );
        ensure!(
            env.server().login(ALICE, NEW_PASSWORD).await.status() == 401,
            "the previous password still works"
        );
        Ok(())
    });
}
