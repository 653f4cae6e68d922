//! The Firebase Authentication emulator and the pages in front of it, for the Firebase tests.
//!
//! The emulator takes about ten seconds to start, so one is shared by every test of the binary
//! ([`firebase`] starts it on first use); tests keep apart by using addresses of their own.
//! The pages are served by `scripts/serve-pages.mjs` with a Firebase `config.json`
//! (the reference server's Content-Security-Policy would not let them call the emulator).
//! Both run under a small shell that stops them when this process ends: it waits on a pipe
//! from this process, which the operating system closes however the process exits.

use std::io::{Read, Write};
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
    /// Starts the emulator and the pages, again on other ports when the emulator could not
    /// have its own: ports are picked free, but the emulator takes seconds to bind them, and
    /// meanwhile another process (a chromedriver, another backend) may take one.
    fn start() -> Result<Firebase> {
        let mut tries = 0;
        loop {
            tries += 1;
            match Firebase::start_on_free_ports() {
                Err(Start::EmulatorExited(logs)) if tries < 3 => {
                    eprintln!(
                        "the Firebase emulator exited at start; again on other ports:\n{logs}"
                    );
                }
                Err(Start::EmulatorExited(logs)) => {
                    bail!("the emulator exited at start, {tries} times; the last logs:\n{logs}")
                }
                Err(Start::Failed(e)) => return Err(e),
                Ok(firebase) => return Ok(firebase),
            }
        }
    }

    fn start_on_free_ports() -> Result<Firebase, Start> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let dist = crate::dist_dir()?;
        let cli = crate::cache_dir()?.join("firebase/node_modules/.bin/firebase");
        if !cli.exists() {
            return Err(Start::Failed(anyhow!(
                "{} is missing: run scripts/setup.sh (or `make test`), which installs firebase-tools",
                cli.display()
            )));
        }
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
                set -m # each job in a process group of its own, stopped whole: `$!` of the
                       # emulator's group is the subshell, and the firebase CLI its child
                { "$2" emulators:start --only auth --project "$3" >emulator.log 2>&1; touch emulator.exited; } &
                emulator=$!
                node "$4" "$5" "$6" site >pages.log 2>&1 & pages=$!
                read -r _
                kill -- -"$emulator" -"$pages" 2>/dev/null
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
        let mut lifeline = shell.stdin.take().unwrap();
        let started = Instant::now();
        // Ready when the emulator itself answers (something else may hold its port) and the
        // pages' port is open.
        let ready = || emulator_answers(auth) && TcpStream::connect(("127.0.0.1", pages)).is_ok();
        while !ready() {
            if let Some(status) = shell.try_wait().map_err(|e| Start::Failed(e.into()))? {
                return Err(Start::Failed(anyhow!(
                    "it exited ({status}); its log:\n{}",
                    read_logs(&dir)
                )));
            }
            if dir.join("emulator.exited").exists() {
                let logs = read_logs(&dir);
                let _ = lifeline.write_all(b"stop\n");
                return Err(Start::EmulatorExited(logs));
            }
            if started.elapsed() > START_TIMEOUT {
                let logs = read_logs(&dir);
                let _ = lifeline.write_all(b"stop\n");
                return Err(Start::Failed(anyhow!(
                    "not answering after {START_TIMEOUT:?}; logs:\n{logs}"
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
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

    /// Asks for a reset link for `email` (`accounts:sendOobCode`), as the pages do.
    pub async fn send_reset_link(&self, email: &str) -> Result<()> {
        let (status, body) = self
            .call(
                "sendOobCode",
                json!({ "requestType": "PASSWORD_RESET", "email": email }),
            )
            .await?;
        ensure!(status == 200, "sendOobCode answered {status}: {body}");
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

    /// Signs in (`accounts:signInWithPassword`), as another device would, and gives the ID
    /// token that holds that session.
    pub async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        let (status, body) = self
            .call(
                "signInWithPassword",
                json!({ "email": email, "password": password, "returnSecureToken": true }),
            )
            .await?;
        ensure!(
            status == 200,
            "signInWithPassword answered {status}: {body}"
        );
        let token = body["idToken"].as_str();
        token
            .map(str::to_owned)
            .with_context(|| format!("no idToken in {body}"))
    }

    /// Whether an ID token still holds its session (`accounts:lookup`): refused with
    /// `TOKEN_EXPIRED` once the account's tokens were revoked (`validSince`).
    pub async fn session_alive(&self, id_token: &str) -> Result<bool> {
        let (status, body) = self.call("lookup", json!({ "idToken": id_token })).await?;
        let refused = status == 400 && body["error"]["message"] == "TOKEN_EXPIRED";
        ensure!(
            status == 200 || refused,
            "accounts:lookup answered {status}: {body}"
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

/// Why a start failed: the emulator exited (most likely a port of its taken meanwhile: worth
/// another try), or anything else.
enum Start {
    EmulatorExited(String),
    Failed(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for Start {
    fn from(error: E) -> Start {
        Start::Failed(error.into())
    }
}

/// Whether the Auth emulator itself answers on `port`: its project configuration, which
/// nothing else serves.
fn emulator_answers(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "GET /emulator/v1/projects/{PROJECT}/config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Connection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    answer.starts_with("HTTP/1.1 200") && answer.contains("signIn")
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
