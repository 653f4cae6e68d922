//! The Firebase Authentication emulator and the pages in front of it, for the Firebase tests.
//!
//! The emulator takes about ten seconds to start, so one is shared by every test of the binary
//! ([`firebase`] starts it on first use); tests keep apart by using addresses of their own.
//! The pages are served by `scripts/serve-pages.mjs` with a Firebase `config.json`
//! (the reference server's Content-Security-Policy would not let them call the emulator).
//! Both run under a small shell that stops them when this process ends: it waits on a pipe
//! from this process, which the operating system closes however the process exits.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use reclaim_testkit::{eventually, http_client};
use serde_json::{json, Value};

/// A `demo-` project needs no Google account; any API key works on the emulator.
pub const PROJECT: &str = "demo-reclaim";
pub const API_KEY: &str = "e2e-api-key";
/// How long the emulator may take to start on a busy 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The running emulator and the pages in front of it.
pub struct Firebase {
    /// The pages' origin, e.g. `http://127.0.0.1:41234`.
    pub pages: String,
    /// The emulator's origin, e.g. `http://127.0.0.1:41235`.
    pub emulator: String,
    /// Where the emulator's and the pages' logs are, while they run.
    pub dir: PathBuf,
    /// Closed when this process ends, which stops both.
    _lifeline: Mutex<ChildStdin>,
}

/// The shared emulator and pages, started on first use.
pub fn firebase() -> Result<&'static Firebase> {
    static FIREBASE: OnceLock<Result<Firebase, String>> = OnceLock::new();
    FIREBASE
        .get_or_init(|| Firebase::start().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow!("the Firebase emulator did not start: {e}"))
}

impl Firebase {
    fn start() -> Result<Firebase> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dist = crate::dist_dir()?;
        let cli = crate::cache_dir()?.join("firebase/node_modules/.bin/firebase");
        ensure!(
            cli.exists(),
            "{} is missing: run scripts/setup.sh (or `make test`), which installs firebase-tools",
            cli.display()
        );
        let [auth, hub, logging, pages] = crate::free_ports()?;
        let dir = tempfile::Builder::new()
            .prefix("reclaim-firebase-")
            .tempdir()?
            .keep();
        let emulator = format!("http://127.0.0.1:{auth}");
        // Hub and logging on ports of their own: another emulator may be running.
        std::fs::write(
            dir.join("firebase.json"),
            json!({ "emulators": {
                "auth": { "port": auth, "host": "127.0.0.1" },
                "hub": { "port": hub }, "logging": { "port": logging },
                "ui": { "enabled": false }, "singleProjectMode": true,
            }})
            .to_string(),
        )?;
        std::fs::create_dir(dir.join("site"))?;
        std::fs::write(
            dir.join("site/config.json"),
            json!({
                "backend": "firebase",
                "api_base": format!("{emulator}/identitytoolkit.googleapis.com"),
                "firebase_api_key": API_KEY,
                // Where the tests' links may continue after a reset (nowhere else).
                "continue_origins": ["https://app.example.test"],
            })
            .to_string(),
        )?;
        let mut shell = Command::new("bash")
            .arg("-c")
            .arg(
                r#"cd "$1" || exit 1
                "$2" emulators:start --only auth --project "$3" >emulator.log 2>&1 & emulator=$!
                node "$4" "$5" "$6" site >pages.log 2>&1 & pages=$!
                read -r _
                kill "$emulator" "$pages" 2>/dev/null
                wait
                cd / && rm -rf "$1""#,
            )
            .arg("firebase-lifeline")
            .args([dir.as_os_str(), cli.as_os_str(), PROJECT.as_ref()])
            .arg(workspace.join("scripts/serve-pages.mjs"))
            .arg(&dist)
            .arg(pages.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting bash")?;
        let lifeline = shell.stdin.take().unwrap();
        let started = Instant::now();
        for port in [auth, pages] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Some(status) = shell.try_wait()? {
                    bail!("it exited ({status}); its log:\n{}", read_logs(&dir));
                }
                if started.elapsed() > START_TIMEOUT {
                    let mut lifeline = lifeline;
                    let _ = lifeline.write_all(b"stop\n");
                    bail!(
                        "nothing on port {port} after {START_TIMEOUT:?}; logs:\n{}",
                        read_logs(&dir)
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(Firebase {
            pages: format!("http://127.0.0.1:{pages}"),
            emulator,
            dir,
            _lifeline: Mutex::new(lifeline),
        })
    }

    /// An absolute URL of the pages.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.pages)
    }

    fn api(&self, method: &str) -> String {
        format!(
            "{}/identitytoolkit.googleapis.com/v1/accounts:{method}?key={API_KEY}",
            self.emulator
        )
    }

    async fn call(&self, method: &str, body: Value) -> Result<(u16, Value)> {
        let answer = http_client()
            .post(self.api(method))
            .json(&body)
            .send()
            .await?;
        let status = answer.status().as_u16();
        Ok((status, answer.json().await.unwrap_or(Value::Null)))
    }

    /// Creates an account, through the emulator's REST API.
    pub async fn sign_up(&self, email: &str, password: &str) -> Result<()> {
        let (status, body) = self
            .call("signUp", json!({ "email": email, "password": password }))
            .await?;
        ensure!(status == 200, "signUp answered {status}: {body}");
        Ok(())
    }

    /// Whether `password` signs `email` in (`accounts:signInWithPassword`).
    pub async fn signs_in(&self, email: &str, password: &str) -> Result<bool> {
        let (status, body) = self
            .call(
                "signInWithPassword",
                json!({ "email": email, "password": password, "returnSecureToken": true }),
            )
            .await?;
        ensure!(
            status == 200 || status == 400,
            "signInWithPassword answered {status}: {body}"
        );
        Ok(status == 200)
    }

    /// The query of every password-reset link the emulator has "mailed" to `email`, oldest
    /// first (`mode=resetPassword&lang=en&oobCode=…&apiKey=…`), read from its `oobCodes` list.
    pub async fn reset_links(&self, email: &str) -> Result<Vec<String>> {
        let list: Value = http_client()
            .get(format!(
                "{}/emulator/v1/projects/{PROJECT}/oobCodes",
                self.emulator
            ))
            .send()
            .await?
            .json()
            .await?;
        let codes = list["oobCodes"].as_array().cloned().unwrap_or_default();
        Ok(codes
            .iter()
            .filter(|code| code["email"] == email && code["requestType"] == "PASSWORD_RESET")
            .filter_map(|code| {
                code["oobLink"]
                    .as_str()?
                    .split_once('?')
                    .map(|(_, q)| q.to_owned())
            })
            .collect())
    }

    /// Waits for the first reset link to `email`, and gives its query.
    pub async fn wait_for_reset_link(&self, email: &str) -> Result<String> {
        eventually(format!("a reset link for {email}"), || async {
            Ok(self.reset_links(email).await?.into_iter().next())
        })
        .await
    }
}

fn read_logs(dir: &Path) -> String {
    ["emulator.log", "pages.log"]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
            format!("--- {name}\n{text}")
        })
        .collect()
}
