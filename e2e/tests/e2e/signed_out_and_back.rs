//! What the success page promises, against the reference server: "signed out on every device"
//! only because the server ended every session (a session signed in before the reset is
//! refused after it), and the way back to where the person came from (`?continue=` on the
//! request page) carried through the mail when the server allows its origin, dropped on the
//! way when it does not.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use reclaim_e2e::{run, run_with_dist, Browser, Env, ALICE, ALICE_PASSWORD};
use reclaim_testkit::{form_encode, Mail, MailKind};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::pages::copy_dir;
use crate::*;

/// Whether the browser's own session cookie (set by the sign-in page) still signs it in.
async fn browser_session(browser: &Browser) -> Result<u64> {
    let status = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch('/account/session').then(r => done(r.status), () => done(0));",
            vec![],
        )
        .await?;
    status.as_u64().context("no status")
}

#[test]
fn a_session_from_before_the_reset_is_refused_after_it_as_the_page_says() {
    run("signed_out_everywhere", &[], |env| async move {
        // A phone signed in with the old password…
        let server = env.server();
        let phone = server
            .sign_in(ALICE, ALICE_PASSWORD)
            .await
            .context("the old password does not sign in")?;
        ensure!(server.session(&phone).await.status() == 200);
        // …and this browser, on the server's sign-in page.
        let browser = env.browser().await?;
        browser.goto("/sign-in").await?;
        browser.wait_heading("Sign in").await?;
        browser.replace_text("#sign-in-email", ALICE).await?;
        browser
            .replace_text("#sign-in-password", ALICE_PASSWORD)
            .await?;
        browser.click("#sign-in-submit").await?;
        browser.wait_heading("You're signed in").await?;
        ensure!(browser_session(&browser).await? == 200, "no session here");

        ResetFlow::new(&browser, &env, ALICE)
            .reset(1, NEW_PASSWORD)
            .await?;
        let said = browser.wait_text("done-lead").await?;
        let en = Texts::load("en")?;
        ensure!(
            said == en.get("reset.done_lead") && said.contains("signed out on every device"),
            "the success page says {said:?}"
        );
        browser.axe("signed out everywhere").await?;

        // As the page said: neither session works any more.
        let refused = server.session(&phone).await;
        ensure!(
            refused.status() == 401,
            "the phone is still signed in: {}",
            refused.status()
        );
        let body: Value = refused.json().await?;
        ensure!(body["error"] == "not_signed_in", "{body}");
        let here = browser_session(&browser).await?;
        ensure!(here == 401, "this browser is still signed in: {here}");
        // The new password signs in afresh, and that session lives.
        let again = server
            .sign_in(ALICE, NEW_PASSWORD)
            .await
            .context("the new password does not sign in")?;
        ensure!(server.session(&again).await.status() == 200);
        browser.assert_console_clean(&[401]).await
    });
}

/// Where the person is sent back to in these tests: a page of a tiny app on this machine.
const APP_HEADING: &str = "Back in the app";

/// A stand-in for the app the person came from: answers every request with one page, on a
/// loopback port bound before the server starts (so that both configurations can name it).
async fn serve_app(listener: std::net::TcpListener) -> Result<()> {
    listener.set_nonblocking(true)?;
    let listener = tokio::net::TcpListener::from_std(listener)?;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let page = format!(
                    "<!doctype html><html lang=en><title>{APP_HEADING}</title>\
                     <h1 id=page-heading>{APP_HEADING}</h1></html>"
                );
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    Ok(())
}

/// Another site the pages allow but the server does not.
const ELSEWHERE: &str = "https://elsewhere.example";

/// A copy of the build whose `config.json` allows return addresses on `origins`.
fn pages_allowing(dir: &Path, origins: &[&str]) -> Result<PathBuf> {
    let dist = dir.join("dist");
    copy_dir(&reclaim_e2e::dist_dir()?, &dist)?;
    let path = dist.join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    config["continue_origins"] = json!(origins);
    std::fs::write(path, config.to_string())?;
    Ok(dist)
}

