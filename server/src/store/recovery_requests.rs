//! Recovery requests answered 200 and waiting for the recovery worker.

use rusqlite::params;

use super::{now_millis, Database};
use crate::domain::{EmailAddress, Locale};

/// A row of `recovery_requests`: a request as the handler stored it.
#[derive(Debug, Clone)]
pub struct RecoveryRequest {
    pub id: i64,
    pub email: EmailAddress,
    /// The language the mail is written in, from the request's `Accept-Language`.
    pub locale: Locale,
}

impl Database {
    /// Stores a request: the one write the handler makes, the same for every address.
    pub async fn insert_recovery_request(
        &self,
        email: &EmailAddress,
        locale: Locale,
    ) -> anyhow::Result<()> {
        let email = email.clone();
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO recovery_requests (email, locale, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![email, locale.tag(), now_millis()])
            .map(drop)
        })
        .await
    }

    /// Up to `limit` waiting requests, oldest first. A row whose address no longer parses (the
    /// syntax of another version) can never reach an account: it is deleted here rather than
    /// handed out, so it cannot hold up the rows behind it.
    pub async fn pending_recovery_requests(
        &self,
        limit: usize,
    ) -> anyhow::Result<Vec<RecoveryRequest>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let rows: Vec<(i64, String, String)> = conn
                .prepare_cached(
                    "SELECT id, email, locale FROM recovery_requests ORDER BY id LIMIT ?1",
                )?
                .query_map([limit], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut requests = Vec::with_capacity(rows.len());
            for (id, email, locale) in rows {
                match EmailAddress::parse(&email) {
                    Ok(email) => requests.push(RecoveryRequest {
                        id,
                        email,
                        locale: Locale::from_tag(&locale),
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

    /// How many requests wait (at start-up, to resume the backlog count).
    pub async fn count_recovery_requests(&self) -> anyhow::Result<usize> {
        self.run(|conn| {
            conn.query_row("SELECT count(*) FROM recovery_requests", [], |row| {
                row.get::<_, i64>(0)
            })
        })
        .await
        .map(|count| usize::try_from(count).unwrap_or(0))
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
