//! A headless Chromium session, with the checks a person (or an auditor) would make: what the
//! page says, where focus is, what the console shows, where requests went (and, for a session
//! opened to record them, every request with its method and body), what axe-core finds, and
//! how it looks at 320 and 1280 px wide.

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value as Json};

use crate::webdriver::{DevTools, Log};
use crate::{eventually, Env};

/// How long the pages get to reach a state (wasm start-up on a busy 2-core machine included).
const STATE_TIMEOUT: Duration = Duration::from_secs(30);

/// Chromium's flags: headless, and quiet on a machine without network. With `record_requests`,
/// chromedriver also keeps the DevTools network events ([`Browser::sent_requests`]).
pub(crate) async fn open(
    webdriver_url: &str,
    profile: &Path,
    record_requests: bool,
) -> Result<Client> {
    let chrome = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    if record_requests {
        capabilities["goog:loggingPrefs"]["performance"] = json!("ALL");
        capabilities["goog:chromeOptions"]["perfLoggingPrefs"] =
            json!({ "enableNetwork": true, "enablePage": false });
    }
    let Json::Object(capabilities) = capabilities else {
        unreachable!()
    };
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(capabilities);
    let client = builder
        .connect(webdriver_url)
        .await
        .context("opening a Chromium session through chromedriver")?;
    Ok(client)
}

/// One console message, as chromedriver reports it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    /// `console-api`, `javascript`, `network`, `security`, ...
    pub source: String,
    pub message: String,
}

impl std::fmt::Display for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{} {}] {}", self.level, self.source, self.message)
    }
}

/// One request as the browser sent it (from the DevTools `Network.requestWillBeSent` event;
/// each hop of a redirect is a request of its own).
#[derive(Debug, Clone)]
pub struct SentRequest {
    pub method: String,
    pub url: String,
    /// The body, for a request that has one.
    pub body: Option<String>,
    /// What it was for, as DevTools names it: `Document`, `Script`, `Fetch`, `Preflight`, ...
    pub kind: String,
}

impl std::fmt::Display for SentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.method, self.url, self.kind)?;
        match &self.body {
            Some(body) => write!(f, " {body}"),
            None => Ok(()),
        }
    }
}

/// One Chromium session on the server's pages, with its console log kept.
pub struct Browser {
    client: Client,
    env: Env,
    /// Where relative paths go and what counts as "same origin": the server's, or another
    /// front (e.g. nginx serving the pages) given to [`Env::browser_at`].
    origin: String,
    /// chromedriver hands each log entry out once: keep them all.
    log: Mutex<Vec<LogEntry>>,
    /// The same for the requests, when the session records them.
    requests: Mutex<Vec<SentRequest>>,
}

impl Browser {
    pub(crate) fn new(client: Client, env: Env, origin: String) -> Browser {
        Browser {
            client,
            env,
            origin,
            log: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
        }
    }

    /// The fantoccini client, for anything not wrapped here.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session now (its Chromium exits) rather than when the test ends.
    pub async fn close(self) -> Result<()> {
        self.client.close().await.context("closing the browser")
    }

