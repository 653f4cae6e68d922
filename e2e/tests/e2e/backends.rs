//! The pages in Chromium in front of the real django-allauth (headless, app client), Better
//! Auth and PocketBase, each started once for the whole run (`reclaim_e2e::backends`) with
//! the pages on their own origin and `config.json` naming the backend and its `api_base`.
//!
//! For each, as a person meets it: an unknown address reads exactly like a known one; the
//! link asked for on `/recover` and read from the backend's own mail output, opened (Better
//! Auth's through its own redirect), its secret gone from the address bar at once; a password
//! the pages take but the backend refuses shown at the field in the pages' words, the form
//! kept; the new password set and proven with the backend's own sign-in (the old one refused);
//! the same link again invalid. All the while the pages call their own origin and `api_base`,
//! and exactly the calls the backend's description names. And a description with a mistake
//! shows the configuration problem, naming the key, and sends nothing.
//!
//! The code flow in one tab, through the pages running `allauth-codes` (allauth's second
//! instance, in code mode) and `better-auth-codes` (Better Auth's emailOTP plugin): an unknown
//! address reads exactly like a known one up to the code step; the code read from the backend's
//! own mail output, a wrong one first said at the code field, then the right one typed as a
//! person would; the new password proven with the backend's own sign-in (the old one refused).

use std::future::Future;

use anyhow::{ensure, Result};
use reclaim_e2e::backends::allauth::{allauth, allauth_codes, Allauth};
use reclaim_e2e::backends::better_auth::{self, better_auth, BetterAuth};
use reclaim_e2e::backends::pocketbase::{self, pocketbase, PocketBase};
use reclaim_e2e::backends::{unique_email, Hosted, RecoveryBackend};
use reclaim_e2e::{run, Browser, Key};
use reclaim_testkit::http_client;
use serde_json::json;

use crate::first_paint::{let_the_app_start, open_with_the_wasm_held_back};
use crate::reset_flow::Mailbox;
use crate::*;

/// The configuration problem's heading.
const NOT_SET_UP: &str = "This page is not set up correctly";

/// Every request the page has made outside its own origin is to `api_base`; gives them, in the
/// order they were made.
async fn api_calls(hosted: &Hosted, browser: &Browser) -> Result<Vec<String>> {
    let foreign = browser.foreign_requests().await?;
    let api = format!("{}/", hosted.api);
    let elsewhere: Vec<&String> = foreign.iter().filter(|u| !u.starts_with(&api)).collect();
    ensure!(
        elsewhere.is_empty(),
        "the page called origins other than its own and api_base ({}): {elsewhere:?}",
        hosted.api
    );
    Ok(foreign)
}

/// The page has called exactly `expected` outside its own origin.
async fn assert_calls(hosted: &Hosted, browser: &Browser, expected: &[&String]) -> Result<()> {
    let calls = api_calls(hosted, browser).await?;
    ensure!(
        calls.iter().eq(expected.iter().copied()),
        "the page called {calls:?}, expected {expected:?}"
    );
    Ok(())
}

/// What one backend's test needs to know beyond the flow they all share.
struct Behind<'a, B> {
    backend: &'a B,
    /// The URLs of the backend's calls the pages make: asking for a link, checking it before
    /// a password is typed (where the backend can), setting the password.
    request_url: String,
    check_url: Option<String>,
    reset_url: String,
    /// A password the pages take (8 characters or more) that the backend refuses, and the
    /// pages' words for it at the field.
    refused: (String, String),
    /// Whether a used link is said to be invalid before any password is typed (the backend
    /// checks the link, or refuses it in its own redirect).
    refused_on_opening: bool,
    /// Where a used link lands, when the backend's own redirect says it is refused.
    used_link_lands_on: Option<String>,
    /// The statuses the browser's console reports as failed loads along the way (a refused
    /// password, a used link, allauth's 401 for a reset that does not sign in).
    failed_loads: &'static [u16],
}

