//! The SQLite database: accounts, reset tokens, sessions, and the two durable queues
//! (recovery requests answered but not yet handled, mail not yet delivered).
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
pub use recovery_requests::RecoveryRequest;
pub use tokens::{RedeemOutcome, ResetTokenState};

/// Connections open at most; a query beyond that waits for one to come back.
const MAX_CONNECTIONS: u32 = 16;
/// How long a writer waits for another writer before giving up with "database is locked", and
/// a query for a free connection.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one migration per version (`PRAGMA user_version` counts the applied ones).
/// Append new migrations; never edit an applied one.
const MIGRATIONS: Migrations<'static> = Migrations::from_slice(SCHEMA);
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
        MIGRATIONS.to_latest(&mut conn)?;
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

    #[test]
    fn migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
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
        assert_eq!(version, SCHEMA.len());
        let journal_mode: String = database
            .run(|conn| conn.pragma_query_value(None, "journal_mode", |row| row.get(0)))
            .await
            .unwrap();
        assert_eq!(journal_mode, "wal");
        drop(database);
        Database::open(&path).await.unwrap();
    }

    #[tokio::test]
    async fn a_waiting_request_keeps_its_language_across_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reclaim.db");
        let database = Database::open(&path).await.unwrap();
        let arabic = crate::domain::Locale::from_tag("ar");
        let alice = EmailAddress::parse("alice@example.com").unwrap();
        database
            .insert_recovery_request(&alice, arabic)
            .await
            .unwrap();
        drop(database);
        let database = Database::open(&path).await.unwrap();
        let pending = database.pending_recovery_requests(10).await.unwrap();
        assert_eq!(pending[0].locale, arabic);
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
        let pending = database.pending_recovery_requests(10).await.unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].email.as_str(), "alice@example.com");
        assert_eq!(pending[0].locale, crate::domain::Locale::DEFAULT);
    }
}
