//! The SQLite database: accounts, reset tokens (each with its code), sessions, and the two
//! durable queues (recovery requests answered but not yet handled, mail not yet delivered).
//!
//! rusqlite is synchronous, so every query runs on tokio's blocking pool through
//! [`Database::run`], on a connection from an r2d2 pool. SQLite serialises writers itself;
//! write transactions start with `BEGIN IMMEDIATE` so two writers queue on the busy timeout
//! instead of failing with a lock upgrade error.

mod outbox;
mod recovery_requests;
mod sessions;
mod tokens;
mod users;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use r2d2::ManageConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use crate::domain::EmailAddress;

pub use outbox::{NewMail, QueuedMail};
pub use recovery_requests::{FailedRequest, RecoveryRequest};
pub use tokens::{CodeCheck, IssueOutcome, RedeemOutcome, ResetGrant, ResetTokenState};

/// Connections open at most; a query beyond that waits for one to come back.
const MAX_CONNECTIONS: u32 = 16;
/// How long a writer waits for another writer before giving up with "database is locked", and
/// a query for a free connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one migration per version (`PRAGMA user_version` counts the applied ones).
/// Append new migrations; never edit an applied one.
fn migrations() -> Migrations<'static> {
    let mut all = SCHEMA.to_vec();
    all.push(M::up(CLIENTS_AND_RETRIES));
    all.push(M::up_with_hook("", nfkc_lookup_keys));
    all.push(M::up(RESET_CODES));
    all.push(M::up(RETURN_ADDRESSES));
    Migrations::new(all)
}

/// The first migrations, plain SQL.
const SCHEMA: &[M<'static>] = &[
    M::up(
        r#"
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        -- As the person typed it; mail goes here.
        email TEXT NOT NULL,
        -- EmailAddress::lookup_key: what recovery and login look accounts up by.
        email_key TEXT NOT NULL UNIQUE,
        -- argon2id PHC string.
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        password_changed_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE reset_tokens (
        -- SHA-256 of the token text; the token itself is never stored.
        token_hash BLOB PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
        -- Set when a newer token pushed it out or the password changed another way.
        revoked_at INTEGER
    ) STRICT;
    CREATE INDEX reset_tokens_by_user ON reset_tokens (user_id, created_at);

    CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_user ON sessions (user_id);
"#,
    ),
    // What was promised with a 200 is on disk before the answer: a crash or restart resumes
    // it instead of losing it.
    M::up(
        r#"
    -- Recovery requests answered 200 and not yet handled by the worker; deleted once handled.
    CREATE TABLE recovery_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        -- As typed (trimmed): the worker parses it again.
        email TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) STRICT;

    -- Mail to deliver, written in the same transaction as the token or the password change it
    -- is about; deleted once delivered (it may hold a reset link). AUTOINCREMENT: ids never
    -- repeat, so they number the outbox files in the order the mail was written.
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        -- mail::MailKind slug: reset, password-changed.
        kind TEXT NOT NULL,
        envelope_from TEXT NOT NULL,
        recipient TEXT NOT NULL,
        -- The whole RFC 5322 message, as SMTP sends it.
        message BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT
    ) STRICT;
    CREATE INDEX outbox_by_due ON outbox (next_attempt_at);
"#,
    ),
    // The language of the mail is chosen when the request is answered (its Accept-Language)
    // and must survive until the worker writes the mail, across restarts. The outbox holds
    // whole messages, already written in it.
    M::up(
        r#"
    -- A built-in locale tag (reclaim_contract::locale::BUILT_IN); rows from before are English.
    ALTER TABLE recovery_requests ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';
"#,
    ),
];

/// Who asked for a link is stored with the request and the token: links are revoked and capped
/// per client, so requests from other clients can neither revoke a person's link nor keep them
/// from getting one. A request that keeps failing is retried later, then set aside.
const CLIENTS_AND_RETRIES: &str = r#"
    -- domain::Client as text; '' for rows from before (one unknown client).
    ALTER TABLE recovery_requests ADD COLUMN client TEXT NOT NULL DEFAULT '';
    ALTER TABLE reset_tokens ADD COLUMN client TEXT NOT NULL DEFAULT '';
    CREATE INDEX reset_tokens_by_user_and_client ON reset_tokens (user_id, client);
    -- Failed attempts, when to try again (unix millis), and when it was given up on.
    ALTER TABLE recovery_requests ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recovery_requests ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE recovery_requests ADD COLUMN set_aside_at INTEGER;