impl<B: RecoveryBackend + Mailbox> Behind<'_, B> {
    fn hosted(&self) -> &Hosted {
        self.backend.hosted()
    }

    /// A browser on the pages' origin.
    async fn browser(&self, env: &reclaim_e2e::Env) -> Result<Browser> {
        env.browser_at(&self.hosted().pages).await
    }

    async fn api_calls(&self, browser: &Browser) -> Result<Vec<String>> {
        api_calls(self.hosted(), browser).await
    }

    async fn assert_calls(&self, browser: &Browser, expected: &[&String]) -> Result<()> {
        assert_calls(self.hosted(), browser, expected).await
    }

    /// An unknown address: the same heading and the same sentence as a known one, from the
    /// same call; the known address does get its link.
    async fn unknown_address_reads_like_a_known_one(&self, browser: &Browser) -> Result<()> {
        let known = unique_email("known");
        let unknown = unique_email("nobody");
        self.backend.create_user(&known, OLD_PASSWORD).await?;
        let mut pages = Vec::new();
        for email in [&known, &unknown] {
            ResetFlow::new(browser, self.backend, email)
                .request()
                .await?;
            self.assert_calls(browser, &[&self.request_url]).await?;
            let main = browser.text("#main").await?.unwrap_or_default();
            pages.push(main.replace(email.as_str(), "ADDRESS"));
        }
        ensure!(
            pages[0] == pages[1],
            "the pages differ for a known and an unknown address:\n{}\n---\n{}",
            pages[0],
            pages[1]
        );
        self.backend.reset_link(&known, 1).await.map(drop)
    }

    /// The link from the mail, through to the new password signing in, then used again.
    async fn reset_through_the_pages(&self, browser: &Browser) -> Result<()> {
        let email = unique_email("alice");
        self.backend.create_user(&email, OLD_PASSWORD).await?;
        let flow = ResetFlow::new(browser, self.backend, &email);
        flow.request().await?;
        self.assert_calls(browser, &[&self.request_url]).await?;

        let link = flow.open_link(1).await?;
        if let Some(check_url) = &self.check_url {
            // Checked before a password is typed: whose account it is, masked.
            let account = browser.wait_text("account").await?;
            let masked = "For the account a\u{2022}\u{2022}\u{2022}@example.com";
            ensure!(account == masked, "the page says {account:?}");
            self.assert_calls(browser, &[check_url]).await?;
        }

        // A password the backend refuses: said at the field in the pages' words, the form
        // (and the link) kept.
        let (weak, words) = &self.refused;
        flow.submit_password(weak).await?;
        // The words follow the visually hidden "Error:" that a screen reader reads first.
        let said = assert_field_error(browser, "new-password").await?;
        ensure!(
            said.ends_with(&format!("\n{words}")),
            "the refused password reads {said:?}"
        );
        ensure!(
            browser.heading().await?.as_deref() == Some(CHOOSE),
            "the refusal left the form"
        );

        let outcome = flow.choose(NEW_PASSWORD).await?;
        ensure!(outcome == CHANGED, "the reset ended on {outcome:?}");
        let checked = self.check_url.iter();
        let expected: Vec<&String> = checked.chain([&self.reset_url, &self.reset_url]).collect();
        self.assert_calls(browser, &expected).await?;
        assert_password_changed(self.backend, &email, NEW_PASSWORD, OLD_PASSWORD).await?;

        // The same link again: invalid, and nothing changes.
        browser.goto(&link.url).await?;
        let again = if self.refused_on_opening {
            browser.wait_heading_any(&[INVALID]).await?
        } else {
            flow.choose(OTHER_PASSWORD).await?
        };
        ensure!(again == INVALID, "the used link ended on {again:?}");
        if let Some(landing) = &self.used_link_lands_on {
            let script = "return performance.getEntriesByType('navigation')[0].name;";
            let landed = browser.js(script, vec![]).await?;
            ensure!(landed == **landing, "the used link landed on {landed}");
        }
        ensure!(
            browser.exists("a#request-new-link").await?,
            "the invalid state has no a#request-new-link"
        );
        self.api_calls(browser).await?;
        assert_password_changed(self.backend, &email, NEW_PASSWORD, OTHER_PASSWORD).await?;
        browser.assert_console_clean(self.failed_loads).await
    }

    /// A person who asks for a link, then sets the password, each before the app has run: the
    /// page holds each send (nothing leaves while the wasm is held back), and the app sends it
    /// once as soon as it runs, checking the link first where the backend does.
    async fn sent_before_the_app_runs(&self, browser: &Browser) -> Result<()> {
        let email = unique_email("early");
        self.backend.create_user(&email, OLD_PASSWORD).await?;
        open_with_the_wasm_held_back(browser, &self.hosted().page("/recover"), REQUEST).await?;
        browser.type_into("#email", &email).await?;
        browser.click("#send-link").await?;
        self.assert_calls(browser, &[]).await?;
        let_the_app_start(browser).await?;
        browser.wait_heading(CHECK_EMAIL).await?;
        let link = self.backend.reset_link(&email, 1).await?;
        self.assert_calls(browser, &[&self.request_url]).await?;

        open_with_the_wasm_held_back(browser, &link.url, CHOOSE).await?;
        browser.type_into("#new-password", NEW_PASSWORD).await?;
        browser.type_into("#confirm-password", NEW_PASSWORD).await?;
        browser.press(Key::Enter).await?;
        self.assert_calls(browser, &[]).await?;
        let expected: Vec<&String> = match &self.check_url {
            None => vec![&self.reset_url],
            // Checked first, by the app: the reset after it.
            Some(check_url) => vec![check_url, &self.reset_url],
        };
        let_the_app_start(browser).await?;
        browser.wait_heading(CHANGED).await?;
        self.assert_calls(browser, &expected).await?;
        assert_password_changed(self.backend, &email, NEW_PASSWORD, OLD_PASSWORD).await
    }
}

