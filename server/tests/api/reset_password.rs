//! `POST /account/reset-password`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_link_works_once() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    assert_eq!(
        app.reset_password(&token, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let body = assert_error(
        app.reset_password(&token, "another new passphrase").await,
        StatusCode::GONE,
        "used_token",
    )
    .await;
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("already been used"));
    // The second attempt changed nothing.
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_link_expires() {
    let app = TestServer::builder()
        .flags(&["--token-lifetime-secs", "1", "--reset-per-ip-limit", "0"])
        .start()
        .await;
    let token = alice_token(&app).await;
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    assert!(
        mail.body().contains("expire in 1 second"),
        "{}",
        mail.body()
    );

    // A weak password is refused with 422 while the token lives and with 410 once it has
    // expired (the token is checked first), so polling with one never spends the token.
    eventually("the token to expire", || async {
        let status = app.reset_password(&token, "short").await.status();
        assert_ne!(status, StatusCode::OK, "a weak password was accepted");
        if status == StatusCode::GONE {
            return Ok(Some(()));
        }
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        Ok(None)
    })
    .await
    .unwrap();
    assert_error(
        app.reset_password(&token, NEW_PASSWORD).await,
        StatusCode::GONE,
        "expired_token",
    )
    .await;
    assert_eq!(
        app.login(ALICE, ALICE_PASSWORD).await.status(),
        StatusCode::OK,
        "password unchanged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_resets_with_one_token_succeed_exactly_once() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    let attempts = (0..8).map(|i| {
        let (client, url, token) = (app.client.clone(), app.url.clone(), token.clone());
        tokio::spawn(async move {
            let password = format!("concurrent passphrase number {i}");
            let response = client
                .post(format!("{url}/account/reset-password"))
                .json(&json!({ "token": token, "new_password": password }))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap();
            (status, body, password)
        })
    });
    let results = futures_join_all(attempts.collect()).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, ..)| *status == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (status, body, _) in &results {
        if *status != StatusCode::OK {
            assert_eq!(
                (*status, body["error"].as_str()),
                (StatusCode::GONE, Some("used_token")),
                "{body}"
            );
        }
    }
    // The winner's password is the one in force.
    let winning_password = &winners[0].2;
    assert_eq!(
        app.login(ALICE, winning_password).await.status(),
        StatusCode::OK
    );
}

async fn futures_join_all<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test]
async fn unknown_and_malformed_tokens_are_invalid() {
    let app = TestServer::start().await;
    let never_issued = "A".repeat(43);
    for token in [
        "",
        "abc",
        never_issued.as_str(),
        "../../etc/passwd",
        &"A".repeat(44),
    ] {
        assert_error(
            app.reset_password(token, NEW_PASSWORD).await,
            StatusCode::BAD_REQUEST,
            "invalid_token",
        )
        .await;
    }
}

#[tokio::test]
async fn a_weak_password_is_refused_without_spending_the_token() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;

    let body = assert_error(
        app.reset_password(&token, "short").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    assert_eq!(body["reasons"], json!(["too_short"]));
    assert_eq!(
        body["message"],
        "Your password must be at least 8 characters long."
    );

    let body = assert_error(
        app.reset_password(&token, "password1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    assert_eq!(body["reasons"], json!(["common"]));

    let body = assert_error(
        app.reset_password(&token, "ALICE-is-my-name").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    assert_eq!(body["reasons"], json!(["contains_email"]));

    let too_long = "x".repeat(129);
    let body = assert_error(
        app.reset_password(&token, &too_long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak_password",
    )
    .await;
    assert_eq!(body["reasons"], json!(["too_long"]));
    assert_eq!(
        body["message"],
        "Your password must be 128 characters or fewer."
    );

    // Eight emoji are eight characters; 128 characters is the limit, not truncated.
    let emoji = "🔑🌱🎈🧭🪁🦉🍋🎲";
    assert_eq!(
        app.reset_password(&token, emoji).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.login(ALICE, emoji).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_128_character_password_is_kept_whole() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    let long: String = "ab cd é ".chars().cycle().take(128).collect();
    assert_eq!(
        app.reset_password(&token, &long).await.status(),
        StatusCode::OK
    );
    assert_eq!(app.login(ALICE, &long).await.status(), StatusCode::OK);
    assert_eq!(
        app.login(ALICE, &long[..long.len() - 1]).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn form_encoded_resets_are_byte_exact() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    let password = "  spaces+plus&amp=équal  ";
    let body = format!("token={token}&new_password={}", form_encode(password));
    let response = app.post_form("/account/reset-password", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.login(ALICE, password).await.status(), StatusCode::OK);
    assert_eq!(
        app.login(ALICE, password.trim()).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_length_is_that_of_the_password_as_hashed_in_nfkc() {
    let app = TestServer::start().await;
    let token = alice_token(&app).await;
    // Fourteen code points as typed, seven characters ("ééééééé") once composed: too short.
    let decomposed = "e\u{301}".repeat(7);
    let short = app.reset_password(&token, &decomposed).await;
    let body = assert_error(short, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    assert_eq!(body["reasons"], json!(["too_short"]));
    // Eight composed characters are enough, however they were typed; the link still works.
    let long_enough = "e\u{301}".repeat(8);
    assert_eq!(
        app.reset_password(&token, &long_enough).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(ALICE, &"é".repeat(8)).await.status(),
        StatusCode::OK
    );
}
