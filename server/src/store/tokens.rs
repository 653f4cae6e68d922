//! Password-reset tokens, stored only as SHA-256 hashes.

use std::time::Duration;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now_millis, Database, NewMail};
use crate::domain::{EmailAddress, TokenHash};

/// Rows of tokens past their expiry are kept this long so a late click still gets the precise
/// "expired" or "used" answer; after that they are deleted and the token is simply unknown.
const KEEP_DEAD_TOKENS_MS: i64 = 24 * 60 * 60 * 1000;

/// What a presented reset token is, checked before the password policy so that a weak
/// password does not spend a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResetTokenState {
    /// No such token (never issued, or deleted a day after it died).
    Unknown,
    /// Already used to set a password.
    Used,
    /// Past its lifetime, or revoked (a newer token pushed it out, or the password changed).
    Expired,
    /// Can be redeemed by the account `email`.
    Valid { email: EmailAddress },
}

/// The result of trying to redeem a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedeemOutcome {
    /// The password was replaced; every token and session of the account is gone. `email` is
    /// where to send the "your password was changed" notice.
    Changed { email: EmailAddress },
    /// Lost the race or the token died in the meantime.
    NotRedeemable(ResetTokenState),
}

impl Database {
    /// Stores a new reset token for `user_id` and revokes the oldest live ones so that at most
    /// `max_live` remain. Also deletes tokens that died more than a day ago.
    #[cfg(test)]
    pub async fn insert_reset_token(
        &self,
        user_id: i64,
        hash: TokenHash,
        lifetime: Duration,
        max_live: usize,
    ) -> anyhow::Result<()> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            insert(&tx, user_id, hash, lifetime, max_live, now_millis())?;
            tx.commit()
        })
        .await
    }

    /// Handles the recovery request `request_id` for an existing account in one transaction:
    /// stores the token (as [`Self::insert_reset_token`] does), puts the mail with its link in
    /// the outbox, and forgets the request. A crash leaves either all of it or none.
    pub async fn issue_reset_token(
        &self,
        request_id: i64,
        user_id: i64,
        hash: TokenHash,
        lifetime: Duration,
        max_live: usize,
        mail: NewMail,
    ) -> anyhow::Result<()> {
        self.run(move |conn| {
            let now = now_millis();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            insert(&tx, user_id, hash, lifetime, max_live, now)?;
            super::outbox::insert(&tx, &mail, now)?;
            tx.execute("DELETE FROM recovery_requests WHERE id = ?1", [request_id])?;
            tx.commit()
        })
        .await
    }

    /// Classifies a presented token without changing anything.
    pub async fn reset_token_state(&self, hash: TokenHash) -> anyhow::Result<ResetTokenState> {
        self.run(move |conn| state(conn, hash, now_millis())).await
    }

    /// Spends the token and sets the account's new password in one transaction: of two
    /// concurrent requests with the same token exactly one gets `Changed`. Every other reset
    /// token and every session of the account is revoked with it, and `notice` (the "password
    /// changed" mail) goes into the outbox in the same transaction.
    pub async fn redeem_reset_token(
        &self,
        hash: TokenHash,
        new_password_hash: String,
        notice: Option<NewMail>,
    ) -> anyhow::Result<RedeemOutcome> {
        self.run(move |conn| {
            let now = now_millis();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            // The conditional UPDATE is the single point of truth: only a live token matches.
            let user_id: Option<i64> = tx
                .query_row(
                    "UPDATE reset_tokens SET used_at = ?2
                     WHERE token_hash = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
                     RETURNING user_id",
                    params![hash.0, now],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(user_id) = user_id else {
                let state = state(&tx, hash, now)?;
                return Ok(RedeemOutcome::NotRedeemable(state));
            };
            let email: EmailAddress = tx.query_row(
                "UPDATE users SET password_hash = ?2, password_changed_at = ?3 WHERE id = ?1 RETURNING email",
                params![user_id, new_password_hash, now],
                |row| row.get(0),
            )?;
            revoke_all(&tx, user_id, now)?;
            super::sessions::delete_all(&tx, user_id)?;
            if let Some(notice) = &notice {
                super::outbox::insert(&tx, notice, now)?;
            }
            tx.commit()?;
            Ok(RedeemOutcome::Changed { email })
        })
        .await
    }
}

/// Inserts a token and revokes the oldest live ones beyond `max_live`; deletes tokens that
/// died more than a day ago.
fn insert(
    tx: &Transaction<'_>,
    user_id: i64,
    hash: TokenHash,
    lifetime: Duration,
    max_live: usize,
    now: i64,
) -> rusqlite::Result<()> {
    let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
    let max_live = i64::try_from(max_live.max(1)).unwrap_or(i64::MAX);
    tx.execute(
        "DELETE FROM reset_tokens WHERE expires_at < ?1",
        [now.saturating_sub(KEEP_DEAD_TOKENS_MS)],
    )?;
    tx.execute(
        "INSERT INTO reset_tokens (token_hash, user_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![hash.0, user_id, now, now.saturating_add(lifetime_ms)],
    )?;
    tx.execute(
        "UPDATE reset_tokens SET revoked_at = ?2
         WHERE user_id = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
           AND token_hash NOT IN (
               SELECT token_hash FROM reset_tokens
               WHERE user_id = ?1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2
               ORDER BY created_at DESC, rowid DESC
               LIMIT ?3)",
        params![user_id, now, max_live],
    )?;
    Ok(())
}