    /// Opens `path` on the browser's origin (`/recover`), or an absolute URL.
    pub async fn goto(&self, path_or_url: &str) -> Result<()> {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.origin)
        };
        self.client
            .goto(&url)
            .await
            .with_context(|| format!("opening {url}"))?;
        self.wait_app().await
    }

    /// Waits until the app has taken over the prerendered page (the build marks its markup
    /// `data-prerendered`; the app's own `#app` has no such mark), so that what a test finds
    /// next is the app's own element, not a prerendered one about to be replaced. A page that
    /// is not ours (the server's sign-in page) has no `#app` and is ready as it is.
    pub async fn wait_app(&self) -> Result<()> {
        eventually("the app to take over the page", || async {
            let ready = self
                .js(
                    "const app = document.getElementById('app');\
                     return !app || !app.hasAttribute('data-prerendered');",
                    vec![],
                )
                .await?;
            Ok((ready == json!(true)).then_some(()))
        })
        .await
    }

    /// What the address bar shows.
    pub async fn current_url(&self) -> Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page.
    pub async fn js(&self, script: &str, args: Vec<Json>) -> Result<Json> {
        self.client
            .execute(script, args)
            .await
            .with_context(|| format!("running script: {}", first_line(script)))
    }

    /// The `#page-heading` text, if there is one.
    pub async fn heading(&self) -> Result<Option<String>> {
        self.text("#page-heading").await
    }

    /// Waits until the page's heading is `expected`.
    pub async fn wait_heading(&self, expected: &str) -> Result<()> {
        self.wait_heading_any(&[expected]).await.map(|_| ())
    }

    /// Waits until the heading is one of `expected`, and says which.
    pub async fn wait_heading_any(&self, expected: &[&str]) -> Result<String> {
        let texts: Vec<String> = expected
            .iter()
            .map(|text| format!("normalize-space()={}", xpath_literal(text)))
            .collect();
        let xpath = format!("//*[@id='page-heading'][{}]", texts.join(" or "));
        self.wait_for(Locator::XPath(&xpath), || {
            format!("the heading {expected:?}")
        })
        .await?;
        // Read by script, not through the element found: the page may have re-rendered it.
        let heading = self.heading().await?.unwrap_or_default();
        // As XPath's normalize-space(): ASCII spaces only, so that a narrow no-break space
        // (French "oublié ?") stays what it is.
        let heading = heading
            .split_ascii_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match expected.iter().find(|e| **e == heading) {
            Some(found) => Ok((*found).to_owned()),
            None => bail!("the heading changed to {heading:?} while waiting for {expected:?}"),
        }
    }

    /// The visible text of the first element matching `css`, trimmed; `None` when there is none.
    pub async fn text(&self, css: &str) -> Result<Option<String>> {
        let text = self
            .js(
                "const e = document.querySelector(arguments[0]);\
                 return e ? e.innerText.trim() : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(text.as_str().map(str::to_owned))
    }

    /// Waits until the element `#id` shows some text, and returns it.
    pub async fn wait_text(&self, id: &str) -> Result<String> {
        let xpath = format!("//*[@id={}][normalize-space()]", xpath_literal(id));
        self.wait_for(Locator::XPath(&xpath), || format!("text in #{id}"))
            .await?;
        Ok(self.text(&format!("#{id}")).await?.unwrap_or_default())
    }

    /// An attribute of the first element matching `css` (`None`: no element or no attribute).
    pub async fn attr(&self, css: &str, name: &str) -> Result<Option<String>> {
        let value = self
            .js(
                "const e = document.querySelector(arguments[0]);\
                 return e ? e.getAttribute(arguments[1]) : null;",
                vec![json!(css), json!(name)],
            )
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    pub async fn exists(&self, css: &str) -> Result<bool> {
        Ok(self
            .js(
                "return document.querySelector(arguments[0]) !== null;",
                vec![json!(css)],
            )
            .await?
            .as_bool()
            .unwrap_or(false))
    }

    /// The id of the focused element (`""` when it has none, `"(body)"` when nothing is focused).
    pub async fn active_id(&self) -> Result<String> {
        let id = self
            .js(
                "const e = document.activeElement;\
                 return !e || e === document.body ? '(body)' : e.id;",
                vec![],
            )
            .await?;
        Ok(id.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until focus is on `#id` (the pages move focus on each change of state). Focus
    /// has no locator, so this is the test kit's wait rather than fantoccini's.
    pub async fn wait_focus(&self, id: &str) -> Result<()> {
        let focused = eventually(format!("focus on #{id}"), || async {
            Ok((self.active_id().await? == id).then_some(()))
        })
        .await;
        if focused.is_err() {
            bail!("focus is on '{}', not on #{id}", self.active_id().await?);
        }
        focused
    }

    /// Types `text` into the element (WebDriver focuses it first), like a person with a mouse.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let element = self.wait_element(css).await?;
        element
            .send_keys(text)
            .await
            .with_context(|| format!("typing into {css}"))
    }

    /// Clears an input, then types.
    pub async fn replace_text(&self, css: &str, text: &str) -> Result<()> {
        let element = self.wait_element(css).await?;
        element.clear().await?;
        element.send_keys(text).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        let element = self.wait_element(css).await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking {css}"))
    }

    pub async fn wait_element(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.wait_for(Locator::Css(css), || format!("an element {css}"))
            .await
    }

    /// fantoccini's wait for an element, failing with what the page shows.
    async fn wait_for(
        &self,
        locator: Locator<'_>,
        what: impl FnOnce() -> String,
    ) -> Result<fantoccini::elements::Element> {
        match self
            .client
            .wait()
            .at_most(STATE_TIMEOUT)
            .every(Duration::from_millis(50))
            .for_element(locator)
            .await
        {
            Ok(element) => Ok(element),
            Err(fantoccini::error::CmdError::WaitTimeout) => {
                let page = self.describe().await;
                bail!("waited {STATE_TIMEOUT:?} for {}\n{page}", what())
            }
            Err(e) => Err(e).with_context(what),
        }
    }

    /// Key presses to whatever has focus, through WebDriver actions: no element is targeted.
    pub async fn keys(&self, text: &str) -> Result<()> {
        let mut actions = KeyActions::new("keyboard".into());
        for c in text.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(actions).await?;
        self.client.release_actions().await?;
        Ok(())
    }

    pub async fn press(&self, key: Key) -> Result<()> {
        self.keys(&char::from(key).to_string()).await
    }

    /// Presses Tab until `#id` has focus (at most 15 times); the number of presses.
    pub async fn tab_to(&self, id: &str) -> Result<usize> {
        let mut path = Vec::new();
        for presses in 1..=15 {
            self.press(Key::Tab).await?;
            let active = self.active_id().await?;
            if active == id {
                return Ok(presses);
            }
            path.push(active);
        }
        bail!("Tab never reached #{id}; focus went through {path:?}")
    }

    /// The console messages so far (all of them, since the session opened).
    pub async fn console(&self) -> Result<Vec<LogEntry>> {
        let fresh = self.client.issue_cmd(Log::BROWSER).await?;
        let mut log = self.log.lock().unwrap();
        for entry in fresh.as_array().into_iter().flatten() {
            let field = |name: &str| entry[name].as_str().unwrap_or_default().to_owned();
            log.push(LogEntry {
                level: field("level"),
                source: field("source"),
                message: field("message"),
            });
        }
        Ok(log.clone())
    }

    /// Every request the browser has sent since the session opened, in order, for a session
    /// opened by [`Env::recording_browser_at`] (fails for any other: it has no such log).
    pub async fn sent_requests(&self) -> Result<Vec<SentRequest>> {
        let fresh = self
            .client
            .issue_cmd(Log::PERFORMANCE)
            .await
            .context("reading the network log (a browser from Env::recording_browser_at?)")?;
        let mut requests = self.requests.lock().unwrap();
        for entry in fresh.as_array().into_iter().flatten() {
            let text = entry["message"].as_str().unwrap_or_default();
            let Ok(event) = serde_json::from_str::<Json>(text) else {
                continue;
            };
            let event = &event["message"];
            if event["method"] != "Network.requestWillBeSent" {
                continue;
            }
            let request = &event["params"]["request"];
            let field = |value: &Json| value.as_str().unwrap_or_default().to_owned();
            requests.push(SentRequest {
                method: field(&request["method"]),
                url: field(&request["url"]),
                body: request_body(request),
                kind: field(&event["params"]["type"]),
            });
        }
        Ok(requests.clone())
    }

    /// Console errors and CSP reports (any level), except failed loads with one of the
    /// `expected_statuses` (e.g. the 410 a used link gets from the API).
    pub async fn console_problems(&self, expected_statuses: &[u16]) -> Result<Vec<LogEntry>> {
        Ok(self
            .console()
            .await?
            .into_iter()
            .filter(|e| e.level == "SEVERE" || e.source == "security")
            .filter(|e| {
                !(e.source == "network"
                    && expected_statuses
                        .iter()
                        .any(|s| e.message.contains(&format!("status of {s} "))))
            })
            .collect())
    }

    pub async fn assert_console_clean(&self, expected_statuses: &[u16]) -> Result<()> {
        let problems = self.console_problems(expected_statuses).await?;
        ensure!(
            problems.is_empty(),
            "the browser console shows problems:\n{}",
            lines(&problems)
        );
        Ok(())
    }

    /// Every URL this document loaded (navigation and resources) that is not on its origin.
    pub async fn foreign_requests(&self) -> Result<Vec<String>> {
        let urls = self
            .js(
                "return performance.getEntriesByType('navigation')\
                   .concat(performance.getEntriesByType('resource'))\
                   .map(e => e.name);",
                vec![],
            )
            .await?;
        let own = format!("{}/", self.origin);
        let urls: Vec<String> = urls
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect();
        ensure!(
            !urls.is_empty(),
            "the page reports no navigation or resource entries at all"
        );
        Ok(urls.into_iter().filter(|u| !u.starts_with(&own)).collect())
    }

    pub async fn assert_same_origin(&self) -> Result<()> {
        let foreign = self.foreign_requests().await?;
        ensure!(
            foreign.is_empty(),
            "the page requested other origins than {}: {foreign:?}",
            self.origin
        );
        Ok(())
    }

    /// Runs axe-core on the page in its light and dark colour schemes; fails on any violation.
    pub async fn axe(&self, state: &str) -> Result<()> {
        let mut report = String::new();
        for scheme in ["light", "dark"] {
            self.color_scheme(scheme).await?;
            let violations = self.axe_violations().await?;
            for v in violations.as_array().into_iter().flatten() {
                report.push_str(&format!(
                    "  [{scheme}] {} ({}): {}\n",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                ));
                for node in v["nodes"].as_array().into_iter().flatten() {
                    report.push_str(&format!(
                        "      {} -- {}\n",
                        node["target"],
                        node["summary"].as_str().unwrap_or("").replace('\n', " ")
                    ));
                }
            }
        }
        self.color_scheme("light").await?;
        ensure!(
            report.is_empty(),
            "axe-core found violations in the state '{state}':\n{report}"
        );
        Ok(())
    }

    async fn axe_violations(&self) -> Result<Json> {
        let injected = self.js("return typeof window.axe;", vec![]).await?;
        if injected != json!("object") {
            self.js(&format!("{}\nreturn true;", axe_source()?), vec![])
                .await
                .context("injecting axe-core")?;
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, { resultTypes: ['violations'] })\
                   .then(r => done(JSON.stringify(r.violations.map(v => ({\
                      id: v.id, impact: v.impact, help: v.help,\
                      nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })),\
                   })))))\
                   .catch(e => done('axe failed: ' + e));",
                vec![],
            )
            .await
            .context("running axe-core")?;
        let text = result.as_str().unwrap_or_default();
        serde_json::from_str(text).with_context(|| format!("axe-core said: {text}"))
    }

    /// `prefers-color-scheme`, as the operating system would set it.
    pub async fn color_scheme(&self, scheme: &str) -> Result<()> {
        self.devtools(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
        // Let the new styles apply, and colour transitions finish, before anything measures them.
        self.next_frame().await?;
        self.settle_transitions().await
    }

    /// Waits until no finite CSS animation or transition is running.
    async fn settle_transitions(&self) -> Result<()> {
        eventually("CSS transitions to finish", || async {
            let running = self
                .js(
                    "return document.getAnimations().filter(a => a.playState === 'running' \
                       && a.effect && a.effect.getComputedTiming().endTime !== Infinity).length;",
                    vec![],
                )
                .await?;
            Ok((running == json!(0)).then_some(()))
        })
        .await
    }

    pub async fn devtools(&self, cmd: &'static str, params: Json) -> Result<Json> {
        self.client
            .issue_cmd(DevTools { cmd, params })
            .await
            .with_context(|| format!("DevTools {cmd}"))
    }

    async fn next_frame(&self) -> Result<()> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Saves full-page screenshots of the current state at 320 px (a small phone) and 1280 px
    /// wide, light scheme, plus 1280 px dark, as `<test>-<state>-<width>[-dark].png`.
    /// Fails when the page scrolls sideways at 320 px (it must be readable there).
    pub async fn screenshots(&self, state: &str) -> Result<()> {
        self.screenshots_at(state, &[(320, "light"), (1280, "light"), (1280, "dark")])
            .await
    }

    /// [`Browser::screenshots`] at the given (width, scheme) pairs.
    pub async fn screenshots_at(&self, state: &str, shots: &[(u64, &str)]) -> Result<()> {
        let dir = crate::screenshot_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut sideways = None;
        for &(width, scheme) in shots {
            self.color_scheme(scheme).await?;
            let mobile = width < 600;
            self.viewport(width, 800, mobile).await?;
            let size = self
                .js(
                    "const d = document.documentElement;\
                     return [d.scrollWidth, d.clientWidth, Math.max(d.scrollHeight, document.body.scrollHeight)];",
                    vec![],
                )
                .await?;
            let (scroll_width, client_width, height) = (
                size[0].as_u64().unwrap_or(0),
                size[1].as_u64().unwrap_or(0),
                size[2].as_u64().unwrap_or(800),
            );
            if width == 320 && scroll_width > client_width {
                sideways = Some((scroll_width, client_width));
            }
            self.viewport(width, height.clamp(400, 4000), mobile)
                .await?;
            let png = self.client.screenshot().await?;
            let suffix = if scheme == "dark" { "-dark" } else { "" };
            let name = format!("{}-{state}-{width}{suffix}.png", self.env.test());
            std::fs::write(dir.join(&name), png)?;
        }
        self.devtools("Emulation.clearDeviceMetricsOverride", json!({}))
            .await?;
        self.color_scheme("light").await?;
        if let Some((scroll, client)) = sideways {
            bail!(
                "at 320 px the state '{state}' scrolls sideways: content is {scroll} px wide in a {client} px viewport"
            );
        }
        Ok(())
    }

    async fn viewport(&self, width: u64, height: u64, mobile: bool) -> Result<()> {
        self.devtools(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        )
        .await?;
        self.next_frame().await
    }

    /// Heading, focus, URL and visible text: what a failing test prints about the page.
    pub async fn describe(&self) -> String {
        let state = self
            .client
            .execute(
                "return JSON.stringify({ url: location.href, \
                   focus: document.activeElement && (document.activeElement.id || document.activeElement.tagName), \
                   text: document.body ? document.body.innerText.slice(0, 1500) : null });",
                vec![],
            )
            .await
            .map(|s| s.as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|e| format!("(page unreadable: {e})"));
        let console = match self.console().await {
            Ok(entries) => lines(&entries),
            Err(e) => format!("(console unreadable: {e})"),
        };
        format!("page: {state}\nconsole:\n{console}")
    }
}

