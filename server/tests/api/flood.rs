//! Bounded work under a flood: many source addresses (127.0.0.N) asking for unknown addresses
//! with known ones mixed in. Whatever is accepted for a known address gets its mail; whatever
//! is refused says when to come back (Retry-After), and looks the same for every account. A
//! refused flood leaves nothing behind in memory, and a login flood does not starve resets.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use reclaim_testkit::flood_recovery;
use reqwest::StatusCode;

use crate::helpers::*;

const SOURCES: u8 = 20;
const PER_SOURCE: usize = 20;
const KNOWN: usize = 10;

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

#[tokio::test]
async fn requests_refused_as_saturation_spend_no_address_limit() {
    // Everyone together may send one request per two seconds, each address one per window.
    let app = TestServer::builder()
        .flags(&[
            "--recovery-global-limit",
            "1",
            "--recovery-global-window-secs",
            "2",
            "--recovery-per-email-limit",
            "1",
        ])
        .start()
        .await;
    assert_eq!(
        app.request_recovery("carol@example.com").await.status(),
        StatusCode::OK
    );
    // Refused as saturation: a flood like this must not leave state for each address it names.
    for _ in 0..3 {
        let refused = app.request_recovery("dave@example.com").await;
        assert_error(refused, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    // Once everyone's allowance is back, dave's own allowance is whole.
    eventually("dave's request to be taken", || async {
        match app.request_recovery("dave@example.com").await.status() {
            StatusCode::OK => Ok(Some(())),
            StatusCode::SERVICE_UNAVAILABLE => Ok(None),
            other => anyhow::bail!("dave got {other}: refused requests were counted"),
        }
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn memory_stays_flat_under_a_refused_flood_from_new_clients_and_addresses() {
    // A trusted local proxy names a new client for each request; everyone together may send
    // one request an hour, so all but the first are refused as saturation.
    let (_dir, database) = database_with(&[]).await;
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--trusted-proxy",
        "127.0.0.1/32",
        "--recovery-global-limit",
        "1",
        "--recovery-global-window-secs",
        "3600",
    ]
    .map(String::from)
    .into();
    let server = ServerProcess::start_silent(&flags);
    let address: SocketAddr = server.url.strip_prefix("http://").unwrap().parse().unwrap();
    // Warm up (connections, buffers, the allocator's arenas), then measure.
    flood_recovery(address, 0, 5_000, 16).await;
    let before = server.resident_kib();
    let answers = flood_recovery(address, 5_000, 30_000, 16).await;
    let after = server.resident_kib();
    assert_eq!(answers.of(503), answers.total(), "{answers:?}");
    // Kept per request when the per-key limits came first: ~250 bytes, ~7 MiB for these.
    let growth = after.saturating_sub(before);
    assert!(
        growth < 3 * 1024,
        "resident memory grew by {growth} KiB ({before} -> {after}) under 30,000 refused requests"
    );
}

#[tokio::test]
async fn resets_go_through_a_login_flood() {
    let app = TestServer::builder()
        .flags(&[
            "--hash-threads",
            "1",
            "--hash-queue",
            "2",
            "--login-per-ip-limit",
            "0",
            "--reset-per-ip-limit",
            "0",
        ])
        .start()
        .await;
    let people: Vec<String> = (0..5).map(|n| format!("person{n}@example.com")).collect();
    let mut tokens = Vec::new();
    for email in &people {
        app.add_user(email, "an old forgotten passphrase").await;
        let link = app.request_reset_link(email).await;
        tokens.push(token_of(&link));
    }
    // Logins with wrong passwords, as fast as answers come, until the resets are done.
    let flooding = Arc::new(AtomicBool::new(true));
    let busy = Arc::new(AtomicUsize::new(0));
    let mut flood = tokio::task::JoinSet::new();
    for n in 0..16 {
        let (client, url) = (app.client.clone(), app.url_for("/account/login"));
        let (flooding, busy) = (Arc::clone(&flooding), Arc::clone(&busy));
        flood.spawn(async move {
            while flooding.load(Ordering::Relaxed) {
                let body = serde_json::json!({ "email": format!("nobody{n}@example.com"), "password": "guess" });
                let response = client.post(&url).json(&body).send().await.unwrap();
                match response.status() {
                    StatusCode::UNAUTHORIZED => {}
                    StatusCode::SERVICE_UNAVAILABLE => {
                        busy.fetch_add(1, Ordering::Relaxed);
                    }
                    other => panic!("a login got {other}"),
                }
            }
        });
    }
    eventually("the logins to saturate their share", || async {
        Ok((busy.load(Ordering::Relaxed) > 0).then_some(()))
    })
    .await
    .unwrap();
    let mut answers = Vec::new();
    for token in &tokens {
        answers.push(app.reset_password(token, NEW_PASSWORD).await.status());
    }
    flooding.store(false, Ordering::Relaxed);
    while let Some(flooder) = flood.join_next().await {
        flooder.unwrap();
    }
    assert_eq!(
        answers,
        [StatusCode::OK; 5],
        "resets during the login flood"
    );
    for email in &people {
        assert_eq!(
            app.login(email, NEW_PASSWORD).await.status(),
            StatusCode::OK
        );
    }
}