#[test]
fn allauth_behind_the_pages() {
    let allauth: &'static Allauth = allauth().expect("django-allauth");
    eprintln!("django-allauth started in {:?}", allauth.hosted.started_in);
    run("allauth", &[], move |env| async move {
        let behind = Behind {
            backend: allauth,
            request_url: allauth.url("/auth/password/request"),
            check_url: Some(allauth.url("/auth/password/reset")),
            reset_url: allauth.url("/auth/password/reset"),
            // Django's list of common passwords.
            refused: ("password123".into(), PASSWORD_COMMON.into()),
            refused_on_opening: true,
            used_link_lands_on: None,
            failed_loads: &[400, 401],
        };
        let browser = behind.browser(&env).await?;
        behind
            .unknown_address_reads_like_a_known_one(&browser)
            .await?;
        behind.reset_through_the_pages(&browser).await?;
        behind.sent_before_the_app_runs(&browser).await
    });
}

#[test]
fn better_auth_behind_the_pages() {
    let better_auth: &'static BetterAuth = better_auth().expect("Better Auth");
    eprintln!("Better Auth started in {:?}", better_auth.hosted.started_in);
    run("better_auth", &[], move |env| async move {
        let behind = Behind {
            backend: better_auth,
            request_url: better_auth.url("/request-password-reset"),
            check_url: None,
            reset_url: better_auth.url("/reset-password"),
            // Below the host's minimum (10), above the pages' 8.
            refused: too_short_for(better_auth::MIN_PASSWORD_LENGTH),
            refused_on_opening: true,
            used_link_lands_on: Some(better_auth.hosted.page("/reset?error=INVALID_TOKEN")),
            failed_loads: &[400],
        };
        // The pages as started (`better-auth`), not switched to its codes.
        let _links = better_auth.hosted.as_started().await;
        let browser = behind.browser(&env).await?;
        behind
            .unknown_address_reads_like_a_known_one(&browser)
            .await?;
        behind.reset_through_the_pages(&browser).await?;
        behind.sent_before_the_app_runs(&browser).await?;

        // What keeps Better Auth's own link from leading anywhere else: it mails no link
        // for a redirectTo outside trustedOrigins.
        let answer = http_client()
            .post(better_auth.url("/request-password-reset"))
            .header("Origin", &better_auth.hosted.pages)
            .json(&json!({ "email": unique_email("alice"), "redirectTo": "https://elsewhere.example/reset" }))
            .send()
            .await?;
        ensure!(answer.status() == 403, "a foreign redirectTo: {answer:?}");
        Ok(())
    });
}

#[test]
fn pocketbase_behind_the_pages() {
    let pocketbase: &'static PocketBase = pocketbase().expect("PocketBase");
    eprintln!("PocketBase started in {:?}", pocketbase.hosted.started_in);
    run("pocketbase", &[], move |env| async move {
        let behind = Behind {
            backend: pocketbase,
            request_url: pocketbase.url("/request-password-reset"),
            check_url: None,
            reset_url: pocketbase.url("/confirm-password-reset"),
            // Below the collection's minimum (the host's rule, 10), above the pages' 8.
            refused: too_short_for(pocketbase::MIN_PASSWORD_LENGTH),
            refused_on_opening: false,
            used_link_lands_on: None,
            failed_loads: &[400],
        };
        let browser = behind.browser(&env).await?;
        behind
            .unknown_address_reads_like_a_known_one(&browser)
            .await?;
        behind.reset_through_the_pages(&browser).await?;
        behind.sent_before_the_app_runs(&browser).await?;
        // Last: it changes the site every PocketBase page is served from.
        a_description_with_a_mistake_sends_nothing(&behind, &browser).await
    });
}

