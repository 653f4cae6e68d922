//! The SQLite database: accounts, reset tokens and sessions.
//!
//! rusqlite is synchronous, so every query runs on tokio's blocking pool through
//! [`Database::run`], on a connection taken from a small pool. SQLite serialises writers itself;
//! write transactions start with `BEGIN IMMEDIATE` so two writers queue on the busy timeout
//! instead of failing with a lock upgrade error.

mod sessions;
mod tokens;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use rusqlite::Connection;

pub use tokens::{RedeemOutcome, ResetTokenState};

/// Connections kept open between queries; more are opened under load and closed afterwards.
const MAX_IDLE_CONNECTIONS: usize = 8;
/// How long a writer waits for another writer before giving up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one entry per version (`PRAGMA user_version` counts the applied ones). Append
/// new migrations; never edit an applied one.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

/// A handle on the database file; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Arc<Pool>,
}

struct Pool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Database {
    /// Opens the database file, creating it (and its parent folder) if needed, and applies
    /// pending migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let path = path.to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
        let database = Self {
            pool: Arc::new(Pool {
                path,
                idle: Mutex::new(Vec::new()),
            }),
        };
        database
            .run(|conn| {
                // WAL lets readers proceed while a writer commits; the mode is stored in the file.
                conn.pragma_update(None, "journal_mode", "WAL")?;
                migrate(conn)
            })
            .await
            .with_context(|| format!("opening the database {}", database.pool.path.display()))?;
        Ok(database)
    }

    /// Runs `query` on a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, query: F) -> anyhow::Result<T>
    where
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = Arc::clone(&self.pool);
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.checkout()?;
            let result = query(&mut conn);
            pool.checkin(conn);
            Ok(result?)
        })
        .await
        .context("database task panicked")?
    }
}

impl Pool {
    fn checkout(&self) -> rusqlite::Result<Connection> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .pop();
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn = Connection::open(&self.path)?;
                conn.busy_timeout(BUSY_TIMEOUT)?;
                conn.pragma_update(None, "foreign_keys", "ON")?;
                // With WAL, NORMAL only risks the last transactions on power loss, not corruption.
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                Ok(conn)
            }
        }
    }

    fn checkin(&self, conn: Connection) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push(conn);
        }
    }
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied: usize = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    for (version, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "user_version", version + 1)?;
    }
    tx.commit()
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

    #[tokio::test]
    async fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/reclaim.db");
        let database = Database::open(&path).await.unwrap();
        let version: usize = database
            .run(|conn| conn.pragma_query_value(None, "user_version", |row| row.get(0)))
            .await
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        drop(database);
        Database::open(&path).await.unwrap();
    }
}
