//! The reset flow as a person goes through it, in one helper: ask for a link on `/recover`,
//! read it from wherever the backend mails it, open it (the secret leaves the address bar),
//! choose the password, see the result. Each step is a method, so a test can stop between
//! steps for its own checks (axe-core, screenshots, a field's error) and go on; the pages'
//! words it waits for are those of one language ([`Headings`]).
//!
//! The mail comes from a [`Mailbox`]: the reference server's outbox ([`Env`]) or one of the
//! other backends' own mail output (django-allauth, Better Auth, PocketBase).

use std::future::Future;

use anyhow::{ensure, Context, Result};
use reclaim_e2e::backends::allauth::Allauth;
use reclaim_e2e::backends::better_auth::BetterAuth;
use reclaim_e2e::backends::pocketbase::PocketBase;
use reclaim_e2e::backends::RecoveryBackend;
use reclaim_e2e::{Browser, Env};

use crate::*;

/// A reset link as mailed, and the secret in it, which must never stay in the address bar.
#[derive(Clone, Debug)]
pub struct MailedLink {
    pub url: String,
    pub secret: String,
}

impl MailedLink {
    /// A link of the reference server's (`…/reset?token=…`, or `#token=…`).
    pub fn with_token(url: String) -> Result<MailedLink> {
        let (before_fragment, fragment) = url.split_once('#').unwrap_or((&url, ""));
        let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
        let secret = reclaim_contract::link::token_from_link(query, fragment)
            .with_context(|| format!("no token in {url}"))?;
        Ok(MailedLink { url, secret })
    }

    /// A link whose secret is everything after `prefix` (`<pages>/reset?key=`).
    fn after(url: String, prefix: &str) -> Result<MailedLink> {
        let secret = url
            .strip_prefix(prefix)
            .with_context(|| format!("the mailed link {url} does not start with {prefix}"))?
            .to_owned();
        ensure!(!secret.is_empty(), "no secret in {url}");
        Ok(MailedLink { url, secret })
    }
}

/// Where a backend's reset mail can be read.
pub trait Mailbox: Sync {
    /// The `count`th reset link mailed to `email` (waiting for it).
    fn reset_link(
        &self,
        email: &str,
        count: usize,
    ) -> impl Future<Output = Result<MailedLink>> + Send;
}

impl Mailbox for Env {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        MailedLink::with_token(self.wait_for_reset_link(email, count).await?)
    }
}

/// `<pages>/reset?key=…`, as `HEADLESS_FRONTEND_URLS` says.
impl Mailbox for Allauth {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let url = self.wait_for_reset_link(email, count).await?;
        MailedLink::after(url, &self.hosted.page("/reset?key="))
    }
}

/// Better Auth's own `<api>/api/auth/reset-password/<token>?callbackURL=…`, which redirects to
/// the pages.
impl Mailbox for BetterAuth {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let url = self.wait_for_reset_link(email, count).await?;
        let token = MailedLink::after(url.clone(), &self.url("/reset-password/"))?.secret;
        let secret = token.split('?').next().unwrap_or_default().to_owned();
        Ok(MailedLink { url, secret })
    }
}

/// `<pages>/reset?token={TOKEN}`, as the reset template's action URL says.
impl Mailbox for PocketBase {
    async fn reset_link(&self, email: &str, count: usize) -> Result<MailedLink> {
        let url = self.wait_for_reset_link(email, count).await?;
        MailedLink::after(url, &self.hosted.page("/reset?token="))
    }
}

/// The pages' headings in one language: what the flow waits for.
pub struct Headings {
    pub request: String,
    pub check_email: String,
    pub choose: String,
    pub changed: String,
    pub invalid_link: String,
    pub invalid_code: String,
    /// The link's own states, where the backend says which (the reference server does).
    pub used_link: String,
    pub expired_link: String,
    pub incomplete_link: String,
}

