//! Mail scanners (Outlook Safe Links, corporate gateways, some of which run a page's scripts)
//! open a mailed link before the person does. The pages are meant to be safe by construction: a
//! link only loads a page, and only a POST the person sends spends its secret. Here that is
//! proven for every backend and link style, against the real servers, in one test whose cases
//! run side by side (each spends most of its time in the scanner's pause).
//!
//! For each, after the mail arrives, a scanner visits its links: (a) a `HEAD` and (b) a `GET`
//! from a plain HTTP client following redirects, for every link in the mail; (c) for the
//! mailed link itself, a fresh Chromium profile that runs every script, left [`SCANNER_WAIT`]
//! on the page without typing. Every request they sent is recorded (the plain client's hops,
//! and the browser's from its DevTools network log, with methods and bodies): none to the API
//! changes anything. The only calls allowed are those the backend's description makes before
//! a person types (django-allauth's and Firebase's check) and the link itself where the backend
//! mails its own (Better Auth). Then the person opens the same link in a fresh browser and sets
//! the password, which signs in. Where the backend mails a code, a second account's mail is
//! scanned the same way, and its code, typed in the tab that asked for it, sets the password.
//!
//! The same cases prove `ends_sessions` in each description: a session opened on the backend
//! before the reset (its own sign-in, as another device) is refused after it where the
//! description says `true` (the reference server's, where its answer says so), still works
//! where it says `false`, and the success page says which.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use futures_util::future::join_all;
use reclaim_e2e::backends::allauth::{allauth, allauth_codes, Allauth, APP};
use reclaim_e2e::backends::better_auth::{better_auth, BetterAuth, BASE};
use reclaim_e2e::backends::pocketbase::{pocketbase, PocketBase};
use reclaim_e2e::backends::{unique_email, Hosted, RecoveryBackend};
use reclaim_e2e::firebase::{firebase, Firebase};
use reclaim_e2e::{eventually, run, Browser, Env, SentRequest};
use reclaim_testkit::reqwest::{self, redirect, Method};
use reclaim_testkit::{Mail, MailKind, TestServer};
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::reset_flow::Mailbox;
use crate::*;

/// How long the scanner's browser stays on a page without typing.
const SCANNER_WAIT: Duration = Duration::from_secs(10);
/// How many cases run at once: each holds one or two browsers, busy mostly while they start.
const CASES_AT_ONCE: usize = 6;

/// Where a backend's API is, and the calls to it that change nothing.
struct Api {
    /// What every URL of the API starts with: its origin, or (on the pages' own origin) its
    /// folder, `<origin>/account/`.
    prefix: String,
    /// What a page, or a link, may send the API before a person types: the description's
    /// `check`, or the backend's own link. Every one of them is also expected of the browser's
    /// visit of a reset link (so the record is known to see the API).
    read_only: Vec<ReadOnly>,
}

/// A call that changes nothing.
struct ReadOnly {
    /// What it is, for messages.
    what: &'static str,
    methods: &'static [&'static str],
    /// Its URL, up to any query (or any secret in the path).
    url: String,
    /// The keys its JSON body may have (none: no body).
    body_keys: &'static [&'static str],
}

impl ReadOnly {
    fn allows(&self, request: &SentRequest) -> bool {
        let body_fits = match &request.body {
            None => true,
            Some(body) => match serde_json::from_str::<Value>(body) {
                Ok(Value::Object(fields)) => fields
                    .keys()
                    .all(|key| self.body_keys.contains(&key.as_str())),
                _ => false,
            },
        };
        self.methods.contains(&request.method.as_str())
            && request.url.starts_with(&self.url)
            && body_fits
    }
}

