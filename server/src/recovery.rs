//! The recovery worker: everything `POST /account/recovery` does after it has answered.
//!
//! The handler only parses the address and queues it, so its answer and timing are the same
//! whether or not an account exists. This task then looks the account up and, if there is
//! one, stores a new token and hands the mail to the mailer.

use std::sync::Arc;
use std::time::Duration;

use reclaim_contract::link::{reset_link, reset_page_url};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

use crate::domain::{EmailAddress, SecretToken};
use crate::mail::{MailKind, Mailer, ResetLink};
use crate::store::Database;

/// Requests waiting for the worker. Rate limits keep this from filling; if it does fill (a
/// flood from many IPs), further requests are dropped with a warning rather than slowing the
/// answers or growing memory.
const QUEUE_CAPACITY: usize = 1024;

/// What the worker needs to issue a token and build the link.
#[derive(Debug, Clone)]
pub struct RecoverySettings {
    /// Where the pages are: links are `{public_url}/reset?token=…`.
    pub public_url: Url,
    pub token_lifetime: Duration,
    pub max_live_tokens: usize,
}

/// The handler's side of the queue.
#[derive(Clone)]
pub struct RecoveryQueue {
    sender: mpsc::Sender<EmailAddress>,
}

impl RecoveryQueue {
    /// Queues a request without waiting, so the caller's timing does not depend on the worker.
    pub fn enqueue(&self, email: EmailAddress) {
        if let Err(error) = self.sender.try_send(email) {
            tracing::warn!(%error, "recovery queue full or closed: request dropped");
        }
    }
}

/// Starts the worker. It stops once every [`RecoveryQueue`] clone is dropped and the queue is
/// drained.
pub fn spawn_worker(
    database: Database,
    mailer: Arc<Mailer>,
    settings: RecoverySettings,
) -> (RecoveryQueue, JoinHandle<()>) {
    let (sender, mut receiver) = mpsc::channel(QUEUE_CAPACITY);
    let worker = tokio::spawn(async move {
        while let Some(email) = receiver.recv().await {
            if let Err(error) = handle(&database, &mailer, &settings, &email).await {
                tracing::error!(error = format!("{error:#}"), "recovery request failed");
            }
        }
    });
    (RecoveryQueue { sender }, worker)
}

async fn handle(
    database: &Database,
    mailer: &Arc<Mailer>,
    settings: &RecoverySettings,
    email: &EmailAddress,
) -> anyhow::Result<()> {
    let Some(user) = database.find_user(email).await? else {
        // Nothing is sent: mailing "no account here" would let anyone probe for accounts
        // through someone else's inbox, and annoy its owner.
        tracing::debug!("recovery requested for an address without an account");
        return Ok(());
    };
    let token = SecretToken::generate();
    database
        .insert_reset_token(
            user.id,
            token.hash(),
            settings.token_lifetime,
            settings.max_live_tokens,
        )
        .await?;
    let link = mail_link(&settings.public_url, &token);
    if mailer.is_outbox() {
        // Development only: the person running the server locally has no inbox to click from.
        tracing::info!(link = %link.url, "outbox mode: password reset link");
    }
    let message = mailer.reset_message(&user.email, &link, settings.token_lifetime)?;
    mailer.send_in_background(MailKind::Reset, user.email, message);
    tracing::info!(user_id = user.id, "reset link issued");
    Ok(())
}

/// `{public_url}/reset?token=…`, with one slash before `reset` whether or not the public URL
/// ends with one.
/// The mailed link (the contract's shape on the configured public URL), its code, and the page
/// where the code can be typed.
fn mail_link(public_url: &Url, token: &SecretToken) -> ResetLink {
    let public_url = public_url.as_str().trim_end_matches('/');
    ResetLink {
        url: reset_link(public_url, token.expose()),
        code: token.expose().to_owned(),
        page: reset_page_url(public_url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_have_one_slash_before_reset() {
        let token = SecretToken::generate();
        for (public_url, expected) in [
            (
                "https://reclaim.example.com/",
                "https://reclaim.example.com/reset",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/reset"),
            ("https://example.com/app/", "https://example.com/app/reset"),
            ("https://example.com/app", "https://example.com/app/reset"),
        ] {
            let link = mail_link(&Url::parse(public_url).unwrap(), &token);
            assert_eq!(link.url, format!("{expected}?token={}", token.expose()));
            assert_eq!(link.code, token.expose());
            assert_eq!(link.page, expected);
        }
    }
}
