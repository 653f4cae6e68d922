//! Recovery requests answered 200 and waiting for the recovery worker.

use rusqlite::params;

use super::{now_millis, Database};
use crate::domain::Locale;

/// A request as the handler stored it.
#[derive(Debug, Clone)]
pub struct RecoveryRequest {
    pub id: i64,
    pub email: String,
    /// The language the mail is written in, from the request's `Accept-Language`.
    pub locale: Locale,
}

impl Database {
    /// Stores a request: the one write the handler makes, the same for every address.
    pub async fn insert_recovery_request(
        &self,
        email: String,
        locale: Locale,
    ) -> anyhow::Result<()> {
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO recovery_requests (email, locale, created_at) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![email, locale.tag(), now_millis()])
            .map(drop)
        })
        .await
    }

    /// Up to `limit` waiting requests, oldest first.
    pub async fn pending_recovery_requests(
        &self,
        limit: usize,
    ) -> anyhow::Result<Vec<RecoveryRequest>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, email, locale FROM recovery_requests ORDER BY id LIMIT ?1",
            )?;
            let rows = statement.query_map([limit], |row| {
                Ok(RecoveryRequest {
                    id: row.get(0)?,
                    email: row.get(1)?,
                    locale: Locale::from_tag(&row.get::<_, String>(2)?),
                })
            })?;
            rows.collect()
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

    /// Forgets a request that needs nothing more (no account, or an address that no longer
    /// parses).
    pub async fn delete_recovery_request(&self, id: i64) -> anyhow::Result<()> {
        self.run(move |conn| {
            conn.execute("DELETE FROM recovery_requests WHERE id = ?1", [id])
                .map(drop)
        })
        .await
    }
}
