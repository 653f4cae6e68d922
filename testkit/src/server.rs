//! A real server per test: fresh database and outbox in a temporary folder, port 0, a
//! configuration from command-line flags only. No mocks between the test and the socket.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use reclaim_server::{RunningServer, ServeConfig};
use reqwest::Response;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::{form_encode, http_client, Mail, MailKind, Outbox};

/// The account every test server starts with.
pub const ALICE: &str = "alice@example.com";
pub const ALICE_PASSWORD: &str = "old and forgotten passphrase";

/// What is different about a test's server, and the folder it will live in.
pub struct Builder {
    dir: TempDir,
    flags: Vec<String>,
    outbox: bool,
}

impl Builder {
    /// The server's folder, e.g. to write a `dist/` into before [`Builder::start`].
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// An extra `serve` flag and its value, as a person would type it.
    pub fn flag(mut self, name: &str, value: impl ToString) -> Self {
        self.flags.extend([name.to_owned(), value.to_string()]);
        self
    }

    /// Extra `serve` flags, e.g. `&["--token-lifetime-secs", "1"]`.
    pub fn flags(mut self, flags: &[&str]) -> Self {
        self.flags.extend(flags.iter().map(|flag| flag.to_string()));
        self
    }

    /// No `--outbox`: mail goes wherever the flags say (e.g. `--smtp-url`).
    pub fn without_outbox(mut self) -> Self {
        self.outbox = false;
        self
    }

    /// Creates alice's account and starts the server. Panics if it cannot.
    pub async fn start(self) -> TestServer {
        reclaim_server::init_tracing();
        let database = self.dir.path().join("reclaim.db");
        let outbox = self.dir.path().join("outbox");
        reclaim_server::add_user(&database, ALICE, ALICE_PASSWORD)
            .await
            .expect("creating alice's account");
        let mut args: Vec<String> = ["serve", "--addr", "127.0.0.1:0", "--database"]
            .map(String::from)
            .into();
        args.push(database.display().to_string());
        if self.outbox {
            args.extend(["--outbox".to_owned(), outbox.display().to_string()]);
        }
        args.extend(self.flags);
        let server = reclaim_server::start(hermetic_config(&args))
            .await
            .expect("starting reclaim-server");
        TestServer {
            url: server.url(),
            server: Mutex::new(Some(server)),
            client: http_client(),
            database,
            outbox: Outbox::new(outbox),
            _dir: self.dir,
        }
    }
}

/// A running `reclaim_server` with its own folder, removed when this is dropped.
pub struct TestServer {
    /// The origin, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub url: String,
    pub client: reqwest::Client,
    pub database: PathBuf,
    pub outbox: Outbox,
    server: Mutex<Option<RunningServer>>,
    _dir: TempDir,
}

impl TestServer {
    /// A server with default settings and alice's account.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A server to configure before it starts.
    pub fn builder() -> Builder {
        Builder {
            dir: tempfile::Builder::new()
                .prefix("reclaim-test-")
                .tempdir()
                .expect("creating a temporary folder"),
            flags: Vec::new(),
            outbox: true,
        }
    }

    /// An absolute URL on the server for `path` (`/recover`).
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// The server's folder (database, outbox, anything a test put there).
    pub fn dir(&self) -> &Path {
        self._dir.path()
    }

    pub async fn add_user(&self, email: &str, password: &str) {
        reclaim_server::add_user(&self.database, email, password)
            .await
            .expect("adding a user");
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(self.client.get(self.url_for(path))).await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Response {
        let request = self
            .client
            .post(self.url_for(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned());
        self.send(request).await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(self.client.post(self.url_for(path)).json(&body))
            .await
    }

    /// Sends `request`; panics if no answer comes (the server is in-process: that is a bug).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        request
            .send()
            .await
            .expect("sending a request to the server")
    }

    /// Asks for a reset link for `email` (form encoded, as existing clients do).
    pub async fn request_recovery(&self, email: &str) -> Response {
        let body = format!("email={}", form_encode(email));
        self.post_form("/account/recovery", &body).await
    }

    pub async fn reset_password(&self, token: &str, new_password: &str) -> Response {
        let body = json!({ "token": token, "new_password": new_password });
        self.post_json("/account/reset-password", body).await
    }

    /// Sets a new password with the code mailed to `email`, as typed (JSON).
    pub async fn reset_password_with_code(
        &self,
        email: &str,
        code: &str,
        new_password: &str,
    ) -> Response {
        let body = json!({ "email": email, "code": code, "new_password": new_password });
        self.post_json("/account/reset-password", body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let body = json!({ "email": email, "password": password });
        self.post_json("/account/login", body).await
    }

    /// Signs in as a browser would and gives the session cookie to send back (`Cookie:` header
    /// value, `reclaim_session=…`); `None` when the sign-in is refused.
    pub async fn sign_in(&self, email: &str, password: &str) -> Option<String> {
        let response = self.login(email, password).await;
        if response.status() != reqwest::StatusCode::OK {
            return None;
        }
        let set_cookie = response.headers().get("set-cookie")?.to_str().ok()?;
        Some(set_cookie.split(';').next()?.trim().to_owned())
    }

    /// `GET /account/session` with `cookie` (from [`TestServer::sign_in`]): 200 while that
    /// session lives, 401 `not_signed_in` once it has ended.
    pub async fn session(&self, cookie: &str) -> Response {
        let request = self
            .client
            .get(self.url_for("/account/session"))
            .header("cookie", cookie);
        self.send(request).await
    }

    /// A new reset link for `email`, through the API and the outbox.
    pub async fn request_reset_link(&self, email: &str) -> String {
        self.request_reset_mail(email).await.reset_link()
    }

    /// A new reset mail for `email` (its link and its code), through the API and the outbox.
    pub async fn request_reset_mail(&self, email: &str) -> Mail {
        let before = self.outbox.mails_of(MailKind::Reset, email).len();
        let status = self.request_recovery(email).await.status();
        assert_eq!(status, reqwest::StatusCode::OK, "asking for a reset link");
        let mut mails = self
            .outbox
            .wait_for(MailKind::Reset, email, before + 1)
            .await;
        mails.pop().unwrap()
    }

    /// Stops the server, waiting for queued requests and mail (see `RunningServer::shutdown`).
    pub async fn shutdown(&self) {
        let server = self.server.lock().unwrap().take();
        if let Some(server) = server {
            server.shutdown().await;
        }
    }
}

/// `ServeConfig::parse_from(args)`, blind to `RECLAIM_*` variables that the environment of
/// the test run may hold (e.g. `RECLAIM_DIST`, exported for the end-to-end tests).
fn hermetic_config(args: &[String]) -> ServeConfig {
    use clap::{CommandFactory, FromArgMatches};
    let command = ServeConfig::command().mut_args(|arg| arg.env(None::<&str>));
    let matches = command
        .try_get_matches_from(args)
        .unwrap_or_else(|e| panic!("serve flags {args:?}: {e}"));
    ServeConfig::from_arg_matches(&matches).expect("serve flags")
}