fn state(
    conn: &rusqlite::Connection,
    hash: TokenHash,
    now: i64,
) -> rusqlite::Result<ResetTokenState> {
    let row = conn
        .query_row(
            "SELECT u.email, t.expires_at, t.used_at IS NOT NULL, t.revoked_at IS NOT NULL
             FROM reset_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1",
            [hash.0],
            |row| {
                Ok((
                    row.get::<_, EmailAddress>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get(2)?,
                    row.get(3)?,
                ))
            },
        )
        .optional()?;
    Ok(match row {
        None => ResetTokenState::Unknown,
        Some((_, _, true, _)) => ResetTokenState::Used,
        Some((_, expires_at, false, revoked)) if revoked || expires_at <= now => {
            ResetTokenState::Expired
        }
        Some((email, ..)) => ResetTokenState::Valid { email },
    })
}

/// Revokes every live reset token of the account.
pub(super) fn revoke_all(tx: &Transaction<'_>, user_id: i64, now: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE reset_tokens SET revoked_at = ?2
         WHERE user_id = ?1 AND used_at IS NULL AND revoked_at IS NULL",
        params![user_id, now],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SecretToken;

    async fn database_with_alice() -> (tempfile::TempDir, Database, i64) {
        let dir = tempfile::tempdir().unwrap();
        let database = Database::open(&dir.path().join("t.db")).await.unwrap();
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        database
            .upsert_user(&alice, "$argon2id$fake".to_owned())
            .await
            .unwrap();
        let id = database.find_user(&alice).await.unwrap().unwrap().id;
        (dir, database, id)
    }

    const LONG: Duration = Duration::from_secs(600);

    #[tokio::test]
    async fn a_token_is_valid_then_used_once() {
        let (_dir, database, alice) = database_with_alice().await;
        let token = SecretToken::generate();
        database
            .insert_reset_token(alice, token.hash(), LONG, 3)
            .await
            .unwrap();
        let alice_address = EmailAddress::parse("alice@example.com").unwrap();
        let valid = ResetTokenState::Valid {
            email: alice_address.clone(),
        };
        assert_eq!(
            database.reset_token_state(token.hash()).await.unwrap(),
            valid
        );

        let outcome = database
            .redeem_reset_token(token.hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            RedeemOutcome::Changed {
                email: alice_address
            }
        );
        let again = database
            .redeem_reset_token(token.hash(), "$newer".to_owned(), None)
            .await
            .unwrap();
        assert_eq!(again, RedeemOutcome::NotRedeemable(ResetTokenState::Used));
        let unknown = SecretToken::generate().hash();
        assert_eq!(
            database.reset_token_state(unknown).await.unwrap(),
            ResetTokenState::Unknown
        );
    }

    #[tokio::test]
    async fn at_most_max_live_tokens_oldest_revoked() {
        let (_dir, database, alice) = database_with_alice().await;
        let tokens: Vec<SecretToken> = (0..4).map(|_| SecretToken::generate()).collect();
        for token in &tokens {
            database
                .insert_reset_token(alice, token.hash(), LONG, 3)
                .await
                .unwrap();
        }
        assert_eq!(
            database.reset_token_state(tokens[0].hash()).await.unwrap(),
            ResetTokenState::Expired
        );
        for token in &tokens[1..] {
            assert!(matches!(
                database.reset_token_state(token.hash()).await.unwrap(),
                ResetTokenState::Valid { .. }
            ));
        }
        // Redeeming one revokes the other tokens and ends every session.
        database
            .create_session(alice, SecretToken::generate().hash(), LONG)
            .await
            .unwrap();
        assert_eq!(database.live_sessions(alice).await.unwrap(), 1);
        database
            .redeem_reset_token(tokens[3].hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        assert_eq!(
            database.reset_token_state(tokens[1].hash()).await.unwrap(),
            ResetTokenState::Expired
        );
        assert_eq!(database.live_sessions(alice).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn an_expired_token_cannot_be_redeemed() {
        let (_dir, database, alice) = database_with_alice().await;
        let token = SecretToken::generate();
        database
            .insert_reset_token(alice, token.hash(), Duration::ZERO, 3)
            .await
            .unwrap();
        let outcome = database
            .redeem_reset_token(token.hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            RedeemOutcome::NotRedeemable(ResetTokenState::Expired)
        );
    }
}
