//! Login sessions, stored only as SHA-256 hashes of the cookie value.

use std::time::Duration;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now_millis, Database};
use crate::domain::TokenHash;

impl Database {
    /// Records a new session for `user_id`, and deletes expired ones while at it.
    pub async fn create_session(
        &self,
        user_id: i64,
        hash: TokenHash,
        lifetime: Duration,
    ) -> anyhow::Result<()> {
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        self.run(move |conn| {
            let now = now_millis();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![hash.0, user_id, now, now.saturating_add(lifetime_ms)],
            )?;
            tx.commit()
        })
        .await
    }

    /// The account a session cookie's hash signs in, while the session lives: `None` once it
    /// expired or was ended (a password change ends every session of the account).
    pub async fn session_user(&self, hash: TokenHash) -> anyhow::Result<Option<i64>> {
        self.run(move |conn| {
            conn.query_row(
                "SELECT user_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2",
                params![hash.0, now_millis()],
                |row| row.get(0),
            )
            .optional()
        })
        .await
    }

    /// How many unexpired sessions the account has.
    #[cfg(test)]
    pub async fn live_sessions(&self, user_id: i64) -> anyhow::Result<u64> {
        self.run(move |conn| {
            conn.query_row(
                "SELECT count(*) FROM sessions WHERE user_id = ?1 AND expires_at > ?2",
                params![user_id, now_millis()],
                |row| row.get(0),
            )
        })
        .await
    }
}

/// Ends every session of the account (its password changed).
pub(super) fn delete_all(tx: &Transaction<'_>, user_id: i64) -> rusqlite::Result<usize> {
    tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user_id])
}
