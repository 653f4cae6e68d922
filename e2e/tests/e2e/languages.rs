//! The whole flow through the mail in languages of every kind the pages serve: Arabic and Hebrew
//! (right to left), Japanese and Traditional Chinese (no spaces, their own scripts), Hindi
//! (Devanagari), Russian (Cyrillic, three plural forms and a fraction form) and Filipino, as a
//! person who reads them meets it: the first paint already in their language, every state in it,
//! the mail and its link in it, axe-core clean on every state, and screenshots of every state in
//! Arabic at 320 and 1280 px.

use anyhow::{ensure, Context, Result};
use reclaim_contract::locale::is_right_to_left;
use reclaim_e2e::{run, Browser, Env, ALICE};
use reclaim_testkit::MailKind;
use serde_json::Value;

use crate::*;

/// The subjects of the reference server's two mails in `locale` (the reset, the notice), from
/// the server's own catalog of mail texts.
fn subjects(locale: &str) -> Result<(String, String)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../server/src/mail/locales/{locale}.json"));
    let texts: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    let subject = |key: &str| {
        texts[key]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("{}: no {key}", path.display()))
    };
    Ok((subject("reset.subject")?, subject("changed.subject")?))
}

async fn check(browser: &Browser, screenshots: bool, state: &str) -> Result<()> {
    browser.axe(state).await?;
    if screenshots {
        browser.screenshots(state).await?;
    }
    Ok(())
}

/// `<html lang dir>` as the app left them, and every text field left to right.
async fn assert_language(browser: &Browser, t: &Texts) -> Result<()> {
    let expected_dir = if is_right_to_left(t.locale) {
        "rtl"
    } else {
        "ltr"
    };
    let lang = browser.attr("html", "lang").await?;
    let dir = browser.attr("html", "dir").await?;
    ensure!(
        lang.as_deref() == Some(t.locale) && dir.as_deref() == Some(expected_dir),
        "<html lang={lang:?} dir={dir:?}>, expected {} {expected_dir}",
        t.locale
    );
    let fields_ltr = browser
        .js(
            "return [...document.querySelectorAll('input')].every(i => i.dir === 'ltr');",
            vec![],
        )
        .await?;
    ensure!(fields_ltr == Value::Bool(true), "an input is not dir=ltr");
    Ok(())
}

/// The served HTML of `path` (before any script runs) is in the language.
async fn assert_first_paint(env: &Env, t: &Texts, path: &str, heading_key: &str) -> Result<()> {
    let html = env.server().get(path).await.text().await?;
    let lang = format!("<html lang={}", t.locale);
    let heading = t.get(heading_key);
    ensure!(
        html.contains(&lang) && html.contains(&heading),
        "{path} is not prerendered in {}: no {lang:?} or {heading:?}",
        t.locale
    );
    Ok(())
}