impl Headings {
    pub fn english() -> Headings {
        Headings {
            request: REQUEST.into(),
            check_email: CHECK_EMAIL.into(),
            choose: CHOOSE.into(),
            changed: CHANGED.into(),
            invalid_link: INVALID.into(),
            invalid_code: INVALID_CODE.into(),
            used_link: USED.into(),
            expired_link: EXPIRED.into(),
            incomplete_link: INCOMPLETE.into(),
        }
    }

    pub fn of(texts: &Texts) -> Headings {
        Headings {
            request: texts.get("recover.heading"),
            check_email: texts.get("recover.sent_heading"),
            choose: texts.get("reset.heading"),
            changed: texts.get("reset.done_heading"),
            invalid_link: texts.get("reset.invalid_link_heading"),
            invalid_code: texts.get("reset.invalid_code_heading"),
            used_link: texts.get("reset.used_heading"),
            expired_link: texts.get("reset.expired_heading"),
            incomplete_link: texts.get("reset.incomplete_heading"),
        }
    }

    /// The headings of a link that cannot be used, each said as the backend tells it.
    fn dead_link(&self) -> [&str; 3] {
        [&self.invalid_link, &self.used_link, &self.expired_link]
    }
}

/// One person's way through the pages in one browser, for one address.
pub struct ResetFlow<'a, M: Mailbox> {
    pub browser: &'a Browser,
    pub mailbox: &'a M,
    pub email: String,
    pub headings: Headings,
    /// The language of the pages the flow opens by path (`?lang=`); `None`: the browser's.
    locale: Option<&'static str>,
}

impl<'a, M: Mailbox> ResetFlow<'a, M> {
    /// In English.
    pub fn new(browser: &'a Browser, mailbox: &'a M, email: &str) -> Self {
        ResetFlow {
            browser,
            mailbox,
            email: email.to_owned(),
            headings: Headings::english(),
            locale: None,
        }
    }

    /// In the built-in language `texts` holds, opening the request page with its `?lang=`.
    pub fn in_language(self, texts: &Texts) -> Self {
        ResetFlow {
            headings: Headings::of(texts),
            locale: Some(texts.locale),
            ..self
        }
    }

    /// `/recover`, in the flow's language.
    pub fn recover_path(&self) -> String {
        match self.locale {
            Some(locale) => format!("/recover?lang={locale}"),
            None => "/recover".to_owned(),
        }
    }

    /// Opens the request page, types the address, sends, and waits for "check your email";
    /// gives the confirmation's words.
    pub async fn request(&self) -> Result<String> {
        self.browser.goto(&self.recover_path()).await?;
        self.browser.wait_heading(&self.headings.request).await?;
        self.send_request().await
    }

    /// On the request page as it is (a test may have been through its errors first): types
    /// the address, sends, and waits for "check your email"; gives the confirmation's words.
    pub async fn send_request(&self) -> Result<String> {
        self.browser.replace_text("#email", &self.email).await?;
        self.browser.click("#send-link").await?;
        self.browser
            .wait_heading(&self.headings.check_email)
            .await?;
        self.browser.wait_text("confirmation").await
    }

    /// Waits for the `count`th link mailed to the address and opens it ([`ResetFlow::open`]).
    pub async fn open_link(&self, count: usize) -> Result<MailedLink> {
        let link = self.mailbox.reset_link(&self.email, count).await?;
        self.open(&link).await?;
        Ok(link)
    }

    /// Opens `link`: the form to choose a password is shown, and the secret has left the
    /// address bar (and is kept nowhere a script or a later visitor could find it).
    pub async fn open(&self, link: &MailedLink) -> Result<()> {
        self.browser.goto(&link.url).await?;
        self.browser.wait_heading(&self.headings.choose).await?;
        assert_secret_gone(self.browser, &link.secret).await
    }

    /// Types `password` into both fields (replacing what they held) and sends, without
    /// waiting for the answer.
    pub async fn submit_password(&self, password: &str) -> Result<()> {
        self.browser.replace_text("#new-password", password).await?;
        self.browser
            .replace_text("#confirm-password", password)
            .await?;
        self.browser.click("#set-password").await
    }

