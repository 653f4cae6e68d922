//! Mail over a real SMTP connection: an in-process SMTP server (mailin-embedded) on a local
//! port receives what lettre sends, and the link it carries resets the password.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server};
use reqwest::StatusCode;

use crate::helpers::*;

/// One received message: the envelope and the raw data.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

/// Collects every message the SMTP server accepts.
#[derive(Clone, Default)]
struct Inbox {
    messages: Arc<Mutex<Vec<Received>>>,
    current: Received,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Received {
            from: from.to_owned(),
            to: to.to_vec(),
            data: Vec::new(),
        };
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.messages
            .lock()
            .unwrap()
            .push(std::mem::take(&mut self.current));
        OK
    }
}

/// Starts the SMTP server on a free port in a background thread (it runs until the test
/// process exits) and returns its port and inbox.
fn start_smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let messages = Arc::clone(&inbox.messages);
    let mut server = Server::new(inbox);
    server
        .with_name("smtp.test")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(error) = server.serve() {
            eprintln!("test SMTP server stopped: {error}");
        }
    });
    (port, messages)
}

#[tokio::test]
async fn reset_link_arrives_over_smtp() {
    let (port, messages) = start_smtp_server();
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
    // A port nothing listens on: bind, note the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = TestServer::builder()
        .without_outbox()
        .flag("--smtp-url", format!("smtp://127.0.0.1:{port}"))
        .start()
        .await;
    let (status, _, body) = json_of(app.request_recovery(ALICE).await).await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::json!({})));
}

async fn wait_for_messages(messages: &Arc<Mutex<Vec<Received>>>, count: usize) -> Vec<Received> {
    eventually(format!("{count} SMTP message(s)"), || async {
        let received = messages.lock().unwrap().clone();
        Ok((received.len() >= count).then_some(received))
    })
    .await
    .unwrap()
}
