//! `POST /account/recovery` and the whole flow through the outbox.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_whole_flow_through_the_outbox() {
    let app = TestServer::start().await;

    let (status, _, body) = json_of(app.request_recovery(ALICE).await).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));

    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    assert_eq!(mail.header("To").as_deref(), Some(ALICE));
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reset your password")
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Reclaim <no-reply@localhost>")
    );
    assert!(
        mail.header("Date").is_some() && mail.header("Message-ID").is_some(),
        "{}",
        mail.raw
    );
    let link = mail.reset_link();
    assert!(
        link.starts_with(&format!("{}/reset?token=", app.url)),
        "{link}"
    );
    let token = mail.token();
    assert_eq!(token.len(), 43, "256 bits in unpadded base64url");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{token}"
    );
    let body = mail.body();
    assert!(
        body.contains("The link and the code expire in 30 minutes and work only once."),
        "{body}"
    );
    assert!(body.contains("you can ignore this email"), "{body}");

    let (status, _, body) = json_of(app.reset_password(&token, NEW_PASSWORD).await).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"sessions_ended": true}))
    );

    let response = app.login(ALICE, NEW_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("reclaim_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({})
    );
    assert_error(
        app.login(ALICE, ALICE_PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    let notice = app
        .outbox
        .wait_for_one(MailKind::PasswordChanged, ALICE)
        .await;
    assert_eq!(
        notice.header("Subject").as_deref(),
        Some("Your password was changed")
    );
    assert!(
        !notice.raw.contains(&token),
        "the notice must not carry the token"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn the_exact_request_of_the_mobile_client() {
    let app = TestServer::start().await;
    let response = app
        .client
        .post(format!("{}/account/recovery", app.url))
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body("email=alice%40example.com")
        .send()
        .await
        .unwrap();
    let (status, _, body) = json_of(response).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    // The address was decoded correctly: alice gets her link.
    app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
}

#[tokio::test]
async fn json_bodies_are_accepted_and_case_does_not_matter() {
    let app = TestServer::start().await;
    let response = app
        .post_json(
            "/account/recovery",
            json!({ "email": "  Alice@Example.COM " }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    // Mail goes to the address the account was registered with.
    assert_eq!(mail.header("To").as_deref(), Some(ALICE));
}

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answer() {
    let app = TestServer::start().await;
    let unknown = app.request_recovery("nobody@example.com").await;
    let known = app.request_recovery(ALICE).await;

    assert_eq!(unknown.status(), known.status());
    let strip_date = |headers: &reqwest::header::HeaderMap| {
        let mut pairs: Vec<(String, Vec<u8>)> = headers
            .iter()
            .filter(|(name, _)| *name != "date")
            .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(strip_date(unknown.headers()), strip_date(known.headers()));
    assert_eq!(unknown.bytes().await.unwrap(), known.bytes().await.unwrap());

    // The worker handles requests in order, so once alice's mail and everything sent before
    // it are in the outbox, the unknown address has been processed too: and it produced no
    // mail at all.
    let alices = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    app.outbox.wait_for_all_before(&alices).await;
    assert_eq!(app.outbox.mails().len(), 1);
}

#[tokio::test]
async fn malformed_addresses_are_refused() {
    let app = TestServer::start().await;
    for email in [
        "",
        "alice",
        "alice@",
        "@example.com",
        "alice@localhost",
        "a b@example.com",
    ] {
        let body = assert_error(
            app.request_recovery(email).await,
            StatusCode::BAD_REQUEST,
            "invalid_email",
        )
        .await;
        assert_eq!(
            body["message"],
            "Enter an email address in the correct format, like name@example.com."
        );
    }
}

#[tokio::test]
async fn the_link_uses_the_configured_public_url_not_the_host_header() {
    let app = TestServer::builder()
        .flags(&["--public-url", "https://reclaim.example.com/"])
        .start()
        .await;
    let response = app
        .client
        .post(format!("{}/account/recovery", app.url))
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .json(&json!({ "email": ALICE }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let link = app
        .outbox
        .wait_for_one(MailKind::Reset, ALICE)
        .await
        .reset_link();
    assert!(
        link.starts_with("https://reclaim.example.com/reset?token="),
        "{link}"
    );
}

#[tokio::test]
async fn a_fourth_link_revokes_the_oldest() {
    let app = TestServer::start().await;
    for _ in 0..4 {
        assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    }
    let tokens: Vec<String> = app
        .outbox
        .wait_for(MailKind::Reset, ALICE, 4)
        .await
        .iter()
        .map(|m| m.token())
        .collect();
    let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), 4, "every link has its own token");
    assert_error(
        app.reset_password(&tokens[0], NEW_PASSWORD).await,
        StatusCode::GONE,
        "expired_token",
    )
    .await;
    assert_eq!(
        app.reset_password(&tokens[3], NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    // A password change revokes the remaining links.
    assert_error(
        app.reset_password(&tokens[2], "yet another passphrase")
            .await,
        StatusCode::GONE,
        "expired_token",
    )
    .await;
}

#[tokio::test]
async fn compatibility_forms_of_an_address_reach_its_account() {
    let app = TestServer::start().await;
    let fiona = "fiona@example.com";
    app.add_user(fiona, "walnut galaxy hinge").await;
    // Typed with the "ﬁ" ligature and full-width letters: the same address in NFKC.
    for typed in ["\u{FB01}ona@example.com", "ｆｉｏｎａ@example.com"] {
        assert_eq!(app.request_recovery(typed).await.status(), StatusCode::OK);
    }
    // The mail goes to the address as registered.
    let mails = app.outbox.wait_for(MailKind::Reset, fiona, 2).await;
    assert!(mails.iter().all(|mail| mail.is_to(fiona)), "{mails:?}");
    assert_eq!(
        app.login("\u{FB01}ona@example.com", "walnut galaxy hinge")
            .await
            .status(),
        StatusCode::OK
    );
}

/// An address is judged in NFKC: `é` typed as `e` and a combining accent, or in full-width
/// letters, is no longer refused as malformed, and reaches the account whichever form it was
/// registered with; the mail goes to the address in NFKC, and its code works with any form.
#[tokio::test]
async fn any_unicode_form_of_an_address_reaches_its_account() {
    let app = TestServer::start().await;
    let jose = "jos\u{E9}@example.com";
    let rene = "ren\u{E9}@example.com";
    app.add_user(jose, "walnut galaxy hinge").await;
    app.add_user("rene\u{301}@example.com", "walnut galaxy hinge")
        .await;
    for (typed, account) in [
        ("jose\u{301}@example.com", jose),
        ("ｊｏｓé＠ｅｘａｍｐｌｅ．ｃｏｍ", jose),
        (rene, rene),
        ("ＲＥＮＥ\u{301}@example.com", rene),
    ] {
        let before = app.outbox.mails_to(account).len();
        let status = app.request_recovery(typed).await.status();
        assert_eq!(status, StatusCode::OK, "{typed:?}");
        eventually(format!("a mail to {account} for {typed:?}"), || async {
            let mails = app.outbox.mails_to(account);
            Ok((mails.len() > before).then_some(()))
        })
        .await
        .unwrap();
    }
    let code = app.outbox.mails_to(jose).pop().unwrap().reset_code();
    assert!(code_is_live(&app, "jose\u{301}@example.com", &code).await);
}

#[tokio::test]
async fn requests_that_keep_failing_are_set_aside_and_logged_and_hold_nothing_up() {
    let (dir, database) = database_with(&[
        (ALICE, ALICE_PASSWORD),
        ("stale@example.com", "walnut galaxy hinge"),
    ])
    .await;
    // An account row an older version wrote, whose address no longer parses: every request
    // for it fails, and more of them than the worker reads at a time (64) are waiting.
    with_database(&database, |db| {
        db.execute(
            "UPDATE users SET email = 'stale' WHERE email_key = 'stale@example.com'",
            [],
        )
    })
    .unwrap();
    let outbox = Outbox::new(dir.path().join("outbox"));
    let log = dir.path().join("server.log");
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--outbox",
        outbox.path().to_str().unwrap(),
        "--recovery-per-email-limit",
        "0",
        "--recovery-per-email-daily-limit",
        "0",
        "--recovery-per-ip-limit",
        "0",
        "--recovery-global-limit",
        "0",
    ]
    .map(String::from)
    .into();
    let server = ServerProcess::start_logging_to(&flags, &log);
    for _ in 0..70 {
        assert_eq!(
            server.request_recovery("stale@example.com").await,
            StatusCode::OK
        );
    }
    assert_eq!(server.request_recovery(ALICE).await, StatusCode::OK);
    outbox.wait_for_one(MailKind::Reset, ALICE).await;
    // Each failing request is tried a few times, then set aside for good, and logged.
    let waiting = || {
        with_database(&database, |db| {
            db.query_row(
                "SELECT count(*) FROM recovery_requests WHERE set_aside_at IS NULL",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .unwrap()
    };
    eventually("the failing requests to be set aside", || async {
        Ok((waiting() == 0).then_some(()))
    })
    .await
    .unwrap();
    let attempts: Vec<i64> = with_database(&database, |db| {
        db.prepare("SELECT DISTINCT attempts FROM recovery_requests")?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()
    })
    .unwrap();
    assert_eq!(attempts, [3], "tried three times each, then left alone");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        logged.matches("recovery request set aside").count(),
        70,
        "{logged}"
    );
    assert!(!logged.contains("stale@example.com"), "{logged}");
}
