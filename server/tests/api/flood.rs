//! Bounded work under a flood: many source addresses (127.0.0.N) asking for unknown addresses
//! with known ones mixed in. Whatever is accepted for a known address gets its mail; whatever
//! is refused says when to come back (Retry-After), and looks the same for every account.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use reqwest::StatusCode;

use crate::helpers::*;

const SOURCES: u8 = 20;
const PER_SOURCE: usize = 20;
const KNOWN: usize = 10;

fn client_from(source: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, source)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_flood_from_many_addresses_is_refused_with_retry_after_and_known_mail_arrives() {
    let app = TestServer::builder()
        .flags(&[
            "--recovery-global-limit",
            "60",
            "--recovery-global-window-secs",
            "2",
            "--recovery-backlog",
            "40",
        ])
        .start()
        .await;
    let known: Vec<String> = (0..KNOWN)
        .map(|i| format!("known{i}@example.com"))
        .collect();
    for email in &known {
        app.add_user(email, "a long enough passphrase").await;
    }
    let endpoint = app.url_for("/account/recovery");
    let mut tasks = tokio::task::JoinSet::new();
    for source in 2..2 + SOURCES {
        let client = client_from(source);
        let endpoint = endpoint.clone();
        let known = known.clone();
        tasks.spawn(async move {
            let mut answers = Vec::new();
            for n in 0..PER_SOURCE {
                // Each source slips a known address in now and then, first thing included.
                let email = if n % 7 == 0 {
                    known[(usize::from(source) + n) % KNOWN].clone()
                } else {
                    format!("ghost-{source}-{n}@example.com")
                };
                let response = client
                    .post(&endpoint)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("email={}", form_encode(&email)))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let retry_after = response.headers().get("retry-after").cloned();
                let body = response.text().await.unwrap();
                answers.push((email, status, retry_after, body));
            }
            answers
        });
    }
    let mut accepted_known = HashSet::new();
    let mut refusals = 0;
    while let Some(answers) = tasks.join_next().await {
        for (email, status, retry_after, body) in answers.unwrap() {
            match status {
                StatusCode::OK => {
                    if email.starts_with("known") {
                        accepted_known.insert(email);
                    }
                }
                StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                    refusals += 1;
                    let wait: u64 = retry_after
                        .unwrap_or_else(|| panic!("{status} without Retry-After for {email}"))
                        .to_str()
                        .unwrap()
                        .parse()
                        .unwrap();
                    assert!(wait >= 1, "{wait}");
                    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
                    let code = if status == StatusCode::TOO_MANY_REQUESTS {
                        "rate_limited"
                    } else {
                        "unavailable"
                    };
                    assert_eq!(body["error"], code, "{body}");
                }
                other => panic!("{other} for {email}: {body}"),
            }
        }
    }
    assert!(refusals > 0, "the flood was not big enough to be refused");
    assert!(!accepted_known.is_empty(), "no known address got through");
    for email in &accepted_known {
        app.outbox.wait_for_one(MailKind::Reset, email).await;
    }
}

#[tokio::test]
async fn a_login_flood_gets_503_from_the_bounded_hash_pool_alike_for_every_account() {
    let app = TestServer::builder()
        .flags(&[
            "--hash-threads",
            "1",
            "--hash-queue",
            "1",
            "--login-per-ip-limit",
            "0",
        ])
        .start()
        .await;
    let mut logins = tokio::task::JoinSet::new();
    for n in 0..24 {
        let client = app.client.clone();
        let url = app.url_for("/account/login");
        let email = if n % 2 == 0 {
            ALICE.to_owned()
        } else {
            format!("nobody{n}@example.com")
        };
        logins.spawn(async move {
            let response = client
                .post(url)
                .json(&serde_json::json!({ "email": email, "password": "not the password" }))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let retry_after = response.headers().get("retry-after").cloned();
            (status, retry_after, response.text().await.unwrap())
        });
    }
    let mut busy_bodies = HashSet::new();
    while let Some(answer) = logins.join_next().await {
        let (status, retry_after, body) = answer.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(retry_after.unwrap(), "1");
                busy_bodies.insert(body);
            }
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(
        busy_bodies.len(),
        1,
        "one refusal for every account: {busy_bodies:?}"
    );
    // The pool frees up: the right password works again.
    assert_eq!(
        app.login(ALICE, ALICE_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_address_has_a_daily_ceiling() {
    let app = TestServer::builder()
        .flags(&[
            "--recovery-per-email-limit",
            "0",
            "--recovery-per-email-daily-limit",
            "3",
        ])
        .start()
        .await;
    for email in [ALICE, "nobody@example.com"] {
        for _ in 0..3 {
            assert_eq!(app.request_recovery(email).await.status(), StatusCode::OK);
        }
        let refused = app.request_recovery(email).await;
        // Three a day refill one every eight hours.
        let wait: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((28_000..=28_800).contains(&wait), "{wait}");
        assert_error(refused, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    }
}
