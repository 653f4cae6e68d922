//! The harness of the other backends (`reclaim_e2e::backends`) proven against the real
//! servers, at the API level, as the pages will call them from their own origin: for each,
//! the preflight answered for the headers the pages send, a reset asked for a known and an
//! unknown address (the same answer), the secret read from the backend's own mail output, a
//! weak password refused with the backend's reason, the reset, the new password signing in
//! through the backend's own API and the old one not, and the same secret refused again.
//! The code flows too: allauth's code mode (its second instance) and Better Auth's emailOTP.

use std::future::Future;

use anyhow::{ensure, Context, Result};
use reclaim_e2e::backends::allauth::{allauth, allauth_codes, Allauth};
use reclaim_e2e::backends::better_auth::{better_auth, MIN_PASSWORD_LENGTH};
use reclaim_e2e::backends::pocketbase::pocketbase;
use reclaim_e2e::backends::{unique_email, Hosted, RecoveryBackend};
use reclaim_testkit::reqwest::{self, header, redirect, Method, StatusCode};
use serde_json::{json, Value};

const OLD_PASSWORD: &str = "first-password-1";
const NEW_PASSWORD: &str = "violet-harbor-sextant-91";

fn block_on(test: impl Future<Output = Result<()>>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = runtime.block_on(test) {
        panic!("{e:#}");
    }
}

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

/// The new password signs in and the old one does not, through the backend's own API.
async fn new_password_signs_in(backend: &impl RecoveryBackend, email: &str) -> Result<()> {
    ensure!(
        backend.sign_in(email, NEW_PASSWORD).await?,
        "the new password does not sign {email} in"
    );
    ensure!(
        !backend.sign_in(email, OLD_PASSWORD).await?,
        "the old password still signs {email} in"
    );
    Ok(())
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
fn allauth_reset_by_link() {
    let allauth = allauth().expect("django-allauth");
    eprintln!("django-allauth started in {:?}", allauth.hosted.started_in);
    block_on(async {
        preflight_allows(
            &allauth.hosted,
            &allauth.url("/auth/password/request"),
            &["x-password-reset-key"],
        )
        .await?;
        let email = unique_email("alice");
        allauth.create_user(&email, OLD_PASSWORD).await?;

        let known = status_and_body(allauth_request(allauth, &email).await?).await?;
        let unknown =
            status_and_body(allauth_request(allauth, &unique_email("nobody")).await?).await?;
        ensure!(
            known == unknown && known.0 == StatusCode::OK,
            "known: {known:?}, unknown: {unknown:?}"
        );
        let link = allauth.wait_for_reset_link(&email, 1).await?;
        let key = link
            .strip_prefix(&allauth.hosted.page("/reset?key="))
            .context("the link leads to the pages' /reset")?;

        // The key is checked before a password is typed.
        let check = no_redirects()
            .get(allauth.url("/auth/password/reset"))
            .header("X-Password-Reset-Key", key)
            .send()
            .await?;
        let body: Value = check.json().await?;
        ensure!(body["data"]["user"]["email"] == email.as_str(), "{body}");

        // Django's validators are on: a common password is refused, the key still works.
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": key, "password": "password123" }),
                None,
            )
            .await?;
        ensure!(
            status == 400 && error_code(&body, "password") == "password_too_common",
            "{status} {body}"
        );

        // Success is a 401: reset, but not signed in.
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": key, "password": NEW_PASSWORD }),
                None,
            )
            .await?;
        ensure!(
            status == 401 && body["meta"]["is_authenticated"] == false,
            "{status} {body}"
        );
        new_password_signs_in(allauth, &email).await?;

        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": key, "password": "another-password-92" }),
                None,
            )
            .await?;
        ensure!(
            status == 400 && error_code(&body, "key") == "invalid_password_reset",
            "the used link: {status} {body}"
        );
        new_password_signs_in(allauth, &email).await
    });
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
        new_password_signs_in(allauth, &email).await?;

        // The flow is over: the same code again finds nothing to reset.
        let (status, body) = allauth
            .post(
                "/auth/password/reset",
                json!({ "key": code, "password": "another-password-92" }),
                Some(&session),
            )
            .await?;
        ensure!(status == 409, "the used code: {status} {body}");
        new_password_signs_in(allauth, &email).await
    });
}

// --- Better Auth ------------------------------------------------------------------------------