/// The code step's heading and the pages' words for a refused code (`code.heading`,
/// `code.wrong`).
const ENTER_CODE: &str = "Enter the code from the email";
const CODE_WRONG: &str =
    "This code is wrong or has expired. Check the newest email, or send a new code.";

/// A backend that mails a short code to type.
trait MailsCodes: RecoveryBackend + Mailbox {
    /// The `count`th code mailed to `email` (waiting for it), as a person types it.
    fn typed_code(&self, email: &str, count: usize) -> impl Future<Output = Result<String>> + Send;
}

/// Read off a phone: lower case, no dash. allauth takes out punctuation and case before it
/// compares, and the pages send the code as typed.
impl MailsCodes for Allauth {
    async fn typed_code(&self, email: &str, count: usize) -> Result<String> {
        let code = self.wait_for_code(email, count).await?;
        Ok(code.replace('-', "").to_lowercase())
    }
}

/// Six digits, as mailed.
impl MailsCodes for BetterAuth {
    async fn typed_code(&self, email: &str, count: usize) -> Result<String> {
        self.wait_for_code(email, count).await
    }
}

/// What one backend's code test needs to know.
struct CodesBehind<'a, B> {
    backend: &'a B,
    /// Asking for the code; setting the password with it.
    request_url: String,
    reset_url: String,
    /// As in [`Behind`].
    failed_loads: &'static [u16],
}

impl<B: MailsCodes> CodesBehind<'_, B> {
    async fn assert_calls(&self, browser: &Browser, expected: &[&String]) -> Result<()> {
        assert_calls(self.backend.hosted(), browser, expected).await
    }
}

/// The code flow in one tab, through the pages running a code description.
async fn reset_by_code_through_the_pages<B: MailsCodes>(
    behind: &CodesBehind<'_, B>,
    browser: &Browser,
) -> Result<()> {
    let known = unique_email("carol");
    let unknown = unique_email("nobody");
    behind.backend.create_user(&known, OLD_PASSWORD).await?;

    // Up to the code step, what the pages show is the same for both: nothing tells whether
    // the account exists. The known address last, so the tab goes on with it.
    let mut pages = Vec::new();
    for email in [&unknown, &known] {
        let flow = ResetFlow::new(browser, behind.backend, email);
        flow.request().await?;
        let sent = browser.text("#main").await?.unwrap_or_default();
        browser.click("#enter-code").await?;
        browser.wait_heading(ENTER_CODE).await?;
        let step = browser.text("#main").await?.unwrap_or_default();
        pages.push(format!("{sent}\n---\n{step}").replace(email.as_str(), "ADDRESS"));
        behind.assert_calls(browser, &[&behind.request_url]).await?;
    }
    ensure!(
        pages[0] == pages[1],
        "the pages differ for an unknown and a known address:\n{}\n===\n{}",
        pages[0],
        pages[1]
    );

    // A wrong code (the right one with its last character changed) is said at the code
    // field; the step, and what was typed, kept.
    let code = behind.backend.typed_code(&known, 1).await?;
    let (kept, last) = code.split_at(code.len() - 1);
    let wrong = format!("{kept}{}", if last == "0" { '1' } else { '0' });
    browser.type_into("#reset-code", &wrong).await?;
    browser.type_into("#new-password", NEW_PASSWORD).await?;
    browser.type_into("#confirm-password", NEW_PASSWORD).await?;
    browser.click("#set-password").await?;
    let said = assert_field_error(browser, "reset-code").await?;
    ensure!(
        said.ends_with(&format!("\n{CODE_WRONG}")),
        "the wrong code reads {said:?}"
    );
    ensure!(
        browser.heading().await?.as_deref() == Some(ENTER_CODE),
        "the wrong code left the code step"
    );
    ensure!(
        !behind.backend.sign_in(&known, NEW_PASSWORD).await?,
        "the wrong code changed the password"
    );

    browser.replace_text("#reset-code", &code).await?;
    browser.click("#set-password").await?;
    browser.wait_heading(CHANGED).await?;
    let url = browser.current_url().await?;
    ensure!(url.ends_with("/recover"), "the address bar shows {url}");
    let reset = &behind.reset_url;
    behind
        .assert_calls(browser, &[&behind.request_url, reset, reset])
        .await?;
    assert_password_changed(behind.backend, &known, NEW_PASSWORD, OLD_PASSWORD).await?;
    browser.assert_console_clean(behind.failed_loads).await
}