    /// On an opened link (or the code entry): chooses `password` and gives the heading it
    /// ends on: changed, the link or code invalid, or the link used, expired or cut short
    /// (where the backend says which). A page that already knows the link is bad shows no
    /// form, and is taken as it is.
    pub async fn choose(&self, password: &str) -> Result<String> {
        let h = &self.headings;
        let [invalid, used, expired] = h.dead_link();
        let shown = self
            .browser
            .wait_heading_any(&[&h.choose, invalid, used, expired])
            .await?;
        if shown != h.choose {
            return Ok(shown);
        }
        self.submit_password(password).await?;
        self.browser
            .wait_heading_any(&[
                &h.changed,
                &h.invalid_code,
                &h.incomplete_link,
                invalid,
                used,
                expired,
            ])
            .await
    }

    /// The whole flow: asks for a link, opens the `count`th one mailed, chooses `password`,
    /// and sees it changed. Gives the link.
    pub async fn reset(&self, count: usize, password: &str) -> Result<MailedLink> {
        self.request().await?;
        let link = self.open_link(count).await?;
        let outcome = self.choose(password).await?;
        ensure!(
            outcome == self.headings.changed,
            "after choosing the password the page says {outcome:?}\n{}",
            self.browser.describe().await
        );
        Ok(link)
    }
}

/// Signs in with a backend's own API: the new password works, the old one no longer does.
pub async fn assert_password_changed(
    backend: &impl RecoveryBackend,
    email: &str,
    new: &str,
    old: &str,
) -> Result<()> {
    ensure!(
        backend.sign_in(email, new).await?,
        "the new password does not sign {email} in"
    );
    ensure!(
        !backend.sign_in(email, old).await?,
        "the old password still signs {email} in"
    );
    Ok(())
}

/// The address bar shows the reset page (and at most the language and the return address the
/// link named), never the secret; and the secret is kept nowhere a script or a later visitor
/// could find it.
pub async fn assert_secret_gone(browser: &Browser, secret: &str) -> Result<()> {
    let url = browser.current_url().await?;
    ensure!(
        !url.contains(secret),
        "the address bar still shows the secret: {url}"
    );
    // What stays is the page, the language the link named (`?lang=en`, or `#lang=en` when the
    // link carried it in the fragment with the token), and where to go back to after the reset.
    let (page, rest) = url.split_once(['?', '#']).unwrap_or((&url, ""));
    let kept = rest
        .split(['&', '#'])
        .filter(|param| !param.is_empty())
        .all(|param| param.starts_with("lang=") || param.starts_with("continue="));
    ensure!(
        page.ends_with("/reset") && kept,
        "the address bar shows {url}, expected …/reset or …/reset?lang=…[&continue=…]"
    );
    let stored = browser
        .js(
            "return JSON.stringify(Object.entries(localStorage)) + \
                    JSON.stringify(Object.entries(sessionStorage)) + document.cookie;",
            vec![],
        )
        .await?;
    ensure!(
        !stored.as_str().unwrap_or_default().contains(secret),
        "the secret is kept in storage or cookies: {stored}"
    );
    Ok(())
}

/// The field shows its error, is marked invalid, and points at the message.
pub async fn assert_field_error(browser: &Browser, field: &str) -> Result<String> {
    let error_id = format!("{field}-error");
    let message = browser.wait_text(&error_id).await?;
    let invalid = browser.attr(&format!("#{field}"), "aria-invalid").await?;
    ensure!(
        invalid.as_deref() == Some("true"),
        "#{field} has aria-invalid={invalid:?} while showing {message:?}"
    );
    let described_by = browser
        .attr(&format!("#{field}"), "aria-describedby")
        .await?
        .unwrap_or_default();
    ensure!(
        described_by.split_whitespace().any(|id| id == error_id),
        "#{field}'s aria-describedby is {described_by:?}, without #{error_id}"
    );
    Ok(message)
}
