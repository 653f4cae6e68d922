//! The code flows of django-allauth (its second instance, in code mode) and Better Auth (its
//! emailOTP plugin), at the API level, as the pages call them from their own origin when they
//! run `allauth-codes` and `better-auth-codes`: the preflight for the headers they send, a
//! known and an unknown address answered alike, the code read from the backend's own mail
//! output, what the description needs of each (allauth's session token, without which there
//! is nothing to reset), a wrong code refused, the reset, the new password signing in through
//! the backend's own API and the old one not, and the same code refused again. The same code
//! flows through the pages themselves, in one tab, are `backends.rs`'s
//! `allauth_codes_behind_the_pages` and `better_auth_codes_behind_the_pages`.

use anyhow::{ensure, Context, Result};
use reclaim_e2e::backends::allauth::{allauth_codes, Allauth};
use reclaim_e2e::backends::better_auth::better_auth;
use reclaim_e2e::backends::{unique_email, Hosted, RecoveryBackend};
use reclaim_testkit::reqwest::{self, header, redirect, Method, StatusCode};
use serde_json::{json, Value};

use crate::*;

/// A client that shows redirects instead of following them.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// The CORS preflight a browser on the pages sends before a JSON POST to `url` (with the
/// pages' `Accept-Language` and any `extra` headers): it must let the request through.
async fn preflight_allows(hosted: &Hosted, url: &str, extra: &[&str]) -> Result<()> {
    let requested = [&["content-type", "accept-language"][..], extra].concat();
    let answer = no_redirects()
        .request(Method::OPTIONS, url)
        .header(header::ORIGIN, &hosted.pages)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, requested.join(","))
        .send()
        .await?;
    let headers = answer.headers();
    let value = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    ensure!(
        answer.status().is_success()
            && value(header::ACCESS_CONTROL_ALLOW_ORIGIN) == hosted.pages
            && value(header::ACCESS_CONTROL_ALLOW_METHODS).contains("post"),
        "the preflight for {url} answered {} {headers:?}",
        answer.status()
    );
    let allowed = value(header::ACCESS_CONTROL_ALLOW_HEADERS);
    for name in requested {
        ensure!(
            allowed.split(',').any(|h| h.trim() == name),
            "the preflight for {url} does not allow {name}: {allowed}"
        );
    }
    Ok(())
}

/// What the pages may read of an answer, for comparing a known and an unknown address.
async fn status_and_body(answer: reqwest::Response) -> Result<(StatusCode, String)> {
    Ok((answer.status(), answer.text().await?))
}

/// The `code` of a JSON error body (`errors[0].code`, Better Auth's `code`, PocketBase's
/// `data.<field>.code`), for messages.
fn error_code(body: &Value, field: &str) -> Value {
    [
        &body["errors"][0]["code"],
        &body["code"],
        &body["data"][field]["code"],
    ]
    .into_iter()
    .find(|code| !code.is_null())
    .cloned()
    .unwrap_or(Value::Null)
}

// --- django-allauth ---------------------------------------------------------------------------

/// POSTs a password request as the pages would: JSON, from their origin, in French.
async fn allauth_request(allauth: &Allauth, email: &str) -> Result<reqwest::Response> {
    Ok(no_redirects()
        .post(allauth.url("/auth/password/request"))
        .header(header::ORIGIN, &allauth.hosted.pages)
        .header(header::ACCEPT_LANGUAGE, "fr")
        .json(&json!({ "email": email }))
        .send()
        .await?)
}

