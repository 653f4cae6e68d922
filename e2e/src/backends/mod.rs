//! The other recovery backends, as real servers: django-allauth (headless), Better Auth and
//! PocketBase, each run by its host program in `scripts/<name>/` from what scripts/setup.sh
//! installed, with the pages in front of it (`scripts/serve-pages.mjs`, serving a site folder
//! whose `config.json` is `{"backend": …, "api_base": <its origin>}` over dist).
//!
//! Each is started once per test binary, on first use ([`allauth::allauth`],
//! [`better_auth::better_auth`], [`pocketbase::pocketbase`]), and shared: tests keep apart by
//! using addresses of their own ([`unique_email`]). Every process runs under a small shell that
//! stops them all (each in its own process group) when this process ends however it ends: the
//! shell waits on a pipe from this process, which the operating system closes at exit.

pub mod allauth;
pub mod better_auth;
pub mod pocketbase;

use std::ffi::OsString;
use std::future::Future;
use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use reclaim_testkit::{eventually, Mail, Outbox};
use serde_json::json;
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// How long a backend may take to start on a busy 2-core machine (each takes about a second).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What a test needs from any of these backends, so one test body can run against each.
pub trait RecoveryBackend: Sync {
    /// The running host program and the pages in front of it.
    fn hosted(&self) -> &Hosted;

    /// Creates an account through the backend's own API.
    fn create_user(&self, email: &str, password: &str) -> impl Future<Output = Result<()>> + Send;

    /// Whether `password` signs `email` in, through the backend's own sign-in API.
    fn sign_in(&self, email: &str, password: &str) -> impl Future<Output = Result<bool>> + Send;

    /// Signs in through the backend's own API, as another device would, and gives what holds
    /// that session (a token, a cookie) for [`RecoveryBackend::session_alive`].
    fn open_session(
        &self,
        email: &str,
        password: &str,
    ) -> impl Future<Output = Result<String>> + Send;

    /// Whether a session [`RecoveryBackend::open_session`] gave is still signed in, as the
    /// backend's own API answers it.
    fn session_alive(&self, session: &str) -> impl Future<Output = Result<bool>> + Send;

    /// The `count`th reset link mailed to `email` (waiting for it), exactly as mailed.
    fn wait_for_reset_link(
        &self,
        email: &str,
        count: usize,
    ) -> impl Future<Output = Result<String>> + Send;
}

/// A backend's host program and the static host of the pages in front of it, running.
pub struct Hosted {
    /// The pages' origin, e.g. `http://127.0.0.1:41234`.
    pub pages: String,
    /// The API's origin (the host program's), e.g. `http://127.0.0.1:41235`.
    pub api: String,
    /// Logs (`host.log`, `pages.log`), the database, the site folder, while they run.
    pub dir: PathBuf,
    /// The folder the backend's mail goes to, one file per mail.
    pub mail_dir: PathBuf,
    /// How long it took from spawning to answering.
    pub started_in: Duration,
    /// The description `config.json` names when no test has switched it ([`Hosted::running`]).
    backend: &'static str,
    /// Held shared by each test of the pages as they were started, alone by one that switches
    /// their description.
    site: RwLock<()>,
    /// Closed when this process ends, which stops everything.
    _lifeline: Mutex<ChildStdin>,
}

/// How to start one backend's host program.
struct HostProgram {
    /// `config.json`'s `backend`; it also names the temporary folder (`reclaim-<backend>-…`).
    backend: &'static str,
    /// The command line, given where it runs.
    command: CommandLine,
    /// What the host program prints once it serves (ports open too early for some).
    ready_line: &'static str,
}

/// A host program's command line, made once its ports and folder are known.
type CommandLine = Box<dyn FnOnce(&Layout) -> Vec<OsString>>;

/// Where a host program runs: what every one of them is told.
struct Layout {
    /// The workspace, where the host programs are (`scripts/<name>/`).
    workspace: PathBuf,
    api_port: u16,
    pages: String,
    /// Its own folder, for its database.
    dir: PathBuf,
}