/// A backend (and link style) as these tests meet it: where its pages and API are, how to make
/// an account, sign in and hold a session, and what its mail carries.
trait Scanned: Mailbox {
    /// What the case is called in messages.
    fn name(&self) -> &'static str;
    /// The pages' origin.
    fn pages(&self) -> String;
    /// The description the pages run (`config.json`'s `backend`).
    fn description(&self) -> &'static str;
    fn api(&self) -> Api;
    fn create_user(&self, email: &str, password: &str) -> impl Future<Output = Result<()>> + Send;
    /// Asks for a reset link for `email` through the API, as the pages' `/recover` does (the
    /// pages' own request is proven elsewhere; the link case needs only its mail).
    fn request_link(&self, email: &str) -> impl Future<Output = Result<()>> + Send;
    fn signs_in(&self, email: &str, password: &str) -> impl Future<Output = Result<bool>> + Send;
    /// A session opened with the backend's own sign-in, held as another device holds it.
    fn open_session(
        &self,
        email: &str,
        password: &str,
    ) -> impl Future<Output = Result<String>> + Send;
    fn session_alive(&self, session: &str) -> impl Future<Output = Result<bool>> + Send;
    /// The links of the mail to `email` that carries `secret` (a link's secret, or a code).
    fn mail_links(
        &self,
        email: &str,
        secret: &str,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;
    /// The code of the `count`th reset mail to `email`, as a person types it.
    fn mailed_code(
        &self,
        _email: &str,
        _count: usize,
    ) -> impl Future<Output = Result<String>> + Send {
        async { bail!("{} mails no code", self.name()) }
    }
}

/// What a case saw, beyond what it asserts itself.
struct Outcome {
    /// Whether the session opened before the reset still worked after it.
    session_alive_after: bool,
}

/// The link case: the mail with the reset link scanned (every link in it), then that link
/// opened by the person in a fresh browser.
async fn link_case(env: &Env, target: &impl Scanned) -> Result<Outcome> {
    let case = link_case_steps(env, target);
    case.await
        .with_context(|| format!("{}, the link case", target.name()))
}

async fn link_case_steps(env: &Env, target: &impl Scanned) -> Result<Outcome> {
    let started = Instant::now();
    let name = target.name();
    let email = unique_email("scanned");
    target.create_user(&email, OLD_PASSWORD).await?;
    let session = open_session(target, &email).await?;

    target.request_link(&email).await?;
    let link = target.reset_link(&email, 1).await?;
    let links = target.mail_links(&email, &link.secret).await?;
    ensure!(
        links.first() == Some(&link.url),
        "the mail's first link is not its reset link {}: {links:?}",
        link.url
    );
    scan(env, target, &links, true).await?;

    // The person, in a browser of their own, after the scanner.
    let person = env.browser_at(&target.pages()).await?;
    let flow = ResetFlow::new(&person, target, &email);
    flow.open(&link).await.context("the link after the scan")?;
    let outcome = flow.choose(NEW_PASSWORD).await?;
    ensure!(
        outcome == CHANGED,
        "after the scan the link ended on {outcome:?}\n{}",
        person.describe().await
    );
    let outcome = settle(target, &person, &email, session, "reset").await?;
    person.close().await?;
    eprintln!("{name}: the link case took {:?}", started.elapsed());
    Ok(outcome)
}

/// The code case: a second account asks in a tab of its own, the mail is scanned, then the
/// code is typed in that tab.
async fn code_case(env: &Env, target: &impl Scanned) -> Result<Outcome> {
    let case = code_case_steps(env, target);
    case.await
        .with_context(|| format!("{}, the code case", target.name()))
}

async fn code_case_steps(env: &Env, target: &impl Scanned) -> Result<Outcome> {
    let started = Instant::now();
    let name = target.name();
    let email = unique_email("scanned-code");
    target.create_user(&email, OLD_PASSWORD).await?;
    let session = open_session(target, &email).await?;

    let person = env.browser_at(&target.pages()).await?;
    ResetFlow::new(&person, target, &email).request().await?;
    person.click("#enter-code").await?;
    person.wait_heading("Enter the code from the email").await?;
    let code = target.mailed_code(&email, 1).await?;
    let mut links = target.mail_links(&email, &code).await?;
    if links.is_empty() {
        // A code's mail may carry no link at all (django-allauth's, or a Better Auth host's
        // that says where to type it): the scanner then meets the page a deployer would link,
        // where the code is typed.
        links.push(format!("{}/reset", target.pages()));
    }
    scan(env, target, &links, false).await?;

    person.type_into("#reset-code", &code).await?;
    person.type_into("#new-password", NEW_PASSWORD).await?;
    person.type_into("#confirm-password", NEW_PASSWORD).await?;
    person.click("#set-password").await?;
    let outcome = person.wait_heading_any(&[CHANGED, INVALID_CODE]).await;
    ensure!(
        outcome.as_deref().ok() == Some(CHANGED),
        "after the scan the code ended on {outcome:?}\n{}",
        person.describe().await
    );
    let outcome = settle(target, &person, &email, session, "reset_with_code").await?;
    person.close().await?;
    eprintln!("{name}: the code case took {:?}", started.elapsed());
    Ok(outcome)
}

/// A session of `email`'s on the backend, as another device holds it, checked to work.
async fn open_session(target: &impl Scanned, email: &str) -> Result<String> {
    let session = target.open_session(email, OLD_PASSWORD).await?;
    ensure!(
        target.session_alive(&session).await?,
        "a session just opened does not work"
    );
    Ok(session)
}

/// After a reset through `call` (`reset` or `reset_with_code`): the new password signs in and
/// the old one does not; the success page says what the description says of other sessions
/// (or, where it reads the answer, what the answer said); and the session held from before is
/// refused where the page says every device was signed out, and kept where it says they stay.
async fn settle(
    target: &impl Scanned,
    browser: &Browser,
    email: &str,
    session: String,
    call: &str,
) -> Result<Outcome> {
    ensure!(
        target.signs_in(email, NEW_PASSWORD).await?,
        "the new password does not sign {email} in"
    );
    ensure!(
        !target.signs_in(email, OLD_PASSWORD).await?,
        "the old password still signs {email} in"
    );
    let texts = Texts::load("en")?;
    let lead = browser.text("#done-lead").await?.unwrap_or_default();
    let said = [
        ("reset.done_lead", Some(true)),
        ("reset.done_lead_sessions_kept", Some(false)),
        ("reset.done_lead_plain", None),
    ]
    .into_iter()
    .find_map(|(key, ended)| (lead == texts.get(key)).then_some(ended))
    .with_context(|| format!("the success page says {lead:?}"))?;
    let claim = ends_sessions(target.description(), call)?;
    match &claim {
        Value::Bool(ended) => ensure!(
            said == Some(*ended),
            "{call} says ends_sessions: {ended}, the success page says {lead:?}"
        ),
        Value::Null => ensure!(said.is_none(), "the success page promises {lead:?}"),
        // A path into the answer (the reference server's): whatever the answer said.
        _ => {}
    }
    let alive = target.session_alive(&session).await?;
    match said {
        Some(true) => ensure!(
            !alive,
            "{call} (ends_sessions: {claim}) said every device was signed out, but a session \
             opened before it still works"
        ),
        Some(false) => ensure!(
            alive,
            "{call} (ends_sessions: {claim}) said devices stay signed in, but the session opened \
             before it was ended"
        ),
        None => {}
    }
    Ok(Outcome {
        session_alive_after: alive,
    })
}

/// `ends_sessions` of `call` in the description the pages run (`dist/backends/<name>.json`):
/// `true`, `false`, a path into the answer, or `null` when it says nothing.
fn ends_sessions(description: &str, call: &str) -> Result<Value> {
    let path = reclaim_e2e::dist_dir()?.join(format!("backends/{description}.json"));
    let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
    let description: Value = serde_json::from_str(&text)?;
    ensure!(
        description[call].is_object(),
        "{} has no {call}",
        path.display()
    );
    Ok(description[call]["ends_sessions"].clone())
}

/// A scanner visits the mail's `links`: `HEAD` and `GET` each, and a browser the first (the
/// mailed link itself), which runs the page and waits. Nothing any of them sent to the API
/// changes anything, and the browser was left on the page a person would find. With
/// `expect_read_only`, the browser's visit made every read-only call of the API (so the record
/// is known to see calls to it).
async fn scan(
    env: &Env,
    target: &impl Scanned,
    links: &[String],
    expect_read_only: bool,
) -> Result<()> {
    let api = target.api();
    // Links elsewhere (a mail's HTML names its DTD at w3.org) reach neither the pages nor the
    // API: nothing of ours to spend there, and no network here to follow them.
    let api_origin = url::Url::parse(&api.prefix)?.origin().ascii_serialization();
    let ours = |link: &&String| link.starts_with(&target.pages()) || link.starts_with(&api_origin);
    let links: Vec<&String> = links.iter().filter(ours).collect();
    let mut sent = Vec::new();
    for link in &links {
        sent.extend(plain_visit(Method::HEAD, link).await?);
        sent.extend(plain_visit(Method::GET, link).await?);
    }
    let link = *links.first().context("no link to scan")?;
    let browsed = browser_visit(env, target, link).await?;
    if expect_read_only {
        for call in &api.read_only {
            ensure!(
                browsed.iter().any(|request| call.allows(request)),
                "the browser's visit of {link} did not make {}:\n{}",
                call.what,
                lines(&browsed)
            );
        }
    }
    sent.extend(browsed);
    let to_api: Vec<SentRequest> = sent
        .into_iter()
        .filter(|request| request.url.starts_with(&api.prefix))
        .collect();
    for request in &to_api {
        // A CORS preflight only asks; it carries nothing.
        let allowed =
            request.method == "OPTIONS" || api.read_only.iter().any(|call| call.allows(request));
        ensure!(
            allowed,
            "the scanner sent {request} to the API; only these change nothing: {:?}",
            api.read_only.iter().map(|c| c.what).collect::<Vec<_>>()
        );
    }
    eprintln!(
        "{}: the scanner visited {links:?}; its calls to the API:\n{}",
        target.name(),
        lines(&to_api)
    );
    Ok(())
}

/// A plain HTTP client's visit (no scripts), following redirects: each hop it requested.
async fn plain_visit(method: Method, link: &str) -> Result<Vec<SentRequest>> {
    let first = link.split('#').next().unwrap_or_default().to_owned();
    let hops = Arc::new(Mutex::new(vec![first]));
    let recorded = hops.clone();
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(redirect::Policy::custom(move |attempt| {
            recorded.lock().unwrap().push(attempt.url().to_string());
            if attempt.previous().len() > 10 {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .build()?;
    let answer = client.request(method.clone(), link).send().await?;
    let status = answer.status();
    answer.bytes().await?;
    let hops = hops.lock().unwrap().clone();
    eprintln!(
        "scanner: {method} {link}: {status} after {} request(s)",
        hops.len()
    );
    Ok(hops
        .into_iter()
        .map(|url| SentRequest {
            method: method.to_string(),
            url,
            body: None,
            kind: "plain client".into(),
        })
        .collect())
}

/// A browser's visit in a fresh profile: the page runs, and stays [`SCANNER_WAIT`] untouched.
/// It shows what a person would find (the form to choose a password), sending nothing more.
async fn browser_visit(env: &Env, target: &impl Scanned, link: &str) -> Result<Vec<SentRequest>> {
    let browser = env.recording_browser_at(&target.pages()).await?;
    browser.goto(link).await?;
    tokio::time::sleep(SCANNER_WAIT).await;
    let heading = browser.heading().await?;
    let sent = browser.sent_requests().await?;
    let shown = browser.describe().await;
    browser.close().await?;
    ensure!(
        heading.as_deref() == Some(CHOOSE),
        "the scanner's browser, {SCANNER_WAIT:?} on {link}, shows {heading:?}\n{shown}"
    );
    // The record saw the visit itself (a check that it records at all).
    let first = link.split('#').next().unwrap_or_default();
    ensure!(
        sent.iter()
            .any(|request| request.kind == "Document" && request.url == first),
        "the browser's record has no visit of {first}:\n{}",
        lines(&sent)
    );
    Ok(sent)
}

// --- the backends -------------------------------------------------------------------------

/// A reference server serving the pages, and whether it was started with fragment links.
struct Reference<'a> {
    server: &'a TestServer,
    fragment: bool,
}

impl Reference<'_> {
    async fn mail(&self, email: &str, count: usize) -> Mail {
        let outbox = &self.server.outbox;
        let mut mails = outbox.wait_for(MailKind::Reset, email, count).await;
        mails.swap_remove(count - 1)
    }
}

impl Mailbox for Reference<'_> {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let link = self.mail(email, count).await.reset_link();
        ensure!(
            link.contains("#token=") == self.fragment,
            "{}: the server mailed {link}",
            self.name()
        );
        MailedLink::with_token(link)
    }
}

impl Scanned for Reference<'_> {
    fn name(&self) -> &'static str {
        if self.fragment {
            "reference (fragment links)"
        } else {
            "reference (query links)"
        }
    }

    fn pages(&self) -> String {
        self.server.url.clone()
    }

    fn description(&self) -> &'static str {
        "reclaim"
    }

    /// Nothing: the pages send the token only with the new password.
    fn api(&self) -> Api {
        Api {
            prefix: self.server.url_for("/account/"),
            read_only: Vec::new(),
        }
    }

    async fn create_user(&self, email: &str, password: &str) -> Result<()> {
        self.server.add_user(email, password).await;
        Ok(())
    }

    async fn request_link(&self, email: &str) -> Result<()> {
        let status = self.server.request_recovery(email).await.status();
        ensure!(status == 200, "the recovery request answered {status}");
        Ok(())
    }

    async fn signs_in(&self, email: &str, password: &str) -> Result<bool> {
        let status = self.server.login(email, password).await.status();
        ensure!(status == 200 || status == 401, "login answered {status}");
        Ok(status == 200)
    }

    /// `/account/login`'s session cookie.
    async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        let cookie = self.server.sign_in(email, password).await;
        cookie.context("the sign-in was refused")
    }

    /// `GET /account/session`: 200 while the session lives, 401 once it has ended.
    async fn session_alive(&self, cookie: &str) -> Result<bool> {
        let status = self.server.session(cookie).await.status();
        ensure!(
            status == 200 || status == 401,
            "the session answered {status}"
        );
        Ok(status == 200)
    }

    /// The link, the page where the code is typed (and the code, which is no link).
    async fn mail_links(&self, email: &str, secret: &str) -> Result<Vec<String>> {
        let mails = self.server.outbox.mails_of(MailKind::Reset, email);
        let mail = mails.iter().find(|mail| mail.body().contains(secret));
        Ok(distinct(
            mail.context("no mail carries the secret")?.links(),
        ))
    }

    async fn mailed_code(&self, email: &str, count: usize) -> Result<String> {
        Ok(self.mail(email, count).await.reset_code())
    }
}

