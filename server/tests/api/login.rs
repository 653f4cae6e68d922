//! `POST /account/login`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn right_password_logs_in_with_form_or_json() {
    let app = TestServer::start().await;
    assert_eq!(
        app.login(ALICE, ALICE_PASSWORD).await.status(),
        StatusCode::OK
    );
    let body = format!(
        "email={}&password={}",
        form_encode(ALICE),
        form_encode(ALICE_PASSWORD)
    );
    let response = app.post_form("/account/login", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("HttpOnly"));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_look_the_same() {
    let app = TestServer::start().await;
    let wrong = assert_error(
        app.login(ALICE, "not the password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_error(
        app.login("nobody@example.com", ALICE_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let malformed = assert_error(
        app.login("nobody", ALICE_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    assert_eq!(
        wrong,
        json!({"error": "invalid_credentials", "message": "The email address or password is not correct."})
    );
}

#[tokio::test]
async fn the_address_is_matched_case_insensitively_but_the_password_is_not() {
    let app = TestServer::start().await;
    assert_eq!(
        app.login("ALICE@example.com", ALICE_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(ALICE, &ALICE_PASSWORD.to_uppercase())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn each_account_has_its_own_password() {
    let app = TestServer::start().await;
    app.add_user("bob@example.com", "a different passphrase")
        .await;
    assert_eq!(
        app.login("bob@example.com", "a different passphrase")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login("bob@example.com", ALICE_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(ALICE, "a different passphrase").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_compares_passwords_in_nfkc() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    // Typed with a ligature and a combining accent; NFKC "fine café walnut".
    let typed = "\u{FB01}ne cafe\u{301} walnut";
    assert_eq!(
        app.reset_password(&token, typed).await.status(),
        StatusCode::OK
    );
    for equivalent in [typed, "fine café walnut", "fine cafe\u{301} walnut"] {
        assert_eq!(
            app.login(ALICE, equivalent).await.status(),
            StatusCode::OK,
            "{equivalent:?}"
        );
    }
    assert_eq!(
        app.login(ALICE, "fine cafe walnut").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_deployment_can_raise_the_minimum_length() {
    let app = TestServer::builder()
        .flag("--min-password-chars", "15")
        .start()
        .await;
    let token = alice_token(&app).await;
    let short = app.reset_password(&token, "walnut galaxy").await;
    let body = assert_error(short, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    assert_eq!(body["reasons"], serde_json::json!(["too_short"]));
    assert!(body["message"].as_str().unwrap().contains("15"), "{body}");
    // The app's name and the address's parts are refused too.
    for guessable in ["reclaim walnut galaxy", "example walnut galaxy"] {
        let refused = app.reset_password(&token, guessable).await;
        assert_error(refused, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    }
    assert_eq!(
        app.reset_password(&token, "walnut galaxy hinge")
            .await
            .status(),
        StatusCode::OK
    );
}