/// Runs `body` with the app bound, the pages allowing its origin and [`ELSEWHERE`], and the
/// server allowing the app's origin only (`--continue-origin`).
fn with_app<F, Fut>(test: &'static str, body: F)
where
    F: FnOnce(Env, String) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<()>> + Send + 'static,
{
    let app = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the app");
    let origin = format!("http://{}", app.local_addr().expect("the app's address"));
    let dir = tempfile::Builder::new()
        .prefix("reclaim-continue-")
        .tempdir()
        .expect("a temporary folder");
    let dist = pages_allowing(dir.path(), &[&origin, ELSEWHERE])
        .unwrap_or_else(|e| panic!("configuring a copy of the pages: {e:#}"));
    let allowed = origin.clone();
    let flags = ["--continue-origin", &allowed];
    run_with_dist(test, &dist, &flags, move |env| async move {
        serve_app(app).await?;
        body(env, origin).await
    });
}

/// On `/recover?continue=<back>`, asks for alice's link; gives her mail.
async fn request_returning_to(browser: &Browser, env: &Env, back: &str) -> Result<Mail> {
    browser
        .goto(&format!("/recover?continue={}", form_encode(back)))
        .await?;
    browser.wait_heading(REQUEST).await?;
    ResetFlow::new(browser, env, ALICE).send_request().await?;
    Ok(env
        .server()
        .outbox
        .wait_for_one(MailKind::Reset, ALICE)
        .await)
}

/// The mail's link opened on another device, and the password chosen there.
async fn reset_elsewhere(env: &Env, mail: &Mail) -> Result<Browser> {
    let browser = env.browser().await?;
    let link = MailedLink::with_token(mail.reset_link())?;
    let flow = ResetFlow::new(&browser, env, ALICE);
    flow.open(&link).await?;
    let outcome = flow.choose(NEW_PASSWORD).await?;
    ensure!(outcome == CHANGED, "the reset ended on {outcome:?}");
    browser.wait_focus("page-heading").await?;
    Ok(browser)
}

#[test]
fn a_return_address_the_server_allows_comes_back_after_the_reset() {
    with_app("continue_allowed", |env, app| async move {
        let back = format!("{app}/welcome?from=reset&tab=2");
        let asking = env.browser().await?;
        let mail = request_returning_to(&asking, &env, &back).await?;
        ensure!(
            mail.link_continue().as_deref() == Some(back.as_str()),
            "the mail's link does not carry {back}: {}",
            mail.reset_link()
        );

        let browser = reset_elsewhere(&env, &mail).await?;
        let href = browser
            .attr("a#continue", "href")
            .await?
            .context("the success page offers no a#continue")?;
        ensure!(href == back, "a#continue goes to {href}, not {back}");
        ensure!(
            !browser.exists("#sign-in").await?,
            "the success page offers sign-in beside the way back"
        );
        browser.axe("success with a way back").await?;
        browser.click("a#continue").await?;
        browser.wait_heading(APP_HEADING).await?;
        let url = browser.current_url().await?;
        ensure!(url == back, "the way back led to {url}");
        Ok(())
    });
}

#[test]
fn a_return_address_the_server_does_not_allow_is_dropped_on_the_way() {
    with_app("continue_dropped", |env, _app| async move {
        // The pages allow it and send it; the server drops it.
        let back = format!("{ELSEWHERE}/home");
        let asking = env.browser().await?;
        let mail = request_returning_to(&asking, &env, &back).await?;
        ensure!(
            mail.link_continue().is_none() && !mail.body().contains("continue="),
            "the mail carries a return address the server does not allow: {}",
            mail.reset_link()
        );

        let browser = reset_elsewhere(&env, &mail).await?;
        ensure!(
            browser.exists("a#sign-in").await?,
            "the success page offers no a#sign-in"
        );
        ensure!(
            !browser.exists("#continue").await?,
            "the success page offers a way back nobody allowed"
        );
        Ok(())
    });
}
