//! A local SMTP relay for the tests: mailin-embedded on a loopback port, optionally offering
//! STARTTLS with a test certificate made by rcgen, collecting every message it accepts; or one
//! that refuses every recipient, repeating the address in its reply as many relays do.

use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use mailin_embedded::response::OK;
use mailin_embedded::{Handler, Response, Server, SslConfig};

use crate::helpers::eventually;

/// One received message: the envelope and the raw data.
#[derive(Debug, Clone, Default)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
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

/// Refuses every recipient with a permanent error that names it.
#[derive(Clone)]
struct Refusing;

impl Handler for Refusing {
    fn rcpt(&mut self, to: &str) -> Response {
        Response::custom(
            550,
            format!("5.1.1 <{to}>: Recipient address rejected: User unknown"),
        )
    }
}

/// Starts a relay that refuses every recipient on a free port; returns the port.
pub fn start_refusing_relay() -> u16 {
    let port = free_port();
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let mut server = Server::new(Refusing);
    server
        .with_name("smtp.test")
        .with_num_threads(1)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(error) = server.serve() {
            eprintln!("test SMTP server stopped: {error}");
        }
    });
    port
}

/// What the relay received so far.
pub type Messages = Arc<Mutex<Vec<Received>>>;

/// A loopback port nothing listens on (bound, noted, closed): a relay that is down.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts a plain relay on a free port in a background thread (it runs until the test process
/// exits) and returns its port and inbox.
pub fn start_relay() -> (u16, Messages) {
    let port = free_port();
    (port, start_relay_on(port, None))
}

/// A certificate for `127.0.0.1` and `localhost`, written as `cert.pem` and `key.pem` into
/// `dir`; returns the certificate's path (the CA file a client must trust).
pub fn test_certificate(dir: &Path) -> std::path::PathBuf {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .unwrap();
    let cert = dir.join("cert.pem");
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), certified.signing_key.serialize_pem()).unwrap();
    cert
}

/// Starts a relay on `port`; with `tls_dir` (holding [`test_certificate`]'s files) it offers
/// STARTTLS.
pub fn start_relay_on(port: u16, tls_dir: Option<&Path>) -> Messages {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let inbox = Inbox::default();
    let messages = Arc::clone(&inbox.messages);
    let mut server = Server::new(inbox);
    server
        .with_name("smtp.test")
        .with_num_threads(2)
        .with_tcp_listener(listener);
    if let Some(dir) = tls_dir {
        // mailin-embedded's rustls also brings aws-lc: name the provider for the process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        server
            .with_ssl(SslConfig::SelfSigned {
                cert_path: dir.join("cert.pem").display().to_string(),
                key_path: dir.join("key.pem").display().to_string(),
            })
            .unwrap();
    }
    std::thread::spawn(move || {
        if let Err(error) = server.serve() {
            eprintln!("test SMTP server stopped: {error}");
        }
    });
    messages
}

/// Waits until the relay holds at least `count` messages, and returns them all.
pub async fn wait_for_messages(messages: &Messages, count: usize) -> Vec<Received> {
    eventually(format!("{count} SMTP message(s)"), || async {
        let received = messages.lock().unwrap().clone();
        Ok((received.len() >= count).then_some(received))
    })
    .await
    .unwrap()
}