"#;

/// Each link is mailed with a short code for the same grant, on the link's row: using either
/// spends both, and wrong tries spend the code alone. Only a keyed hash of it is kept
/// (`domain::reset_code`).
const RESET_CODES: &str = r#"
    -- HMAC-SHA256 of the address's lookup key and the code, under the server's code key;
    -- NULL for links mailed before codes.
    ALTER TABLE reset_tokens ADD COLUMN code_hash BLOB;
    -- Wrong codes typed for the account while this code worked; at the limit the code stops
    -- working, and the link lives on.
    ALTER TABLE reset_tokens ADD COLUMN wrong_codes INTEGER NOT NULL DEFAULT 0;
    -- One row, counting wrong codes for addresses without a live code: such a try writes as
    -- much as one for an account that has a code, so its time tells nothing.
    CREATE TABLE wrong_codes_elsewhere (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        count INTEGER NOT NULL
    ) STRICT;
    INSERT INTO wrong_codes_elsewhere (id, count) VALUES (1, 0);
"#;

/// A request may carry where the person goes back to after the reset (its `continue`, on an
/// origin of `--continue-origin`); the worker puts it in the mailed link, so it waits with the
/// request, across restarts.
const RETURN_ADDRESSES: &str = r#"
    -- The return address as the request sent it, once allowed; NULL for none (and for rows
    -- from before).
    ALTER TABLE recovery_requests ADD COLUMN continue_url TEXT;
"#;

/// Lookup keys became NFKC (see [`EmailAddress::lookup_key`]): every account gets the key it
/// is now looked up by. Two accounts whose addresses were told apart before but are the same
/// in NFKC cannot share a key: the one that already has it keeps it, and the other is logged,
/// for an operator to merge by hand.
fn nfkc_lookup_keys(tx: &rusqlite::Transaction<'_>) -> rusqlite_migration::HookResult {
    let accounts: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, email, email_key FROM users ORDER BY id")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, email, old_key) in accounts {
        let key = EmailAddress::parse(&email).map_or_else(
            |_| crate::domain::nfkc(&old_key).to_lowercase(),
            |email| email.lookup_key(),
        );
        if key == old_key {
            continue;
        }
        let updated = tx.execute(
            "UPDATE OR IGNORE users SET email_key = ?2 WHERE id = ?1",
            rusqlite::params![id, key],
        )?;
        if updated == 0 {
            tracing::warn!(
                id,
                "account keeps its old lookup key: another account has the same address in NFKC"
            );
        }
    }
    Ok(())
}

/// A handle on the database file; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<SqliteConnectionManager>,
}

impl Database {
    /// Opens the database file, creating it (and its parent folder) if needed, and applies
    /// pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            Self::open_blocking(&path)
                .with_context(|| format!("opening the database {}", path.display()))
        })
        .await
        .context("database task panicked")?
    }

    fn open_blocking(path: &Path) -> anyhow::Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
        owner_only(path)?;
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        // Migrate on a connection of our own first: the pool would retry a file that cannot
        // be opened until its timeout instead of failing at once.
        let mut conn = manager.connect()?;
        // WAL lets readers proceed while a writer commits; the mode is stored in the file.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrations().to_latest(&mut conn)?;
        let pool = r2d2::Pool::builder()
            .max_size(MAX_CONNECTIONS)
            .min_idle(Some(1))
            .connection_timeout(BUSY_TIMEOUT)
            .build_unchecked(manager);
        Ok(Self { pool })
    }

    /// Runs `query` on a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, query: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            Ok(query(&mut conn)?)
        })
        .await
        .context("database task panicked")?
    }
}

/// Creates the database file owner-only (0600), and makes an existing one and its WAL files so.
/// SQLite creates `-wal` and `-shm` with the mode of the database file.
fn owner_only(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?;
        for suffix in ["", "-wal", "-shm"] {
            let mut file = path.as_os_str().to_owned();
            file.push(suffix);
            match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(error)
                        .with_context(|| format!("making {} owner-only", path.display()))
                }
                _ => {}
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Settings of every connection (SQLite keeps these per connection, not in the file).
fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // A delivered mail's row is deleted with its link and code: overwrite the bytes rather
    // than leave them in a free page of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    // With WAL, NORMAL only risks the last transactions on power loss, not corruption.
    conn.pragma_update(None, "synchronous", "NORMAL")
}

