//! What the server sends with the pages, what the browser's console says about them, and where
//! the pages send requests.

use std::path::PathBuf;

use anyhow::{bail, ensure, Context};
use reclaim_contract::policy::HOST_POLICY;
use reclaim_e2e::{eventually, run, ALICE};
use serde_json::json;

use crate::{pages::*, *};

/// The security headers on every page route, and on the scripts, wasm and styles.
#[test]
fn security_headers() {
    run("security_headers", &[], |env| async move {
        let mut problems = Vec::new();
        for path in [
            "/",
            "/recover",
            "/reset",
            "/reset?token=x",
            "/index.html",
            "/no-such-page",
        ] {
            let response = env.server().get(path).await;
            let (status, headers) = (response.status(), response.headers().clone());
            let html = response.text().await?;
            let mut problem = |what: String| problems.push(format!("{path}: {what}"));
            if status != 200 && path != "/no-such-page" {
                problem(format!("status {}", status));
            }
            if !header(&headers, "content-type").starts_with("text/html") {
                problem(format!(
                    "content-type {:?}",
                    header(&headers, "content-type")
                ));
                continue;
            }
            // The host's half of the policy, and the page's own in its <meta>
            // (reclaim_contract::policy); reclaim-check, below, holds both to the letter.
            let csp_header = header(&headers, "content-security-policy");
            if parse_csp(csp_header) != parse_csp(HOST_POLICY) {
                problem(format!(
                    "CSP {csp_header:?} is not the host's policy {HOST_POLICY:?}"
                ));
            }
            let own = parse_csp(meta_csp(&html).unwrap_or_default());
            let has = |source: &str| {
                own.get("script-src")
                    .is_some_and(|s| s.iter().any(|x| x == source))
            };
            for source in ["'self'", "'wasm-unsafe-eval'"] {
                if !has(source) {
                    problem(format!("the page's own policy's script-src lacks {source}"));
                }
            }
            for unsafe_source in [
                "'unsafe-inline'",
                "'unsafe-eval'",
                "*",
                "data:",
                "http:",
                "https:",
            ] {
                if has(unsafe_source) {
                    problem(format!(
                        "the page's own policy's script-src allows {unsafe_source}"
                    ));
                }
            }
            for hash in inline_script_hashes(&html) {
                if !has(&hash) {
                    problem(format!(
                        "the page's own policy's script-src lacks {hash}, the hash of an inline \
                         script in the page"
                    ));
                }
            }
            if header(&headers, "referrer-policy") != "no-referrer" {
                problem(format!(
                    "Referrer-Policy {:?}",
                    header(&headers, "referrer-policy")
                ));
            }
            if header(&headers, "x-content-type-options") != "nosniff" {
                problem(format!(
                    "X-Content-Type-Options {:?}",
                    header(&headers, "x-content-type-options")
                ));
            }
            if !header(&headers, "cache-control").contains("no-store") {
                problem(format!(
                    "Cache-Control {:?} (HTML must be no-store)",
                    header(&headers, "cache-control")
                ));
            }
            if !has_no_referrer_meta(&html) {
                problem("no <meta name=\"referrer\" content=\"no-referrer\"> in the HTML".into());
            }
        }

        let dist = PathBuf::from(std::env::var_os("RECLAIM_DIST").context("RECLAIM_DIST")?);
        for file in files(&dist)? {
            let expected = match file.extension().and_then(|e| e.to_str()) {
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                _ => continue,
            };
            let path = format!("/{}", file.strip_prefix(&dist)?.display());
            let request = env.server().client.get(env.url(&path));
            let response = env
                .server()
                .send(request.header("accept-encoding", "br, gzip"))
                .await;
            let (status, headers) = (response.status(), response.headers().clone());
            let mut problem = |what: String| problems.push(format!("{path}: {what}"));
            if status != 200 {
                problem(format!("status {}", status));
            }
            let content_type = header(&headers, "content-type");
            if !(content_type.starts_with(expected)
                || (expected == "text/javascript"
                    && content_type.starts_with("application/javascript")))
            {
                problem(format!(
                    "content-type {content_type:?}, expected {expected}"
                ));
            }
            if header(&headers, "x-content-type-options") != "nosniff" {
                problem(format!(
                    "X-Content-Type-Options {:?}",
                    header(&headers, "x-content-type-options")
                ));
            }
            if file.metadata()?.len() > 1024 && header(&headers, "content-encoding").is_empty() {
                problem("not compressed for a client that accepts br and gzip".into());
            }
        }
        ensure!(
            problems.is_empty(),
            "security header problems:\n  {}",
            problems.join("\n  ")
        );
        // And `reclaim-check` finds nothing wrong with the reference server. It warns
        // that a missing path answers 200: the server gives unknown routes the app's page by
        // design (server/tests/api/pages.rs holds it to that).
        crate::deployment_check::assert_check_holds(&env.server().url, &["not-found"]).await
    });
}