#[test]
fn better_auth_reset_by_link() {
    let better_auth = better_auth().expect("Better Auth");
    eprintln!("Better Auth started in {:?}", better_auth.hosted.started_in);
    block_on(async {
        let hosted = &better_auth.hosted;
        preflight_allows(hosted, &better_auth.url("/request-password-reset"), &[]).await?;
        let email = unique_email("alice");
        better_auth.create_user(&email, OLD_PASSWORD).await?;

        let redirect_to = hosted.page("/reset");
        let request = |email: String| {
            no_redirects()
                .post(better_auth.url("/request-password-reset"))
                .header(header::ORIGIN, &hosted.pages)
                .json(&json!({ "email": email, "redirectTo": redirect_to }))
                .send()
        };
        let known = status_and_body(request(email.clone()).await?).await?;
        let unknown = status_and_body(request(unique_email("nobody")).await?).await?;
        ensure!(
            known == unknown && known.0 == StatusCode::OK,
            "known: {known:?}, unknown: {unknown:?}"
        );
        // A redirectTo outside trustedOrigins is refused.
        let (status, body) = better_auth
            .post(
                "/request-password-reset",
                json!({ "email": email, "redirectTo": "https://elsewhere.example/reset" }),
            )
            .await?;
        ensure!(status == 403, "{status} {body}");

        // The mailed link is Better Auth's own; it redirects to the pages with the token.
        let link = better_auth.wait_for_reset_link(&email, 1).await?;
        ensure!(
            link.starts_with(&better_auth.url("/reset-password/")),
            "{link}"
        );
        let landing = |link: String| async move {
            let answer = no_redirects().get(&link).send().await?;
            ensure!(answer.status() == StatusCode::FOUND, "{link}: {answer:?}");
            Ok(answer.headers()[header::LOCATION].to_str()?.to_owned())
        };
        let location = landing(link.clone()).await?;
        let token = location
            .strip_prefix(&format!("{redirect_to}?token="))
            .with_context(|| format!("the link redirects to {location}"))?
            .to_owned();

        let too_short = "x".repeat(MIN_PASSWORD_LENGTH - 1);
        let (status, body) = better_auth
            .post(
                "/reset-password",
                json!({ "token": token, "newPassword": too_short }),
            )
            .await?;
        ensure!(
            status == 400 && body["code"] == "PASSWORD_TOO_SHORT",
            "{status} {body}"
        );
        let (status, body) = better_auth
            .post(
                "/reset-password",
                json!({ "token": token, "newPassword": NEW_PASSWORD }),
            )
            .await?;
        ensure!(status == 200 && body["status"] == true, "{status} {body}");
        new_password_signs_in(better_auth, &email).await?;

        let (status, body) = better_auth
            .post(
                "/reset-password",
                json!({ "token": token, "newPassword": "another-password-92" }),
            )
            .await?;
        ensure!(
            status == 400 && body["code"] == "INVALID_TOKEN",
            "the used token: {status} {body}"
        );
        // The used link now leads to the pages with the error instead of a token.
        let location = landing(link).await?;
        ensure!(
            location == format!("{redirect_to}?error=INVALID_TOKEN"),
            "{location}"
        );
        new_password_signs_in(better_auth, &email).await
    });
}

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
        new_password_signs_in(better_auth, &email).await?;

        let (status, body) = reset(&code, "another-password-92").await?;
        ensure!(
            status == 400 && body["code"] == "INVALID_OTP",
            "the used code: {status} {body}"
        );
        new_password_signs_in(better_auth, &email).await
    });
}

// --- PocketBase -------------------------------------------------------------------------------

#[test]
fn pocketbase_reset_by_link() {
    let pocketbase = pocketbase().expect("PocketBase");
    eprintln!("PocketBase started in {:?}", pocketbase.hosted.started_in);
    block_on(async {
        let hosted = &pocketbase.hosted;
        preflight_allows(hosted, &pocketbase.url("/request-password-reset"), &[]).await?;
        let email = unique_email("alice");
        pocketbase.create_user(&email, OLD_PASSWORD).await?;

        let request = |email: String| {
            no_redirects()
                .post(pocketbase.url("/request-password-reset"))
                .header(header::ORIGIN, &hosted.pages)
                .json(&json!({ "email": email }))
                .send()
        };
        let known = status_and_body(request(email.clone()).await?).await?;
        let unknown = status_and_body(request(unique_email("nobody")).await?).await?;
        ensure!(
            known == unknown && known == (StatusCode::NO_CONTENT, String::new()),
            "known: {known:?}, unknown: {unknown:?}"
        );
        let link = pocketbase.wait_for_reset_link(&email, 1).await?;
        let token = link
            .strip_prefix(&hosted.page("/reset?token="))
            .context("the link leads to the pages' /reset")?;

        let confirm = |password: &str| {
            pocketbase.post(
                "/confirm-password-reset",
                json!({ "token": token, "password": password, "passwordConfirm": password }),
            )
        };
        let (status, body) = confirm("short").await?;
        ensure!(
            status == 400 && error_code(&body, "password") == "validation_length_out_of_range",
            "{status} {body}"
        );
        let (status, body) = confirm(NEW_PASSWORD).await?;
        ensure!(status == 204 && body.is_null(), "{status} {body}");
        new_password_signs_in(pocketbase, &email).await?;

        let (status, body) = confirm("another-password-92").await?;
        ensure!(
            status == 400 && error_code(&body, "token") == "validation_invalid_token",
            "the used link: {status} {body}"
        );
        new_password_signs_in(pocketbase, &email).await
    });
}

/// Each backend's pages are served with its `config.json`, and a file put in the site folder
/// is served over dist's.
#[test]
fn each_backend_has_its_pages_and_config() {
    block_on(async {
        let backends: [(&str, &Hosted); 3] = [
            ("allauth", &allauth()?.hosted),
            ("better-auth", &better_auth()?.hosted),
            ("pocketbase", &pocketbase()?.hosted),
        ];
        for (name, hosted) in backends {
            let config: Value = no_redirects()
                .get(hosted.page("/config.json"))
                .send()
                .await?
                .json()
                .await?;
            ensure!(
                config == json!({ "backend": name, "api_base": hosted.api }),
                "{name}: {config}"
            );
            let page = no_redirects().get(hosted.page("/recover")).send().await?;
            let policy = page.headers()[header::CONTENT_SECURITY_POLICY].to_str()?;
            ensure!(
                policy.contains(&format!("connect-src 'self' {};", hosted.api)),
                "{name}: {policy}"
            );
            let description = format!(r#"{{"for":"{name}"}}"#);
            hosted.put_site_file(&format!("backends/{name}.json"), description.as_bytes())?;
            let served = no_redirects()
                .get(hosted.page(&format!("/backends/{name}.json")))
                .send()
                .await?
                .text()
                .await?;
            ensure!(served == description, "{name}: {served}");
        }
        Ok(())
    });
}