/// The Firebase emulator, its link as a custom email action handler receives it:
/// `<pages>/reset?mode=resetPassword&oobCode=…&apiKey=…&lang=en` (Firebase's mail carries that
/// link alone).
struct FirebaseLinks(&'static Firebase);

impl Mailbox for FirebaseLinks {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let query = eventually(format!("reset link #{count} for {email}"), || async {
            Ok(self.0.reset_links(email).await?.into_iter().nth(count - 1))
        })
        .await?;
        let secret = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("oobCode="))
            .with_context(|| format!("no oobCode in {query}"))?
            .to_owned();
        let url = format!("{}?{query}", self.0.page("/reset"));
        Ok(MailedLink { url, secret })
    }
}

impl Scanned for FirebaseLinks {
    fn name(&self) -> &'static str {
        "firebase"
    }

    fn pages(&self) -> String {
        self.0.pages.clone()
    }

    fn description(&self) -> &'static str {
        "firebase"
    }

    fn api(&self) -> Api {
        Api {
            prefix: format!("{}/", self.0.emulator),
            read_only: vec![ReadOnly {
                what: "the check, accounts:resetPassword with the code alone",
                methods: &["POST"],
                url: format!(
                    "{}/identitytoolkit.googleapis.com/v1/accounts:resetPassword",
                    self.0.emulator
                ),
                body_keys: &["oobCode"],
            }],
        }
    }

    async fn create_user(&self, email: &str, password: &str) -> Result<()> {
        self.0.sign_up(email, password).await
    }

    async fn request_link(&self, email: &str) -> Result<()> {
        self.0.send_reset_link(email).await
    }

    async fn signs_in(&self, email: &str, password: &str) -> Result<bool> {
        self.0.signs_in(email, password).await
    }

    async fn open_session(&self, email: &str, password: &str) -> Result<String> {
        self.0.open_session(email, password).await
    }

    async fn session_alive(&self, session: &str) -> Result<bool> {
        self.0.session_alive(session).await
    }

    async fn mail_links(&self, email: &str, secret: &str) -> Result<Vec<String>> {
        let link = self.reset_link(email, 1).await?;
        ensure!(
            link.secret == secret,
            "the first mail is not the one scanned"
        );
        Ok(vec![link.url])
    }
}

