//! Browsers cannot be turned against the server: a page elsewhere that posts to the API gets
//! 403 and nothing is done, while the server's own pages, listed origins, and clients that are
//! not browsers (no Origin, no Sec-Fetch-Site) keep working.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

async fn recovery_with(
    app: &TestServer,
    email: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url_for("/account/recovery"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", form_encode(email)));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request).await
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_do_nothing() {
    let app = TestServer::start().await;
    let own_origin = app.url.clone();
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", own_origin.as_str()),
        ],
    ] {
        let refused = recovery_with(&app, ALICE, &headers).await;
        assert_error(refused, StatusCode::FORBIDDEN, "forbidden_origin").await;
    }
    // The other endpoints too, before anything is read or checked.
    let login = app
        .client
        .post(app.url_for("/account/login"))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": ALICE, "password": ALICE_PASSWORD }));
    assert_error(
        app.send(login).await,
        StatusCode::FORBIDDEN,
        "forbidden_origin",
    )
    .await;
    let reset = app
        .client
        .post(app.url_for("/account/reset-password"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "token": "A".repeat(43), "new_password": NEW_PASSWORD }));
    assert_error(
        app.send(reset).await,
        StatusCode::FORBIDDEN,
        "forbidden_origin",
    )
    .await;

    // The server's own pages (same origin), and a client that sends no such header, pass.
    let own = [
        ("origin", own_origin.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    assert_eq!(
        recovery_with(&app, "bob@example.com", &own).await.status(),
        StatusCode::OK
    );
    app.add_user("carol@example.com", "a different passphrase")
        .await;
    assert_eq!(
        app.request_recovery("carol@example.com").await.status(),
        StatusCode::OK
    );
    // Nothing was done for the refused requests: once carol's mail and everything before it
    // has landed, alice has none.
    let carols = app
        .outbox
        .wait_for_one(MailKind::Reset, "carol@example.com")
        .await;
    app.outbox.wait_for_all_before(&carols).await;
    assert!(app.outbox.mails_of(MailKind::Reset, ALICE).is_empty());
}

#[tokio::test]
async fn allowed_origins_may_post() {
    let app = TestServer::builder()
        .flag("--allowed-origin", "https://app.example.com")
        .flag("--allowed-origin", "http://localhost:8081")
        .start()
        .await;
    for origin in ["https://app.example.com", "http://localhost:8081"] {
        let headers = [("origin", origin), ("sec-fetch-site", "same-site")];
        assert_eq!(
            recovery_with(&app, ALICE, &headers).await.status(),
            StatusCode::OK
        );
    }
    app.outbox.wait_for(MailKind::Reset, ALICE, 2).await;
    let other = recovery_with(&app, ALICE, &[("origin", "https://app.example.org")]).await;
    assert_error(other, StatusCode::FORBIDDEN, "forbidden_origin").await;
}
