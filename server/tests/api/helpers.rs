//! What the black-box tests share beyond the test kit (`reclaim-testkit`, which starts the
//! real server per test): the real binary as a process, clients on other loopback addresses,
//! raw requests, JSON error checks, the database's tables, and a small trunk-like build.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

pub use reclaim_testkit::{
    eventually, form_encode, Mail, MailKind, Outbox, TestServer, ALICE, ALICE_PASSWORD, PATIENCE,
};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::Value;

pub const NEW_PASSWORD: &str = "a brand new passphrase";

/// A server that also serves a small trunk-like build from `--dist` (see [`write_dist`]), with
/// a file beside the build that must never be served.
pub async fn spawn_with_dist() -> TestServer {
    let builder = TestServer::builder();
    let dist = builder.dir().join("dist");
    write_dist(&dist);
    std::fs::write(builder.dir().join("secret.txt"), "top secret").unwrap();
    builder.flag("--dist", dist.display()).start().await
}

/// The real binary, as a service manager would run it, so that it can be killed, restarted on
/// the same database, measured, and its log read.
pub struct ServerProcess {
    child: Child,
    pub url: String,
}

impl ServerProcess {
    /// Starts `reclaim-server serve` with `flags`, blind to `RECLAIM_*` variables, logging
    /// warnings and errors to the test's stderr, and waits for its "listening" line.
    pub fn start(flags: &[String]) -> Self {
        Self::spawn(flags, "warn", Stdio::inherit())
    }

    /// As [`Self::start`], with the default log level, written to `log`.
    pub fn start_logging_to(flags: &[String], log: &Path) -> Self {
        let file = std::fs::File::create(log).expect("creating the log file");
        Self::spawn(flags, "info", file.into())
    }

    /// As [`Self::start`], logging nothing: for floods, which would log a line per request.
    pub fn start_silent(flags: &[String]) -> Self {
        Self::spawn(flags, "off", Stdio::null())
    }

    fn spawn(flags: &[String], log_level: &str, stderr: Stdio) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_reclaim-server"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("RECLAIM_")) {
            command.env_remove(name);
        }
        let mut child = command
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(flags)
            .env("RUST_LOG", log_level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("starting reclaim-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("reclaim-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, url }
    }

    /// The resident memory of the process now, in KiB (Linux).
    pub fn resident_kib(&self) -> u64 {
        reclaim_testkit::memory_kib(&self.child.id().to_string(), "VmRSS")
            .expect("VmRSS in the server's /proc status")
    }

    pub async fn request_recovery(&self, email: &str) -> StatusCode {
        reclaim_testkit::http_client()
            .post(format!("{}/account/recovery", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("email={}", form_encode(email)))
            .send()
            .await
            .unwrap()
            .status()
    }

    /// SIGKILL: no shutdown, no draining, nothing flushed by the server.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the real binary's `serve` with `flags` and returns its exit status and stderr, or
/// `None` if it was still running after a few seconds (then it is killed).
pub fn run_serve(flags: &[&str]) -> Option<(ExitStatus, String)> {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_reclaim-server"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("RECLAIM_")) {
        command.env_remove(name);
    }
    let mut child = command
        .arg("serve")
        .args(["--database", dir.path().join("r.db").to_str().unwrap()])
        .args(flags)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            return Some((status, stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// An HTTP client whose requests come from `127.0.0.<source>`: another client to the server.
pub fn client_from(source: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, source)))
        .build()
        .unwrap()
}

