//! PocketBase (`scripts/pocketbase/serve.py`): its `users` collection, with the reset mail's
//! link pointed at `<pages>/reset?token={TOKEN}`, passwords of at least
//! [`MIN_PASSWORD_LENGTH`] characters, and mail caught over SMTP into `.eml` files.

use std::sync::OnceLock;

use anyhow::Result;
use anyhow::{ensure, Context};
use reclaim_testkit::http_client;
use serde_json::{json, Value};

use super::{links_starting, shared, venv_python, HostProgram, Hosted, RecoveryBackend};

/// The `users` collection's records API.
pub const USERS: &str = "/api/collections/users";
/// What the host program sets the `users` collection's password field to (PocketBase's own
/// default is 8, the pages' too): a deployer's rule the pages do not know.
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// The running PocketBase and the pages in front of it.
pub struct PocketBase {
    pub hosted: Hosted,
}

/// The shared instance, started on first use.
pub fn pocketbase() -> Result<&'static PocketBase> {
    static POCKETBASE: OnceLock<Result<PocketBase, String>> = OnceLock::new();
    shared(&POCKETBASE, "PocketBase", PocketBase::start)
}

impl PocketBase {
    fn start() -> Result<PocketBase> {
        let python = venv_python("pocketbase")?;
        let hosted = Hosted::start(HostProgram {
            backend: "pocketbase",
            command: Box::new(move |layout| {
                let mut command = vec![python.into(), layout.script("scripts/pocketbase/serve.py")];
                command.extend(layout.common_args());
                command.extend([
                    "--data-dir".into(),
                    layout.dir.join("pb_data").into(),
                    "--min-password-length".into(),
                    MIN_PASSWORD_LENGTH.to_string().into(),
                ]);
                command
            }),
            // Printed once SMTP and the reset template are set, after the port opens.
            ready_line: "listening on",
        })?;
        Ok(PocketBase { hosted })
    }

    /// An absolute URL of `path` under the `users` collection (`/request-password-reset`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{USERS}{path}", self.hosted.api)
    }

    /// POSTs `body` as JSON to `path` under the `users` collection; gives the status and the
    /// body (`Null` when empty, as PocketBase's 204s are).
    pub async fn post(&self, path: &str, body: Value) -> Result<(u16, Value)> {
        let answer = http_client()
            .post(self.url(path))
            .json(&body)
            .send()
            .await?;
        let status = answer.status().as_u16();
        Ok((status, answer.json().await.unwrap_or(Value::Null)))
    }
}

impl RecoveryBackend for PocketBase {
    fn hosted(&self) -> &Hosted {
        &self.hosted
    }

    /// Creates a `users` record (the collection's create rule lets anyone).
    async fn create_user(&self, email: &str, password: &str) -> Result<()> {
        let (status, body) = self
            .post(
                "/records",
                json!({ "email": email, "password": password, "passwordConfirm": password }),
            )
            .await?;
        ensure!(
            status == 200,
            "creating the record answered {status}: {body}"
        );
        Ok(())
    }

    async fn sign_in(&self, email: &str, password: &str) -> Result<bool> {
        let (status, body) = self
            .post(
                "/auth-with-password",
                json!({ "identity": email, "password": password }),
            )
            .await
            .context("auth-with-password")?;
        ensure!(
            status == 200 || status == 400,
            "auth-with-password answered {status}: {body}"
        );
        Ok(status == 200)
    }

    /// The auth token `auth-with-password` gives.
    async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        let (status, body) = self
            .post(
                "/auth-with-password",
                json!({ "identity": email, "password": password }),
            )
            .await?;
        ensure!(
            status == 200,
            "auth-with-password answered {status}: {body}"
        );
        let token = body["token"].as_str();
        token
            .map(str::to_owned)
            .with_context(|| format!("no token in {body}"))
    }

    /// `POST /auth-refresh` with the token: 200 while it is valid, 401 once it is not (a
    /// token is signed with the record's `tokenKey`).
    async fn session_alive(&self, session: &str) -> Result<bool> {
        let answer = http_client()
            .post(self.url("/auth-refresh"))
            .header("Authorization", session)
            .send()
            .await?;
        let status = answer.status().as_u16();
        ensure!(
            status == 200 || status == 401,
            "auth-refresh answered {status}: {}",
            answer.text().await.unwrap_or_default()
        );
        Ok(status == 200)
    }

    /// `<pages>/reset?token=…` from the reset mail's text part (quoted-printable, decoded).
    async fn wait_for_reset_link(&self, email: &str, count: usize) -> Result<String> {
        self.hosted
            .wait_for_nth("a reset link", email, count, |hosted, email| {
                let prefix = hosted.page("/reset?token=");
                hosted
                    .eml_mails()
                    .iter()
                    .filter(|mail| mail.is_to(email))
                    // The mail has a text part and an HTML part with the same link.
                    .filter_map(|mail| links_starting(mail, &prefix).into_iter().next())
                    .collect()
            })
            .await
    }
}