fn lines(entries: &[LogEntry]) -> String {
    entries
        .iter()
        .map(|e| format!("  {e}\n"))
        .collect::<String>()
}

/// A DevTools request's body: `postData`, or its `postDataEntries` (base64) put together. A
/// body the event left out (too large) reads as unreadable rather than as none.
fn request_body(request: &Json) -> Option<String> {
    use base64::Engine;
    if let Some(body) = request["postData"].as_str() {
        return Some(body.to_owned());
    }
    let Some(entries) = request["postDataEntries"].as_array() else {
        return (request["hasPostData"] == true).then(|| "(a body the log left out)".to_owned());
    };
    let bytes: Vec<u8> = entries
        .iter()
        .filter_map(|entry| entry["bytes"].as_str())
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .flatten()
        .collect();
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// `text` as an XPath 1.0 string literal (which has no escapes: `concat()` joins quote kinds).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

fn first_line(script: &str) -> &str {
    let line = script.lines().next().unwrap_or_default();
    &line[..line.len().min(80)]
}

/// axe-core's `axe.min.js`, from `RECLAIM_AXE_JS` (set by scripts/env.sh).
fn axe_source() -> Result<&'static str> {
    static SOURCE: OnceLock<String> = OnceLock::new();
    if let Some(source) = SOURCE.get() {
        return Ok(source);
    }
    let path = std::env::var("RECLAIM_AXE_JS").context(
        "RECLAIM_AXE_JS is not set: run the tests with `make test` (scripts/env.sh points it at the npm axe-core)",
    )?;
    let source = std::fs::read_to_string(&path)
        .with_context(|| format!("reading axe-core from {path} (run `make setup`)"))?;
    Ok(SOURCE.get_or_init(|| source))
}
