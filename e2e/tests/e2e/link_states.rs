//! A reset link that cannot be used says why, as the reference server tells it (410
//! `used_token`, 410 `expired_token`, 400 `invalid_token` for a token cut short), each with its
//! own heading, words and next step, in English and in Arabic (right to left), axe-core clean
//! in each state.

use anyhow::{ensure, Context, Result};
use reclaim_e2e::{eventually, run, Browser, Env, ALICE, ALICE_PASSWORD};
use reclaim_testkit::{form_encode, Mail, MailKind};

use crate::*;

/// The languages each state is seen in: English, and Arabic, right to left.
const LANGUAGES: [&str; 2] = ["en", "ar"];

/// Asks for alice's link as the pages in `lang` do (their `Accept-Language`), and gives the
/// `count`th reset mail, written in `lang`, its link opening the page in it.
async fn mail_in(env: &Env, lang: &str, count: usize) -> Result<Mail> {
    let server = env.server();
    let request = server
        .client
        .post(server.url_for("/account/recovery"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept-language", lang)
        .body(format!("email={}", form_encode(ALICE)));
    let status = server.send(request).await.status();
    ensure!(status == 200, "asking for a link in {lang}: {status}");
    let mut mails = server.outbox.wait_for(MailKind::Reset, ALICE, count).await;
    let mail = mails.remove(count - 1);
    ensure!(
        mail.link_lang().as_deref() == Some(lang),
        "the link does not open the page in {lang}: {}",
        mail.reset_link()
    );
    Ok(mail)
}

/// The page in `t`'s language: `lang` and, for Arabic, right to left.
async fn assert_language(browser: &Browser, t: &Texts) -> Result<()> {
    let seen = browser
        .js(
            "return [document.documentElement.lang, document.documentElement.dir];",
            vec![],
        )
        .await?;
    let dir = if t.locale == "ar" { "rtl" } else { "ltr" };
    ensure!(
        seen[0] == t.locale && seen[1] == dir,
        "the page is {seen}, not {} {dir}",
        t.locale
    );
    Ok(())
}

/// A link that can no longer be used, as the page says it: `heading_key`'s heading with focus,
/// `lead` (checked by `lead_is`), one next step (a new link, from the request page in the
/// link's language, since the page does not know the address), and axe-core clean. Follows
/// the next step.
async fn assert_dead_link(
    browser: &Browser,
    t: &Texts,
    state: &str,
    lead_is: impl Fn(&str) -> bool,
) -> Result<()> {
    browser.wait_focus("page-heading").await?;
    assert_language(browser, t).await?;
    let lead = browser.wait_text("dead-link").await?;
    ensure!(lead_is(&lead), "the {state} link's words are {lead:?}");
    ensure!(
        !browser.exists("#new-password").await? && !browser.exists("#send-new-link").await?,
        "the {state} link still offers a form"
    );
    browser
        .axe(&format!("a {state} link, {}", t.locale))
        .await?;
    let href = browser
        .attr("a#request-new-link", "href")
        .await?
        .with_context(|| format!("the {state} link has no a#request-new-link"))?;
    ensure!(
        href.ends_with(&format!("/recover?lang={}", t.locale)),
        "a#request-new-link goes to {href}"
    );
    browser.click("a#request-new-link").await?;
    browser.wait_heading(&t.get("recover.heading")).await?;
    browser.wait_app().await
}

/// Used once (by another tab, or by someone else): "already used", with what to do if it was
/// not the person; the password stays as the first use set it.
#[test]
fn a_used_link_says_it_was_used() {
    run("used_link", &[], |env| async move {
        let browser = env.browser().await?;
        let mut password = ALICE_PASSWORD;
        for (count, lang) in LANGUAGES.into_iter().enumerate() {
            let t = Texts::load(lang)?;
            let mail = mail_in(&env, lang, count + 1).await?;
            let set = [NEW_PASSWORD, OTHER_PASSWORD][count];
            let status = env
                .server()
                .reset_password(&mail.token(), set)
                .await
                .status();
            ensure!(status == 200, "the first use of the link got {status}");
            password = set;

            browser.goto(&mail.reset_link()).await?;
            let flow = ResetFlow::new(&browser, &env, ALICE).in_language(&t);
            let outcome = flow.choose("a third passphrase, never set").await?;
            ensure!(
                outcome == t.get("reset.used_heading"),
                "a used link ({lang}) ended on {outcome:?}"
            );
            assert_dead_link(&browser, &t, "used", |lead| {
                lead == t.get("reset.used_lead")
            })
            .await?;
        }
        ensure!(
            env.server().login(ALICE, password).await.status() == 200,
            "the used link changed the password again"
        );
        // The reuses' 410s, nothing else.
        browser.assert_console_clean(&[410]).await
    });
}

/// Opened after its lifetime: "expired", and how long links last (config.json's
/// `link_lifetime_minutes`); nothing changed.
#[test]
fn an_expired_link_says_it_expired() {
    // No reset limit per IP: the test asks the API whether the links have expired yet.
    let flags = ["--token-lifetime-secs", "2", "--reset-per-ip-limit", "0"];
    run("expired_link", &flags, |env| async move {
        let mut mails = Vec::new();
        for (count, lang) in LANGUAGES.into_iter().enumerate() {
            mails.push(mail_in(&env, lang, count + 1).await?);
        }
        for mail in &mails {
            // A weak password is refused with 422 while the token lives and with 410 once it
            // has expired (the token is checked first), so asking never spends it.
            let token = mail.token();
            eventually("the link to expire", || async {
                let status = env.server().reset_password(&token, "short").await.status();
                ensure!(
                    status == 410 || status == 422,
                    "a weak password with a live or expired token got {status}"
                );
                Ok((status == 410).then_some(()))
            })
            .await?;
        }

        let browser = env.browser().await?;
        for (lang, mail) in LANGUAGES.into_iter().zip(&mails) {
            let t = Texts::load(lang)?;
            browser.goto(&mail.reset_link()).await?;
            let flow = ResetFlow::new(&browser, &env, ALICE).in_language(&t);
            let outcome = flow.choose(NEW_PASSWORD).await?;
            ensure!(
                outcome == t.get("reset.expired_heading"),
                "an expired link ({lang}) ended on {outcome:?}"
            );
            // The shipped config.json says links last 30 minutes; the sentence names it.
            let template = t.get("reset.expired_lead");
            let (before, after) = template
                .split_once("{lifetime}")
                .context("reset.expired_lead names no {lifetime}")?;
            assert_dead_link(&browser, &t, "expired", |lead| {
                lead.starts_with(before)
                    && lead.ends_with(after)
                    && lead.contains("30")
                    && (lang != "en" || lead.contains("for 30 minutes after"))
            })
            .await?;
        }
        ensure!(
            env.server().login(ALICE, ALICE_PASSWORD).await.status() == 200,
            "an expired link changed the password"
        );
        browser.assert_console_clean(&[410]).await
    });
}

/// A link a mail app cut short (the fragment style, `…/reset?lang=ar#token=…`, loses the end
/// of its token): "incomplete", and the code from the same mail asked for, the new password
/// kept; the code then sets it.
#[test]
fn a_link_cut_short_asks_for_the_code_and_keeps_the_password() {
    run(
        "cut_short_link",
        &["--link-style", "fragment"],
        |env| async move {
            let browser = env.browser().await?;
            let passwords = [NEW_PASSWORD, OTHER_PASSWORD];
            for (count, lang) in LANGUAGES.into_iter().enumerate() {
                let t = Texts::load(lang)?;
                let mail = mail_in(&env, lang, count + 1).await?;
                let link = mail.reset_link();
                ensure!(
                    link.starts_with(&env.url(&format!("/reset?lang={lang}#token="))),
                    "the link is not in the fragment style: {link}"
                );
                let cut = &link[..link.len() - 20];
                browser.goto(cut).await?;
                browser.wait_heading(&t.get("reset.heading")).await?;
                let flow = ResetFlow::new(&browser, &env, ALICE).in_language(&t);
                let password = passwords[count];
                let outcome = flow.choose(password).await?;
                ensure!(
                    outcome == t.get("reset.incomplete_heading"),
                    "a link cut short ({lang}) ended on {outcome:?}"
                );
                browser.wait_focus("page-heading").await?;
                assert_language(&browser, &t).await?;
                let lead = browser.wait_text("incomplete").await?;
                ensure!(
                    lead == t.get("reset.incomplete_lead"),
                    "the words are {lead:?}"
                );
                for field in ["new-password", "confirm-password"] {
                    let kept = browser
                        .js(
                            "return document.getElementById(arguments[0]).value;",
                            vec![field.into()],
                        )
                        .await?;
                    ensure!(kept == password, "#{field} lost what was typed: {kept}");
                }
                browser.wait_element("#reset-code").await?;
                browser.axe(&format!("a link cut short, {lang}")).await?;

                // The next step: the address and the code from the same mail.
                browser.type_into("#email", ALICE).await?;
                browser.type_into("#reset-code", &mail.reset_code()).await?;
                browser.click("#set-password").await?;
                browser.wait_heading(&t.get("reset.done_heading")).await?;
                ensure!(
                    env.server().login(ALICE, password).await.status() == 200,
                    "the password kept through the code does not sign in"
                );
            }
            // The cut tokens' 400s, nothing else.
            browser.assert_console_clean(&[400]).await
        },
    );
}