impl Layout {
    /// The absolute path of a file of the workspace (the host program runs in its own folder).
    fn script(&self, path: &str) -> OsString {
        self.workspace.join(path).into()
    }

    /// The flags every host program takes: `--port`, `--pages-origin`, `--mail-dir`.
    fn common_args(&self) -> Vec<OsString> {
        vec![
            "--port".into(),
            self.api_port.to_string().into(),
            "--pages-origin".into(),
            self.pages.clone().into(),
            "--mail-dir".into(),
            self.dir.join("mail").into(),
        ]
    }
}

impl Hosted {
    fn start(program: HostProgram) -> Result<Hosted> {
        let started = Instant::now();
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dist = crate::dist_dir()?;
        let [api_port, pages_port] = crate::free_ports()?;
        let dir = tempfile::Builder::new()
            .prefix(&format!("reclaim-{}-", program.backend))
            .tempdir()?
            .keep();
        let api = format!("http://127.0.0.1:{api_port}");
        let layout = Layout {
            workspace: workspace.to_owned(),
            api_port,
            pages: format!("http://127.0.0.1:{pages_port}"),
            dir: dir.clone(),
        };
        std::fs::create_dir(dir.join("site"))?;
        std::fs::write(
            dir.join("site/config.json"),
            json!({ "backend": program.backend, "api_base": api }).to_string(),
        )?;
        let mut shell = Command::new("bash")
            .arg("-c")
            .arg(
                r#"dir=$1 dist=$2 pages_port=$3 serve_pages=$4; shift 4
                cd "$dir" || exit 1
                set -m # each job in a process group of its own, stopped whole
                node "$serve_pages" "$dist" "$pages_port" site >pages.log 2>&1 & pages=$!
                { "$@" >host.log 2>&1; echo "exit status $?" >>host.log; touch host.exited; } &
                host=$!
                read -r _
                kill -- -"$host" -"$pages" 2>/dev/null
                wait
                cd / && rm -rf "$dir""#,
            )
            .arg(format!("{}-lifeline", program.backend))
            .arg(&dir)
            .arg(&dist)
            .arg(pages_port.to_string())
            .arg(workspace.join("scripts/serve-pages.mjs"))
            .args((program.command)(&layout))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting bash")?;
        let mut lifeline = shell.stdin.take().unwrap();
        let ready = || {
            let log = std::fs::read_to_string(dir.join("host.log")).unwrap_or_default();
            log.contains(program.ready_line)
                && [api_port, pages_port]
                    .iter()
                    .all(|port| TcpStream::connect(("127.0.0.1", *port)).is_ok())
        };
        while !ready() {
            if dir.join("host.exited").exists() || shell.try_wait()?.is_some() {
                bail!("it exited; its logs:\n{}", read_logs(&dir));
            }
            if started.elapsed() > START_TIMEOUT {
                let _ = lifeline.write_all(b"stop\n");
                bail!(
                    "not ready after {START_TIMEOUT:?}; logs:\n{}",
                    read_logs(&dir)
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Hosted {
            pages: layout.pages,
            api,
            mail_dir: dir.join("mail"),
            dir,
            started_in: started.elapsed(),
            backend: program.backend,
            site: RwLock::new(()),
            _lifeline: Mutex::new(lifeline),
        })
    }

    /// An absolute URL of the pages.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.pages)
    }

    /// Puts `contents` at `path` in the pages' site folder, where it wins over dist's file of
    /// that name (e.g. `backends/allauth.json`).
    pub fn put_site_file(&self, path: &str, contents: &[u8]) -> Result<()> {
        let file = self.dir.join("site").join(path.trim_start_matches('/'));
        std::fs::create_dir_all(file.parent().unwrap())?;
        std::fs::write(file, contents)?;
        Ok(())
    }

    /// Keeps the pages on the description they were started with while held: a test that
    /// switches it ([`Hosted::running`]) waits for this to be dropped.
    pub async fn as_started(&self) -> RwLockReadGuard<'_, ()> {
        self.site.read().await
    }

