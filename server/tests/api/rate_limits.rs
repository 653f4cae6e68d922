//! Rate limits: 429 with Retry-After, the same for existing and unknown accounts.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::helpers::*;

fn retry_after(headers: &HeaderMap) -> u64 {
    headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is whole seconds")
}

#[tokio::test]
async fn per_address_limit_treats_known_and_unknown_alike() {
    let app = TestServer::builder()
        .flags(&[
            "--recovery-per-email-limit",
            "2",
            "--recovery-per-email-window-secs",
            "600",
        ])
        .start()
        .await;
    let mut last = Vec::new();
    for email in [ALICE, "nobody@example.com"] {
        assert_eq!(app.request_recovery(email).await.status(), StatusCode::OK);
        assert_eq!(app.request_recovery(email).await.status(), StatusCode::OK);
        let refused = app.request_recovery(email).await;
        let headers = refused.headers().clone();
        let body = assert_error(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
        // Two per 600 s refill one every 300 s.
        let wait = retry_after(&headers);
        assert!((299..=300).contains(&wait), "Retry-After {wait}");
        last.push((body, wait));
    }
    assert_eq!(
        last[0], last[1],
        "a 429 must not reveal whether the account exists"
    );
    // Other addresses are not affected, and the limit is per address, whatever its case.
    assert_eq!(
        app.request_recovery("carol@example.com").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.request_recovery("ALICE@EXAMPLE.COM").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Only the two accepted requests for alice produced mail: once a later request's mail
    // (bob's) and everything sent before it have landed, there are exactly two.
    app.outbox.wait_for(MailKind::Reset, ALICE, 2).await;
    app.add_user("bob@example.com", "a different passphrase")
        .await;
    assert_eq!(
        app.request_recovery("bob@example.com").await.status(),
        StatusCode::OK
    );
    let bobs = app
        .outbox
        .wait_for_one(MailKind::Reset, "bob@example.com")
        .await;
    app.outbox.wait_for_all_before(&bobs).await;
    assert_eq!(app.outbox.mails_of(MailKind::Reset, ALICE).len(), 2);
}

#[tokio::test]
async fn per_ip_limit_on_recovery() {
    let app = TestServer::builder()
        .flags(&[
            "--recovery-per-ip-limit",
            "3",
            "--recovery-per-ip-window-secs",
            "60",
        ])
        .start()
        .await;
    for i in 0..3 {
        assert_eq!(
            app.request_recovery(&format!("user{i}@example.com"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    let refused = app.request_recovery("user9@example.com").await;
    assert!((1..=20).contains(&retry_after(refused.headers())));
    assert_error(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Malformed requests count too, and are refused before their body is read.
    assert_eq!(
        app.request_recovery("not an address").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn per_ip_limits_on_reset_and_login() {
    let app = TestServer::builder()
        .flags(&["--reset-per-ip-limit", "2", "--login-per-ip-limit", "2"])
        .start()
        .await;
    let never_issued = "A".repeat(43);
    for _ in 0..2 {
        assert_eq!(
            app.reset_password(&never_issued, NEW_PASSWORD)
                .await
                .status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            app.login(ALICE, "wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let reset = app.reset_password(&never_issued, NEW_PASSWORD).await;
    assert!(retry_after(reset.headers()) >= 1);
    assert_error(reset, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Even the right password waits: the limit is what stops guessing.
    let login = app.login(ALICE, ALICE_PASSWORD).await;
    assert!(retry_after(login.headers()) >= 1);
    assert_error(login, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

#[tokio::test]
async fn default_limits_let_a_person_through() {
    let app = TestServer::start().await;
    // Several flows' worth of requests from one IP.
    for _ in 0..5 {
        assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
        assert_eq!(
            app.login(ALICE, ALICE_PASSWORD).await.status(),
            StatusCode::OK
        );
    }
    for i in 0..20 {
        assert_eq!(
            app.request_recovery(&format!("user{i}@example.com"))
                .await
                .status(),
            StatusCode::OK
        );
    }
}