#[test]
fn allauth_codes_behind_the_pages() {
    let allauth: &'static Allauth = allauth_codes().expect("django-allauth (codes)");
    eprintln!(
        "django-allauth (codes) started in {:?}",
        allauth.hosted.started_in
    );
    run("allauth_codes", &[], move |env| async move {
        let behind = CodesBehind {
            backend: allauth,
            request_url: allauth.url("/auth/password/request"),
            reset_url: allauth.url("/auth/password/reset"),
            // The request's 401 that starts the flow, the success's that does not sign in,
            // the wrong code's 400.
            failed_loads: &[400, 401],
        };
        let browser = env.browser_at(&behind.backend.hosted.pages).await?;
        reset_by_code_through_the_pages(&behind, &browser).await
    });
}

#[test]
fn better_auth_codes_behind_the_pages() {
    let better_auth: &'static BetterAuth = better_auth().expect("Better Auth");
    run("better_auth_codes", &[], move |env| async move {
        let behind = CodesBehind {
            backend: better_auth,
            request_url: better_auth.url("/email-otp/request-password-reset"),
            reset_url: better_auth.url("/email-otp/reset-password"),
            // The wrong code's 400.
            failed_loads: &[400],
        };
        // The one Better Auth answers both descriptions; its pages run this one alone while
        // this test lasts.
        let _codes = better_auth.hosted.running("better-auth-codes").await?;
        let browser = env.browser_at(&behind.backend.hosted.pages).await?;
        reset_by_code_through_the_pages(&behind, &browser).await
    });
}

/// A deployer's `backends/pocketbase.json` with a mistake: each page shows the configuration
/// problem, naming the key, and calls nothing but its own origin. The shipped file is put back
/// at the end, passed or failed.
async fn a_description_with_a_mistake_sends_nothing(
    behind: &Behind<'_, PocketBase>,
    browser: &Browser,
) -> Result<()> {
    const FILE: &str = "backends/pocketbase.json";
    let shipped = std::fs::read_to_string(reclaim_e2e::dist_dir()?.join(FILE))?;
    let mut description: serde_json::Value = serde_json::from_str(&shipped)?;
    let mistakes = [
        ("an unknown key", "retries is not a key here", {
            let mut d = description.clone();
            d["retries"] = json!(3);
            d
        }),
        (
            "no answer for a refused link",
            "reset.answers has no answer refusing a link",
            {
                let mut d = description.clone();
                let answers = d["reset"]["answers"].as_array_mut().unwrap();
                answers.retain(|answer| answer["means"] != "invalid_link");
                d
            },
        ),
        (
            "a placeholder that does not exist",
            "request.fields.email uses {emial}, which does not exist here",
            {
                description["request"]["fields"]["email"] = json!("{emial}");
                description
            },
        ),
    ];
    // The site is every PocketBase test's: held alone while it is broken (a test holding it as
    // started waits), and the shipped file put back whatever happens.
    let _alone = behind.hosted().running("pocketbase").await?;
    let tried = async {
        for (mistake, named, broken) in mistakes {
            behind
                .hosted()
                .put_site_file(FILE, broken.to_string().as_bytes())?;
            for page in ["/recover", "/reset?token=abc"] {
                browser.goto(page).await?;
                browser.wait_heading(NOT_SET_UP).await?;
                let problem = browser.text(".alert").await?.unwrap_or_default();
                ensure!(
                    problem.starts_with("backends/pocketbase.json: ") && problem.contains(named),
                    "{mistake}, on {page}: the page says {problem:?}"
                );
                behind.assert_calls(browser, &[]).await?;
            }
        }
        Ok::<_, anyhow::Error>(())
    };
    let tried = tried.await;
    behind.hosted().put_site_file(FILE, shipped.as_bytes())?;
    tried?;
    browser.goto("/recover").await?;
    browser.wait_heading(REQUEST).await
}

/// A password one character shorter than a backend's minimum (which is above the pages' 8),
/// and the pages' words for it: the shortest length the backend's refusal proves.
fn too_short_for(minimum: usize) -> (String, String) {
    assert!(
        minimum > 9,
        "the pages themselves refuse passwords shorter than 8"
    );
    let password = "harbor-sextant-lantern-91"[..minimum - 1].to_owned();
    let words = format!("Your password must be at least {minimum} characters long");
    (password, words)
}

/// The pages' words for a password that is too common (`password.common`).
const PASSWORD_COMMON: &str =
    "This password is too common or too easy to guess. Choose a different one.";
