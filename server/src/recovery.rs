//! The recovery worker: everything `POST /account/recovery` does after it has answered.
//!
//! The handler parses the address and writes it to the `recovery_requests` table, the same
//! single insert whether or not an account exists, so its answer and timing tell nothing. This
//! task then reads the table in order, looks each account up and, if there is one, stores a new
//! token and its code, and the mail that carries both, in one transaction. After a crash or restart it resumes from the table.
//!
//! A request that fails is tried again a little later, [`MAX_ATTEMPTS`] times in all, then set
//! aside (kept in the table for a week, not retried) and logged, so requests that always fail
//! never hold up the others.
//!
//! An account gets at most `--recovery-per-email-daily-limit` reset mails a day, counted in the
//! database (see `store::tokens`). Past that, a client is sent a new link only when it holds no
//! live one: a flood from other clients can neither use up the person's own request nor revoke
//! the link they hold, while the inbox gets at most one mail per flooding client per link
//! lifetime.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reclaim_contract::link::{reset_fragment_link, reset_link, reset_page_url};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::config::{LimitConfig, LinkConfig, LinkStyle};
use crate::delivery::RetrySchedule;
use crate::domain::{
    Client, CodeKey, EmailAddress, Locale, ResetCode, ReturnAddress, ReturnOrigins, SecretToken,
};
use crate::mail::{MailKind, Mailer, ResetLink};
use crate::store::{Database, FailedRequest, IssueOutcome, RecoveryRequest, ResetGrant};

/// Requests read from the table at a time.
const BATCH: usize = 64;
/// Longest sleep between two looks at the table, in case a wake-up was missed.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// Attempts at a request before it is set aside.
pub const MAX_ATTEMPTS: u32 = 3;
/// The wait after a request's first failure; each further failure doubles it.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// When a failed request is tried again: the mail queue's doubling, from [`FIRST_RETRY`]. It
/// is set aside by its count of attempts ([`MAX_ATTEMPTS`]), not by age, so the schedule sets
/// no limit of its own.
const RETRIES: RetrySchedule = RetrySchedule {
    first: FIRST_RETRY,
    max: Duration::MAX,
    retry_for: Duration::MAX,
};

/// What the worker needs to issue a token and build the link.
#[derive(Debug, Clone)]
pub struct RecoverySettings {
    /// Where the pages are: links are `{public_url}/reset?token=…&lang=…` (or
    /// `/reset?lang=…#token=…`), with `&continue=…` when the request carried a return address.
    pub public_url: Url,
    /// The origins a link may send the person back to (`--continue-origin`).
    pub return_origins: ReturnOrigins,
    pub link_style: LinkStyle,
    pub token_lifetime: Duration,
    /// Unused links kept per account and client.
    pub max_live_tokens: usize,
    /// Reset mails per account per day before only clients without a live link get one
    /// (0: no cap).
    pub daily_mail_cap: u32,
    /// Requests answered but not yet handled, at most.
    pub max_backlog: usize,
    /// What the mailed codes are hashed with.
    pub code_key: CodeKey,
}

impl RecoverySettings {
    pub fn new(
        public_url: Url,
        links: &LinkConfig,
        limits: &LimitConfig,
        code_key: CodeKey,
    ) -> Self {
        Self {
            public_url,
            return_origins: links.return_origins(),
            link_style: links.link_style,
            token_lifetime: links.token_lifetime(),
            max_live_tokens: usize::try_from(links.max_live_tokens).unwrap_or(usize::MAX),
            daily_mail_cap: limits.recovery_per_email_daily_limit,
            max_backlog: usize::try_from(limits.recovery_backlog).unwrap_or(usize::MAX),
            code_key,
        }
    }
}

/// The handler's side: stores requests, and refuses once the backlog is full.
#[derive(Clone)]
pub struct RecoveryQueue {
    database: Database,
    backlog: Arc<AtomicUsize>,
    max_backlog: usize,
    wake: Arc<Notify>,
}

