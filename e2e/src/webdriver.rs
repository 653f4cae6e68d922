//! chromedriver: the process, and the two Chromium-specific commands fantoccini has no method
//! for (the browser's logs, and DevTools commands for viewport and colour scheme).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value as Json};

/// A chromedriver process on a free local port, killed when dropped.
pub struct Chromedriver {
    // A Mutex so the readiness check can look at it while the driver is still being built.
    child: Mutex<Child>,
    pub url: String,
}

impl Chromedriver {
    pub async fn start(log_dir: &Path) -> Result<Chromedriver> {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            // Chromium keeps scratch folders (`org.chromium.Chromium.scoped_dir.*`) in TMPDIR
            // and leaves them when it is killed rather than closed: here they go with the
            // test's folder instead of filling the machine's /tmp run after run.
            .env("TMPDIR", log_dir)
            .arg(format!(
                "--log-path={}",
                log_dir.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("starting {binary} (install Debian's chromium-driver: make setup)")
            })?;
        let driver = Chromedriver {
            child: Mutex::new(child),
            url: format!("http://127.0.0.1:{port}/"),
        };
        let status_url = format!("{}status", driver.url);
        let client = reclaim_testkit::http_client();
        reclaim_testkit::eventually(format!("{binary} to be ready"), || async {
            if let Some(exit) = driver.child.lock().unwrap().try_wait()? {
                bail!("{binary} exited at start: {exit}");
            }
            let Ok(status) = client.get(&status_url).send().await else {
                return Ok(None);
            };
            let ready = status.status().is_success()
                && status
                    .text()
                    .await
                    .unwrap_or_default()
                    .contains("\"ready\":true");
            Ok(ready.then_some(()))
        })
        .await?;
        Ok(driver)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let child = self
            .child
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// `POST /session/{id}/se/log {"type": …}`: one of chromedriver's logs since the last call.
/// [`Log::BROWSER`] is the console, including Chromium's own messages (CSP violations come with
/// `"source":"security"`); [`Log::PERFORMANCE`] holds DevTools events, among them every request
/// the browser sent, for a session opened with network logging on.
#[derive(Debug)]
pub struct Log(&'static str);

impl Log {
    pub const BROWSER: Log = Log("browser");
    pub const PERFORMANCE: Log = Log("performance");
}

impl WebDriverCompatibleCommand for Log {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": self.0}).to_string()),
        )
    }
}

/// A Chrome DevTools Protocol command through chromedriver
/// (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
pub struct DevTools {
    pub cmd: &'static str,
    pub params: Json,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}
