//! Nothing answered 200 is lost: the relay is down for longer than the old in-memory retry
//! window (four attempts), the server is killed with SIGKILL while mail and requests are
//! pending, a new server starts on the same database, and when the relay comes back every
//! link that was answered 200 arrives exactly once.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;

use crate::helpers::*;
use crate::relay::{free_port, start_relay_on, wait_for_messages};

/// `(recipient, failed attempts)` of every message in the outbox table.
fn outbox_rows(database: &Path) -> Vec<(String, u32)> {
    let connection = rusqlite::Connection::open(database).unwrap();
    let mut statement = connection
        .prepare("SELECT recipient, attempts FROM outbox ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn pending_requests(database: &Path) -> u64 {
    rusqlite::Connection::open(database)
        .unwrap()
        .query_row("SELECT count(*) FROM recovery_requests", [], |row| {
            row.get(0)
        })
        .unwrap()
}

#[tokio::test]
async fn a_relay_outage_and_a_kill_9_lose_nothing_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database: PathBuf = dir.path().join("reclaim.db");
    let users: Vec<String> = (0..6).map(|i| format!("user{i}@example.com")).collect();
    for user in &users {
        reclaim_server::add_user(&database, user, "a long enough passphrase")
            .await
            .unwrap();
    }
    let port = free_port();
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        // A shortened schedule: the same doubling as the default, in milliseconds.
        "--mail-retry-first-ms",
        "50",
        "--mail-retry-max-secs",
        "1",
    ]
    .map(String::from)
    .into();

    let first = ServerProcess::start(&flags);
    for user in &users[..3] {
        assert_eq!(first.request_recovery(user).await, StatusCode::OK);
    }
    // The relay is down: wait until every message has failed more often than the old code
    // tried before giving up for good (4 attempts in 21 s).
    eventually("three messages failing a fifth time", || async {
        let rows = outbox_rows(&database);
        Ok((rows.len() == 3 && rows.iter().all(|(_, attempts)| *attempts >= 5)).then_some(()))
    })
    .await
    .unwrap();
    // Two more, and the kill right after their 200s: they may not even be handled yet.
    for user in &users[3..5] {
        assert_eq!(first.request_recovery(user).await, StatusCode::OK);
    }
    first.kill_9();

    let second = ServerProcess::start(&flags);
    assert_eq!(second.request_recovery(&users[5]).await, StatusCode::OK);
    // Still no relay: everything waits in the database, nothing is lost.
    eventually("all six messages in the outbox", || async {
        Ok((outbox_rows(&database).len() == 6).then_some(()))
    })
    .await
    .unwrap();
    assert_eq!(pending_requests(&database), 0);

    let messages = start_relay_on(port, None);
    wait_for_messages(&messages, 6).await;
    // Once the outbox table is empty no delivery is left to happen: count what arrived.
    eventually("an empty outbox table", || async {
        Ok(outbox_rows(&database).is_empty().then_some(()))
    })
    .await
    .unwrap();
    let received = messages.lock().unwrap().clone();
    for user in &users {
        let mails: Vec<Mail> = received
            .iter()
            .filter(|message| message.to == [user.clone()])
            .map(|message| Mail::parse(&message.data))
            .collect();
        assert_eq!(mails.len(), 1, "mail to {user}: {mails:?}");
        assert!(mails[0].reset_link().contains("/reset?token="), "{mails:?}");
    }
    // The links work: one of those mailed before the kill resets its password.
    let mail = received
        .iter()
        .find(|message| message.to == [users[0].clone()])
        .map(|message| Mail::parse(&message.data))
        .unwrap();
    let reset = reclaim_testkit::http_client()
        .post(format!("{}/account/reset-password", second.url))
        .json(&serde_json::json!({ "token": mail.token(), "new_password": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::OK);
}

#[tokio::test]
async fn mail_is_given_up_only_after_its_retry_period() {
    // The 24-hour default, shortened to one second: retried meanwhile, then dropped and logged.
    let app = TestServer::builder()
        .without_outbox()
        .flag("--smtp-url", format!("smtp://127.0.0.1:{}", free_port()))
        .flags(&["--mail-retry-first-ms", "50", "--mail-retry-for-secs", "1"])
        .start()
        .await;
    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    eventually("a message retried twice", || async {
        let rows = outbox_rows(&app.database);
        Ok(rows
            .iter()
            .any(|(_, attempts)| *attempts >= 2)
            .then_some(()))
    })
    .await
    .unwrap();
    eventually("the message given up", || async {
        Ok(outbox_rows(&app.database).is_empty().then_some(()))
    })
    .await
    .unwrap();
}