/// Why a request was not stored.
#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    /// The backlog is full: nothing was stored, try again in a moment.
    #[error("the recovery backlog is full")]
    BacklogFull,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

impl RecoveryQueue {
    /// Whether one more request would be taken now: an atomic read, no other work.
    pub fn has_room(&self) -> Result<(), EnqueueError> {
        if self.backlog.load(Ordering::Relaxed) >= self.max_backlog {
            return Err(EnqueueError::BacklogFull);
        }
        Ok(())
    }

    /// Writes the request, with who asked, the language its mail is to be written in and
    /// where its link sends the person back to, to the database (so a 200 after this is kept
    /// even through a crash) and wakes the worker.
    pub async fn enqueue(
        &self,
        email: &EmailAddress,
        client: Client,
        locale: Locale,
        continue_to: Option<&ReturnAddress>,
    ) -> Result<(), EnqueueError> {
        self.has_room()?;
        self.database
            .insert_recovery_request(email, client, locale, continue_to)
            .await?;
        self.backlog.fetch_add(1, Ordering::Relaxed);
        self.wake.notify_one();
        Ok(())
    }
}

/// Starts the worker on what the table already holds, then on what arrives. `mail_written`
/// wakes the delivery worker; `stop` ends this one after the request in progress.
pub async fn spawn_worker(
    database: Database,
    mailer: Arc<Mailer>,
    settings: RecoverySettings,
    mail_written: Arc<Notify>,
    stop: CancellationToken,
) -> anyhow::Result<(RecoveryQueue, JoinHandle<()>)> {
    let pending = database.count_recovery_requests().await?;
    if pending > 0 {
        tracing::info!(pending, "resuming recovery requests left by the last run");
    }
    let queue = RecoveryQueue {
        database: database.clone(),
        backlog: Arc::new(AtomicUsize::new(pending)),
        max_backlog: settings.max_backlog,
        wake: Arc::new(Notify::new()),
    };
    let (backlog, wake) = (Arc::clone(&queue.backlog), Arc::clone(&queue.wake));
    let worker = tokio::spawn(async move {
        while !stop.is_cancelled() {
            let requests = match database.due_recovery_requests(BATCH).await {
                Ok(requests) => requests,
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "reading recovery requests");
                    Vec::new()
                }
            };
            let idle = requests.is_empty();
            for request in requests {
                if stop.is_cancelled() {
                    break;
                }
                let done = match handle(&database, &mailer, &settings, &request).await {
                    Ok(()) => {
                        mail_written.notify_one();
                        true
                    }
                    Err(error) => match failed(&database, &request, error).await {
                        Ok(set_aside) => set_aside,
                        // The database itself is failing: give it a moment.
                        Err(error) => {
                            tracing::error!(
                                error = format!("{error:#}"),
                                "recording a failed recovery request"
                            );
                            tokio::time::sleep(FIRST_RETRY).await;
                            false
                        }
                    },
                };
                if done {
                    backlog.fetch_sub(1, Ordering::Relaxed);
                }
            }
            if idle {
                let next = database.next_recovery_request_due().await.ok().flatten();
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = wake.notified() => {}
                    () = tokio::time::sleep(until(next).min(IDLE_POLL)) => {}
                }
            }
        }
    });
    Ok((queue, worker))
}

/// Records a failed attempt at `request`: another try later, or set aside after
/// [`MAX_ATTEMPTS`]. True if it was set aside. The log names the request by its id only: the
/// error is ours, but the address is personal.
async fn failed(
    database: &Database,
    request: &RecoveryRequest,
    error: anyhow::Error,
) -> anyhow::Result<bool> {
    let attempts = request.attempts + 1;
    let error = format!("{error:#}");
    if attempts >= MAX_ATTEMPTS {
        database
            .record_failed_recovery(request.id, FailedRequest::SetAside { attempts })
            .await?;
        tracing::error!(id = request.id, attempts, %error, "recovery request set aside");
        return Ok(true);
    }
    let delay = RETRIES.delay(attempts);
    database
        .record_failed_recovery(request.id, FailedRequest::Retry { attempts, delay })
        .await?;
    tracing::warn!(id = request.id, attempts, retry_in = ?delay, %error, "recovery request failed");
    Ok(false)
}