    /// Makes `config.json` name `backend` (with the same `api_base`) until the guard is
    /// dropped, once no other test holds the pages ([`Hosted::as_started`]). The site is shared
    /// by every test of the run: the one backend answers both of its descriptions (Better
    /// Auth's links and its emailOTP codes), and its pages run one at a time.
    pub async fn running(&self, backend: &str) -> Result<Switched<'_>> {
        let held = self.site.write().await;
        self.write_config(backend)?;
        Ok(Switched {
            hosted: self,
            _held: held,
        })
    }

    fn write_config(&self, backend: &str) -> Result<()> {
        let config = json!({ "backend": backend, "api_base": self.api });
        self.put_site_file("config.json", config.to_string().as_bytes())
    }

    /// Every `.eml` mail in the mail folder now, oldest first (allauth, PocketBase).
    pub fn eml_mails(&self) -> Vec<Mail> {
        Outbox::new(self.mail_dir.clone()).mails()
    }

    /// Waits until `find` gives at least `count` items from the mails to `email`, and gives
    /// the `count`th.
    async fn wait_for_nth<T, F>(&self, what: &str, email: &str, count: usize, find: F) -> Result<T>
    where
        F: Fn(&Self, &str) -> Vec<T>,
    {
        ensure!(count >= 1, "mails are counted from 1");
        eventually(format!("{what} #{count} for {email}"), || async {
            Ok(find(self, email).into_iter().nth(count - 1))
        })
        .await
        .with_context(|| format!("the mail so far: {}", self.mail_summary()))
    }

    /// The mail folder's files, with each mail's addressee and subject, for failure messages.
    fn mail_summary(&self) -> String {
        let mut names: Vec<String> = std::fs::read_dir(&self.mail_dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        let mut summary = format!("{} ({} files)", self.mail_dir.display(), names.len());
        for mail in self.eml_mails() {
            let header = |name| mail.header(name).unwrap_or_default();
            summary += &format!("\n  to {}: {}", header("To"), header("Subject"));
        }
        summary
    }
}

/// The pages switched to another description ([`Hosted::running`]); dropping it puts back the
/// one they were started with.
pub struct Switched<'a> {
    hosted: &'a Hosted,
    _held: RwLockWriteGuard<'a, ()>,
}

impl Drop for Switched<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.hosted.write_config(self.hosted.backend) {
            eprintln!("putting back {}'s config.json: {e:#}", self.hosted.backend);
        }
    }
}

/// An address no other test uses: each backend is shared by every test of the binary.
pub fn unique_email(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{nanos}@example.com")
}

/// The links in `mail` that start with `prefix`.
fn links_starting(mail: &Mail, prefix: &str) -> Vec<String> {
    mail.links()
        .into_iter()
        .filter(|link| link.starts_with(prefix))
        .collect()
}

fn read_logs(dir: &Path) -> String {
    ["host.log", "pages.log"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            format!("--- {name}\n{text}")
        })
        .collect()
}

/// The backend started by `start` in a `OnceLock`: an error is kept (as text) so that every
/// test using it fails with the same reason instead of starting it again.
fn shared<T>(
    cell: &'static std::sync::OnceLock<Result<T, String>>,
    name: &str,
    start: fn() -> Result<T>,
) -> Result<&'static T> {
    cell.get_or_init(|| start().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{name} did not start: {e}"))
}

/// The Python of a venv scripts/setup.sh made (`$RECLAIM_CACHE/<name>/venv`).
fn venv_python(name: &str) -> Result<PathBuf> {
    let python = crate::cache_dir()?.join(name).join("venv/bin/python");
    ensure!(
        python.exists(),
        "{} is missing: run scripts/setup.sh (or `make test`), which installs {name}",
        python.display()
    );
    Ok(python)
}
