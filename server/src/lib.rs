//! The reference account-recovery API server of Reclaim.
//!
//! It implements the wire contract the pages speak (`contract/CONTRACT.md`):
//!
//! - `POST /account/recovery` (`email`): 200 `{}` for every well-formed address, in the same
//!   time whether or not the account exists; the request is stored before the answer, and the
//!   reset link is mailed by background workers through an outbox table that survives restarts.
//! - `POST /account/reset-password` (`token`, `new_password`; or `email`, `code`,
//!   `new_password` with the short code mailed beside the link): sets the password once per
//!   link, and the link and its code spend each other.
//! - `POST /account/login` (`email`, `password`): shows that the new password works.
//!
//! Bodies are `application/x-www-form-urlencoded` or `application/json`; every error is JSON
//! `{"error": "<code>", "message": "<sentence>"}`. With `--dist` it also serves the built pages.
//!
//! # Command line
//!
//! ```text
//! reclaim-server serve [--addr 127.0.0.1:8080] [--database reclaim.db] [--dist DIR]
//!                      [--public-url URL] [--outbox DIR | --smtp-url smtp://HOST:PORT]
//!                      [--mail-from MAILBOX] [--token-lifetime-secs 1800] [rate-limit flags]
//!                      [--allowed-origin ORIGIN]... [--trusted-proxy CIDR]... [--link-style query]
//!                      [--min-password-chars 8] (see `--help` for all)
//! echo 'a long password' | reclaim-server add-user alice@example.com [--database reclaim.db]
//! reclaim-server check https://reset.example.com [--json]
//! ```
//!
//! Every flag can also be set with a `RECLAIM_*` environment variable; `--help` lists them.
//! `serve` prints one line to stdout once it listens, `reclaim-server listening on
//! http://ADDR`, and logs to stderr (`RUST_LOG` filters, default `info`). `check` is
//! `reclaim-check` (the crate `check/`), which loads a deployed site as a browser would and says
//! what would keep the pages from working there; it exits 0 only when everything holds.
//!
//! # As a library (end-to-end tests)
//!
//! ```no_run
//! use clap::Parser;
//! # async fn example() -> anyhow::Result<()> {
//! reclaim_server::add_user("t.db".as_ref(), "alice@example.com", "correct horse battery").await?;
//! let config = reclaim_server::ServeConfig::parse_from([
//!     "serve", "--addr", "127.0.0.1:0", "--database", "t.db", "--outbox", "outbox",
//! ]);
//! let server = reclaim_server::start(config).await?;
//! println!("{}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod config;
mod delivery;
mod domain;
mod hashing;
mod http;
mod key_file;
mod mail;
mod recovery;
mod store;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use crate::config::{
    AddUserArgs, Cli, Command, LimitConfig, LinkConfig, LinkStyle, MailConfig, NetworkConfig,
    PasswordConfig, ServeConfig,
};
use crate::delivery::RetrySchedule;
use crate::domain::{EmailAddress, NewPassword};
use crate::hashing::HashPool;
use crate::http::{AllowedOrigins, AppState, Layers, RateLimits, TrustedProxies};
use crate::mail::Mailer;
use crate::recovery::RecoverySettings;
use crate::store::Database;

/// How long [`RunningServer::shutdown`] lets the workers finish the step they are in. What
/// they have not done stays in the database for the next start.
const WORKER_STOP_LIMIT: Duration = Duration::from_secs(5);

/// A server started by [`start`], listening until [`RunningServer::shutdown`].
pub struct RunningServer {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
    workers: Vec<JoinHandle<()>>,
    stop_workers: CancellationToken,
    shutdown_timeout: Duration,
}