/// How long from now until `due` (unix millis), or [`IDLE_POLL`] without one.
fn until(due: Option<i64>) -> Duration {
    due.map_or(IDLE_POLL, |due| {
        Duration::from_millis(u64::try_from(due - crate::store::now_millis()).unwrap_or(0))
    })
}

async fn handle(
    database: &Database,
    mailer: &Mailer,
    settings: &RecoverySettings,
    request: &RecoveryRequest,
) -> anyhow::Result<()> {
    let Some(user) = database.find_user(&request.email).await? else {
        // Nothing is sent: mailing "no account here" would let anyone probe for accounts
        // through someone else's inbox, and annoy its owner.
        tracing::debug!("recovery requested for an address without an account");
        return database.delete_recovery_request(request.id).await;
    };
    let token = SecretToken::generate();
    let code = ResetCode::generate();
    // Held to the origins allowed now: a row stored under other flags carries no more.
    let continue_to = request
        .continue_url
        .as_deref()
        .and_then(|url| settings.return_origins.allow(url));
    let link = mail_link(
        &settings.public_url,
        settings.link_style,
        &token,
        &code,
        request.locale,
        continue_to.as_ref(),
    );
    let message =
        mailer.reset_message(&user.email, &link, settings.token_lifetime, request.locale)?;
    let grant = ResetGrant {
        user_id: user.id,
        client: request.client,
        hash: token.hash(),
        code: code.hash(&settings.code_key, &user.email),
        lifetime: settings.token_lifetime,
        max_live: settings.max_live_tokens,
        daily_cap: settings.daily_mail_cap,
    };
    let mail = mailer.queue(MailKind::Reset, &user.email, &message);
    match database.issue_reset_token(request.id, grant, mail).await? {
        IssueOutcome::Issued => {
            if mailer.is_outbox() {
                // Development only: whoever runs the server locally has no inbox to click from.
                // The code is not logged: the link does all it does.
                tracing::info!(link = %link.url, "outbox mode: password reset link");
            }
            tracing::info!(user_id = user.id, "reset link issued");
        }
        IssueOutcome::Capped => {
            tracing::info!(
                user_id = user.id,
                "daily mail cap reached and the client holds a live link: none sent"
            );
        }
    }
    Ok(())
}

