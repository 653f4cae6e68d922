//! Password-reset tokens, stored only as SHA-256 hashes, with the client that asked for each,
//! and the short code mailed with each, stored only as a keyed hash on the same row.
//!
//! Two rules keep a person able to recover whatever others send:
//! - a new link revokes the oldest live ones *of the same client* beyond `max_live`, so
//!   requests from elsewhere never revoke the link a person holds;
//! - an account gets at most `daily_cap` links a day (counted from the rows, so the count
//!   survives restarts); past it a client gets a new link only when it holds no live one, so
//!   a person always holds a working link after asking, and a flood of requests from other
//!   clients brings the inbox one mail per client per link lifetime at most.
//!
//! A code is the same grant as its link: using either spends both, and the link's lifetime,
//! revocation and password change end both. But a short code can be guessed where a 256-bit
//! token cannot, so each row also counts the wrong codes typed for its account while its code
//! works, and a code that has met [`WRONG_CODES_ALLOWED`] stops working. Its link does not:
//! a link ends only when it or its code is used, when it expires or a newer link of the same
//! client pushes it out, or when the password changes. Why this holds:
//! - *The bound.* A wrong code is counted on every working code of the account at the moment
//!   it is typed, whoever sends it from wherever: each mailed code meets at most
//!   [`WRONG_CODES_ALLOWED`] wrong tries, so its odds are those tries among 28^8 codes.
//! - *The owner.* Wrong codes spend codes, never links: nobody who knows the address can
//!   keep its owner from recovering, since the link in every mail works until it is used. A
//!   code mailed later starts with no wrong tries, so asking again brings a working code.
//! - *The trade-off.* Someone who keeps sending wrong codes for an address spends each new
//!   code with five tries soon after it is mailed (one client's reset limit allows 30 a
//!   minute); the person then has the link of the same mail. Counting per client instead
//!   would spare the code but give each client five more tries at it, losing the bound.

use std::time::Duration;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{now_millis, Database, NewMail};
use crate::domain::{Client, CodeHash, EmailAddress, TokenHash};

/// Rows of tokens past their expiry are kept this long so a late click still gets the precise
/// "expired" or "used" answer; after that they are deleted and the token is simply unknown.
/// It is also the span of the daily cap, which counts the rows of the last day.
const KEEP_DEAD_TOKENS_MS: i64 = DAY_MS;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Wrong codes a mailed code meets before it stops working, its link still live (the
/// contract's number, which the pages count too).
pub const WRONG_CODES_ALLOWED: i64 = reclaim_contract::reset_code::WRONG_TRIES as i64;

/// A reset link to issue, with its code: for whom, asked by which client, and the limits it is
/// issued under.
#[derive(Debug, Clone, Copy)]
pub struct ResetGrant {
    pub user_id: i64,
    pub client: Client,
    pub hash: TokenHash,
    /// The code mailed with the link, hashed for the account's address.
    pub code: CodeHash,
    pub lifetime: Duration,
    /// Live links kept per account and client; a new one revokes the oldest beyond it.
    pub max_live: usize,
    /// Links per account per day before only clients without a live link get one (0: no cap).
    pub daily_cap: u32,
}

/// What [`Database::issue_reset_token`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueOutcome {
    /// The token and its mail are stored.
    Issued,
    /// The daily cap is reached and the client already holds a live link: nothing stored.
    Capped,
}

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

