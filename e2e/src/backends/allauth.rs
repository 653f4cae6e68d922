//! django-allauth's headless API (`scripts/allauth/serve.py`), through its app client
//! (`/_allauth/app/v1/…`). Two instances, since the mode is server-wide: [`allauth`] mails
//! reset links to `<pages>/reset?key=…`, [`allauth_codes`] mails codes (`XZDR-QKHR`) instead
//! (`ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED`), its pages running `backends/allauth-codes.json`.

use std::sync::OnceLock;

use anyhow::{ensure, Context, Result};
use reclaim_testkit::http_client;
use serde_json::{json, Value};

use super::{links_starting, shared, venv_python, HostProgram, Hosted, RecoveryBackend};

/// The app client's base path.
pub const APP: &str = "/_allauth/app/v1";

/// A running allauth instance and the pages in front of it.
pub struct Allauth {
    pub hosted: Hosted,
    /// Whether it mails codes rather than links.
    pub codes: bool,
}

/// The shared instance that mails reset links, started on first use.
pub fn allauth() -> Result<&'static Allauth> {
    static LINKS: OnceLock<Result<Allauth, String>> = OnceLock::new();
    shared(&LINKS, "django-allauth", || Allauth::start(false))
}

/// The shared instance that mails reset codes, started on first use.
pub fn allauth_codes() -> Result<&'static Allauth> {
    static CODES: OnceLock<Result<Allauth, String>> = OnceLock::new();
    shared(&CODES, "django-allauth (codes)", || Allauth::start(true))
}

impl Allauth {
    fn start(codes: bool) -> Result<Allauth> {
        let python = venv_python("allauth")?;
        let hosted = Hosted::start(HostProgram {
            // The shipped descriptions, as a deployer of each mode would name them.
            backend: if codes { "allauth-codes" } else { "allauth" },
            command: Box::new(move |layout| {
                let mut command = vec![python.into(), layout.script("scripts/allauth/serve.py")];
                command.extend(layout.common_args());
                command.extend([
                    "--database".into(),
                    layout.dir.join("allauth.sqlite3").into(),
                ]);
                if codes {
                    command.push("--reset-by-code".into());
                }
                command
            }),
            ready_line: "Starting development server at",
        })?;
        Ok(Allauth { hosted, codes })
    }

    /// An absolute URL of the app client's `path` (`/auth/password/request`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{APP}{path}", self.hosted.api)
    }

    /// POSTs `body` as JSON to the app client's `path`, with the session token when given;
    /// gives the status and the body.
    pub async fn post(
        &self,
        path: &str,
        body: Value,
        session_token: Option<&str>,
    ) -> Result<(u16, Value)> {
        let mut request = http_client().post(self.url(path)).json(&body);
        if let Some(token) = session_token {
            request = request.header("X-Session-Token", token);
        }
        let answer = request.send().await?;
        let status = answer.status().as_u16();
        Ok((status, answer.json().await.unwrap_or(Value::Null)))
    }

    /// The `count`th reset code mailed to `email` (waiting for it), as mailed (`XZDR-QKHR`).
    pub async fn wait_for_code(&self, email: &str, count: usize) -> Result<String> {
        ensure!(self.codes, "this allauth instance mails links, not codes");
        self.hosted
            .wait_for_nth("a reset code", email, count, |hosted, email| {
                hosted
                    .eml_mails()
                    .into_iter()
                    .filter(|mail| mail.is_to(email))
                    // The code is on a line of its own, in every language the mail speaks
                    // (an unknown address's mail has none).
                    .filter_map(|mail| {
                        mail.body()
                            .lines()
                            .map(str::trim)
                            .find(|line| is_code(line))
                            .map(str::to_owned)
                    })
                    .collect()
            })
            .await
    }
}

/// allauth's code shape: two groups of four capitals or digits, dashed.
fn is_code(line: &str) -> bool {
    let bytes = line.as_bytes();
    bytes.len() == 9
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 => *b == b'-',
            _ => b.is_ascii_uppercase() || b.is_ascii_digit(),
        })
}

impl RecoveryBackend for Allauth {
    fn hosted(&self) -> &Hosted {
        &self.hosted
    }

    /// Signs up through the app client (no email verification is asked for).
    async fn create_user(&self, email: &str, password: &str) -> Result<()> {
        let (status, body) = self
            .post(
                "/auth/signup",
                json!({ "email": email, "password": password }),
                None,
            )
            .await?;
        ensure!(status == 200, "signup answered {status}: {body}");
        Ok(())
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<bool> {
        let (status, body) = self
            .post(
                "/auth/login",
                json!({ "email": email, "password": password }),
                None,
            )
            .await?;
        ensure!(
            status == 200 || status == 400,
            "login answered {status}: {body}"
        );
        Ok(status == 200)
    }

    /// The app client's session token from a login.
    async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        let (status, body) = self
            .post(
                "/auth/login",
                json!({ "email": email, "password": password }),
                None,
            )
            .await?;
        ensure!(status == 200, "login answered {status}: {body}");
        let token = body["meta"]["session_token"].as_str();
        token
            .map(str::to_owned)
            .with_context(|| format!("no session token in {body}"))
    }

    /// `GET /auth/session` with the token: 200 while signed in; 401 (signed out) or 410 (the
    /// session is gone) after.
    async fn session_alive(&self, session: &str) -> Result<bool> {
        let answer = http_client()
            .get(self.url("/auth/session"))
            .header("X-Session-Token", session)
            .send()
            .await?;
        let status = answer.status().as_u16();
        ensure!(
            [200, 401, 410].contains(&status),
            "the session answered {status}: {}",
            answer.text().await.unwrap_or_default()
        );
        Ok(status == 200)
    }

    /// `<pages>/reset?key=…`, from the "Password Reset Email" (an unknown address gets an
    /// "Unknown Account" mail with no such link).
    async fn wait_for_reset_link(&self, email: &str, count: usize) -> Result<String> {
        ensure!(!self.codes, "this allauth instance mails codes, not links");
        self.hosted
            .wait_for_nth("a reset link", email, count, |hosted, email| {
                let prefix = hosted.page("/reset?key=");
                hosted
                    .eml_mails()
                    .iter()
                    .filter(|mail| mail.is_to(email))
                    .flat_map(|mail| links_starting(mail, &prefix))
                    .collect()
            })
            .await
    }
}
