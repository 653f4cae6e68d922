//! The end-to-end harness: the release pages (`$RECLAIM_DIST`, built by trunk) served by the
//! reference server, running in-process on a random port with a fresh database and outbox,
//! driven in Debian's headless Chromium through chromedriver.
//!
//! Each test is `reclaim_e2e::run("name", Options::default(), |env| async move { ... })`: the
//! harness starts everything, hands the body an [`Env`], and tears everything down afterwards,
//! whether the body passed, failed or panicked.

mod browser;
pub mod http;
mod mail;
mod webdriver;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};

pub use browser::{Browser, LogEntry};
pub use fantoccini::key::Key;
pub use http::HttpResponse;
pub use mail::Mail;

/// The account every test starts with.
pub const USER_EMAIL: &str = "alice@example.com";
pub const USER_PASSWORD: &str = "first-kettle-meadow-17";

/// How long a whole test may take before it is failed (a hung browser must not hang the run).
const TEST_TIMEOUT: Duration = Duration::from_secs(240);

/// What is different about a test's server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--token-lifetime-secs`: short, to see a link expire.
    pub token_lifetime_secs: Option<u64>,
}

/// What a test body gets: the server's address and outbox, and a way to open browsers.
#[derive(Clone)]
pub struct Env(Arc<EnvInner>);

struct EnvInner {
    test: &'static str,
    base_url: String,
    outbox: PathBuf,
    dir: PathBuf,
    webdriver_url: String,
    browsers: Mutex<Vec<fantoccini::Client>>,
}

/// Runs one end-to-end test. Panics (fails the test) with the body's error.
pub fn run<F, Fut>(test: &'static str, options: Options, body: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let harness = match Harness::start(test, &options).await {
            Ok(harness) => harness,
            Err(e) => panic!("{test}: could not start the harness: {e:#}"),
        };
        let task = tokio::spawn(body(harness.env.clone()));
        let abort = task.abort_handle();
        let outcome = tokio::time::timeout(TEST_TIMEOUT, task).await;
        if outcome.is_err() {
            abort.abort();
        }
        harness.stop().await;
        match outcome {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => panic!("{test} failed: {e:#}"),
            Ok(Err(join)) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Ok(Err(join)) => panic!("{test}: {join}"),
            Err(_) => panic!("{test}: did not finish within {TEST_TIMEOUT:?}"),
        }
    });
}

struct Harness {
    env: Env,
    server: reclaim_server::RunningServer,
    // Dropped last: the browsers' profiles, the database and the outbox live here.
    _chromedriver: webdriver::Chromedriver,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start(test: &'static str, options: &Options) -> Result<Harness> {
        let dist = dist_dir()?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("reclaim-e2e-{test}-"))
            .tempdir()?;
        let database = dir.path().join("reclaim.db");
        let outbox = dir.path().join("outbox");
        std::fs::create_dir_all(&outbox)?;

        reclaim_server::add_user(&database, USER_EMAIL, USER_PASSWORD)
            .await
            .context("creating the test account")?;
        let config = serve_config(&database, &outbox, &dist, options);
        let server = reclaim_server::start(config)
            .await
            .context("starting reclaim-server")?;
        let chromedriver = webdriver::Chromedriver::start(dir.path()).await?;

        let env = Env(Arc::new(EnvInner {
            test,
            base_url: server.url().trim_end_matches('/').to_owned(),
            outbox,
            dir: dir.path().to_owned(),
            webdriver_url: chromedriver.url.clone(),
            browsers: Mutex::new(Vec::new()),
        }));
        Ok(Harness {
            env,
            server,
            _chromedriver: chromedriver,
            _dir: dir,
        })
    }

    async fn stop(self) {
        let browsers = std::mem::take(&mut *self.env.0.browsers.lock().unwrap());
        for browser in browsers {
            let _ = tokio::time::timeout(Duration::from_secs(15), browser.close()).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.server.shutdown()).await;
    }
}

