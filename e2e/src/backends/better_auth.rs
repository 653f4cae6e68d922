//! Better Auth (`scripts/better-auth/serve.mjs`) at its default base path `/api/auth`, with
//! email and password (reset links, at least [`MIN_PASSWORD_LENGTH`] characters) and the
//! emailOTP plugin (reset codes). Its "mails" are JSON files: `{"kind":"reset-link","to",
//! "url","token"}` and `{"kind":"forget-password","to","otp"}`.

use std::sync::OnceLock;

use anyhow::{ensure, Context, Result};
use reclaim_testkit::http_client;
use serde_json::{json, Value};

use super::{shared, HostProgram, Hosted, RecoveryBackend};

/// Better Auth's default base path.
pub const BASE: &str = "/api/auth";
/// What the host program is started with (Better Auth's own default is 8).
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// The running Better Auth host and the pages in front of it.
pub struct BetterAuth {
    pub hosted: Hosted,
}

/// The shared instance, started on first use.
pub fn better_auth() -> Result<&'static BetterAuth> {
    static BETTER_AUTH: OnceLock<Result<BetterAuth, String>> = OnceLock::new();
    shared(&BETTER_AUTH, "Better Auth", BetterAuth::start)
}

impl BetterAuth {
    fn start() -> Result<BetterAuth> {
        let modules = crate::cache_dir()?.join("better-auth/node_modules");
        ensure!(
            modules.join("better-sqlite3/build/Release").exists(),
            "{} has no better-sqlite3 build: run scripts/setup.sh (or `make test`)",
            modules.display()
        );
        let hosted = Hosted::start(HostProgram {
            backend: "better-auth",
            command: Box::new(move |layout| {
                let mut command = vec![
                    "node".into(),
                    layout.script("scripts/better-auth/serve.mjs"),
                ];
                command.extend(layout.common_args());
                command.extend([
                    "--database".into(),
                    layout.dir.join("better-auth.sqlite3").into(),
                    "--min-password-length".into(),
                    MIN_PASSWORD_LENGTH.to_string().into(),
                    "--modules".into(),
                    modules.into(),
                ]);
                command
            }),
            ready_line: "listening on",
        })?;
        Ok(BetterAuth { hosted })
    }

    /// An absolute URL of `path` under the base path (`/request-password-reset`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{BASE}{path}", self.hosted.api)
    }

    /// POSTs `body` as JSON to `path` from the pages' origin (as a browser on the pages
    /// would); gives the status and the body.
    pub async fn post(&self, path: &str, body: Value) -> Result<(u16, Value)> {
        let answer = http_client()
            .post(self.url(path))
            .header("Origin", &self.hosted.pages)
            .json(&body)
            .send()
            .await?;
        let status = answer.status().as_u16();
        Ok((status, answer.json().await.unwrap_or(Value::Null)))
    }

    /// Every JSON "mail" of `kind` to `email` now, oldest first.
    fn mails(&self, kind: &str, email: &str) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(&self.hosted.mail_dir) else {
            return Vec::new();
        };
        // The host writes a hidden file and renames it: a visible name is a whole file.
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".json") && !name.starts_with('.'))
            .collect();
        names.sort();
        names
            .iter()
            .filter_map(|name| std::fs::read(self.hosted.mail_dir.join(name)).ok())
            .filter_map(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .filter(|mail| mail["kind"] == kind && mail["to"] == email)
            .collect()
    }

    /// The `count`th reset code (emailOTP, 6 digits) mailed to `email`, waiting for it.
    pub async fn wait_for_code(&self, email: &str, count: usize) -> Result<String> {
        self.hosted
            .wait_for_nth("a reset code", email, count, |_, email| {
                self.mails("forget-password", email)
                    .iter()
                    .filter_map(|mail| mail["otp"].as_str().map(str::to_owned))
                    .collect()
            })
            .await
    }
}

impl RecoveryBackend for BetterAuth {
    fn hosted(&self) -> &Hosted {
        &self.hosted
    }

    async fn create_user(&self, email: &str, password: &str) -> Result<()> {
        let (status, body) = self
            .post(
                "/sign-up/email",
                json!({ "email": email, "password": password, "name": "Test" }),
            )
            .await?;
        ensure!(status == 200, "sign-up answered {status}: {body}");
        Ok(())
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<bool> {
        let (status, body) = self
            .post(
                "/sign-in/email",
                json!({ "email": email, "password": password }),
            )
            .await?;
        ensure!(
            status == 200 || status == 401,
            "sign-in answered {status}: {body}"
        );
        Ok(status == 200)
    }

    /// The session cookie a sign-in sets (`better-auth.session_token=…`).
    async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        let answer = http_client()
            .post(self.url("/sign-in/email"))
            .header("Origin", &self.hosted.pages)
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await?;
        let status = answer.status().as_u16();
        ensure!(
            status == 200,
            "sign-in answered {status}: {}",
            answer.text().await.unwrap_or_default()
        );
        let cookie = answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next())
            .find(|pair| pair.starts_with("better-auth.session_token="));
        cookie
            .map(str::to_owned)
            .with_context(|| format!("no session cookie in {:?}", answer.headers()))
    }

    /// `GET /get-session` with the cookie: the session, or `null` once it has ended.
    async fn session_alive(&self, session: &str) -> Result<bool> {
        let answer = http_client()
            .get(self.url("/get-session"))
            .header("Cookie", session)
            .send()
            .await?;
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        ensure!(status == 200, "get-session answered {status}: {body}");
        Ok(!body["session"].is_null())
    }

    /// Better Auth's own link, `<api>/api/auth/reset-password/<token>?callbackURL=<redirectTo>`,
    /// which redirects to `<redirectTo>?token=…` (or `?error=INVALID_TOKEN`).
    async fn wait_for_reset_link(&self, email: &str, count: usize) -> Result<String> {
        self.hosted
            .wait_for_nth("a reset link", email, count, |_, email| {
                self.mails("reset-link", email)
                    .iter()
                    .filter_map(|mail| mail["url"].as_str().map(str::to_owned))
                    .collect()
            })
            .await
    }
}