impl RunningServer {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<local_addr>`, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stops accepting connections, lets requests in flight finish (up to
    /// `--shutdown-timeout-secs`), then stops the workers after their current step (up to 5 s).
    /// Recovery requests and mail not yet handled stay in the database for the next start.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let mut server = self.server;
        match tokio::time::timeout(self.shutdown_timeout, &mut server).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => tracing::error!(%error, "server stopped with an error"),
            Ok(Err(error)) => tracing::error!(%error, "server task failed"),
            Err(_) => {
                tracing::warn!("requests still in flight at the shutdown limit: cut off");
                server.abort();
            }
        }
        self.stop_workers.cancel();
        for worker in self.workers {
            if tokio::time::timeout(WORKER_STOP_LIMIT, worker)
                .await
                .is_err()
            {
                tracing::warn!(
                    "a worker was still busy at shutdown; its work resumes on the next start"
                );
            }
        }
        tracing::info!("stopped");
    }
}

/// Opens (creating and migrating) the database, binds `config.addr`, and serves in background
/// tasks. Returns once the socket is listening, so requests can be sent right away. Fails at
/// once if `config` would serve the public without https (see
/// [`ServeConfig::check_deployment`]).
pub async fn start(config: ServeConfig) -> anyhow::Result<RunningServer> {
    config.check_deployment()?;
    let database = Database::open(&config.database).await?;
    let code_key = key_file::load_or_create(&config.code_key_file())?;
    let pages = config.dist.as_deref().map(http::serve_pages).transpose()?;
    let mailer = Arc::new(Mailer::new(&config.mail)?);
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let local_addr = listener.local_addr()?;
    let public_url = match config.public_url.clone() {
        Some(public_url) => public_url,
        None => url::Url::parse(&format!("http://{local_addr}"))?,
    };
    let https = public_url.scheme() == "https";

    // The background tasks, woken by the handlers and stopped by `RunningServer::shutdown`.
    let stop_workers = CancellationToken::new();
    let mail_written = Arc::new(Notify::new());
    let (recovery, recovery_worker) = recovery::spawn_worker(
        database.clone(),
        Arc::clone(&mailer),
        RecoverySettings::new(
            public_url.clone(),
            &config.links,
            &config.limits,
            code_key.clone(),
        ),
        Arc::clone(&mail_written),
        stop_workers.clone(),
    )
    .await?;
    let delivery_worker = delivery::spawn(
        database.clone(),
        Arc::clone(&mailer),
        RetrySchedule::from(&config.mail),
        Arc::clone(&mail_written),
        stop_workers.clone(),
    );

    let limits = Arc::new(RateLimits::new(&config.limits));
    let limits_sweeper = limits.spawn_sweeper(stop_workers.clone());

    let hashes = HashPool::new(config.passwords.hash_threads, config.passwords.hash_queue);
    // Computed now rather than on the first unknown-address login, which would be slower.
    hashes.prepare().await.context("preparing the dummy hash")?;
    let state = AppState {
        database,
        mailer,
        recovery,
        limits,
        hashes,
        password_policy: config.passwords.policy(),
        code_key,
        mail_written,
        secure_cookies: https,
        return_origins: config.links.return_origins(),
    };
    let layers = Layers {
        allowed_origins: AllowedOrigins::new(&public_url, &config.network.allowed_origins),
        trusted_proxies: TrustedProxies(config.network.trusted_proxies.clone()),
        hsts: https,
        request_timeout: Duration::from_secs(config.request_timeout_secs),
    };
    let app =
        http::router(state, pages, layers).into_make_service_with_connect_info::<SocketAddr>();

    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(%local_addr, %public_url, dist = ?config.dist, "listening");
    Ok(RunningServer {
        local_addr,
        stop,
        server,
        workers: vec![recovery_worker, delivery_worker, limits_sweeper],
        stop_workers,
        shutdown_timeout: Duration::from_secs(config.shutdown_timeout_secs),
    })
}

/// Creates the account `email` with `password`, or sets the password if the account exists
/// (ending its sessions and reset links). Creates and migrates the database file if needed.
/// Fails if the address does not parse or the password policy refuses the password.
pub async fn add_user(database: &Path, email: &str, password: &str) -> anyhow::Result<()> {
    let email =
        EmailAddress::parse(email).with_context(|| format!("{email:?} is not an email address"))?;
    let password = NewPassword::parse(password.to_owned(), &email)
        .context("the password policy refused the password")?;
    let password_hash = HashPool::one_off().hash(&password).await?;
    let created = Database::open(database)
        .await?
        .upsert_user(&email, password_hash)
        .await?;
    tracing::info!(created, "account saved");
    Ok(())
}

/// Logs to stderr with `RUST_LOG` as the filter (default `info`). Does nothing if a global
/// subscriber is already set, so tests may call it repeatedly.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a person at a terminal, not in log files or CI output.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