/// The [`Scanned`] methods every [`RecoveryBackend`] answers alike.
macro_rules! through_the_backend {
    () => {
        async fn create_user(&self, email: &str, password: &str) -> Result<()> {
            RecoveryBackend::create_user(self.backend(), email, password).await
        }

        async fn signs_in(&self, email: &str, password: &str) -> Result<bool> {
            RecoveryBackend::sign_in(self.backend(), email, password).await
        }

        async fn open_session(&self, email: &str, password: &str) -> Result<String> {
            RecoveryBackend::open_session(self.backend(), email, password).await
        }

        async fn session_alive(&self, session: &str) -> Result<bool> {
            RecoveryBackend::session_alive(self.backend(), session).await
        }

        fn pages(&self) -> String {
            self.backend().hosted().pages.clone()
        }
    };
}

/// The links of the `.eml` mail to `email` that carries `secret` (django-allauth, PocketBase).
fn eml_links(hosted: &Hosted, email: &str, secret: &str) -> Result<Vec<String>> {
    let mails = hosted.eml_mails();
    let mail = mails
        .iter()
        .filter(|mail| mail.is_to(email))
        .find(|mail| mail.body().contains(secret))
        .context("no mail carries the secret")?;
    Ok(distinct(mail.links()))
}

impl Scanned for Allauth {
    fn name(&self) -> &'static str {
        if self.codes {
            "allauth-codes"
        } else {
            "allauth"
        }
    }

    fn description(&self) -> &'static str {
        self.name()
    }

    /// Links: the check, a `GET` with the key in a header. Codes: nothing before the code.
    fn api(&self) -> Api {
        let read_only = (!self.codes).then(|| ReadOnly {
            what: "the check, GET /auth/password/reset",
            methods: &["GET"],
            url: self.url("/auth/password/reset"),
            body_keys: &[],
        });
        Api {
            prefix: format!("{}{APP}/", self.hosted.api),
            read_only: read_only.into_iter().collect(),
        }
    }

    async fn request_link(&self, email: &str) -> Result<()> {
        let body = serde_json::json!({ "email": email });
        let (status, body) = self.post("/auth/password/request", body, None).await?;
        ensure!(status == 200, "the request answered {status}: {body}");
        Ok(())
    }

    async fn mail_links(&self, email: &str, secret: &str) -> Result<Vec<String>> {
        eml_links(&self.hosted, email, secret)
    }

    async fn mailed_code(&self, email: &str, count: usize) -> Result<String> {
        self.wait_for_code(email, count).await
    }

    through_the_backend!();
}