/// What a code typed for an address is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// The code of a live link of the account `email`: the link's token redeems it.
    Valid {
        email: EmailAddress,
        token: TokenHash,
    },
    /// Anything else (wrong, expired, spent, revoked or out of tries, or no such account), all
    /// alike.
    Invalid,
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
    /// Stores a new reset token as [`Self::issue_reset_token`] does, without a request or mail.
    #[cfg(test)]
    pub async fn insert_reset_token(&self, grant: ResetGrant) -> anyhow::Result<IssueOutcome> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let outcome = insert(&tx, &grant, now_millis())?;
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Handles the recovery request `request_id` for an existing account in one transaction:
    /// stores the token under the rules of [`ResetGrant`], puts the mail with its link in the
    /// outbox, and forgets the request. A crash leaves either all of it or none. When the cap
    /// holds the link back, only the request is forgotten.
    pub async fn issue_reset_token(
        &self,
        request_id: i64,
        grant: ResetGrant,
        mail: NewMail,
    ) -> anyhow::Result<IssueOutcome> {
        self.run(move |conn| {
            let now = now_millis();
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let outcome = insert(&tx, &grant, now)?;
            if outcome == IssueOutcome::Issued {
                super::outbox::insert(&tx, &mail, now)?;
            }
            tx.execute("DELETE FROM recovery_requests WHERE id = ?1", [request_id])?;
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// Checks a code typed for the address whose lookup key is `email_key`, against the codes
    /// of that account's live links that still work, in constant time each. A wrong code is
    /// counted on each of those, and a code counted [`WRONG_CODES_ALLOWED`] times stops
    /// working; no link is revoked. Whether or not the account exists or has a working code,
    /// and on every try, a wrong code runs the same statements and writes either the rows of
    /// the codes it counts on or, for an address without one, a shared counter's, so neither
    /// the answer nor its time tells them apart.
    pub async fn check_reset_code(
        &self,
        email_key: String,
        code: CodeHash,
    ) -> anyhow::Result<CodeCheck> {
        self.run(move |conn| check_code(conn, &email_key, code, now_millis()))
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

/// Inserts a token unless the daily cap holds it back, and revokes the client's oldest live
/// ones beyond `max_live`; deletes tokens that died more than a day ago.
fn insert(tx: &Transaction<'_>, grant: &ResetGrant, now: i64) -> rusqlite::Result<IssueOutcome> {
    let client = grant.client.to_string();
    tx.execute(
        "DELETE FROM reset_tokens WHERE expires_at < ?1",
        [now.saturating_sub(KEEP_DEAD_TOKENS_MS)],
    )?;
    if grant.daily_cap > 0 {
        let (today, client_holds_a_live_link): (u32, bool) = tx.query_row(
            "SELECT count(*),
                    coalesce(sum(client = ?3 AND used_at IS NULL AND revoked_at IS NULL
                                 AND expires_at > ?4), 0) > 0
             FROM reset_tokens WHERE user_id = ?1 AND created_at > ?2",
            params![grant.user_id, now - DAY_MS, client, now],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if today >= grant.daily_cap && client_holds_a_live_link {
            return Ok(IssueOutcome::Capped);
        }
    }
    let lifetime_ms = i64::try_from(grant.lifetime.as_millis()).unwrap_or(i64::MAX);
    let max_live = i64::try_from(grant.max_live.max(1)).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO reset_tokens (token_hash, user_id, client, created_at, expires_at, code_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            grant.hash.0,
            grant.user_id,
            client,
            now,
            now.saturating_add(lifetime_ms),
            grant.code.0
        ],
    )?;
    tx.execute(
        "UPDATE reset_tokens SET revoked_at = ?3
         WHERE user_id = ?1 AND client = ?2
           AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?3
           AND token_hash NOT IN (
               SELECT token_hash FROM reset_tokens
               WHERE user_id = ?1 AND client = ?2
                 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?3
               ORDER BY created_at DESC, rowid DESC
               LIMIT ?4)",
        params![grant.user_id, client, now, max_live],
    )?;
    Ok(IssueOutcome::Issued)
}

/// The codes of an account that still work: on live links, and not yet counted
/// [`WRONG_CODES_ALLOWED`] times. `?1` is the address's lookup key, `?2` now, `?3` the limit.
const WORKING_CODES: &str = "user_id = (SELECT id FROM users WHERE email_key = ?1)
    AND code_hash IS NOT NULL AND wrong_codes < ?3
    AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2";

/// [`Database::check_reset_code`] on one connection.
fn check_code(
    conn: &mut rusqlite::Connection,
    email_key: &str,
    code: CodeHash,
    now: i64,
) -> rusqlite::Result<CodeCheck> {
    // The write lock is held from here on: the codes read are the ones counted below.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let working: Vec<(i64, [u8; 32], [u8; 32])> = tx
        .prepare_cached(&format!(
            "SELECT user_id, token_hash, code_hash FROM reset_tokens WHERE {WORKING_CODES}"
        ))?
        .query_map(params![email_key, now, WRONG_CODES_ALLOWED], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Every working code is compared, the matching one or not.
    let mut matched = None;
    for (user_id, token, stored) in &working {
        if CodeHash(*stored).matches(&code) {
            matched = Some((*user_id, TokenHash(*token)));
        }
    }
    let outcome = match matched {
        Some((user_id, token)) => {
            let email =
                tx.query_row("SELECT email FROM users WHERE id = ?1", [user_id], |row| {
                    row.get(0)
                })?;
            CodeCheck::Valid { email, token }
        }
        None => {
            // The same two updates on every wrong try, for every address: each matches the
            // rows it counts on, or none.
            let counted = tx
                .prepare_cached(&format!(
                    "UPDATE reset_tokens SET wrong_codes = wrong_codes + 1 WHERE {WORKING_CODES}"
                ))?
                .execute(params![email_key, now, WRONG_CODES_ALLOWED])?;
            tx.prepare_cached(
                "UPDATE wrong_codes_elsewhere SET count = count + 1 WHERE id = 1 AND ?1 = 0",
            )?
            .execute([counted])?;
            CodeCheck::Invalid
        }
    };
    tx.commit()?;
    Ok(outcome)
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

/// Revokes every live reset token of the account, codes and all: its password changed.
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
    use crate::domain::{CodeKey, ResetCode, SecretToken};
    use rusqlite::trace::{TraceEvent, TraceEventCodes};
    use std::cell::RefCell;

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

    /// A link for `user_id` asked for by `client`, under the default limits, with a code no
    /// test knows.
    fn grant(user_id: i64, client: &str, token: &SecretToken) -> ResetGrant {
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        ResetGrant {
            user_id,
            client: client.parse().unwrap(),
            hash: token.hash(),
            code: ResetCode::generate().hash(&CodeKey::generate(), &alice),
            lifetime: LONG,
            max_live: 3,
            daily_cap: 10,
        }
    }

    async fn is_live(database: &Database, token: &SecretToken) -> bool {
        matches!(
            database.reset_token_state(token.hash()).await.unwrap(),
            ResetTokenState::Valid { .. }
        )
    }

    #[tokio::test]
    async fn a_token_is_valid_then_used_once() {
        let (_dir, database, alice) = database_with_alice().await;
        let token = SecretToken::generate();
        database
            .insert_reset_token(grant(alice, "192.0.2.1", &token))
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
    async fn at_most_max_live_tokens_per_client_oldest_revoked() {
        let (_dir, database, alice) = database_with_alice().await;
        let tokens: Vec<SecretToken> = (0..4).map(|_| SecretToken::generate()).collect();
        for token in &tokens {
            database
                .insert_reset_token(grant(alice, "192.0.2.1", token))
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
        let expired = ResetGrant {
            lifetime: Duration::ZERO,
            ..grant(alice, "192.0.2.1", &token)
        };
        database.insert_reset_token(expired).await.unwrap();
        let outcome = database
            .redeem_reset_token(token.hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            RedeemOutcome::NotRedeemable(ResetTokenState::Expired)
        );
    }

    #[tokio::test]
    async fn links_asked_from_elsewhere_never_revoke_a_clients_link() {
        let (_dir, database, alice) = database_with_alice().await;
        let held = SecretToken::generate();
        database
            .insert_reset_token(grant(alice, "192.0.2.1", &held))
            .await
            .unwrap();
        for n in 0..5 {
            let client = format!("198.51.100.{n}");
            for _ in 0..4 {
                let other = SecretToken::generate();
                database
                    .insert_reset_token(grant(alice, &client, &other))
                    .await
                    .unwrap();
            }
        }
        assert!(is_live(&database, &held).await);
    }

    #[tokio::test]
    async fn past_the_daily_cap_only_a_client_without_a_live_link_gets_one() {
        let (dir, database, alice) = database_with_alice().await;
        let capped = |client: &str, token: &SecretToken| ResetGrant {
            daily_cap: 2,
            ..grant(alice, client, token)
        };
        let first = SecretToken::generate();
        let second = SecretToken::generate();
        for token in [&first, &second] {
            let outcome = database
                .insert_reset_token(capped("192.0.2.1", token))
                .await
                .unwrap();
            assert_eq!(outcome, IssueOutcome::Issued);
        }
        // The cap is reached: the client that holds live links gets none more, across a
        // restart too, while another client still gets its first.
        drop(database);
        let database = Database::open(&dir.path().join("t.db")).await.unwrap();
        let third = SecretToken::generate();
        let outcome = database
            .insert_reset_token(capped("192.0.2.1", &third))
            .await
            .unwrap();
        assert_eq!(outcome, IssueOutcome::Capped);
        assert_eq!(
            database.reset_token_state(third.hash()).await.unwrap(),
            ResetTokenState::Unknown
        );
        let elsewhere = SecretToken::generate();
        let outcome = database
            .insert_reset_token(capped("198.51.100.7", &elsewhere))
            .await
            .unwrap();
        assert_eq!(outcome, IssueOutcome::Issued);
        let again = SecretToken::generate();
        let outcome = database
            .insert_reset_token(capped("198.51.100.7", &again))
            .await
            .unwrap();
        assert_eq!(outcome, IssueOutcome::Capped);
        assert!(is_live(&database, &first).await && is_live(&database, &elsewhere).await);
    }

    /// Alice's account with two live links whose codes are known: the key, the codes, and the
    /// links' tokens.
    async fn alice_with_codes() -> (
        tempfile::TempDir,
        Database,
        CodeKey,
        [ResetCode; 2],
        [SecretToken; 2],
    ) {
        let (dir, database, alice) = database_with_alice().await;
        let key = CodeKey::generate();
        let address = EmailAddress::parse("alice@example.com").unwrap();
        let codes = [ResetCode::generate(), ResetCode::generate()];
        let tokens = [SecretToken::generate(), SecretToken::generate()];
        for (code, token) in codes.iter().zip(&tokens) {
            let grant = ResetGrant {
                code: code.hash(&key, &address),
                ..grant(alice, "192.0.2.1", token)
            };
            database.insert_reset_token(grant).await.unwrap();
        }
        (dir, database, key, codes, tokens)
    }

    fn alice_key() -> String {
        EmailAddress::parse("alice@example.com")
            .unwrap()
            .lookup_key()
    }

    #[tokio::test]
    async fn a_code_stands_for_its_link_only_for_its_account_and_only_while_the_link_lives() {
        let (_dir, database, key, codes, tokens) = alice_with_codes().await;
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        let hash = codes[1].hash(&key, &alice);
        let valid = CodeCheck::Valid {
            email: alice.clone(),
            token: tokens[1].hash(),
        };
        assert_eq!(
            database.check_reset_code(alice_key(), hash).await.unwrap(),
            valid
        );
        // Bob's account, with alice's code hashed for his address or hers.
        let bob = EmailAddress::parse("bob@example.com").unwrap();
        database
            .upsert_user(&bob, "$argon2id$fake".to_owned())
            .await
            .unwrap();
        for hash in [codes[1].hash(&key, &bob), hash] {
            assert_eq!(
                database
                    .check_reset_code(bob.lookup_key(), hash)
                    .await
                    .unwrap(),
                CodeCheck::Invalid
            );
        }
        // Spending the link spends its code, and the other link's with the password change.
        database
            .redeem_reset_token(tokens[1].hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        for code in &codes {
            let hash = code.hash(&key, &alice);
            assert_eq!(
                database.check_reset_code(alice_key(), hash).await.unwrap(),
                CodeCheck::Invalid
            );
        }
    }

    /// A wrong code for alice, from `database`, under `key`.
    async fn wrong_code(database: &Database, key: &CodeKey) -> CodeCheck {
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        let hash = ResetCode::generate().hash(key, &alice);
        database.check_reset_code(alice_key(), hash).await.unwrap()
    }

    fn is_valid(check: &CodeCheck) -> bool {
        matches!(check, CodeCheck::Valid { .. })
    }

    #[tokio::test]
    async fn the_fifth_wrong_code_spends_every_working_code_and_no_link() {
        let (_dir, database, key, codes, tokens) = alice_with_codes().await;
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        for _ in 1..WRONG_CODES_ALLOWED {
            assert_eq!(wrong_code(&database, &key).await, CodeCheck::Invalid);
        }
        // Four wrong, and the right code still works (without counting as a try)...
        let right = codes[0].hash(&key, &alice);
        let check = database.check_reset_code(alice_key(), right).await.unwrap();
        assert!(is_valid(&check), "{check:?}");
        // ...until the fifth wrong one: then neither code works, and both links do.
        assert_eq!(wrong_code(&database, &key).await, CodeCheck::Invalid);
        for code in &codes {
            let hash = code.hash(&key, &alice);
            let check = database.check_reset_code(alice_key(), hash).await.unwrap();
            assert_eq!(check, CodeCheck::Invalid);
        }
        for token in &tokens {
            assert!(is_live(&database, token).await);
        }
        let outcome = database
            .redeem_reset_token(tokens[0].hash(), "$new".to_owned(), None)
            .await
            .unwrap();
        assert!(
            matches!(outcome, RedeemOutcome::Changed { .. }),
            "{outcome:?}"
        );
    }

    /// A wrong code counts on the codes that work when it is typed: a code mailed later starts
    /// with none, and each meets five at most.
    #[tokio::test]
    async fn each_code_meets_at_most_five_wrong_tries_counted_from_its_mail() {
        let (_dir, database, alice) = database_with_alice().await;
        let key = CodeKey::generate();
        let address = EmailAddress::parse("alice@example.com").unwrap();
        let mail = |client: &'static str| {
            let database = database.clone();
            let key = key.clone();
            let address = address.clone();
            async move {
                let (code, token) = (ResetCode::generate(), SecretToken::generate());
                let grant = ResetGrant {
                    code: code.hash(&key, &address),
                    ..grant(alice, client, &token)
                };
                database.insert_reset_token(grant).await.unwrap();
                (code, token)
            }
        };
        let works = |code: &ResetCode| {
            let database = database.clone();
            let hash = code.hash(&key, &address);
            async move { is_valid(&database.check_reset_code(alice_key(), hash).await.unwrap()) }
        };
        let wrong_tries = |count: usize| {
            let (database, key) = (database.clone(), key.clone());
            async move {
                for _ in 0..count {
                    assert_eq!(wrong_code(&database, &key).await, CodeCheck::Invalid);
                }
            }
        };
        let (first, first_link) = mail("192.0.2.1").await;
        wrong_tries(3).await;
        let (second, second_link) = mail("198.51.100.7").await;
        wrong_tries(2).await;
        // The first has met five, the second two.
        assert!(!works(&first).await);
        assert!(works(&second).await);
        wrong_tries(3).await;
        assert!(!works(&second).await);
        assert!(is_live(&database, &first_link).await && is_live(&database, &second_link).await);
    }

    thread_local! {
        /// The statements a traced connection on this thread ran, in order.
        static STATEMENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    fn record_statement(event: TraceEvent<'_>) {
        if let TraceEvent::Stmt(_, sql) = event {
            STATEMENTS.with_borrow_mut(|statements| statements.push(sql.to_owned()));
        }
    }

    /// The SQL a wrong code for `address` runs, as SQLite ran it (its text without the values).
    async fn statements_of_a_wrong_code(
        database: &Database,
        key: &CodeKey,
        address: &EmailAddress,
    ) -> Vec<String> {
        let (email_key, hash) = (
            address.lookup_key(),
            ResetCode::generate().hash(key, address),
        );
        let (check, statements) = database
            .run(move |conn| {
                // Traced on this connection only, and recorded on the thread that runs it.
                conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record_statement));
                let check = check_code(conn, &email_key, hash, now_millis());
                conn.trace_v2(TraceEventCodes::empty(), None);
                Ok((check?, STATEMENTS.take()))
            })
            .await
            .unwrap();
        assert_eq!(check, CodeCheck::Invalid);
        statements
    }

    /// Whether the address has no account, an account without a working code, or one with
    /// working codes, a wrong code runs the very same statements, on every try, the fifth (the
    /// last one a code meets) and the sixth too.
    #[tokio::test]
    async fn a_wrong_code_runs_the_same_statements_for_every_address_on_every_try() {
        let (_dir, database, key, _codes, _tokens) = alice_with_codes().await;
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        let bob = EmailAddress::parse("bob@example.com").unwrap();
        database
            .upsert_user(&bob, "$argon2id$fake".to_owned())
            .await
            .unwrap();
        let nobody = EmailAddress::parse("nobody@example.com").unwrap();
        let expected = statements_of_a_wrong_code(&database, &key, &nobody).await;
        assert!(
            expected
                .iter()
                .any(|sql| sql.starts_with("UPDATE reset_tokens")),
            "{expected:#?}"
        );
        for (whose, address) in [
            ("no account", &nobody),
            ("an account without a code", &bob),
            ("an account with working codes", &alice),
        ] {
            for try_number in 1..=WRONG_CODES_ALLOWED + 1 {
                let ran = statements_of_a_wrong_code(&database, &key, address).await;
                assert_eq!(ran, expected, "try {try_number} for {whose}");
            }
        }
        // Alice's codes worked until her fifth try, and were counted on each.
        let counts: Vec<i64> = database
            .run(|conn| {
                conn.prepare("SELECT wrong_codes FROM reset_tokens")?
                    .query_map([], |row| row.get(0))?
                    .collect()
            })
            .await
            .unwrap();
        assert_eq!(counts, [WRONG_CODES_ALLOWED; 2]);
    }

    #[tokio::test]
    async fn a_wrong_code_for_an_address_without_a_live_code_writes_all_the_same() {
        let (_dir, database, _alice) = database_with_alice().await;
        let key = CodeKey::generate();
        let nobody = EmailAddress::parse("nobody@example.com").unwrap();
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        for address in [&nobody, &alice] {
            let hash = ResetCode::generate().hash(&key, address);
            let check = database
                .check_reset_code(address.lookup_key(), hash)
                .await
                .unwrap();
            assert_eq!(check, CodeCheck::Invalid);
        }
        let counted: i64 = database
            .run(|conn| {
                conn.query_row("SELECT count FROM wrong_codes_elsewhere", [], |row| {
                    row.get(0)
                })
            })
            .await
            .unwrap();
        assert_eq!(counted, 2);
    }
}
