//! A person can always recover: requests for their address from other clients neither lock
//! them out, nor revoke the link they hold, and the inbox gets a bounded number of mails,
//! also across a restart; wrong codes for their address, from anywhere, spend codes and never
//! a link.

use reqwest::StatusCode;

use crate::helpers::*;

/// The flooding clients: 127.0.0.2 to 127.0.0.21 (the person is 127.0.0.1).
const ATTACKERS: std::ops::RangeInclusive<u8> = 2..=21;
/// Requests each attacker sends for each address: one more than its own window allows.
const PER_ATTACKER: usize = 6;
/// The default daily mail cap per account.
const DAILY_CAP: usize = 10;

/// Every attacker asks for `email` [`PER_ATTACKER`] times, as fast as it is answered.
async fn flood(app: &TestServer, email: &str) {
    let mut attackers = tokio::task::JoinSet::new();
    for source in ATTACKERS {
        let (client, url, email) = (
            client_from(source),
            app.url_for("/account/recovery"),
            email.to_owned(),
        );
        attackers.spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..PER_ATTACKER {
                let request = client
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("email={}", form_encode(&email)));
                statuses.push(request.send().await.unwrap().status());
            }
            statuses
        });
    }
    let mut accepted = 0;
    while let Some(statuses) = attackers.join_next().await {
        let statuses = statuses.unwrap();
        assert!(
            statuses
                .iter()
                .all(|s| [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS].contains(s)),
            "{statuses:?}"
        );
        accepted += statuses.iter().filter(|s| **s == StatusCode::OK).count();
    }
    assert!(accepted > 0, "the flood was refused outright");
}

/// Waits until the worker has handled every request sent so far: a later request for a known
/// address from a fresh client has its mail, and so has everything before it.
async fn settle(app: &TestServer, fresh_source: u8) {
    let marker = format!("marker{fresh_source}@example.com");
    app.add_user(&marker, "walnut galaxy hinge").await;
    let status = request_recovery_with(app, &client_from(fresh_source), &marker).await;
    assert_eq!(status, StatusCode::OK);
    let mail = app.outbox.wait_for_one(MailKind::Reset, &marker).await;
    app.outbox.wait_for_all_before(&mail).await;
}

#[tokio::test]
async fn a_person_recovers_while_their_address_is_flooded_from_many_clients() {
    // No global limit: this is about one address, not about saturating the server.
    let app = TestServer::builder()
        .flags(&["--recovery-global-limit", "0"])
        .start()
        .await;
    let carol = "carol@example.com";
    app.add_user(carol, "walnut galaxy hinge").await;

    // Alice asked for a link before the flood; carol had not.
    let held = app.request_reset_link(ALICE).await;
    flood(&app, ALICE).await;
    flood(&app, carol).await;
    settle(&app, 30).await;

    // Each still gets 200 from their own client...
    for email in [ALICE, carol] {
        assert_eq!(app.request_recovery(email).await.status(), StatusCode::OK);
    }
    settle(&app, 31).await;
    // ...and holds a working link: alice the one from before the flood, which nothing
    // revoked, and carol a new one, since her client held none.
    assert_eq!(
        app.reset_password(&token_of(&held), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    let carols = app.outbox.mails_of(MailKind::Reset, carol);
    let newest = carols.last().expect("mail for carol");
    assert_eq!(
        app.reset_password(&newest.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    // The inbox got the cap's worth, then at most one per client that held no live link.
    let clients = ATTACKERS.count() + 1;
    for email in [ALICE, carol] {
        let mails = app.outbox.mails_of(MailKind::Reset, email).len();
        assert!(mails <= DAILY_CAP + clients, "{mails} mails to {email}");
    }
}

#[tokio::test]
async fn the_daily_mail_cap_holds_across_a_restart() {
    let (dir, database) = database_with(&[
        (ALICE, ALICE_PASSWORD),
        ("bob@example.com", "walnut galaxy hinge"),
    ])
    .await;
    let outbox = Outbox::new(dir.path().join("outbox"));
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--outbox",
        outbox.path().to_str().unwrap(),
        "--recovery-per-email-daily-limit",
        "2",
    ]
    .map(String::from)
    .into();
    let first = ServerProcess::start(&flags);
    for _ in 0..2 {
        assert_eq!(first.request_recovery(ALICE).await, StatusCode::OK);
    }
    outbox.wait_for(MailKind::Reset, ALICE, 2).await;
    first.kill_9();

    // A new process forgets what it counted in memory, not what the database holds: alice's
    // client holds live links, so the cap sends her no third mail today.
    let second = ServerProcess::start(&flags);
    assert_eq!(second.request_recovery(ALICE).await, StatusCode::OK);
    assert_eq!(
        second.request_recovery("bob@example.com").await,
        StatusCode::OK
    );
    let bobs = outbox
        .wait_for_one(MailKind::Reset, "bob@example.com")
        .await;
    outbox.wait_for_all_before(&bobs).await;
    assert_eq!(outbox.mails_of(MailKind::Reset, ALICE).len(), 2);
}

/// Each attacker sends `count` wrong codes for `email`, taking turns; every one is refused as
/// an unknown link is.
async fn wrong_codes_from_attackers(app: &TestServer, email: &str, code: &str, count: usize) {
    let attackers: Vec<reqwest::Client> = ATTACKERS.take(4).map(client_from).collect();
    for n in 0..count {
        for attacker in &attackers {
            let body = serde_json::json!({
                "email": email,
                "code": another_code(code, n),
                "new_password": NEW_PASSWORD,
            });
            let request = attacker
                .post(app.url_for("/account/reset-password"))
                .json(&body);
            let status = app.send(request).await.status();
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
    }
}

#[tokio::test]
async fn wrong_codes_from_many_clients_never_end_the_owners_link() {
    let app = TestServer::start().await;
    let before = app.request_reset_mail(ALICE).await;
    // Four clients, each within its own limit, four times the tries a code meets.
    wrong_codes_from_attackers(&app, ALICE, &before.reset_code(), 5).await;
    assert!(!code_is_live(&app, ALICE, &before.reset_code()).await);
    assert!(link_is_live(&app, &before.token()).await);

    // The owner asks again: the new mail's code works and so does its link, as does the old
    // link; a new round of wrong codes spends the new code only.
    let after = app.request_reset_mail(ALICE).await;
    assert!(code_is_live(&app, ALICE, &after.reset_code()).await);
    wrong_codes_from_attackers(&app, ALICE, &after.reset_code(), 5).await;
    assert!(!code_is_live(&app, ALICE, &after.reset_code()).await);
    for mail in [&before, &after] {
        assert!(link_is_live(&app, &mail.token()).await);
    }
    let fresh = app.request_reset_mail(ALICE).await;
    assert!(code_is_live(&app, ALICE, &fresh.reset_code()).await);

    // The link mailed before all of it resets the password.
    assert_eq!(
        app.reset_password(&before.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}
