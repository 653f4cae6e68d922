//! Recovery requests answered 200 and waiting for the recovery worker, and those it set aside.

use std::time::Duration;

use rusqlite::params;

use super::{now_millis, Database};
use crate::domain::{Client, EmailAddress, Locale, ReturnAddress};

/// How long a request that was set aside is kept for someone to look at, then deleted.
const KEEP_SET_ASIDE_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// A row of `recovery_requests`: a request as the handler stored it.
#[derive(Debug, Clone)]
pub struct RecoveryRequest {
    pub id: i64,
    pub email: EmailAddress,
    /// Who asked: links are revoked and capped per client.
    pub client: Client,
    /// The language the mail is written in, from the request's `Accept-Language`.
    pub locale: Locale,
    /// Where the person goes back to after the reset, as allowed when the request came (the
    /// worker holds it to the origins allowed now).
    pub continue_url: Option<String>,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// What to do with a request after a failed attempt.
#[derive(Debug, Clone, Copy)]
pub enum FailedRequest {
    /// Try again after `delay`.
    Retry { attempts: u32, delay: Duration },
    /// Stop trying: keep it aside, out of the worker's way.
    SetAside { attempts: u32 },
}

impl Database {
    /// Stores a request: the one write the handler makes, the same for every address.
    pub async fn insert_recovery_request(
        &self,
        email: &EmailAddress,
        client: Client,
        locale: Locale,
        continue_to: Option<&ReturnAddress>,
    ) -> anyhow::Result<()> {
        let email = email.clone();
        let continue_url = continue_to.map(|url| url.as_str().to_owned());
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO recovery_requests (email, client, locale, continue_url, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                email,
                client.to_string(),
                locale.tag(),
                continue_url,
                now_millis()
            ])
            .map(drop)
        })
        .await
    }

    /// Up to `limit` requests due now (not set aside, not waiting to be retried), oldest first.
    /// A row whose address no longer parses (the syntax of another version) can never reach an
    /// account: it is deleted here rather than handed out.
    pub async fn due_recovery_requests(
        &self,
        limit: usize,
    ) -> anyhow::Result<Vec<RecoveryRequest>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn| {
            type Row = (i64, String, String, String, u32, Option<String>);
            let rows: Vec<Row> = conn
                .prepare_cached(
                    "SELECT id, email, client, locale, attempts, continue_url FROM recovery_requests
                     WHERE set_aside_at IS NULL AND next_attempt_at <= ?1
                     ORDER BY id LIMIT ?2",
                )?
                .query_map(params![now_millis(), limit], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut requests = Vec::with_capacity(rows.len());
            for (id, email, client, locale, attempts, continue_url) in rows {
                match EmailAddress::parse(&email) {
                    Ok(email) => requests.push(RecoveryRequest {
                        id,
                        email,
                        // Rows from before clients were stored are one unknown client.
                        client: client.parse().unwrap_or(Client::UNKNOWN),
                        locale: Locale::from_tag(&locale),
                        continue_url,
                        attempts,
                    }),
                    Err(error) => {
                        tracing::warn!(id, %error, "recovery request dropped: its address does not parse");
                        conn.execute("DELETE FROM recovery_requests WHERE id = ?1", [id])?;
                    }
                }
            }
            Ok(requests)
        })
        .await
    }

    /// When the next request waiting to be retried is due (unix millis), if any.
    pub async fn next_recovery_request_due(&self) -> anyhow::Result<Option<i64>> {
        self.run(|conn| {
            conn.query_row(
                "SELECT min(next_attempt_at) FROM recovery_requests WHERE set_aside_at IS NULL",
                [],
                |row| row.get(0),
            )
        })
        .await
    }

    /// How many requests wait to be handled (at start-up, to resume the backlog count).
    pub async fn count_recovery_requests(&self) -> anyhow::Result<usize> {
        self.run(|conn| {
            conn.query_row(
                "SELECT count(*) FROM recovery_requests WHERE set_aside_at IS NULL",
                [],
                |row| row.get::<_, i64>(0),
            )
        })
        .await
        .map(|count| usize::try_from(count).unwrap_or(0))
    }

    /// Records a failed attempt at request `id`. Setting one aside also deletes those set aside
    /// more than a week ago.
    pub async fn record_failed_recovery(
        &self,
        id: i64,
        failed: FailedRequest,
    ) -> anyhow::Result<()> {
        self.run(move |conn| {
            let now = now_millis();
            match failed {
                FailedRequest::Retry { attempts, delay } => {
                    let delay = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                    conn.execute(
                        "UPDATE recovery_requests SET attempts = ?2, next_attempt_at = ?3
                         WHERE id = ?1",
                        params![id, attempts, now.saturating_add(delay)],
                    )?;
                }
                FailedRequest::SetAside { attempts } => {
                    conn.execute(
                        "DELETE FROM recovery_requests WHERE set_aside_at < ?1",
                        [now - KEEP_SET_ASIDE_MS],
                    )?;
                    conn.execute(
                        "UPDATE recovery_requests SET attempts = ?2, set_aside_at = ?3
                         WHERE id = ?1",
                        params![id, attempts, now],
                    )?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Forgets a request that needs nothing more (no account at its address).
    pub async fn delete_recovery_request(&self, id: i64) -> anyhow::Result<()> {
        self.run(move |conn| {
            conn.execute("DELETE FROM recovery_requests WHERE id = ?1", [id])
                .map(drop)
        })
        .await
    }
}
