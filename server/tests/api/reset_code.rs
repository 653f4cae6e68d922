//! `POST /account/reset-password` with `email`, `code`, `new_password`: the short code mailed
//! beside every link, typed by a person.
//!
//! A weak password is refused (422) only once the code is found good, and spends nothing: the
//! tests use it to ask "is this code live?" without spending it. How the mail shows the code,
//! in each language, is tested in `languages.rs`.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// The answer to a link that was never issued: what every failed code must look like.
async fn invalid_link_answer(app: &TestServer) -> Value {
    let never_issued = "A".repeat(43);
    let response = app.reset_password(&never_issued, NEW_PASSWORD).await;
    assert_error(response, StatusCode::BAD_REQUEST, "invalid_token").await
}

/// Asserts that `response` is exactly the answer to an unknown link.
async fn assert_like_an_invalid_link(response: reqwest::Response, invalid_link: &Value) {
    let body = assert_error(response, StatusCode::BAD_REQUEST, "invalid_token").await;
    assert_eq!(&body, invalid_link);
}

#[tokio::test]
async fn case_spaces_and_the_dash_do_not_matter_and_the_code_spends_the_link() {
    let app = TestServer::start().await;
    let mail = app.request_reset_mail(ALICE).await;
    let code = mail.reset_code();
    let bare = code.replace('-', "");
    let typed = [
        code.to_lowercase(),
        bare.to_lowercase(),
        format!("  {} {}  ", &bare[..4], &bare[4..]),
        format!("{}-{}", &bare[..4].to_lowercase(), &bare[4..]),
    ];
    for typed in &typed {
        assert!(code_is_live(&app, ALICE, typed).await, "{typed:?}");
    }
    // The address as a person types it too, and the form encoding existing clients send.
    let body = format!(
        "email={}&code={}&new_password={}",
        form_encode(" Alice@Example.com "),
        form_encode(&bare.to_lowercase()),
        form_encode(NEW_PASSWORD)
    );
    let response = app.post_form("/account/reset-password", &body).await;
    let (status, _, body) = json_of(response).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": true}))
    );
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let notice = app
        .outbox
        .wait_for_one(MailKind::PasswordChanged, ALICE)
        .await;
    assert!(!notice.raw.contains(&code), "{notice:?}");

    // The code worked once, and its link with it.
    let invalid_link = invalid_link_answer(&app).await;
    let again = app
        .reset_password_with_code(ALICE, &code, "yet another passphrase")
        .await;
    assert_like_an_invalid_link(again, &invalid_link).await;
    assert_error(
        app.reset_password(&mail.token(), "yet another passphrase")
            .await,
        StatusCode::GONE,
        "used_token",
    )
    .await;
}

