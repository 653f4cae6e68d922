//! A password reset ends every session of the account, says so in its answer
//! (`{"sessions_ended": true}`), and mails the "password changed" notice, by link or by code;
//! `GET /account/session` shows which sessions still live.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// Two devices signed in with the old password.
async fn two_devices(app: &TestServer) -> [String; 2] {
    let mut devices = Vec::new();
    for _ in 0..2 {
        let cookie = app
            .sign_in(ALICE, ALICE_PASSWORD)
            .await
            .expect("signing in");
        assert_eq!(app.session(&cookie).await.status(), StatusCode::OK);
        devices.push(cookie);
    }
    devices.try_into().unwrap()
}

/// After a reset: each device's session is refused, the notice is mailed, and the new
/// password signs in to a session that lives.
async fn assert_signed_out_everywhere(app: &TestServer, devices: &[String]) {
    for cookie in devices {
        let body = assert_error(
            app.session(cookie).await,
            StatusCode::UNAUTHORIZED,
            "not_signed_in",
        )
        .await;
        assert!(body["message"].as_str().unwrap().ends_with('.'), "{body}");
    }
    app.outbox
        .wait_for_one(MailKind::PasswordChanged, ALICE)
        .await;
    let again = app.sign_in(ALICE, NEW_PASSWORD).await.expect("signing in");
    assert_eq!(app.session(&again).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_reset_by_link_ends_every_session_and_says_so() {
    let app = TestServer::start().await;
    let devices = two_devices(&app).await;
    let token = app.request_reset_mail(ALICE).await.token();
    let (status, _, body) = json_of(app.reset_password(&token, NEW_PASSWORD).await).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": true}))
    );
    assert_signed_out_everywhere(&app, &devices).await;
}

#[tokio::test]
async fn a_reset_by_code_ends_every_session_and_mails_the_notice_too() {
    let app = TestServer::start().await;
    let devices = two_devices(&app).await;
    let code = app.request_reset_mail(ALICE).await.reset_code();
    let response = app
        .reset_password_with_code(ALICE, &code, NEW_PASSWORD)
        .await;
    let (status, _, body) = json_of(response).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": true}))
    );
    assert_signed_out_everywhere(&app, &devices).await;
}

#[tokio::test]
async fn a_refused_reset_ends_no_session() {
    let app = TestServer::start().await;
    let [device, _] = two_devices(&app).await;
    let token = app.request_reset_mail(ALICE).await.token();
    assert_error(
        app.reset_password(&token, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    assert_error(
        app.reset_password(&token[..20], NEW_PASSWORD).await,
        StatusCode::BAD_REQUEST,
        "invalid_token",
    )
    .await;
    assert_eq!(app.session(&device).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_a_live_session_cookie_is_signed_in() {
    let app = TestServer::start().await;
    let live = app
        .sign_in(ALICE, ALICE_PASSWORD)
        .await
        .expect("signing in");
    let value = live.strip_prefix("reclaim_session=").unwrap();
    for cookie in [
        String::new(),
        "reclaim_session=".to_owned(),
        "reclaim_session=not-a-token".to_owned(),
        format!("other={value}"),
        format!("reclaim_session={}", value.to_lowercase()),
    ] {
        assert_error(
            app.session(&cookie).await,
            StatusCode::UNAUTHORIZED,
            "not_signed_in",
        )
        .await;
    }
    // Among other cookies, in any order.
    let among = format!("theme=dark; {live}; lang=ar");
    assert_eq!(app.session(&among).await.status(), StatusCode::OK);
    let response = app.get("/account/session").await;
    assert_error(response, StatusCode::UNAUTHORIZED, "not_signed_in").await;
}
