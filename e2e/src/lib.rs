//! The end-to-end harness: the release pages (`$RECLAIM_DIST`, built by trunk) served by the
//! reference server (started by the test kit, `reclaim-testkit`, as for the server's own
//! tests), driven in Debian's headless Chromium through chromedriver.
//!
//! Each test is `reclaim_e2e::run("name", &[], |env| async move { ... })`: the harness starts
//! everything, hands the body an [`Env`], and tears everything down afterwards, whether the
//! body passed, failed or panicked. The other recovery backends (the Firebase emulator in
//! [`firebase`]; django-allauth, Better Auth and PocketBase in [`backends`]) are started once
//! per test binary instead, each with the pages in front of it.

pub mod backends;
mod browser;
pub mod firebase;
mod webdriver;

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use reclaim_testkit::{MailKind, TestServer};

pub use browser::{Browser, LogEntry, SentRequest};
pub use fantoccini::key::Key;
pub use reclaim_testkit::{eventually, ALICE, ALICE_PASSWORD};

/// How long a whole test may take before it is failed (a hung browser must not hang the run).
const TEST_TIMEOUT: Duration = Duration::from_secs(240);

/// What a test body gets: the server (its API, outbox and address) and a way to open browsers.
#[derive(Clone)]
pub struct Env(Arc<EnvInner>);

struct EnvInner {
    test: &'static str,
    server: TestServer,
    webdriver_url: String,
    browsers: Mutex<Vec<fantoccini::Client>>,
}

/// Runs one end-to-end test against a server started with the extra `serve` flags `flags`
/// (e.g. `&["--token-lifetime-secs", "2"]`). Panics (fails the test) with the body's error.
pub fn run<F, Fut>(test: &'static str, flags: &[&str], body: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let dist = dist_dir().unwrap_or_else(|e| panic!("{test}: {e:#}"));
    run_with_dist(test, &dist, flags, body)
}

/// [`run`], the server serving the pages in `dist` (e.g. a copy of the build changed as a
/// deployer would change it) rather than `RECLAIM_DIST`.
pub fn run_with_dist<F, Fut>(test: &'static str, dist: &Path, flags: &[&str], body: F)
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
        let harness = match Harness::start(test, dist, flags).await {
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
    // Dropped first: chromedriver and the browsers' profiles live in the server's folder,
    // which goes with the last `Env`.
    _chromedriver: webdriver::Chromedriver,
    env: Env,
}

impl Harness {
    async fn start(test: &'static str, dist: &Path, flags: &[&str]) -> Result<Harness> {
        let server = TestServer::builder()
            .flag("--dist", dist.display())
            .flags(flags)
            .start()
            .await;
        let chromedriver = webdriver::Chromedriver::start(server.dir()).await?;
        let env = Env(Arc::new(EnvInner {
            test,
            server,
            webdriver_url: chromedriver.url.clone(),
            browsers: Mutex::new(Vec::new()),
        }));
        Ok(Harness {
            _chromedriver: chromedriver,
            env,
        })
    }

    async fn stop(self) {
        let browsers = std::mem::take(&mut *self.env.0.browsers.lock().unwrap());
        for browser in browsers {
            let _ = tokio::time::timeout(Duration::from_secs(15), browser.close()).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.env.server().shutdown()).await;
    }
}

/// The built pages, from `RECLAIM_DIST`. Missing is an error, never a skip.
pub fn dist_dir() -> Result<PathBuf> {
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

impl Env {
    /// The test's name (used to name screenshots).
    pub fn test(&self) -> &'static str {
        self.0.test
    }

    /// The server: its API, its outbox, its address.
    pub fn server(&self) -> &TestServer {
        &self.0.server
    }

    /// An absolute URL on the server for `path` (`/recover`).
    pub fn url(&self, path: &str) -> String {
        self.0.server.url_for(path)
    }

    /// A fresh headless Chromium (its own profile) on the server, closed when the test ends.
    pub async fn browser(&self) -> Result<Browser> {
        self.browser_at(&self.0.server.url).await
    }

    /// A fresh headless Chromium whose relative paths open on `origin` (no trailing slash),
    /// e.g. a web server in front of the test's server.
    pub async fn browser_at(&self, origin: &str) -> Result<Browser> {
        self.open_browser(origin, false).await
    }

    /// [`Env::browser_at`], recording every request the browser sends, with its method and
    /// body ([`Browser::sent_requests`]).
    pub async fn recording_browser_at(&self, origin: &str) -> Result<Browser> {
        self.open_browser(origin, true).await
    }

    async fn open_browser(&self, origin: &str, record_requests: bool) -> Result<Browser> {
        let profile = tempfile::Builder::new()
            .prefix("chromium-")
            .tempdir_in(self.0.server.dir())?
            .keep();
        let client = browser::open(&self.0.webdriver_url, &profile, record_requests).await?;
        self.0.browsers.lock().unwrap().push(client.clone());
        Ok(Browser::new(client, self.clone(), origin.to_owned()))
    }

    /// The reset link of the `count`th reset mail to `email` (waiting for it), checked to point
    /// at this server (the link comes from `--public-url`).
    pub async fn wait_for_reset_link(&self, email: &str, count: usize) -> Result<String> {
        let mails = self
            .server()
            .outbox
            .wait_for(MailKind::Reset, email, count)
            .await;
        let link = mails[count - 1].reset_link();
        ensure!(
            link.starts_with(&self.url("/reset?token=")),
            "the reset link {link} does not point at this server ({})",
            self.server().url
        );
        Ok(link)
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

/// Where scripts/setup.sh installs the servers the tests run (`$RECLAIM_CACHE`, by default
/// `~/.cache/reclaim`).
fn cache_dir() -> Result<PathBuf> {
    std::env::var_os("RECLAIM_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache/reclaim")))
        .context("neither RECLAIM_CACHE nor HOME is set")
}

/// Ports nothing listens on now (bound and released; a clash within moments is unlikely).
pub fn free_ports<const N: usize>() -> Result<[u16; N]> {
    let listeners = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()?;
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<std::io::Result<_>>()?;
    Ok(ports.try_into().unwrap())
}
