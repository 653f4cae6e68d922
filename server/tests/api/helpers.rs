//! A real server per test: fresh database and outbox in a temporary folder, port 0, and a
//! plain HTTP client. No mocks between the test and the socket.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reclaim_server::{RunningServer, ServeConfig};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub const ALICE: &str = "alice@example.com";
pub const ALICE_PASSWORD: &str = "old and forgotten passphrase";
pub const NEW_PASSWORD: &str = "a brand new passphrase";

/// How long a test waits for something the server does in the background.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct TestApp {
    server: Option<RunningServer>,
    pub url: String,
    pub client: reqwest::Client,
    pub database: PathBuf,
    pub outbox: PathBuf,
    /// Holds the folder (database, outbox, dist) until the test ends.
    _dir: TempDir,
}

impl TestApp {
    /// A server with default settings and alice's account.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// A server with extra `serve` flags, and alice's account.
    pub async fn spawn_with(extra_flags: &[&str]) -> Self {
        Self::spawn_in(tempfile::tempdir().unwrap(), extra_flags, true).await
    }

    /// A server that sends mail to `smtp_url` instead of the outbox.
    pub async fn spawn_with_smtp(smtp_url: &str) -> Self {
        Self::spawn_in(
            tempfile::tempdir().unwrap(),
            &["--smtp-url", smtp_url],
            false,
        )
        .await
    }