/// The backend a case goes through, for [`through_the_backend!`].
trait Through {
    type Backend: RecoveryBackend;
    fn backend(&self) -> &Self::Backend;
}

impl Through for Allauth {
    type Backend = Allauth;
    fn backend(&self) -> &Allauth {
        self
    }
}

impl Scanned for PocketBase {
    fn name(&self) -> &'static str {
        "pocketbase"
    }

    fn description(&self) -> &'static str {
        "pocketbase"
    }

    /// Nothing: the pages send the token only with the new password.
    fn api(&self) -> Api {
        Api {
            prefix: format!("{}/", self.hosted.api),
            read_only: Vec::new(),
        }
    }

    async fn request_link(&self, email: &str) -> Result<()> {
        let body = serde_json::json!({ "email": email });
        let (status, body) = self.post("/request-password-reset", body).await?;
        ensure!(status == 204, "the request answered {status}: {body}");
        Ok(())
    }

    async fn mail_links(&self, email: &str, secret: &str) -> Result<Vec<String>> {
        eml_links(&self.hosted, email, secret)
    }

    through_the_backend!();
}

impl Through for PocketBase {
    type Backend = PocketBase;
    fn backend(&self) -> &PocketBase {
        self
    }
}

/// What Better Auth's mail carries, case by case.
#[derive(Clone, Copy, PartialEq)]
enum BetterAuthMail {
    /// Its own link, `<api>/api/auth/reset-password/<token>?callbackURL=…`: a `GET` on the
    /// API, which redirects to the pages.
    OwnLink,
    /// The link a host builds straight to the pages, as docs/backends/better-auth.md shows
    /// (`callbackURL` with `?token=<token>`): nothing reaches the API before the person sends
    /// the password.
    PagesLink,
    /// Its emailOTP code, with the pages running `better-auth-codes`.
    Code,
}