#[test]
fn allauth_reset_by_code() {
    let allauth = allauth_codes().expect("django-allauth (codes)");
    eprintln!(
        "django-allauth (codes) started in {:?}",
        allauth.hosted.started_in
    );
    block_on(async {
        preflight_allows(
            &allauth.hosted,
            &allauth.url("/auth/password/reset"),
            &["x-session-token", "x-password-reset-key"],
        )
        .await?;
        let email = unique_email("carol");
        allauth.create_user(&email, OLD_PASSWORD).await?;

        // The request starts a flow: 401 with a session token that the reset must carry. An
        // unknown address gets the same shape of answer (a token of its own).
        let started = |answer: (StatusCode, String)| -> Result<String> {
            let body: Value = serde_json::from_str(&answer.1)?;
            ensure!(answer.0 == StatusCode::UNAUTHORIZED, "{answer:?}");
            let token = body["meta"]["session_token"].as_str().context("no token")?;
            ensure!(
                body["data"]["flows"]
                    .as_array()
                    .is_some_and(|flows| flows.iter().any(|f| f["id"] == "password_reset_by_code")),
                "{body}"
            );
            Ok(token.to_owned())
        };
        started(status_and_body(allauth_request(allauth, &unique_email("nobody")).await?).await?)?;
        let session = started(status_and_body(allauth_request(allauth, &email).await?).await?)?;
        let code = allauth.wait_for_code(&email, 1).await?;

        // Without the flow's session token there is nothing to reset: 409.
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": code, "password": NEW_PASSWORD }),
                None,
            )
            .await?;
        ensure!(status == 409, "no session token: {status} {body}");
        // A wrong code is refused (one of its three tries).
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": "AAAA-AAAA", "password": NEW_PASSWORD }),
                Some(&session),
            )
            .await?;
        ensure!(
            status == 400 && error_code(&body, "key") == "incorrect_code",
            "a wrong code: {status} {body}"
        );
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": code, "password": NEW_PASSWORD }),
                Some(&session),
            )
            .await?;
        ensure!(
            status == 401 && body["meta"]["is_authenticated"] == false,
            "{status} {body}"
        );
        assert_password_changed(allauth, &email, NEW_PASSWORD, OLD_PASSWORD).await?;

        // The flow is over: the same code again finds nothing to reset.
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": code, "password": "another-password-92" }),
                Some(&session),
            )
            .await?;
        ensure!(status == 409, "the used code: {status} {body}");
        assert_password_changed(allauth, &email, NEW_PASSWORD, OLD_PASSWORD).await
    });
}

// --- Better Auth ------------------------------------------------------------------------------

#[test]
fn better_auth_reset_by_code() {
    let better_auth = better_auth().expect("Better Auth");
    block_on(async {
        let hosted = &better_auth.hosted;
        preflight_allows(
            hosted,
            &better_auth.url("/email-otp/request-password-reset"),
            &[],
        )
        .await?;
        let email = unique_email("carol");
        better_auth.create_user(&email, OLD_PASSWORD).await?;
        let request = |email: String| {
            no_redirects()
                .post(better_auth.url("/email-otp/request-password-reset"))
                .header(header::ORIGIN, &hosted.pages)
                .json(&json!({ "email": email }))
                .send()
        };
        let known = status_and_body(request(email.clone()).await?).await?;
        let unknown = status_and_body(request(unique_email("nobody")).await?).await?;
        ensure!(
            known == unknown && known.0 == StatusCode::OK,
            "known: {known:?}, unknown: {unknown:?}"
        );
        let code = better_auth.wait_for_code(&email, 1).await?;
        ensure!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );

        let reset = |otp: &str, password: &str| {
            better_auth.post(
                "/email-otp/reset-password",
                json!({ "email": email, "otp": otp, "password": password }),
            )
        };
        let wrong = if code == "000000" { "111111" } else { "000000" };
        let (status, body) = reset(wrong, NEW_PASSWORD).await?;
        ensure!(
            status == 400 && body["code"] == "INVALID_OTP",
            "a wrong code: {status} {body}"
        );
        let (status, body) = reset(&code, "short").await?;
        ensure!(
            status == 400 && body["code"] == "PASSWORD_TOO_SHORT",
            "{status} {body}"
        );
        let (status, body) = reset(&code, NEW_PASSWORD).await?;
        ensure!(status == 200 && body["success"] == true, "{status} {body}");
        assert_password_changed(better_auth, &email, NEW_PASSWORD, OLD_PASSWORD).await?;

        let (status, body) = reset(&code, "another-password-92").await?;
        ensure!(
            status == 400 && body["code"] == "INVALID_OTP",
            "the used code: {status} {body}"
        );
        assert_password_changed(better_auth, &email, NEW_PASSWORD, OLD_PASSWORD).await
    });
}