    /// A server that also serves a small trunk-like build from `--dist` (see [`write_dist`]).
    pub async fn spawn_with_dist() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("dist");
        write_dist(&dist);
        std::fs::write(dir.path().join("secret.txt"), "top secret").unwrap();
        let dist = dist.to_str().unwrap().to_owned();
        Self::spawn_in(dir, &["--dist", &dist], true).await
    }

    async fn spawn_in(dir: TempDir, extra_flags: &[&str], with_outbox: bool) -> Self {
        reclaim_server::init_tracing();
        let database = dir.path().join("reclaim.db");
        let outbox = dir.path().join("outbox");
        reclaim_server::add_user(&database, ALICE, ALICE_PASSWORD)
            .await
            .unwrap();
        let mut args = vec![
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--database",
            database.to_str().unwrap(),
        ];
        if with_outbox {
            args.extend(["--outbox", outbox.to_str().unwrap()]);
        }
        args.extend_from_slice(extra_flags);
        let server = reclaim_server::start(hermetic_config(&args)).await.unwrap();
        let url = server.url();
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        Self {
            server: Some(server),
            url,
            client,
            database,
            outbox,
            _dir: dir,
        }
    }

    pub async fn add_user(&self, email: &str, password: &str) {
        reclaim_server::add_user(&self.database, email, password)
            .await
            .unwrap();
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Response {
        self.client
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    /// Asks for a reset link for `email` (form encoded, as existing clients do).
    pub async fn request_recovery(&self, email: &str) -> Response {
        let body = format!("email={}", form_encode(email));
        self.post_form("/account/recovery", &body).await
    }

    pub async fn reset_password(&self, token: &str, new_password: &str) -> Response {
        self.post_json(
            "/account/reset-password",
            serde_json::json!({ "token": token, "new_password": new_password }),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/account/login",
            serde_json::json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Waits until the outbox holds at least `count` messages of `kind` ("reset" or
    /// "password-changed") for `recipient`, and returns them oldest first.
    pub async fn wait_for_mails(&self, kind: &str, recipient: &str, count: usize) -> Vec<Mail> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let mails = self.mails(kind, recipient);
            if mails.len() >= count {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "waited {PATIENCE:?} for {count} {kind} mail(s) to {recipient}, found {}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The latest message of `kind` for `recipient`, waiting for the first one.
    pub async fn wait_for_mail(&self, kind: &str, recipient: &str) -> Mail {
        self.wait_for_mails(kind, recipient, 1).await.pop().unwrap()
    }

    /// The messages of `kind` for `recipient` in the outbox now, oldest first.
    pub fn mails(&self, kind: &str, recipient: &str) -> Vec<Mail> {
        let suffix = format!("-{kind}-{}.eml", recipient.to_lowercase());
        outbox_files(&self.outbox)
            .into_iter()
            .filter(|path| {
                path.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .ends_with(&suffix)
            })
            .map(|path| Mail::parse(std::fs::read(&path).unwrap()))
            .collect()
    }

    /// Every message in the outbox now, of any kind and recipient.
    pub fn all_mails(&self) -> Vec<Mail> {
        outbox_files(&self.outbox)
            .into_iter()
            .map(|p| Mail::parse(std::fs::read(p).unwrap()))
            .collect()
    }

    /// A reset token for alice, through the real flow.
    pub async fn alice_token(&self) -> String {
        let before = self.mails("reset", ALICE).len();
        assert_eq!(self.request_recovery(ALICE).await.status(), StatusCode::OK);
        let mails = self.wait_for_mails("reset", ALICE, before + 1).await;
        mails.last().unwrap().token()
    }

    pub async fn shutdown(mut self) {
        self.server.take().unwrap().shutdown().await;
    }
}

/// `ServeConfig::parse_from(args)`, blind to `RECLAIM_*` variables that the environment of
/// the test run may hold (e.g. `RECLAIM_DIST`, exported for the end-to-end tests).
fn hermetic_config(args: &[&str]) -> ServeConfig {
    use clap::{CommandFactory, FromArgMatches};
    let command = ServeConfig::command().mut_args(|arg| arg.env(None::<&str>));
    ServeConfig::from_arg_matches(&command.get_matches_from(args)).unwrap()
}

/// The `.eml` files of an outbox, sorted by name (oldest first). Temporary files are hidden.
fn outbox_files(outbox: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_str().unwrap();
            name.ends_with(".eml") && !name.starts_with('.')
        })
        .collect();
    files.sort();
    files
}

/// One message as a client of the mail system would see it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub raw: String,
}

impl Mail {
    pub fn parse(raw: Vec<u8>) -> Self {
        Self {
            raw: String::from_utf8(raw).expect("mail is UTF-8"),
        }
    }

    /// The value of a top-level header.
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = self.raw.split_once("\r\n\r\n")?;
        head.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    pub fn body(&self) -> String {
        self.raw
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default()
    }

    /// The reset link: the line of the body holding `/reset?token=`.
    pub fn reset_link(&self) -> String {
        self.body()
            .lines()
            .map(str::trim)
            .find(|line| line.contains("/reset?token="))
            .unwrap_or_else(|| panic!("no reset link in:\n{}", self.raw))
            .to_owned()
    }

    pub fn token(&self) -> String {
        self.reset_link().split_once("token=").unwrap().1.to_owned()
    }
}

/// Sends bytes as they are (no URL normalisation, any framing) and reads the whole answer.
/// The request should say `Connection: close`.
pub async fn raw_request(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // The server may answer (413) before reading everything; a failed write is fine then.
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (byte as char).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
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

pub const INLINE_SCRIPT: &str =
    "\nimport init, * as bindings from '/reclaim-0123456789abcdef.js';\n\
    const wasm = await init({ module_or_path: '/reclaim-0123456789abcdef_bg.wasm' });\n\
    window.wasmBindings = bindings;\n";

pub const INDEX_HTML: &str = concat!(
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Reclaim</title>\n",
    "<link rel=\"modulepreload\" href=\"/reclaim-0123456789abcdef.js\" crossorigin=\"anonymous\">\n",
    "<script type=\"module\">",
    "\nimport init, * as bindings from '/reclaim-0123456789abcdef.js';\n",
    "const wasm = await init({ module_or_path: '/reclaim-0123456789abcdef_bg.wasm' });\n",
    "window.wasmBindings = bindings;\n",
    "</script>\n</head>\n<body><noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
);