/// Going through every state leaves nothing in the console: no error, no CSP violation. And the
/// check can see one: a script injected afterwards is refused, and reported.
#[test]
fn console_is_clean() {
    run("console_is_clean", &[], |env| async move {
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        flow.request().await?;
        browser.assert_console_clean(&[]).await?;
        flow.open_link(1).await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(outcome == CHANGED, "the reset ended on {outcome:?}");
        open_code_entry(&browser).await?;
        browser.goto("/no-such-page").await?;
        browser.wait_heading(NOT_FOUND).await?;
        browser.assert_console_clean(&[]).await?;

        // Inline script, as an injection would add it: the CSP must refuse it, and the console
        // check must see that.
        let ran = browser
            .js(
                "const s = document.createElement('script');\
                 s.textContent = 'window.__injected = true;';\
                 document.body.appendChild(s);\
                 return window.__injected === true;",
                vec![],
            )
            .await?;
        ensure!(
            ran == json!(false),
            "an injected inline script ran: the CSP does not protect the page"
        );
        let reported = eventually("a CSP report in the console", || async {
            let problems = browser.console_problems(&[]).await?;
            Ok(problems
                .iter()
                .any(|p| p.source == "security")
                .then_some(()))
        })
        .await;
        if reported.is_err() {
            let problems = browser.console_problems(&[]).await?;
            bail!("the injected inline script was refused but the console check did not see a CSP report: {problems:?}");
        }
        Ok(())
    });
}

/// Nothing is requested from anywhere but the server, in any state.
#[test]
fn requests_stay_on_origin() {
    run("requests_stay_on_origin", &[], |env| async move {
        let browser = env.browser().await?;
        let flow = ResetFlow::new(&browser, &env, ALICE);
        flow.request().await?;
        browser.assert_same_origin().await?;
        flow.open_link(1).await?;
        browser.assert_same_origin().await?;
        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(outcome == CHANGED, "the reset ended on {outcome:?}");
        browser.assert_same_origin().await?;
        for (path, heading) in [
            ("/reset", CHOOSE),
            ("/reset?token=bogus", CHOOSE),
            ("/nowhere", NOT_FOUND),
            ("/", REQUEST),
        ] {
            browser.goto(path).await?;
            browser.wait_heading(heading).await?;
            browser.assert_same_origin().await?;
        }
        Ok(())
    });
}

/// Whether the HTML has `<meta name="referrer" content="no-referrer">`, in any
/// attribute order and quoting (the release build minifies the HTML).
fn has_no_referrer_meta(html: &str) -> bool {
    html.split("<meta").skip(1).any(|rest| {
        let tag: String = rest
            .split('>')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| *c != '"' && *c != '\'')
            .collect();
        let attrs: Vec<&str> = tag.split_whitespace().collect();
        attrs.contains(&"name=referrer") && attrs.contains(&"content=no-referrer")
    })
}

#[test]
fn no_referrer_meta_is_found_however_it_is_written() {
    assert!(has_no_referrer_meta(
        r#"<head><meta name="referrer" content="no-referrer"></head>"#
    ));
    assert!(has_no_referrer_meta(
        "<meta content=no-referrer name=referrer>"
    ));
    assert!(!has_no_referrer_meta(
        r#"<meta name="referrer" content="origin">"#
    ));
    assert!(!has_no_referrer_meta(
        r#"<meta name="viewport" content="no-referrer">"#
    ));
}

/// Whatever path the page is opened at (one starting with `//` is an address a script could
/// read as another host's), the page's first script takes a link's secret out of the address
/// bar before anything else runs.
#[test]
fn the_secret_leaves_the_address_bar_at_any_path() {
    run(
        "the_secret_leaves_the_address_bar_at_any_path",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            const SECRET: &str = "Hs3kQ9vT2mLx7bWcAnyPath";
            for path in [
                "//reset",
                "//evil.example/reset",
                "/reset//",
                "/nowhere/deep",
            ] {
                let url = env.url(&format!("{path}?token={SECRET}&lang=fr#token={SECRET}"));
                browser.client().goto(&url).await?;
                browser.wait_element("#app h1").await?;
                let now = browser.current_url().await?;
                ensure!(
                    !now.contains(SECRET) && now.starts_with(&env.url("/")),
                    "{path}: the address bar shows {now}"
                );
            }
            Ok(())
        },
    );
}

/// A form sent natively (the app never ran: here no script at all runs, and the link's secret
/// is still in the address bar) carries neither the password nor the secret in an address: it
/// is a POST, to the page without its query.
#[test]
fn a_native_submit_carries_nothing_in_the_address() {
    run(
        "a_native_submit_carries_nothing_in_the_address",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            const SECRET: &str = "Hs3kQ9vT2mLx7bWcNative";
            const PASSWORD: &str = "native-submit-password";
            browser
                .devtools(
                    "Emulation.setScriptExecutionDisabled",
                    json!({ "value": true }),
                )
                .await?;
            browser
                .client()
                .goto(&env.url(&format!("/reset?token={SECRET}")))
                .await?;
            browser.wait_element("#app[data-prerendered] h1").await?;
            browser
                .devtools(
                    "Emulation.setScriptExecutionDisabled",
                    json!({ "value": false }),
                )
                .await?;
            ensure!(
                browser.current_url().await?.contains(SECRET),
                "the secret left the address bar though no script ran"
            );
            // The browser's own submission, past any handler and the disabled button.
            browser
                .js(
                    "for (const id of ['new-password', 'confirm-password'])\
                       document.getElementById(id).value = arguments[0];\
                     HTMLFormElement.prototype.submit.call(document.getElementById('reset-form'));",
                    vec![json!(PASSWORD)],
                )
                .await?;
            let now = eventually("the native submission to arrive", || async {
                let now = browser.current_url().await?;
                Ok((!now.contains("token=")).then_some(now))
            })
            .await?;
            ensure!(
                !now.contains(PASSWORD) && !now.contains(SECRET),
                "the native submission went to {now}"
            );
            Ok(())
        },
    );
}