async fn whole_flow(env: Env, locale: &'static str, screenshots: bool) -> Result<()> {
    let t = Texts::load(locale)?;
    let (reset_subject, changed_subject) = subjects(locale)?;
    let browser = env.browser().await?;
    let flow = ResetFlow::new(&browser, &env, ALICE).in_language(&t);

    // The request page, painted in the language before the app runs.
    let recover = flow.recover_path();
    assert_first_paint(&env, &t, &recover, "recover.heading").await?;
    browser.goto(&recover).await?;
    browser.wait_heading(&flow.headings.request).await?;
    assert_language(&browser, &t).await?;
    check(&browser, screenshots, "request-empty").await?;

    // The menu of languages, open.
    browser.click(".language-current").await?;
    check(&browser, screenshots, "language-menu").await?;
    browser.click(".language-current").await?;

    browser.type_into("#email", "alice.example.com").await?;
    browser.click("#send-link").await?;
    let error = browser.wait_text("email-error").await?;
    ensure!(
        error.contains(&t.get("email.malformed")),
        "the field error reads {error:?}"
    );
    check(&browser, screenshots, "email-error").await?;

    let confirmation = flow.send_request().await?;
    ensure!(
        confirmation.contains(ALICE),
        "the confirmation reads {confirmation:?}"
    );
    check(&browser, screenshots, "confirmation").await?;

    // The mail, in the language the page was in; its link opens the page in it.
    let mail = env
        .server()
        .outbox
        .wait_for_one(MailKind::Reset, ALICE)
        .await;
    ensure!(
        mail.header("Subject").as_deref() == Some(reset_subject.as_str()),
        "the mail's subject is {:?}",
        mail.header("Subject")
    );
    ensure!(
        mail.link_lang().as_deref() == Some(locale),
        "the mail's link is {}",
        mail.reset_link()
    );
    let link = MailedLink::with_token(mail.reset_link())?;
    let path = link.url.trim_start_matches(&env.server().url);
    assert_first_paint(&env, &t, path, "reset.heading").await?;
    flow.open(&link).await?;
    assert_language(&browser, &t).await?;
    check(&browser, screenshots, "reset-empty").await?;

    browser.type_into("#new-password", NEW_PASSWORD).await?;
    browser
        .type_into("#confirm-password", "violet-harbor-sextant-19")
        .await?;
    browser.click("#set-password").await?;
    let error = browser.wait_text("confirm-password-error").await?;
    ensure!(
        error.contains(&t.get("password.mismatch")),
        "the mismatch reads {error:?}"
    );
    check(&browser, screenshots, "mismatch").await?;

    browser.replace_text("#new-password", "short12").await?;
    browser.replace_text("#confirm-password", "short12").await?;
    browser.click("#set-password").await?;
    browser.wait_text("new-password-error").await?;
    check(&browser, screenshots, "too-short").await?;

    let outcome = flow.choose(NEW_PASSWORD).await?;
    ensure!(
        outcome == flow.headings.changed,
        "the reset ended on {outcome:?}"
    );
    check(&browser, screenshots, "success").await?;
    ensure!(
        env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
        "the new password does not sign in"
    );
    let notice = env
        .server()
        .outbox
        .wait_for_one(MailKind::PasswordChanged, ALICE)
        .await;
    ensure!(
        notice.header("Subject").as_deref() == Some(changed_subject.as_str()),
        "the notice's subject is {:?}",
        notice.header("Subject")
    );

    // The code typed by hand, and a link that no longer works.
    browser.goto(&format!("/reset?lang={locale}")).await?;
    browser.wait_app().await?;
    browser.wait_heading(&t.get("reset.heading")).await?;
    browser.wait_element("#reset-code").await?;
    check(&browser, screenshots, "code-entry").await?;
    browser.click("#set-password").await?;
    let error = browser.wait_text("reset-code-error").await?;
    ensure!(
        error.contains(&t.get("code.empty")),
        "the code error reads {error:?}"
    );
    check(&browser, screenshots, "code-missing").await?;

    browser.goto(&link.url).await?;
    let outcome = flow.choose(OTHER_PASSWORD).await?;
    ensure!(
        outcome == flow.headings.used_link,
        "the used link ended on {outcome:?}"
    );
    let again = browser
        .attr("#request-new-link", "href")
        .await?
        .unwrap_or_default();
    ensure!(
        again.ends_with(&format!("/recover?lang={locale}")),
        "'request a new link' goes to {again}, not the request page in the language"
    );
    check(&browser, screenshots, "used").await?;

    browser
        .goto(&format!("/no-such-page?lang={locale}"))
        .await?;
    browser.wait_app().await?;
    browser.wait_heading(&t.get("not_found.heading")).await?;
    check(&browser, screenshots, "not-found").await?;
    // The used link's 410 and the unknown page's 404, nothing else.
    browser.assert_console_clean(&[404, 410]).await
}

#[test]
fn the_whole_flow_in_arabic_right_to_left() {
    run("arabic", &[], |env| whole_flow(env, "ar", true));
}

#[test]
fn the_whole_flow_in_japanese() {
    run("japanese", &[], |env| whole_flow(env, "ja", false));
}

#[test]
fn the_whole_flow_in_hebrew_right_to_left() {
    run("hebrew", &[], |env| whole_flow(env, "he", false));
}

#[test]
fn the_whole_flow_in_hindi() {
    run("hindi", &[], |env| whole_flow(env, "hi", false));
}

#[test]
fn the_whole_flow_in_russian() {
    run("russian", &[], |env| whole_flow(env, "ru", false));
}

#[test]
fn the_whole_flow_in_traditional_chinese() {
    run("traditional_chinese", &[], |env| {
        whole_flow(env, "zh-Hant", false)
    });
}

#[test]
fn the_whole_flow_in_filipino() {
    run("filipino", &[], |env| whole_flow(env, "fil", false));
}

/// A person switches language half-way through typing: the page changes language in place,
/// what they typed stays, and the request is sent in the new language.
#[test]
fn the_switcher_keeps_what_was_typed_and_the_mail_follows_it() {
    run("switcher", &[], |env| async move {
        let browser = env.browser().await?;
        browser.goto("/recover").await?;
        browser.wait_app().await?;
        browser.wait_heading(REQUEST).await?;
        browser.type_into("#email", ALICE).await?;
        browser.click(".language-current").await?;
        browser.click(".language-list a[lang='ja']").await?;
        let ja = Texts::load("ja")?;
        browser.wait_heading(&ja.get("recover.heading")).await?;
        let typed = browser
            .js("return document.querySelector('#email').value;", vec![])
            .await?;
        ensure!(typed == ALICE, "the typed address became {typed}");
        ensure!(
            browser.current_url().await?.ends_with("/recover?lang=ja"),
            "the address does not name the language"
        );
        browser.click("#send-link").await?;
        browser
            .wait_heading(&ja.get("recover.sent_heading"))
            .await?;
        let mail = env
            .server()
            .outbox
            .wait_for_one(MailKind::Reset, ALICE)
            .await;
        ensure!(
            mail.link_lang().as_deref() == Some("ja"),
            "the mail's link is {}",
            mail.reset_link()
        );
        // The choice is remembered on this site: the next visit opens in Japanese.
        browser.goto("/recover").await?;
        browser.wait_app().await?;
        browser.wait_heading(&ja.get("recover.heading")).await?;
        Ok(())
    });
}