/// Better Auth, as a case meets its mail.
struct BetterAuthCase {
    backend: &'static BetterAuth,
    mail: BetterAuthMail,
}

impl Mailbox for BetterAuthCase {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let own = Mailbox::reset_link(self.backend, email, count).await?;
        match self.mail {
            BetterAuthMail::OwnLink => Ok(own),
            BetterAuthMail::PagesLink => {
                let url = url::Url::parse(&own.url)?;
                let (_, callback) = url
                    .query_pairs()
                    .find(|(name, _)| name == "callbackURL")
                    .with_context(|| format!("no callbackURL in {url}"))?;
                let mut straight = url::Url::parse(&callback)?;
                straight.query_pairs_mut().append_pair("token", &own.secret);
                Ok(MailedLink {
                    url: straight.into(),
                    secret: own.secret,
                })
            }
            BetterAuthMail::Code => bail!("better-auth-codes mails codes, not links"),
        }
    }
}

impl Scanned for BetterAuthCase {
    fn name(&self) -> &'static str {
        match self.mail {
            BetterAuthMail::OwnLink => "better-auth (its own link)",
            BetterAuthMail::PagesLink => "better-auth (a link straight to the pages)",
            BetterAuthMail::Code => "better-auth-codes",
        }
    }

    fn description(&self) -> &'static str {
        match self.mail {
            BetterAuthMail::Code => "better-auth-codes",
            _ => "better-auth",
        }
    }

    /// Its own link is on the API; nothing else reaches it before the person sends.
    fn api(&self) -> Api {
        let own_link = (self.mail == BetterAuthMail::OwnLink).then(|| ReadOnly {
            what: "Better Auth's own link, GET /reset-password/<token>",
            methods: &["GET", "HEAD"],
            url: self.backend.url("/reset-password/"),
            body_keys: &[],
        });
        Api {
            prefix: format!("{}{BASE}/", self.backend.hosted.api),
            read_only: own_link.into_iter().collect(),
        }
    }

    /// With the pages' `/reset` as `redirectTo`, as the pages send it.
    async fn request_link(&self, email: &str) -> Result<()> {
        let reset = self.backend.hosted.page("/reset");
        let body = serde_json::json!({ "email": email, "redirectTo": reset });
        let (status, body) = self.backend.post("/request-password-reset", body).await?;
        ensure!(status == 200, "the request answered {status}: {body}");
        Ok(())
    }

    /// The host writes each "mail" as JSON: a link's holds that link alone; a code's, none.
    async fn mail_links(&self, email: &str, secret: &str) -> Result<Vec<String>> {
        if self.mail == BetterAuthMail::Code {
            return Ok(Vec::new());
        }
        let link = self.reset_link(email, 1).await?;
        ensure!(
            link.secret == secret,
            "the first mail is not the one scanned"
        );
        Ok(vec![link.url])
    }

    async fn mailed_code(&self, email: &str, count: usize) -> Result<String> {
        self.backend.wait_for_code(email, count).await
    }

    through_the_backend!();
}