/// Asks `app` for a reset link for `email` with `client`; the status.
pub async fn request_recovery_with(
    app: &TestServer,
    client: &reqwest::Client,
    email: &str,
) -> StatusCode {
    let request = client
        .post(app.url_for("/account/recovery"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}", form_encode(email)));
    app.send(request).await.status()
}

/// Whether `code` is live for `email`: a weak password is refused (422) only for a live code,
/// and spends nothing.
pub async fn code_is_live(app: &TestServer, email: &str, code: &str) -> bool {
    let status = app
        .reset_password_with_code(email, code, "short")
        .await
        .status();
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
    status == StatusCode::UNPROCESSABLE_ENTITY
}

/// Whether the link whose token is `token` is live: a weak password is refused (422) only
/// for a live link, and spends nothing.
pub async fn link_is_live(app: &TestServer, token: &str) -> bool {
    let status = app.reset_password(token, "short").await.status();
    assert!(
        status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::GONE,
        "{status}"
    );
    status == StatusCode::UNPROCESSABLE_ENTITY
}

/// A code of the contract's alphabet that `code` is not.
pub fn another_code(code: &str, n: usize) -> String {
    let alphabet = reclaim_contract::reset_code::ALPHABET.as_bytes();
    let mut other: Vec<u8> = code.bytes().collect();
    let at = other.len() - 1;
    let now = alphabet.iter().position(|&c| c == other[at]).unwrap();
    other[at] = alphabet[(now + 1 + n % (alphabet.len() - 1)) % alphabet.len()];
    String::from_utf8(other).unwrap()
}

/// A fresh folder with a database holding `accounts` (address and password each), for a
/// [`ServerProcess`]: the folder and the database's path.
pub async fn database_with(accounts: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("reclaim.db");
    for (email, password) in accounts {
        reclaim_server::add_user(&database, email, password)
            .await
            .unwrap();
    }
    (dir, database)
}

/// Runs one query on the database file `database` (the server's tables, read or changed as
/// an operator with `sqlite3` would).
pub fn with_database<T>(database: &Path, query: impl FnOnce(&rusqlite::Connection) -> T) -> T {
    let connection = rusqlite::Connection::open(database).unwrap();
    connection.busy_timeout(PATIENCE).unwrap();
    query(&connection)
}

/// A reset token for alice, through the real flow.
pub async fn alice_token(app: &TestServer) -> String {
    let link = app.request_reset_link(ALICE).await;
    token_of(&link)
}

/// The token of a mailed link, read as the pages read it (`?token=`, else `#token=`, whatever
/// else the link carries, e.g. `&lang=`). Panics if there is none.
pub fn token_of(link: &str) -> String {
    let (before, fragment) = link.split_once('#').unwrap_or((link, ""));
    let query = before.split_once('?').map_or("", |(_, query)| query);
    reclaim_contract::link::token_from_link(query, fragment)
        .unwrap_or_else(|| panic!("no token in {link}"))
}

/// Sends bytes as they are (no URL normalisation, any framing) and reads the whole answer.
/// The request should say `Connection: close`.
pub async fn raw_request(app: &TestServer, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // The server may answer (413) before reading everything; a failed write is fine then.
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

/// Status and parsed JSON body; panics if the body is not JSON.
pub async fn json_of(response: Response) -> (StatusCode, HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text:?}"));
    (status, headers, body)
}

/// Asserts the response is a JSON error with `code`, a message sentence and `status`.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    let (actual, headers, body) = json_of(response).await;
    assert_eq!(actual, status, "{body}");
    assert_eq!(headers["content-type"], "application/json", "{body}");
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {body}"));
    assert!(message.len() > 10 && message.ends_with('.'), "{body}");
    body
}

/// A small build like trunk's: an index with the inline loader script, hashed assets, a
/// route with its own index, and a wasm file large enough to be worth compressing.
pub fn write_dist(dist: &Path) {
    std::fs::create_dir_all(dist.join("recover")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(
        dist.join("recover/index.html"),
        "<!DOCTYPE html><title>Recover</title>\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef.js"),
        "export default function init() {}\n".repeat(20),
    )
    .unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..20_000u32).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(dist.join("reclaim-0123456789abcdef_bg.wasm"), wasm).unwrap();
    std::fs::write(dist.join("robots.txt"), "User-agent: *\n").unwrap();
}

pub const INDEX_HTML: &str = concat!(
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Reclaim</title>\n",
    "<link rel=\"modulepreload\" href=\"/reclaim-0123456789abcdef.js\" crossorigin=\"anonymous\">\n",
    "<script type=\"module\">",
    "\nimport init, * as bindings from '/reclaim-0123456789abcdef.js';\n",
    "const wasm = await init({ module_or_path: '/reclaim-0123456789abcdef_bg.wasm' });\n",
    "window.wasmBindings = bindings;\n",
    "</script>\n</head>\n<body><noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
);