/// The mailed link (the contract's shape on the configured public URL, the token in the query
/// or, with `--link-style fragment`, in the fragment, and the return address in the query when
/// there is one), the code grouped as the mail shows it, and the page where the code can be
/// typed; the link and the page open in `locale`, the language of the mail.
fn mail_link(
    public_url: &Url,
    style: LinkStyle,
    token: &SecretToken,
    code: &ResetCode,
    locale: Locale,
    continue_to: Option<&ReturnAddress>,
) -> ResetLink {
    let public_url = public_url.as_str().trim_end_matches('/');
    let continue_to = continue_to.map(ReturnAddress::as_str);
    let url = match style {
        LinkStyle::Query => reset_link(public_url, token.expose(), locale.tag(), continue_to),
        LinkStyle::Fragment => {
            reset_fragment_link(public_url, token.expose(), locale.tag(), continue_to)
        }
    };
    ResetLink {
        url,
        code: code.grouped(),
        page: reset_page_url(public_url, locale.tag()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[tokio::test]
    async fn a_full_backlog_refuses_and_a_new_worker_resumes_what_was_stored() {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::open(&dir.path().join("t.db")).await.unwrap();
        let outbox = dir.path().join("outbox");
        let config =
            crate::ServeConfig::parse_from(["serve", "--outbox", outbox.to_str().unwrap()]);
        let mailer = Arc::new(Mailer::new(&config.mail).unwrap());
        let settings = RecoverySettings {
            public_url: Url::parse("http://127.0.0.1:8080").unwrap(),
            return_origins: ReturnOrigins::default(),
            link_style: LinkStyle::Query,
            token_lifetime: Duration::from_secs(60),
            max_live_tokens: 3,
            daily_mail_cap: 10,
            max_backlog: 1,
            code_key: CodeKey::generate(),
        };
        let worker = |stop: CancellationToken| {
            spawn_worker(
                database.clone(),
                Arc::clone(&mailer),
                settings.clone(),
                Arc::new(Notify::new()),
                stop,
            )
        };
        // A worker that is stopped before it starts: the crash between answer and handling.
        let stopped = CancellationToken::new();
        stopped.cancel();
        let (queue, handle) = worker(stopped).await.unwrap();
        handle.await.unwrap();
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        queue
            .enqueue(&alice, Client::UNKNOWN, Locale::DEFAULT, None)
            .await
            .unwrap();
        assert!(
            matches!(
                queue
                    .enqueue(&alice, Client::UNKNOWN, Locale::DEFAULT, None)
                    .await,
                Err(EnqueueError::BacklogFull)
            ),
            "backlog of 1 is full"
        );
        assert_eq!(database.count_recovery_requests().await.unwrap(), 1);

        // The next start finds the stored request and handles it.
        let stop = CancellationToken::new();
        let (_queue, handle) = worker(stop.clone()).await.unwrap();
        for _ in 0..500 {
            if database.count_recovery_requests().await.unwrap() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(database.count_recovery_requests().await.unwrap(), 0);
        stop.cancel();
        handle.await.unwrap();
    }

    #[test]
    fn links_have_one_slash_before_reset() {
        let token = SecretToken::generate();
        let code = ResetCode::generate();
        for (public_url, expected) in [
            (
                "https://reclaim.example.com/",
                "https://reclaim.example.com/reset",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/reset"),
            ("https://example.com/app/", "https://example.com/app/reset"),
            ("https://example.com/app", "https://example.com/app/reset"),
        ] {
            let url = Url::parse(public_url).unwrap();
            let arabic = Locale::from_tag("ar");
            let link = mail_link(&url, LinkStyle::Query, &token, &code, arabic, None);
            assert_eq!(
                link.url,
                format!("{expected}?token={}&lang=ar", token.expose())
            );
            assert_eq!(link.code, code.grouped());
            assert_eq!(link.page, format!("{expected}?lang=ar"));
            let link = mail_link(
                &url,
                LinkStyle::Fragment,
                &token,
                &code,
                Locale::DEFAULT,
                None,
            );
            assert_eq!(
                link.url,
                format!("{expected}?lang=en#token={}", token.expose())
            );
        }
    }

    #[test]
    fn a_return_address_rides_in_the_query_of_both_styles_and_not_in_the_code_page() {
        let token = SecretToken::generate();
        let code = ResetCode::generate();
        let url = Url::parse("https://id.example.com/").unwrap();
        let back = ReturnOrigins::new(["https://app.example.com".to_owned()])
            .allow("https://app.example.com/home?tab=2")
            .unwrap();
        let encoded = "continue=https%3A%2F%2Fapp.example.com%2Fhome%3Ftab%3D2";
        let ar = Locale::from_tag("ar");
        let link = mail_link(&url, LinkStyle::Query, &token, &code, ar, Some(&back));
        assert_eq!(
            link.url,
            format!(
                "https://id.example.com/reset?token={}&lang=ar&{encoded}",
                token.expose()
            )
        );
        assert_eq!(link.page, "https://id.example.com/reset?lang=ar");
        let link = mail_link(&url, LinkStyle::Fragment, &token, &code, ar, Some(&back));
        assert_eq!(
            link.url,
            format!(
                "https://id.example.com/reset?lang=ar&{encoded}#token={}",
                token.expose()
            )
        );
    }
}