/// An address column holds what [`EmailAddress::as_str`] gave, and reads back parsed: the store
/// hands out `EmailAddress`es, never strings to parse again.
impl ToSql for EmailAddress {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for EmailAddress {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        EmailAddress::parse(value.as_str()?).map_err(|error| FromSqlError::Other(Box::new(error)))
    }
}

/// Milliseconds since the Unix epoch: the unit of every timestamp column.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Client;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[tokio::test]
    async fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/reclaim.db");
        let database = Database::open(&path).await.unwrap();
        let version: usize = database
            .run(|conn| conn.pragma_query_value(None, "user_version", |row| row.get(0)))
            .await
            .unwrap();
        assert_eq!(version, SCHEMA.len() + 4);
        let journal_mode: String = database
            .run(|conn| conn.pragma_query_value(None, "journal_mode", |row| row.get(0)))
            .await
            .unwrap();
        assert_eq!(journal_mode, "wal");
        drop(database);
        Database::open(&path).await.unwrap();
    }

    #[tokio::test]
    async fn a_waiting_request_keeps_its_language_and_return_address_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reclaim.db");
        let database = Database::open(&path).await.unwrap();
        let arabic = crate::domain::Locale::from_tag("ar");
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        let back = crate::domain::ReturnOrigins::new(["https://app.example.com".to_owned()])
            .allow("https://app.example.com/home")
            .unwrap();
        database
            .insert_recovery_request(&alice, Client::UNKNOWN, arabic, Some(&back))
            .await
            .unwrap();
        database
            .insert_recovery_request(&alice, Client::UNKNOWN, arabic, None)
            .await
            .unwrap();
        drop(database);
        let database = Database::open(&path).await.unwrap();
        let pending = database.due_recovery_requests(10).await.unwrap();
        assert_eq!(pending[0].locale, arabic);
        assert_eq!(
            pending[0].continue_url.as_deref(),
            Some("https://app.example.com/home")
        );
        assert_eq!(pending[1].continue_url, None);
    }

    /// A database left by the previous version, with a request waiting, migrates and keeps it
    /// (in English, what it would have been sent in).
    #[tokio::test]
    async fn a_waiting_request_from_before_locales_is_kept_in_english() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reclaim.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::from_slice(&SCHEMA[..2])
                .to_latest(&mut conn)
                .unwrap();
            conn.execute(
                "INSERT INTO recovery_requests (email, created_at) VALUES ('alice@example.com', 1)",
                [],
            )
            .unwrap();
        }
        let database = Database::open(&path).await.unwrap();
        let pending = database.due_recovery_requests(10).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].email.as_str(), "alice@example.com");
        assert_eq!(pending[0].locale, crate::domain::Locale::DEFAULT);
        assert_eq!(pending[0].continue_url, None);
    }

    /// Accounts stored before lookup keys were NFKC are found by any form of their address,
    /// and two accounts that are one address in NFKC do not stop the migration.
    #[tokio::test]
    async fn accounts_from_before_nfkc_keys_stay_reachable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reclaim.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            Migrations::from_slice(SCHEMA).to_latest(&mut conn).unwrap();
            // The keys the previous version wrote: the address in lower case.
            for (email, key) in [
                ("\u{FB01}ona@Example.com", "\u{FB01}ona@example.com"),
                ("ｂｏｂ@example.com", "ｂｏｂ@example.com"),
                ("bob@example.com", "bob@example.com"),
            ] {
                conn.execute(
                    "INSERT INTO users (email, email_key, password_hash, created_at, password_changed_at)
                     VALUES (?1, ?2, '$argon2id$fake', 1, 1)",
                    [email, key],
                )
                .unwrap();
            }
        }
        let database = Database::open(&path).await.unwrap();
        let find = |typed: &'static str| {
            let database = database.clone();
            async move {
                let email = EmailAddress::parse(typed).unwrap();
                database
                    .find_user(&email)
                    .await
                    .unwrap()
                    .map(|user| user.id)
            }
        };
        assert_eq!(find("fiona@example.com").await, Some(1));
        assert_eq!(find("\u{FB01}ona@example.com").await, Some(1));
        // `ｂｏｂ` came first but `bob` already had the key: `bob` keeps it.
        assert_eq!(find("bob@example.com").await, Some(3));
        assert_eq!(find("ｂｏｂ@example.com").await, Some(3));
    }
}