impl Through for BetterAuthCase {
    type Backend = BetterAuth;
    fn backend(&self) -> &BetterAuth {
        self.backend
    }
}

/// Requests one to a line, for messages.
fn lines(requests: &[SentRequest]) -> String {
    requests.iter().map(|r| format!("  {r}\n")).collect()
}

/// `links` without repeats, in order (a mail's text and HTML parts carry the same link).
fn distinct(links: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for link in links {
        if !seen.contains(&link) {
            seen.push(link);
        }
    }
    seen
}

// --- the test ----------------------------------------------------------------------------

/// Every backend and link style at once, at most [`CASES_AT_ONCE`] cases at a time; every
/// failure is reported, each named by its case.
#[test]
fn mail_scanners_spend_nothing() {
    // Each backend is started once for the whole run (the other tests share them), these
    // side by side.
    let (firebase, allauth, allauth_codes, better_auth, pocketbase) = std::thread::scope(|s| {
        let firebase = s.spawn(|| firebase().expect("the Firebase emulator"));
        let allauth = s.spawn(|| allauth().expect("django-allauth"));
        let codes = s.spawn(|| allauth_codes().expect("django-allauth (codes)"));
        let better_auth = s.spawn(|| better_auth().expect("Better Auth"));
        let pocketbase = s.spawn(|| pocketbase().expect("PocketBase"));
        (
            firebase.join().unwrap(),
            allauth.join().unwrap(),
            codes.join().unwrap(),
            better_auth.join().unwrap(),
            pocketbase.join().unwrap(),
        )
    });
    run("mail_scanners", &[], move |env| async move {
        let started = Instant::now();
        // The reference server with fragment links beside the harness's, with query links.
        let fragments = TestServer::builder()
            .flag("--dist", reclaim_e2e::dist_dir()?.display())
            .flags(&["--link-style", "fragment"])
            .start()
            .await;
        let query = Reference {
            server: env.server(),
            fragment: false,
        };
        let fragment = Reference {
            server: &fragments,
            fragment: true,
        };
        let at_once = &Semaphore::new(CASES_AT_ONCE);
        let env = &env;
        let cases: Vec<Case<'_>> = vec![
            Box::pin(limited(at_once, link_case(env, &query))),
            Box::pin(limited(at_once, code_case(env, &query))),
            Box::pin(limited(at_once, link_case(env, &fragment))),
            Box::pin(limited(at_once, code_case(env, &fragment))),
            Box::pin(async {
                let outcome = limited(at_once, link_case(env, &FirebaseLinks(firebase))).await?;
                // Firebase's description promises nothing (an ID token a server checks
                // offline lives on for up to an hour); the emulator does revoke the session.
                ensure!(
                    !outcome.session_alive_after,
                    "firebase: the emulator kept the ID token from before the reset"
                );
                Ok(outcome)
            }),
            Box::pin(as_started(
                &allauth.hosted,
                limited(at_once, link_case(env, allauth)),
            )),
            Box::pin(as_started(
                &allauth_codes.hosted,
                limited(at_once, code_case(env, allauth_codes)),
            )),
            Box::pin(async {
                // Better Auth's own link and the link straight to the pages, on the pages as
                // started; then its codes, with the pages running `better-auth-codes`.
                let case = |mail| BetterAuthCase {
                    backend: better_auth,
                    mail,
                };
                let (own, straight, codes) = (
                    case(BetterAuthMail::OwnLink),
                    case(BetterAuthMail::PagesLink),
                    case(BetterAuthMail::Code),
                );
                let links = better_auth.hosted.as_started().await;
                let (own, straight) = tokio::join!(
                    limited(at_once, link_case(env, &own)),
                    limited(at_once, link_case(env, &straight))
                );
                drop(links);
                let _codes = better_auth.hosted.running("better-auth-codes").await?;
                let codes = limited(at_once, code_case(env, &codes)).await;
                all_passed([own, straight, codes])
            }),
            Box::pin(as_started(
                &pocketbase.hosted,
                limited(at_once, link_case(env, pocketbase)),
            )),
        ];
        let outcomes = join_all(cases).await;
        fragments.shutdown().await;
        eprintln!("mail scanners: every case in {:?}", started.elapsed());
        all_passed(outcomes).map(drop)
    });
}

/// A case of [`mail_scanners_spend_nothing`], boxed so that they can be listed together.
type Case<'a> = Pin<Box<dyn Future<Output = Result<Outcome>> + Send + 'a>>;

/// Runs `case` once a place is free among the cases running at once.
async fn limited<T>(at_once: &Semaphore, case: impl Future<Output = Result<T>>) -> Result<T> {
    let _place = at_once.acquire().await?;
    case.await
}

/// Runs `case` with a backend's shared site as it was started (a test that changes the site
/// waits, and so does this for it).
async fn as_started<T>(hosted: &Hosted, case: impl Future<Output = Result<T>>) -> Result<T> {
    let _site = hosted.as_started().await;
    case.await
}

/// The last outcome if every one passed, else every failure.
fn all_passed(outcomes: impl IntoIterator<Item = Result<Outcome>>) -> Result<Outcome> {
    let (passed, failed): (Vec<_>, Vec<_>) = outcomes.into_iter().partition(Result::is_ok);
    if failed.is_empty() {
        return passed.into_iter().last().context("no case ran")?;
    }
    let failures: Vec<String> = failed
        .into_iter()
        .filter_map(Result::err)
        .map(|e| format!("{e:#}"))
        .collect();
    Err(anyhow!(
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    ))
}