#[tokio::test]
async fn the_link_spends_the_code() {
    let app = TestServer::start().await;
    let mail = app.request_reset_mail(ALICE).await;
    assert_eq!(
        app.reset_password(&mail.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let invalid_link = invalid_link_answer(&app).await;
    let code = app
        .reset_password_with_code(ALICE, &mail.reset_code(), "yet another passphrase")
        .await;
    assert_like_an_invalid_link(code, &invalid_link).await;
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_code_works_only_for_the_address_it_was_mailed_to() {
    let app = TestServer::start().await;
    let bob = "bob@example.com";
    app.add_user(bob, "walnut galaxy hinge").await;
    let alices = app.request_reset_mail(ALICE).await.reset_code();
    let bobs = app.request_reset_mail(bob).await.reset_code();
    let invalid_link = invalid_link_answer(&app).await;
    let crossed = app
        .reset_password_with_code(bob, &alices, NEW_PASSWORD)
        .await;
    assert_like_an_invalid_link(crossed, &invalid_link).await;
    assert_eq!(
        app.login(bob, "walnut galaxy hinge").await.status(),
        StatusCode::OK
    );
    assert!(code_is_live(&app, ALICE, &alices).await && code_is_live(&app, bob, &bobs).await);
}

#[tokio::test]
async fn five_wrong_codes_spend_the_codes_of_the_address_and_never_a_link() {
    let app = TestServer::start().await;
    let first = app.request_reset_mail(ALICE).await;
    let second = app.request_reset_mail(ALICE).await;
    let code = second.reset_code();
    let invalid_link = invalid_link_answer(&app).await;
    for n in 0..4 {
        let wrong = another_code(&code, n);
        let response = app
            .reset_password_with_code(ALICE, &wrong, NEW_PASSWORD)
            .await;
        assert_like_an_invalid_link(response, &invalid_link).await;
    }
    assert!(
        code_is_live(&app, ALICE, &code).await,
        "four wrong codes spend nothing"
    );
    let fifth = app
        .reset_password_with_code(ALICE, &another_code(&code, 4), NEW_PASSWORD)
        .await;
    assert_like_an_invalid_link(fifth, &invalid_link).await;
    // The right codes now get the very answer a wrong one gets; both links still work.
    for right in [code, first.reset_code()] {
        let response = app
            .reset_password_with_code(ALICE, &right, NEW_PASSWORD)
            .await;
        assert_like_an_invalid_link(response, &invalid_link).await;
    }
    for mail in [&first, &second] {
        assert!(link_is_live(&app, &mail.token()).await);
    }
    // Asking again brings a code that works, and the first link still resets the password.
    let fresh = app.request_reset_mail(ALICE).await.reset_code();
    assert!(code_is_live(&app, ALICE, &fresh).await);
    assert_eq!(
        app.reset_password(&first.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_code_expires_with_its_link() {
    let app = TestServer::builder()
        .flags(&["--token-lifetime-secs", "1", "--reset-per-ip-limit", "0"])
        .start()
        .await;
    let mail = app.request_reset_mail(ALICE).await;
    let code = mail.reset_code();
    assert!(
        mail.body()
            .contains("The link and the code expire in 1 second"),
        "{}",
        mail.body()
    );
    eventually("the code to expire", || async {
        Ok((!code_is_live(&app, ALICE, &code).await).then_some(()))
    })
    .await
    .unwrap();
    let invalid_link = invalid_link_answer(&app).await;
    let late = app
        .reset_password_with_code(ALICE, &code, NEW_PASSWORD)
        .await;
    assert_like_an_invalid_link(late, &invalid_link).await;
    assert_error(
        app.reset_password(&mail.token(), NEW_PASSWORD).await,
        StatusCode::GONE,
        "expired_token",
    )
    .await;
}

#[tokio::test]
async fn an_address_without_an_account_gets_the_answer_of_a_wrong_code() {
    let app = TestServer::start().await;
    let code = app.request_reset_mail(ALICE).await.reset_code();
    let wrong = another_code(&code, 0);
    let answers = [
        app.reset_password_with_code(ALICE, &wrong, NEW_PASSWORD)
            .await,
        app.reset_password_with_code("nobody@example.com", &code, NEW_PASSWORD)
            .await,
        app.reset_password(&"A".repeat(43), NEW_PASSWORD).await,
    ];
    let mut seen = Vec::new();
    for answer in answers {
        let status = answer.status();
        let mut headers: Vec<(String, Vec<u8>)> = answer
            .headers()
            .iter()
            .filter(|(name, _)| *name != "date")
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect();
        headers.sort();
        seen.push((status, headers, answer.bytes().await.unwrap()));
    }
    assert_eq!(seen[0].0, StatusCode::BAD_REQUEST);
    assert!(seen.iter().all(|answer| *answer == seen[0]), "{seen:?}");
}

/// The median time of a wrong code for accounts that hold a live code and for addresses with
/// no account, interleaved, is the same within a margin far wider than the noise (the
/// benchmark `recovery_latency` measures them closely: see the server README).
#[tokio::test]
async fn an_address_without_an_account_takes_as_long_as_a_wrong_code() {
    const ACCOUNTS: usize = 8;
    let app = TestServer::builder()
        .flags(&["--reset-per-ip-limit", "0"])
        .start()
        .await;
    let mut accounts = Vec::new();
    for n in 0..ACCOUNTS {
        let email = format!("person{n}@example.com");
        app.add_user(&email, "walnut galaxy hinge").await;
        assert_eq!(app.request_recovery(&email).await.status(), StatusCode::OK);
        accounts.push(email);
    }
    let mut known_times = Vec::new();
    let mut unknown_times = Vec::new();
    for email in &accounts {
        let code = app
            .outbox
            .wait_for_one(MailKind::Reset, email)
            .await
            .reset_code();
        // Five tries each: the fifth spends the account's code, and counts as known too.
        for n in 0..5 {
            let wrong = another_code(&code, n);
            let unknown = format!("ghost{n}-{email}");
            let timed = |email: String| {
                let (app, wrong) = (&app, wrong.clone());
                async move {
                    let started = Instant::now();
                    let response = app
                        .reset_password_with_code(&email, &wrong, NEW_PASSWORD)
                        .await;
                    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
                    response.bytes().await.unwrap();
                    started.elapsed()
                }
            };
            if n % 2 == 0 {
                known_times.push(timed(email.clone()).await);
                unknown_times.push(timed(unknown).await);
            } else {
                unknown_times.push(timed(unknown).await);
                known_times.push(timed(email.clone()).await);
            }
        }
    }
    let (known, unknown) = (median(&mut known_times), median(&mut unknown_times));
    let margin = known.max(unknown) / 2 + Duration::from_millis(2);
    assert!(
        known.abs_diff(unknown) <= margin,
        "median of a wrong code: {known:?} for accounts, {unknown:?} for no account"
    );
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn only_a_token_or_an_address_and_a_code_is_a_reset() {
    let app = TestServer::start().await;
    let mail = app.request_reset_mail(ALICE).await;
    for body in [
        json!({ "email": ALICE, "new_password": NEW_PASSWORD }),
        json!({ "code": mail.reset_code(), "new_password": NEW_PASSWORD }),
        json!({ "token": mail.token(), "email": ALICE, "code": mail.reset_code(), "new_password": NEW_PASSWORD }),
        json!({ "new_password": NEW_PASSWORD }),
    ] {
        let response = app.post_json("/account/reset-password", body).await;
        assert_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
    assert!(code_is_live(&app, ALICE, &mail.reset_code()).await);
}

#[tokio::test]
async fn code_tries_count_against_the_clients_reset_limit() {
    let app = TestServer::builder()
        .flags(&["--reset-per-ip-limit", "3"])
        .start()
        .await;
    for n in 0..3 {
        let status = app
            .reset_password_with_code(
                &format!("someone{n}@example.com"),
                "KQ7M-XW3P",
                NEW_PASSWORD,
            )
            .await
            .status();
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let limited = app
        .reset_password_with_code("someone3@example.com", "KQ7M-XW3P", NEW_PASSWORD)
        .await;
    let (status, headers, body) = json_of(limited).await;
    assert_eq!(
        (status, &body["error"]),
        (StatusCode::TOO_MANY_REQUESTS, &json!("rate_limited"))
    );
    assert!(headers.contains_key("retry-after"), "{headers:?}");
}

#[tokio::test]
async fn the_code_is_never_logged_nor_kept_in_the_database() {
    let (dir, database) = database_with(&[(ALICE, ALICE_PASSWORD)]).await;
    let outbox = Outbox::new(dir.path().join("outbox"));
    let log = dir.path().join("server.log");
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--outbox",
        outbox.path().to_str().unwrap(),
    ]
    .map(String::from)
    .into();
    let server = ServerProcess::start_logging_to(&flags, &log);
    assert_eq!(server.request_recovery(ALICE).await, StatusCode::OK);
    let mail = outbox.wait_for_one(MailKind::Reset, ALICE).await;
    let code = mail.reset_code();
    let bare = code.replace('-', "");
    let forms = [
        code.clone(),
        bare.clone(),
        bare.to_lowercase(),
        code.to_lowercase(),
    ];
    // Once delivered, the mail's row is gone: no byte of the database holds the code, nor the
    // link's token.
    assert_not_stored(&database, forms.iter().chain([&mail.token()])).await;

    let reset = |code: String, password: &'static str| {
        let url = format!("{}/account/reset-password", server.url);
        async move {
            reclaim_testkit::http_client()
                .post(url)
                .json(&json!({ "email": ALICE, "code": code, "new_password": password }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        reset(another_code(&code, 0), NEW_PASSWORD).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        reset(code.to_lowercase(), "short").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(reset(code.clone(), NEW_PASSWORD).await, StatusCode::OK);
    outbox.wait_for_one(MailKind::PasswordChanged, ALICE).await;
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("password changed with a reset code"),
        "{logged}"
    );
    for form in &forms {
        assert!(
            !logged.contains(form.as_str()),
            "{form} is in the log:\n{logged}"
        );
    }
    assert_not_stored(&database, forms.iter()).await;
}

/// Waits for the outbox table to empty, moves the write-ahead log into the database file, and
/// asserts that none of `secrets` is anywhere in the file's bytes.
async fn assert_not_stored(database: &std::path::Path, secrets: impl Iterator<Item = &String>) {
    eventually("the delivered mail to leave the database", || async {
        let waiting: i64 = with_database(database, |db| {
            db.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))
        })
        .unwrap();
        Ok((waiting == 0).then_some(()))
    })
    .await
    .unwrap();
    let busy: i64 = with_database(database, |db| {
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
    })
    .unwrap();
    assert_eq!(busy, 0, "the checkpoint was blocked");
    let mut stored = std::fs::read(database).unwrap();
    if let Ok(wal) = std::fs::read(database.with_extension("db-wal")) {
        stored.extend(wal);
    }
    for secret in secrets {
        assert!(
            !stored
                .windows(secret.len())
                .any(|bytes| bytes == secret.as_bytes()),
            "{secret} is in the database file"
        );
    }
}
