//! The outbox: mail waiting for delivery, with its retry state.

use rusqlite::{params, Transaction};

use super::{now_millis, Database};
use crate::domain::EmailAddress;

/// A message to put in the outbox, built before the transaction that writes it.
#[derive(Clone)]
pub struct NewMail {
    /// `mail::MailKind` slug.
    pub kind: &'static str,
    pub envelope_from: String,
    pub recipient: EmailAddress,
    /// The formatted message.
    pub message: Vec<u8>,
}

/// A message due for delivery.
#[derive(Clone)]
pub struct QueuedMail {
    pub id: i64,
    pub kind: String,
    pub envelope_from: String,
    pub recipient: EmailAddress,
    pub message: Vec<u8>,
    pub created_at: i64,
    /// Failed attempts so far.
    pub attempts: u32,
}

impl std::fmt::Debug for QueuedMail {
    // The message may carry a reset link.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QueuedMail({} {})", self.id, self.kind)
    }
}

/// Writes `mail` into the outbox within `tx`, due at once.
pub(super) fn insert(tx: &Transaction<'_>, mail: &NewMail, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO outbox (kind, envelope_from, recipient, message, created_at, next_attempt_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![
            mail.kind,
            mail.envelope_from,
            mail.recipient,
            mail.message,
            now
        ],
    )?;
    Ok(())
}

impl Database {
    /// Up to `limit` messages due now, oldest first. A row whose recipient no longer parses
    /// (the syntax of another version) cannot be delivered: it is given up here, and logged,
    /// rather than handed out, so it cannot hold up the rows behind it.
    pub async fn due_mail(&self, limit: usize) -> anyhow::Result<Vec<QueuedMail>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, kind, envelope_from, recipient, message, created_at, attempts
                 FROM outbox WHERE next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = statement.query_map(params![now_millis(), limit], |row| {
                let id: i64 = row.get(0)?;
                let (kind, envelope_from, message, created_at, attempts) = (
                    row.get(1)?,
                    row.get(2)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                );
                let mail = row.get::<_, EmailAddress>(3).map(|recipient| QueuedMail {
                    id,
                    kind,
                    envelope_from,
                    recipient,
                    message,
                    created_at,
                    attempts,
                });
                Ok((id, mail))
            })?;
            let mut due = Vec::new();
            let mut unreadable = Vec::new();
            for row in rows {
                match row? {
                    (_, Ok(mail)) => due.push(mail),
                    (id, Err(_)) => unreadable.push(id),
                }
            }
            drop(statement);
            for id in unreadable {
                tracing::error!(id, "mail given up: its recipient does not parse");
                conn.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
            }
            Ok(due)
        })
        .await
    }

    /// When the next message is due (unix millis), if any is waiting.
    pub async fn next_mail_due(&self) -> anyhow::Result<Option<i64>> {
        self.run(|conn| {
            conn.query_row("SELECT min(next_attempt_at) FROM outbox", [], |row| {
                row.get(0)
            })
        })
        .await
    }

    /// Removes a delivered (or abandoned) message: the reset link it holds goes with it.
    pub async fn remove_mail(&self, id: i64) -> anyhow::Result<()> {
        self.run(move |conn| {
            conn.execute("DELETE FROM outbox WHERE id = ?1", [id])
                .map(drop)
        })
        .await
    }

    /// Records a failed attempt and when to try again.
    pub async fn reschedule_mail(
        &self,
        id: i64,
        attempts: u32,
        next_attempt_at: i64,
        error: String,
    ) -> anyhow::Result<()> {
        self.run(move |conn| {
            conn.execute(
                "UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
                params![id, attempts, next_attempt_at, error],
            )
            .map(drop)
        })
        .await
    }
}
