//! The delivery worker: sends what the outbox table holds, retrying with exponential backoff
//! for as long as the schedule says (24 hours by default), and picks up where it left off after
//! a restart or a crash, since the outbox is in the database.
//!
//! A message leaves the table only once the transport accepted it. A crash between the
//! relay's acceptance and that delete can send it twice; the message (and its Message-ID) is
//! the same bytes both times, and outbox files are simply rewritten.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::config::MailConfig;
use crate::mail::{DeliveryError, Mailer};
use crate::store::{now_millis, Database, QueuedMail};

/// Messages attempted at once: a relay that hangs until its timeout holds up only these.
const BATCH: usize = 8;
/// Longest sleep between two looks at the table, in case a wake-up was missed.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// When to try a failed message again, and when to give up.
#[derive(Debug, Clone, Copy)]
pub struct RetrySchedule {
    /// Wait after the first failure; each further failure doubles it.
    pub first: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
    /// Age at which a message still failing is given up.
    pub retry_for: Duration,
}

impl From<&MailConfig> for RetrySchedule {
    fn from(config: &MailConfig) -> Self {
        Self {
            first: Duration::from_millis(config.mail_retry_first_ms),
            max: Duration::from_secs(config.mail_retry_max_secs),
            retry_for: Duration::from_secs(config.mail_retry_for_secs),
        }
    }
}

impl RetrySchedule {
    /// The wait after the `failures`-th failed attempt (1 for the first).
    pub fn delay(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// Starts the worker. `wake` is notified whenever a message is written; `stop` ends it after
/// the attempts in progress.
pub fn spawn(
    database: Database,
    mailer: Arc<Mailer>,
    schedule: RetrySchedule,
    wake: Arc<Notify>,
    stop: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.is_cancelled() {
            let sleep = match run_once(&database, &mailer, schedule).await {
                Ok(true) => continue,
                Ok(false) => until_next_due(&database).await,
                Err(error) => {
                    tracing::error!(error = format!("{error:#}"), "mail delivery worker");
                    Duration::from_secs(1)
                }
            };
            tokio::select! {
                () = stop.cancelled() => break,
                () = wake.notified() => {}
                () = tokio::time::sleep(sleep) => {}
            }
        }
    })
}

/// Attempts every message due now (a batch at a time). True if it attempted any.
async fn run_once(
    database: &Database,
    mailer: &Arc<Mailer>,
    schedule: RetrySchedule,
) -> anyhow::Result<bool> {
    let due = database.due_mail(BATCH).await?;
    if due.is_empty() {
        return Ok(false);
    }
    let mut attempts = JoinSet::new();
    for mail in due {
        let mailer = Arc::clone(mailer);
        attempts.spawn(async move {
            let result = mailer.deliver(&mail).await;
            (mail, result)
        });
    }
    while let Some(joined) = attempts.join_next().await {
        let (mail, result) = joined?;
        settle(database, schedule, mail, result).await?;
    }
    Ok(true)
}

/// Removes a delivered message, or records the failure (by reply code and class only, see
/// [`DeliveryError`]) and when to try again, or gives it up past the retry period.
async fn settle(
    database: &Database,
    schedule: RetrySchedule,
    mail: QueuedMail,
    result: Result<(), DeliveryError>,
) -> anyhow::Result<()> {
    let failures = mail.attempts + 1;
    let error = match result {
        Ok(()) => {
            tracing::info!(kind = %mail.kind, attempt = failures, "mail delivered");
            return database.remove_mail(mail.id).await;
        }
        Err(error) => error.to_string(),
    };
    let now = now_millis();
    let age = Duration::from_millis(u64::try_from(now - mail.created_at).unwrap_or(0));
    if age >= schedule.retry_for {
        tracing::error!(kind = %mail.kind, attempts = failures, %error, "mail given up");
        return database.remove_mail(mail.id).await;
    }
    let delay = schedule.delay(failures);
    tracing::warn!(kind = %mail.kind, attempt = failures, retry_in = ?delay, %error, "mail delivery failed");
    let next = now.saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX));
    database
        .reschedule_mail(mail.id, failures, next, error)
        .await
}

/// How long until the next message is due, at most [`IDLE_POLL`].
async fn until_next_due(database: &Database) -> Duration {
    match database.next_mail_due().await {
        Ok(Some(due)) => {
            let wait = u64::try_from(due - now_millis()).unwrap_or(0);
            Duration::from_millis(wait).min(IDLE_POLL)
        }
        _ => IDLE_POLL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let schedule = RetrySchedule {
            first: Duration::from_secs(1),
            max: Duration::from_secs(600),
            retry_for: Duration::from_secs(86_400),
        };
        let delays: Vec<u64> = (1..=12).map(|n| schedule.delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]);
        assert_eq!(schedule.delay(u32::MAX), Duration::from_secs(600));
        // The default schedule keeps trying for the whole day: a day's worth of attempts.
        let mut elapsed = Duration::ZERO;
        let mut attempts = 0;
        while elapsed < schedule.retry_for {
            attempts += 1;
            elapsed += schedule.delay(attempts);
        }
        assert!(attempts > 140, "{attempts} attempts in a day");
    }
}