/// The built pages, from `RECLAIM_DIST`. Missing is an error, never a skip.
fn dist_dir() -> Result<PathBuf> {
    let Some(dist) = std::env::var_os("RECLAIM_DIST") else {
        bail!(
            "RECLAIM_DIST is not set. The end-to-end tests run the release pages built by trunk: \
             run `make test` (or `make dist` then `RECLAIM_DIST=$PWD/dist cargo test -p reclaim-e2e`)"
        );
    };
    let dist = PathBuf::from(dist);
    ensure!(
        dist.join("index.html").is_file(),
        "RECLAIM_DIST={} has no index.html: run `make dist` (or `make test`) first",
        dist.display()
    );
    Ok(dist)
}

/// The server's `serve` command line, as a person would type it.
fn serve_config(
    database: &Path,
    outbox: &Path,
    dist: &Path,
    options: &Options,
) -> reclaim_server::ServeConfig {
    use clap::Parser as _;
    let mut args: Vec<String> = vec![
        "serve".into(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--database".into(),
        database.display().to_string(),
        "--outbox".into(),
        outbox.display().to_string(),
        "--dist".into(),
        dist.display().to_string(),
    ];
    if let Some(secs) = options.token_lifetime_secs {
        args.extend(["--token-lifetime-secs".into(), secs.to_string()]);
    }
    reclaim_server::ServeConfig::parse_from(args)
}

impl Env {
    /// The test's name (used to name screenshots).
    pub fn test(&self) -> &'static str {
        self.0.test
    }

    /// The server's origin, e.g. `http://127.0.0.1:40123`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.0.base_url
    }

    /// An absolute URL on the server for `path` (`/recover`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0.base_url)
    }

    /// A fresh headless Chromium (its own profile), closed when the test ends.
    pub async fn browser(&self) -> Result<Browser> {
        let profile = tempfile::Builder::new()
            .prefix("chromium-")
            .tempdir_in(&self.0.dir)?
            .keep();
        let client = browser::open(&self.0.webdriver_url, &profile).await?;
        self.0.browsers.lock().unwrap().push(client.clone());
        Ok(Browser::new(client, self.clone()))
    }

    /// Every message in the outbox addressed to `email`, oldest first.
    pub fn mails_to(&self, email: &str) -> Result<Vec<Mail>> {
        Ok(mail::read_outbox(&self.0.outbox)?
            .into_iter()
            .filter(|m| m.is_to(email))
            .collect())
    }

    /// Waits (up to 15 s: the server mails from a background worker) until at least `count`
    /// messages to `email` are in the outbox, and returns them all.
    pub async fn wait_for_mails(&self, email: &str, count: usize) -> Result<Vec<Mail>> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let mails = self.mails_to(email)?;
            if mails.len() >= count {
                return Ok(mails);
            }
            if tokio::time::Instant::now() >= deadline {
                bail!(
                    "waited 15 s for {count} mail(s) to {email} in the outbox; found {}",
                    mails.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The reset link of the newest message to `email` that has one, checked to point at this
    /// server (the link comes from `--public-url`).
    pub async fn wait_for_reset_link(&self, email: &str, count: usize) -> Result<String> {
        let mails = self.wait_for_mails(email, count).await?;
        let link = mails
            .iter()
            .rev()
            .find_map(Mail::reset_link)
            .with_context(|| format!("no reset link in the mails to {email}: {mails:#?}"))?;
        ensure!(
            link.starts_with(&format!("{}/reset?token=", self.base_url())),
            "the reset link {link} does not point at this server ({})",
            self.base_url()
        );
        Ok(link)
    }

    /// `POST /account/recovery` directly, as another client of the API would.
    pub async fn request_link(&self, email: &str) -> Result<HttpResponse> {
        http::post_form(&self.url("/account/recovery"), &[("email", email)]).await
    }

    /// `POST /account/login`: the status, 200 or 401.
    pub async fn login(&self, email: &str, password: &str) -> Result<u16> {
        let response = http::post_form(
            &self.url("/account/login"),
            &[("email", email), ("password", password)],
        )
        .await?;
        Ok(response.status)
    }

    pub async fn get(&self, path: &str) -> Result<HttpResponse> {
        http::get(&self.url(path)).await
    }
}

/// Polls `check` every 50 ms until it gives `Some`, or fails after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await? {
            return Ok(value);
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("still not so after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Where screenshots go: `${CARGO_TARGET_DIR:-target}/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    workspace.join(target).join("screenshots")
}
