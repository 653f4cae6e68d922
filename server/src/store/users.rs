//! Accounts.

use rusqlite::{params, OptionalExtension};

use super::{now_millis, Database};
use crate::domain::EmailAddress;

/// An account as stored.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    /// The address as it was registered: mail for this account goes here.
    pub email: EmailAddress,
    /// argon2id PHC string.
    pub password_hash: String,
}

impl Database {
    /// The account registered under `email` (compared by [`EmailAddress::lookup_key`]).
    pub async fn find_user(&self, email: &EmailAddress) -> anyhow::Result<Option<User>> {
        let key = email.lookup_key();
        self.run(move |conn| {
            conn.query_row(
                "SELECT id, email, password_hash FROM users WHERE email_key = ?1",
                [key],
                |row| {
                    Ok(User {
                        id: row.get(0)?,
                        email: row.get(1)?,
                        password_hash: row.get(2)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    /// Creates the account, or, if the address is already registered, replaces its password
    /// and revokes its reset tokens and sessions as a reset would. Returns true if it created one.
    pub async fn upsert_user(
        &self,
        email: &EmailAddress,
        password_hash: String,
    ) -> anyhow::Result<bool> {
        let (email, key) = (email.clone(), email.lookup_key());
        self.run(move |conn| {
            let now = now_millis();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let existing: Option<i64> = tx
                .query_row("SELECT id FROM users WHERE email_key = ?1", [&key], |row| row.get(0))
                .optional()?;
            let created = match existing {
                Some(user_id) => {
                    tx.execute(
                        "UPDATE users SET password_hash = ?1, password_changed_at = ?2 WHERE id = ?3",
                        params![password_hash, now, user_id],
                    )?;
                    super::tokens::revoke_all(&tx, user_id, now)?;
                    super::sessions::delete_all(&tx, user_id)?;
                    false
                }
                None => {
                    tx.execute(
                        "INSERT INTO users (email, email_key, password_hash, created_at, password_changed_at)
                         VALUES (?1, ?2, ?3, ?4, ?4)",
                        params![email, key, password_hash, now],
                    )?;
                    true
                }
            };
            tx.commit()?;
            Ok(created)
        })
        .await
    }
}
