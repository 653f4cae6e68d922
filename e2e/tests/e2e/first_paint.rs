//! The pages are on screen before the wasm arrives: the served HTML already holds each page,
//! and what a person types before the app runs is kept when it takes over.

use anyhow::{ensure, Context};
use reclaim_e2e::{run, Key, ALICE};
use reclaim_testkit::MailKind;
use serde_json::json;

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
            // One inline script, the bootstrap (the same in every build, so the CSP names it by
            // a hash that never changes), which starts the app once the page is on screen.
            let inline =
                html.matches("<script>").count() + html.matches("<script type=module>").count();
            ensure!(
                inline == 1 && html.contains("<script type=module>requestAnimationFrame("),
                "{path}: {inline} inline scripts, expected only the bootstrap"
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

/// With the wasm held back, a person types an address and presses Enter: nothing is
/// submitted and the address bar stays as it was. When the app starts, the address and the
/// focus are still there, and sending sends that address.
#[test]
fn typing_before_the_app_runs_is_kept() {
    run(
        "typing_before_the_app_runs_is_kept",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            let url = env.url("/recover");
            open_with_the_wasm_held_back(&browser, &url, REQUEST).await?;
            ensure!(
                browser.attr("#send-link", "disabled").await?.is_some(),
                "the prerendered button is not disabled"
            );
            // A marker that a navigation (a GET submission) would wipe out.
            browser.js("window.__samePage = true;", vec![]).await?;
            browser.type_into("#email", ALICE).await?;
            browser.press(Key::Enter).await?;

            // Let the wasm through and start the app as the page's bootstrap does: the glue's
            // init again (the first one failed on the held-back wasm), with the names the page
            // gives it.
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
            browser.wait_app().await?;

            ensure!(
                browser
                    .js("return window.__samePage === true;", vec![])
                    .await?
                    == json!(true),
                "Enter before the app ran navigated away"
            );
            ensure!(
                browser.current_url().await? == url,
                "Enter before the app ran changed the address bar"
            );
            let typed = browser
                .js("return document.getElementById('email').value;", vec![])
                .await?;
            ensure!(typed == json!(ALICE), "the typed address was lost: {typed}");
            browser.wait_focus("email").await?;
            ensure!(
                browser.attr("#send-link", "disabled").await?.is_none(),
                "the app's button is still disabled"
            );

            browser.click("#send-link").await?;
            browser.wait_heading(CHECK_EMAIL).await?;
            env.server()
                .outbox
                .wait_for_one(MailKind::Reset, ALICE)
                .await;
            Ok(())
        },
    );
}

/// Enter in a password field before the app runs does not put the password in the address bar.
#[test]
fn enter_in_a_password_before_the_app_runs_sends_nothing() {
    run(
        "enter_in_a_password_before_the_app_runs_sends_nothing",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            let url = env.url("/reset?token=abc");
            open_with_the_wasm_held_back(&browser, &url, CHOOSE).await?;
            browser.js("window.__samePage = true;", vec![]).await?;
            browser.type_into("#new-password", NEW_PASSWORD).await?;
            browser.press(Key::Enter).await?;
            // chromedriver lets a navigation the key press started finish before it runs the next
            // script, so the marker answers for the page the key press left behind.
            ensure!(
                browser
                    .js("return window.__samePage === true;", vec![])
                    .await?
                    == json!(true),
                "Enter before the app ran navigated away"
            );
            let now = browser.current_url().await?;
            ensure!(
                now == url && !now.contains(NEW_PASSWORD),
                "the address bar changed to {now}"
            );
            Ok(())
        },
    );
}
