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

use anyhow::{ensure, Result};
use reclaim_e2e::backends::allauth::{allauth, Allauth};
use reclaim_e2e::backends::better_auth::{self, better_auth, BetterAuth};
use reclaim_e2e::backends::pocketbase::{self, pocketbase, PocketBase};
use reclaim_e2e::backends::{unique_email, Hosted, RecoveryBackend};
use reclaim_e2e::{run, Browser};
use reclaim_testkit::http_client;
use serde_json::json;

use crate::reset_flow::Mailbox;
use crate::*;

const OLD_PASSWORD: &str = "first-password-1";
/// The configuration problem's heading.
const NOT_SET_UP: &str = "This page is not set up correctly";

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

    /// Every request the page has made outside its own origin is to `api_base`; gives them,
    /// in the order they were made.
    async fn api_calls(&self, browser: &Browser) -> Result<Vec<String>> {
        let foreign = browser.foreign_requests().await?;
        let api = format!("{}/", self.hosted().api);
        let elsewhere: Vec<&String> = foreign.iter().filter(|u| !u.starts_with(&api)).collect();
        ensure!(
            elsewhere.is_empty(),
            "the page called origins other than its own and api_base ({}): {elsewhere:?}",
            self.hosted().api
        );
        Ok(foreign)
    }

    /// The page has called exactly `expected` outside its own origin.
    async fn assert_calls(&self, browser: &Browser, expected: &[&String]) -> Result<()> {
        let calls = self.api_calls(browser).await?;
        ensure!(
            calls.iter().eq(expected.iter().copied()),
            "the page called {calls:?}, expected {expected:?}"
        );
        Ok(())
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
        let said = browser.wait_text("new-password-error").await?;
        ensure!(
            said.ends_with(&format!("\n{words}")),
            "the refused password reads {said:?}"
        );
        let invalid = browser.attr("#new-password", "aria-invalid").await?;
        ensure!(
            invalid.as_deref() == Some("true"),
            "aria-invalid={invalid:?}"
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
        behind.reset_through_the_pages(&browser).await
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
        let browser = behind.browser(&env).await?;
        behind
            .unknown_address_reads_like_a_known_one(&browser)
            .await?;
        behind.reset_through_the_pages(&browser).await?;

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
        // Last: it changes the site every PocketBase page is served from.
        a_description_with_a_mistake_sends_nothing(&behind, &browser).await
    });
}

/// A deployer's `backends/pocketbase.json` with a mistake: each page shows the configuration
/// problem, naming the key, and calls nothing but its own origin. The shipped file is put back
/// at the end.
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
            "reset.answers has no answer meaning \"invalid_link\"",
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
    behind.hosted().put_site_file(FILE, shipped.as_bytes())?;
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
