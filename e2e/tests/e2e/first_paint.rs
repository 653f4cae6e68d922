//! The pages are on screen before the wasm arrives: the served HTML already holds each page, a
//! link's secret leaves the address bar before the app runs, and what a person types or sends
//! before then is kept and sent when it takes over.

use anyhow::{ensure, Context};
use reclaim_e2e::{run, Key, ALICE};
use reclaim_testkit::MailKind;
use serde_json::{json, Value as Json};

use crate::*;

/// Each route's HTML, as served, already shows its page: heading, labelled fields, button,
/// and for a person with JavaScript off, a sentence saying the page needs it to send.
#[test]
fn served_html_holds_each_page() {
    run("served_html_holds_each_page", &[], |env| async move {
        let pages: [(&str, &str, &[&str], Option<&str>); 5] = [
            ("/", REQUEST, &["email"], Some("send-link")),
            ("/recover", REQUEST, &["email"], Some("send-link")),
            (
                "/reset",
                CHOOSE,
                &["new-password", "confirm-password"],
                Some("set-password"),
            ),
            (
                "/reset?token=abc",
                CHOOSE,
                &["new-password", "confirm-password"],
                Some("set-password"),
            ),
            ("/404.html", NOT_FOUND, &[], None),
        ];
        for (path, heading, fields, button) in pages {
            let response = env.server().get(path).await;
            ensure!(
                response.status() == 200,
                "{path} answered {}",
                response.status()
            );
            let html = response.text().await?;
            ensure!(
                html.contains(&format!(">{heading}</h1>")),
                "{path}: the served HTML has no heading {heading:?}:\n{html}"
            );
            ensure!(
                html.contains(&format!("<title>{heading}</title>")),
                "{path}: the title is not the page's heading"
            );
            for field in fields {
                ensure!(
                    html.contains(&format!(r#"<label for="{field}""#))
                        && html.contains(&format!(r#"<input id="{field}""#)),
                    "{path}: no labelled #{field} in the served HTML"
                );
            }
            if let Some(button) = button {
                ensure!(
                    html.contains(&format!(r#"<button id="{button}" type="submit" disabled"#)),
                    "{path}: no #{button}, disabled until the app runs, in the served HTML"
                );
                ensure!(
                    html.contains(
                        "<noscript><p class=\"hint\">This page needs JavaScript to send."
                    ),
                    "{path}: nothing tells a person without JavaScript why nothing sends"
                );
            }
            // One script, the inline bootstrap (the same in every build, so the page's own
            // policy names it by a hash), and the styles in the page itself, the build's and
            // the brand's: no stylesheet to wait for before the first paint.
            let scripts = html.matches("<script").count();
            let bootstrap = html.find("<script>{").unwrap_or(usize::MAX);
            ensure!(
                scripts == 1 && bootstrap != usize::MAX,
                "{path}: {scripts} scripts, expected only the bootstrap"
            );
            ensure!(
                !html.contains("rel=stylesheet")
                    && html.matches("<style").count() == 2
                    && html.contains("<style id=brand>"),
                "{path}: expected the styles inline, the build's and the brand's, and no \
                 stylesheet"
            );
            // The app's two files are requested by the HTML itself, first of all but after the
            // referrer policy (their requests name no page), so that the long download runs
            // while the page is parsed and painted.
            let position = |needle: &str| html.find(needle).unwrap_or(usize::MAX);
            let referrer = position("<meta content=no-referrer name=referrer>");
            let wasm = position(" as=fetch type=application/wasm crossorigin>");
            let glue = position("<link rel=modulepreload ");
            ensure!(
                referrer < wasm && referrer < glue && wasm < bootstrap && glue < bootstrap,
                "{path}: the wasm's and the glue's preloads are not between the referrer policy \
                 and the bootstrap"
            );
        }
        Ok(())
    });
}

/// Opens `url` with the wasm blocked, so the page stays as prerendered until a test lets it
/// through, and waits for its `heading`.
pub(crate) async fn open_with_the_wasm_held_back(
    browser: &reclaim_e2e::Browser,
    url: &str,
    heading: &str,
) -> anyhow::Result<()> {
    browser.devtools("Network.enable", json!({})).await?;
    browser
        .devtools("Network.setBlockedURLs", json!({ "urls": ["*_bg.wasm"] }))
        .await?;
    browser.client().goto(url).await?;
    browser.wait_heading(heading).await
}

/// Lets the held-back wasm through and starts the app as the page's bootstrap does (its own
/// start failed on the held-back wasm): the glue's init again, with the names the page gives it.
pub(crate) async fn let_the_app_start(browser: &reclaim_e2e::Browser) -> anyhow::Result<()> {
    browser
        .devtools("Network.setBlockedURLs", json!({ "urls": [] }))
        .await?;
    browser
        .js(
            "const app = document.querySelector('meta[name=reclaim-app]').dataset;\
             import(app.glue).then((glue) => glue.default({ module_or_path: app.wasm }));",
            vec![],
        )
        .await
        .context("starting the app")?;
    browser.wait_app().await
}

/// What the prerendered page shows of a send taken before the app runs, read in one go right
/// after the tap: (button busy, its label, what the live region says, every field read-only).
async fn taken_send(browser: &reclaim_e2e::Browser, button: &str) -> anyhow::Result<Json> {
    browser
        .js(
            "const button = document.getElementById(arguments[0]);\
             return [button.getAttribute('aria-disabled') === 'true', button.textContent,\
                     document.getElementById('announcer').textContent,\
                     [...button.form.querySelectorAll('input')].every((input) => input.readOnly),\
                     document.querySelector('#app[data-prerendered]') !== null];",
            vec![json!(button)],
        )
        .await
}

/// How many requests the page made to `path` (the API's), by the browser's own count.
async fn requests_to(browser: &reclaim_e2e::Browser, path: &str) -> anyhow::Result<Json> {
    browser
        .js(
            "return performance.getEntriesByType('resource')\
               .filter((entry) => new URL(entry.name).pathname === arguments[0]).length;",
            vec![json!(path)],
        )
        .await
}

/// The page asks for every file once: the bootstrap's own fetch and import of the wasm and its
/// glue take what the HTML's preloads started, the app takes the files the page's script fetched
/// (the configuration, the backend's description, the language's catalogs) whenever it starts,
/// and no stylesheet is asked for at all (the page carries its styles).
#[test]
fn the_app_is_downloaded_once() {
    run("the_app_is_downloaded_once", &[], |env| async move {
        let browser = env.browser().await?;
        for path in ["/recover", "/reset?token=abc", "/recover?lang=ar"] {
            // `goto` waits until the app has taken over: every file it needs is in.
            browser.goto(path).await?;
            let files = browser
                .js(
                    "const app = document.querySelector('meta[name=reclaim-app]').dataset;\
                     const counts = {};\
                     for (const entry of performance.getEntriesByType('resource')) {\
                       const path = new URL(entry.name).pathname;\
                       counts[path] = (counts[path] || 0) + 1;\
                     }\
                     return [counts[app.wasm] || 0, counts[app.glue] || 0,\
                       Object.keys(counts).filter((path) => path.endsWith('.css')),\
                       Object.keys(counts).filter((path) => counts[path] > 1),\
                       counts['/config.json'] || 0];",
                    vec![],
                )
                .await?;
            ensure!(
                files == json!([1, 1, [], [], 1]),
                "{path}: [wasm, glue, stylesheets, files asked for twice, config.json] are \
                 {files}, expected [1, 1, [], [], 1]"
            );
        }
        Ok(())
    });
}

/// With the wasm held back, a person types an address and clicks send: the button says at once
/// (within 100 ms, measured in the page) that it is sending, so does the live region, the field
/// turns read-only, nothing navigates and the address bar stays. Nothing is sent while the wasm
/// is held back, and a second click and an Enter add nothing: when the app starts, it sends the
/// address once, and the page reads as for any send.
#[test]
fn a_click_before_the_app_runs_is_held_and_sent_once_by_the_app() {
    run(
        "a_click_before_the_app_runs_is_held_and_sent_once_by_the_app",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            let url = env.url("/recover");
            open_with_the_wasm_held_back(&browser, &url, REQUEST).await?;
            // A marker that a navigation (a GET submission) would wipe out.
            browser.js("window.__samePage = true;", vec![]).await?;
            browser.type_into("#email", ALICE).await?;
            let taken_in = browser
                .js(
                    "const button = document.getElementById('send-link');\
                     const start = performance.now(); button.click();\
                     return button.getAttribute('aria-disabled') === 'true'\
                       ? performance.now() - start : null;",
                    vec![],
                )
                .await?;
            ensure!(
                taken_in.as_f64().is_some_and(|ms| ms < 100.0),
                "the click was not shown as sending within 100 ms: {taken_in}"
            );
            let shown = taken_send(&browser, "send-link").await?;
            ensure!(
                shown == json!([true, "Sending…", "Sending…", true, true]),
                "right after the click the page shows [busy, label, live region, read-only, \
                 prerendered] = {shown}"
            );
            browser.click("#send-link").await?;
            browser.press(Key::Enter).await?;
            let sent = requests_to(&browser, "/account/recovery").await?;
            ensure!(sent == json!(0), "{sent} requests before the app ran");

            let_the_app_start(&browser).await?;
            browser.wait_heading(CHECK_EMAIL).await?;
            env.server()
                .outbox
                .wait_for_one(MailKind::Reset, ALICE)
                .await;
            let confirmation = browser.wait_text("confirmation").await?;
            ensure!(
                confirmation.contains(ALICE),
                "the confirmation does not name the address typed: {confirmation:?}"
            );
            browser.wait_focus("page-heading").await?;
            ensure!(
                browser
                    .js("return window.__samePage === true;", vec![])
                    .await?
                    == json!(true),
                "the click before the app ran navigated away"
            );
            ensure!(
                browser.current_url().await? == url,
                "the click before the app ran changed the address bar"
            );
            let sent = requests_to(&browser, "/account/recovery").await?;
            ensure!(sent == json!(1), "{sent} requests for a link, expected one");
            Ok(())
        },
    );
}

/// A reset link opened with the wasm held back: its token is already out of the address bar.
/// The person types the new password twice and presses Enter, twice: the first is taken at
/// once, nothing reaches the address bar, and nothing is sent while the wasm is held back. When
/// the app starts, it sets the password, sent once.
#[test]
fn enter_before_the_app_runs_is_held_and_sent_once_by_the_app() {
    run(
        "enter_before_the_app_runs_is_held_and_sent_once_by_the_app",
        &[],
        |env| async move {
            let link = env.server().request_reset_link(ALICE).await;
            let browser = env.browser().await?;
            open_with_the_wasm_held_back(&browser, &link, CHOOSE).await?;
            let mailed = MailedLink::with_token(link.clone())?;
            reset_flow::assert_secret_gone(&browser, &mailed.secret).await?;
            let address = browser.current_url().await?;
            browser.js("window.__samePage = true;", vec![]).await?;
            browser.type_into("#new-password", NEW_PASSWORD).await?;
            browser.type_into("#confirm-password", NEW_PASSWORD).await?;
            browser.press(Key::Enter).await?;
            let shown = taken_send(&browser, "set-password").await?;
            ensure!(
                shown == json!([true, "Saving…", "Saving…", true, true]),
                "right after Enter the page shows [busy, label, live region, read-only, \
                 prerendered] = {shown}"
            );
            browser.press(Key::Enter).await?;
            // chromedriver lets a navigation the key press started finish before it runs the
            // next script, so the marker answers for the page the key presses left behind.
            ensure!(
                browser
                    .js("return window.__samePage === true;", vec![])
                    .await?
                    == json!(true),
                "Enter before the app ran navigated away"
            );
            let now = browser.current_url().await?;
            ensure!(
                now == address && !now.contains(NEW_PASSWORD),
                "Enter before the app ran changed the address bar to {now}"
            );
            let sent = requests_to(&browser, "/account/reset-password").await?;
            ensure!(sent == json!(0), "{sent} resets before the app ran");

            let_the_app_start(&browser).await?;
            browser.wait_heading(CHANGED).await?;
            ensure!(
                env.server().login(ALICE, NEW_PASSWORD).await.status() == 200,
                "the password typed before the app ran was not the one set"
            );
            let sent = requests_to(&browser, "/account/reset-password").await?;
            ensure!(sent == json!(1), "{sent} resets sent, expected one");
            Ok(())
        },
    );
}

/// Every backend's link shape, opened with the wasm held back: the address bar already shows
/// only the page and its language, and the query and fragment wait in memory for the app.
#[test]
fn a_links_secret_leaves_the_address_bar_before_the_app_runs() {
    run(
        "a_links_secret_leaves_the_address_bar_before_the_app_runs",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            let links = [
                // The contract's, in the query and in the fragment.
                ("/reset?token=Hs3kQ9vT2mLx7bWc&lang=fr", "/reset?lang=fr"),
                ("/reset#token=Hs3kQ9vT2mLx7bWc&lang=en", "/reset"),
                // Firebase's, at the page and at the site's root.
                (
                    "/reset?mode=resetPassword&oobCode=Xk2_p9&apiKey=AIzaKey&lang=ja",
                    "/reset?lang=ja",
                ),
                ("/?mode=resetPassword&oobCode=Xk2_p9&apiKey=AIzaKey", "/"),
                // django-allauth's key; PocketBase's and Better Auth's token, and Better
                // Auth's refusal.
                ("/reset?key=3-c9x2-8f1e0a", "/reset"),
                ("/reset?token=eyJhbGciOiJIUzI1NiJ9.e30.sig", "/reset"),
                ("/reset?error=INVALID_TOKEN&lang=ar", "/reset?lang=ar"),
            ];
            for (link, kept) in links {
                browser.devtools("Network.enable", json!({})).await?;
                browser
                    .devtools("Network.setBlockedURLs", json!({ "urls": ["*_bg.wasm"] }))
                    .await?;
                browser.client().goto(&env.url(link)).await?;
                browser.wait_element("#app[data-prerendered] h1").await?;
                let now = browser.current_url().await?;
                ensure!(
                    now == env.url(kept),
                    "{link}: before the app runs the address bar shows {now}, expected {kept}"
                );
                let handed = browser
                    .js(
                        "const opened = window.reclaimHandoff.opened;\
                         return new URLSearchParams(opened.query).toString() + '#' +\
                           new URLSearchParams(opened.fragment).toString();",
                        vec![],
                    )
                    .await?;
                let (before, fragment) = link.split_once('#').unwrap_or((link, ""));
                let query = before.split_once('?').map_or("", |(_, query)| query);
                let opened = format!("{query}#{fragment}");
                ensure!(
                    handed == json!(opened),
                    "{link}: the app is handed {handed}, expected {opened}"
                );
            }
            Ok(())
        },
    );
}

/// A form sent before the app ran goes in the language the app speaks: the address's `?lang=`,
/// else the reader's stored choice. The app sends it once it runs, and each mail is written in
/// that language (its link names it); the page reads in it.
#[test]
fn a_form_sent_before_the_app_runs_is_sent_in_the_readers_language() {
    run(
        "a_form_sent_before_the_app_runs_is_sent_in_the_readers_language",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            let cases = [("?lang=ar", None, "ar"), ("", Some("de"), "de")];
            for (count, (query, stored, locale)) in cases.into_iter().enumerate() {
                if let Some(stored) = stored {
                    // The reader chose the language on an earlier visit.
                    browser.goto("/recover").await?;
                    browser
                        .js(
                            "localStorage.setItem('reclaim.locale', arguments[0]);",
                            vec![json!(stored)],
                        )
                        .await?;
                }
                let texts = Texts::load(locale)?;
                let url = env.url(&format!("/recover{query}"));
                let heading = if query.is_empty() {
                    REQUEST.to_owned()
                } else {
                    texts.get("recover.heading")
                };
                open_with_the_wasm_held_back(&browser, &url, &heading).await?;
                browser.type_into("#email", ALICE).await?;
                browser.click("#send-link").await?;
                let_the_app_start(&browser).await?;
                browser
                    .wait_heading(&texts.get("recover.sent_heading"))
                    .await?;
                let mails = env
                    .server()
                    .outbox
                    .wait_for(MailKind::Reset, ALICE, count + 1)
                    .await;
                let mail = mails.last().context("no mail")?;
                ensure!(
                    mail.link_lang().as_deref() == Some(locale),
                    "asked for in {locale} before the app ran, the mail's link is {}",
                    mail.reset_link()
                );
                let sent = requests_to(&browser, "/account/recovery").await?;
                ensure!(
                    sent == json!(1),
                    "{locale}: {sent} requests for a link, expected one"
                );
            }
            Ok(())
        },
    );
}

/// An address in any script typed before the app runs is held like any other and sent once, as
/// typed, by the app.
#[test]
fn an_address_in_another_script_typed_before_the_app_runs_is_sent_once() {
    run(
        "an_address_in_another_script_typed_before_the_app_runs_is_sent_once",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            open_with_the_wasm_held_back(&browser, &env.url("/recover"), REQUEST).await?;
            browser.type_into("#email", "jörg@bücher.example").await?;
            browser.click("#send-link").await?;
            let sent = requests_to(&browser, "/account/recovery").await?;
            ensure!(sent == json!(0), "{sent} requests before the app ran");
            let_the_app_start(&browser).await?;
            browser.wait_heading(CHECK_EMAIL).await?;
            let sent = requests_to(&browser, "/account/recovery").await?;
            ensure!(sent == json!(1), "{sent} requests for a link, expected one");
            Ok(())
        },
    );
}
