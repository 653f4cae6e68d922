//! Mail over a real SMTP connection: an in-process SMTP server (mailin-embedded) on a local
//! port receives what lettre sends, and the link it carries resets the password; over
//! STARTTLS with a test certificate when TLS is required.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::relay::{
    free_port, start_refusing_relay, start_relay, start_relay_on, test_certificate,
    wait_for_messages,
};

#[tokio::test]
async fn reset_link_arrives_over_smtp() {
    let (port, messages) = start_relay();
    let smtp_url = format!("smtp://127.0.0.1:{port}");
    let app = TestServer::builder()
        .without_outbox()
        .flag("--smtp-url", &smtp_url)
        .start()
        .await;

    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    let received = wait_for_messages(&messages, 1).await.remove(0);
    assert_eq!(received.from, "no-reply@localhost");
    assert_eq!(received.to, vec![ALICE.to_owned()]);
    let mail = Mail::parse(&received.data);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Reset your password")
    );
    let link = mail.reset_link();
    assert!(
        link.starts_with(&format!("{}/reset?token=", app.url)),
        "{link}"
    );
    // Nothing went to the outbox: SMTP replaced it.
    assert!(app.outbox.mails().is_empty());

    assert_eq!(
        app.reset_password(&mail.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(ALICE, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let notice = Mail::parse(&wait_for_messages(&messages, 2).await.remove(1).data);
    assert_eq!(
        notice.header("Subject").as_deref(),
        Some("Your password was changed")
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_does_not_change_the_answer() {
    let port = free_port();
    let app = TestServer::builder()
        .without_outbox()
        .flag("--smtp-url", format!("smtp://127.0.0.1:{port}"))
        .start()
        .await;
    let (status, _, body) = json_of(app.request_recovery(ALICE).await).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!({})));
}

#[tokio::test]
async fn starttls_to_a_local_relay_with_a_test_certificate() {
    let certificates = tempfile::tempdir().unwrap();
    let ca_file = test_certificate(certificates.path());
    let port = free_port();
    let messages = start_relay_on(port, Some(certificates.path()));
    // On loopback plain SMTP is allowed; ?tls=required makes it STARTTLS or nothing, as it
    // always is for a relay elsewhere. Delivery only succeeds after a verified handshake.
    let app = TestServer::builder()
        .without_outbox()
        .flag(
            "--smtp-url",
            format!("smtp://127.0.0.1:{port}?tls=required"),
        )
        .flag("--smtp-ca-file", ca_file.display())
        .start()
        .await;
    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    let received = wait_for_messages(&messages, 1).await.remove(0);
    assert_eq!(received.to, vec![ALICE.to_owned()]);
    let mail = Mail::parse(&received.data);
    assert_eq!(
        app.reset_password(&mail.token(), NEW_PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn required_tls_is_never_downgraded() {
    // A relay that offers no STARTTLS, and one whose certificate is not trusted: with TLS
    // required neither gets the message; it stays in the outbox, failing.
    let certificates = tempfile::tempdir().unwrap();
    test_certificate(certificates.path());
    let plain = start_relay();
    let untrusted_port = free_port();
    let untrusted = start_relay_on(untrusted_port, Some(certificates.path()));
    for (port, messages) in [(plain.0, &plain.1), (untrusted_port, &untrusted)] {
        let app = TestServer::builder()
            .without_outbox()
            .flag(
                "--smtp-url",
                format!("smtp://127.0.0.1:{port}?tls=required"),
            )
            .flags(&["--mail-retry-first-ms", "50"])
            .start()
            .await;
        assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
        let error = eventually("a failed TLS delivery attempt", || async {
            let connection = rusqlite::Connection::open(&app.database)?;
            let error: Option<String> = connection.query_row(
                "SELECT max(last_error) FROM outbox WHERE attempts >= 2",
                [],
                |row| row.get(0),
            )?;
            Ok(error)
        })
        .await
        .unwrap();
        assert!(messages.lock().unwrap().is_empty(), "{error}");
    }
}

#[tokio::test]
async fn a_relays_refusal_is_recorded_by_its_code_without_the_address() {
    let port = start_refusing_relay();
    let (dir, database) = database_with(&[(ALICE, ALICE_PASSWORD)]).await;
    let log = dir.path().join("server.log");
    let flags: Vec<String> = [
        "--database",
        database.to_str().unwrap(),
        "--smtp-url",
        &format!("smtp://127.0.0.1:{port}"),
        "--mail-retry-first-ms",
        "50",
    ]
    .map(String::from)
    .into();
    let server = ServerProcess::start_logging_to(&flags, &log);
    assert_eq!(server.request_recovery(ALICE).await, StatusCode::OK);
    let recorded = eventually("two refused delivery attempts", || async {
        let error: Option<String> = with_database(&database, |db| {
            db.query_row(
                "SELECT max(last_error) FROM outbox WHERE attempts >= 2",
                [],
                |row| row.get(0),
            )
        })?;
        Ok(error)
    })
    .await
    .unwrap();
    assert_eq!(recorded, "SMTP reply 550 (permanent)");
    drop(server);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("SMTP reply 550 (permanent)"), "{logged}");
    for trace in [ALICE, "Recipient address rejected"] {
        assert!(!logged.contains(trace), "{trace:?} in the log:\n{logged}");
    }
}
