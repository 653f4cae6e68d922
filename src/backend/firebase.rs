//! Firebase Authentication, through its REST API (Identity Toolkit v1), for
//! projects that point their password-reset emails at these pages (Firebase's
//! "custom email action handler").
//!
//! Everything Firebase-shaped stays here: the action link's query (`mode`,
//! `oobCode`, `apiKey`, `continueUrl`), the endpoints and their JSON, and what
//! each error message means in the pages' terms ([`answer`]).

use reclaim_contract::link::{param, MAX_TOKEN_LEN};

use super::ResetLink;
use crate::{
    api::{self, ApiError},
    browser,
    config::{Config, Encoding},
    domain::{EmailAddress, LinkToken, ResetToken},
};

/// The action link's parameters (Firebase appends them to the handler's URL).
const MODE: &str = "mode";
const CODE: &str = "oobCode";
const API_KEY: &str = "apiKey";
const CONTINUE_URL: &str = "continueUrl";
/// The one `mode` these pages handle; the others verify or change an address.
const RESET_MODE: &str = "resetPassword";

/// Whether the query is a Firebase action link. Such a link may land on the
/// site's root, which otherwise asks for a reset link.
pub fn is_action_link(query: &str) -> bool {
    param(query, MODE).is_some() || param(query, CODE).is_some()
}

/// The reset link in an action link's query; `None` when the query is not one.
pub fn read_action_link(query: &str) -> Option<ResetLink> {
    if !is_action_link(query) {
        return None;
    }
    let code = param(query, CODE).filter(|code| !code.is_empty() && code.len() <= MAX_TOKEN_LEN);
    let token = match param(query, MODE).as_deref() {
        // A link without a mode but with a code can only be a hand-made one
        // for this page: a reset is all it could mean.
        Some(RESET_MODE) | Some("") | None => code.map_or(LinkToken::Missing, |code| {
            LinkToken::Present(ResetToken::from_link(code))
        }),
        Some(_) => LinkToken::NotAReset,
    };
    Some(ResetLink {
        token,
        continue_to: param(query, CONTINUE_URL).and_then(|url| web_url(&url)),
    })
}

/// The query without the one-time code; the rest (`mode`, `apiKey`, `lang`,
/// `continueUrl`) is not secret and stays, so a reload still finds the page.
pub fn without_code(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(CODE))
        .collect::<Vec<_>>()
        .join("&")
}

/// The project's web API key named by the link, if any.
pub fn link_api_key(query: &str) -> Option<String> {
    param(query, API_KEY).filter(|key| !key.is_empty())
}

/// `url` when it is an absolute http(s) URL: anything else (`javascript:`,
/// a relative path, a stray scheme) must never become a link on the page.
pub fn web_url(url: &str) -> Option<String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let has_host = !rest.is_empty() && !rest.starts_with(['/', '\\', '?', '#']);
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (has_host && clean).then(|| url.to_owned())
}

/// Which call an answer came from: an error message means different things
/// to each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `accounts:sendOobCode` with `requestType: PASSWORD_RESET`.
    SendLink,
    /// `accounts:resetPassword` with only the code: is it still good, and whose is it?
    CheckCode,
    /// `accounts:resetPassword` with the code and the new password.
    SetPassword,
}

/// What Firebase's answer to `call` means to the pages. `message` is the error
/// body's `error.message`, `CODE` or `CODE : detail`.
pub fn answer(call: Call, status: u16, message: Option<&str>) -> Result<(), ApiError> {
    if (200..300).contains(&status) {
        return Ok(());
    }
    let (code, detail) = match message.map(str::trim) {
        Some(message) => match message.split_once(':') {
            Some((code, detail)) => (code.trim(), Some(detail.trim()).filter(|d| !d.is_empty())),
            None => (message, None),
        },
        None => ("", None),
    };
    let invalid_link = matches!(
        code,
        "INVALID_OOB_CODE"
            | "EXPIRED_OOB_CODE"
            | "MISSING_OOB_CODE"
            | "USER_DISABLED"
            | "USER_NOT_FOUND"
            | "EMAIL_NOT_FOUND"
    );
    match (call, code) {
        (_, "TOO_MANY_ATTEMPTS_TRY_LATER") => Err(ApiError::RateLimited { retry_after: None }),
        // Each of these says whether the account exists (or that it is
        // disabled, or has had many resets): they read exactly like success.
        (Call::SendLink, "EMAIL_NOT_FOUND" | "USER_NOT_FOUND" | "USER_DISABLED")
        | (Call::SendLink, "RESET_PASSWORD_EXCEED_LIMIT") => Ok(()),
        (Call::SendLink, "INVALID_EMAIL" | "MISSING_EMAIL") => {
            Err(ApiError::InvalidEmail { message: None })
        }
        (Call::CheckCode | Call::SetPassword, _) if invalid_link => Err(ApiError::InvalidLink),
        // Firebase's policy names no reason the pages know: its own sentence.
        (Call::SetPassword, "WEAK_PASSWORD") => Err(ApiError::WeakPassword {
            reasons: Vec::new(),
            message: detail.map(sentence),
        }),
        _ if status == 429 => Err(ApiError::RateLimited { retry_after: None }),
        // OPERATION_NOT_ALLOWED (resets switched off), a wrong API key, a 5xx:
        // nothing the person can fix.
        _ => Err(ApiError::Server { status }),
    }
}

/// Firebase's reasons come without a full stop.
fn sentence(detail: &str) -> String {
    if detail.ends_with(['.', '!', '?']) {
        detail.to_owned()
    } else {
        format!("{detail}.")
    }
}

/// Speaks to Firebase Authentication for one project.
#[derive(Clone, Debug)]
pub struct FirebaseClient {
    /// `https://identitytoolkit.googleapis.com`, or the emulator's.
    base: String,
    api_key: String,
    language: String,
}

impl FirebaseClient {
    /// The configuration has been through `Config::for_link`, so it has a key.
    pub fn new(config: &Config, language: String) -> Self {
        Self {
            base: config.api_base.clone().unwrap_or_default(),
            api_key: config.firebase_api_key.clone().unwrap_or_default(),
            language,
        }
    }

    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<(), ApiError> {
        self.call(
            "sendOobCode",
            Call::SendLink,
            &[("requestType", "PASSWORD_RESET"), ("email", email.as_str())],
        )
        .await
        .map(drop)
    }

    /// The account the code resets, checked before a password is chosen.
    pub async fn check_link(&self, token: &ResetToken) -> Result<Option<String>, ApiError> {
        let body = self
            .call("resetPassword", Call::CheckCode, &[(CODE, token.expose())])
            .await?;
        Ok(browser::json_text(&body, &["email"]))
    }

    pub async fn reset_password(
        &self,
        token: &ResetToken,
        new_password: &str,
    ) -> Result<(), ApiError> {
        self.call(
            "resetPassword",
            Call::SetPassword,
            &[(CODE, token.expose()), ("newPassword", new_password)],
        )
        .await
        .map(drop)
    }

    /// Posts `fields` as JSON (Firebase refuses form bodies) to `accounts:{method}`;
    /// the body of a success, or the error it means.
    async fn call(
        &self,
        method: &str,
        call: Call,
        fields: &[(&str, &str)],
    ) -> Result<String, ApiError> {
        let url = format!("{}/v1/accounts:{method}", self.base);
        let response = api::post(
            &url,
            &[("key", &self.api_key)],
            Encoding::Json,
            &self.language,
            fields,
        )
        .await?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let message = browser::json_text(&body, &["error", "message"]);
        answer(call, status, message.as_deref()).map(|()| body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every error message Firebase documents for these calls, and the page
    /// state each one becomes.
    #[test]
    fn every_error_message_has_its_page_state() {
        use ApiError::*;
        let server = Err(Server { status: 400 });
        let limited = Err(RateLimited { retry_after: None });
        let cases: &[(Call, &str, Result<(), ApiError>)] = &[
            // Asking for a link: nothing may tell whether the account exists.
            (Call::SendLink, "EMAIL_NOT_FOUND", Ok(())),
            (Call::SendLink, "USER_NOT_FOUND", Ok(())),
            (Call::SendLink, "USER_DISABLED", Ok(())),
            (Call::SendLink, "RESET_PASSWORD_EXCEED_LIMIT", Ok(())),
            (
                Call::SendLink,
                "TOO_MANY_ATTEMPTS_TRY_LATER",
                limited.clone(),
            ),
            (
                Call::SendLink,
                "INVALID_EMAIL",
                Err(InvalidEmail { message: None }),
            ),
            (
                Call::SendLink,
                "MISSING_EMAIL",
                Err(InvalidEmail { message: None }),
            ),
            (Call::SendLink, "OPERATION_NOT_ALLOWED", server.clone()),
            (Call::SendLink, "INVALID_REQ_TYPE", server.clone()),
            (
                Call::SendLink,
                "API key not valid. Please pass a valid API key.",
                server.clone(),
            ),
            // Checking the code.
            (Call::CheckCode, "INVALID_OOB_CODE", Err(InvalidLink)),
            (Call::CheckCode, "EXPIRED_OOB_CODE", Err(InvalidLink)),
            (Call::CheckCode, "MISSING_OOB_CODE", Err(InvalidLink)),
            (Call::CheckCode, "USER_DISABLED", Err(InvalidLink)),
            (Call::CheckCode, "USER_NOT_FOUND", Err(InvalidLink)),
            (Call::CheckCode, "EMAIL_NOT_FOUND", Err(InvalidLink)),
            (
                Call::CheckCode,
                "TOO_MANY_ATTEMPTS_TRY_LATER",
                limited.clone(),
            ),
            (Call::CheckCode, "OPERATION_NOT_ALLOWED", server.clone()),
            // Setting the password.
            (Call::SetPassword, "INVALID_OOB_CODE", Err(InvalidLink)),
            (Call::SetPassword, "EXPIRED_OOB_CODE", Err(InvalidLink)),
            (Call::SetPassword, "MISSING_OOB_CODE", Err(InvalidLink)),
            (Call::SetPassword, "USER_DISABLED", Err(InvalidLink)),
            (Call::SetPassword, "USER_NOT_FOUND", Err(InvalidLink)),
            (
                Call::SetPassword,
                "WEAK_PASSWORD : Password should be at least 6 characters",
                Err(WeakPassword {
                    reasons: vec![],
                    message: Some("Password should be at least 6 characters.".into()),
                }),
            ),
            (
                Call::SetPassword,
                "WEAK_PASSWORD",
                Err(WeakPassword {
                    reasons: vec![],
                    message: None,
                }),
            ),
            (
                Call::SetPassword,
                "TOO_MANY_ATTEMPTS_TRY_LATER",
                limited.clone(),
            ),
            (Call::SetPassword, "OPERATION_NOT_ALLOWED", server.clone()),
            (Call::SetPassword, "MISSING_PASSWORD", server.clone()),
        ];
        for (call, message, expected) in cases {
            assert_eq!(
                &answer(*call, 400, Some(message)),
                expected,
                "{call:?} {message}"
            );
        }
    }

    #[test]
    fn an_unknown_address_reads_exactly_like_a_known_one() {
        assert_eq!(answer(Call::SendLink, 200, None), Ok(()));
        assert_eq!(
            answer(Call::SendLink, 400, Some("EMAIL_NOT_FOUND")),
            answer(Call::SendLink, 200, None)
        );
        // Also with a detail after the code, and stray spaces.
        assert_eq!(
            answer(Call::SendLink, 400, Some(" EMAIL_NOT_FOUND : gone ")),
            Ok(())
        );
    }

    #[test]
    fn statuses_without_a_message_still_mean_something() {
        assert_eq!(
            answer(Call::SendLink, 429, None),
            Err(ApiError::RateLimited { retry_after: None })
        );
        assert_eq!(
            answer(Call::SetPassword, 503, None),
            Err(ApiError::Server { status: 503 })
        );
        assert_eq!(
            answer(Call::CheckCode, 500, Some("INTERNAL")),
            Err(ApiError::Server { status: 500 })
        );
        assert_eq!(answer(Call::CheckCode, 204, None), Ok(()));
    }

    fn present(code: &str) -> LinkToken {
        LinkToken::Present(ResetToken::from_link(code.into()))
    }

    #[test]
    fn reads_the_action_link() {
        let link = read_action_link(
            "mode=resetPassword&oobCode=c0De-1_x&apiKey=AIza&lang=fr&continueUrl=https%3A%2F%2Fapp.example.com%2Fhome%3Fa%3D1",
        )
        .unwrap();
        assert_eq!(link.token, present("c0De-1_x"));
        assert_eq!(
            link.continue_to.as_deref(),
            Some("https://app.example.com/home?a=1")
        );
        assert_eq!(
            link_api_key("mode=resetPassword&apiKey=AIza%2Dx").as_deref(),
            Some("AIza-x")
        );
        assert_eq!(link_api_key("mode=resetPassword&apiKey="), None);
    }

    #[test]
    fn other_modes_and_missing_codes() {
        for mode in [
            "verifyEmail",
            "recoverEmail",
            "verifyAndChangeEmail",
            "signIn",
        ] {
            let link = read_action_link(&format!("mode={mode}&oobCode=abc&apiKey=k")).unwrap();
            assert_eq!(link.token, LinkToken::NotAReset, "{mode}");
        }
        // A reset link cut before its code: the person types the code instead.
        assert_eq!(
            read_action_link("mode=resetPassword&apiKey=k")
                .unwrap()
                .token,
            LinkToken::Missing
        );
        assert_eq!(
            read_action_link("oobCode=abc").unwrap().token,
            present("abc")
        );
        // Not an action link at all: the contract's link is read instead.
        assert_eq!(read_action_link("token=abc"), None);
        assert_eq!(read_action_link(""), None);
        assert!(!is_action_link("utm_source=mail"));
        assert!(is_action_link("lang=en&mode=resetPassword"));
    }

    #[test]
    fn continue_links_are_http_urls_only() {
        for good in [
            "https://app.example.com",
            "http://127.0.0.1:3000/x?y=1#z",
            "HTTPS://A.example",
        ] {
            assert_eq!(web_url(good).as_deref(), Some(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,hi",
            "/relative",
            "//evil.example",
            "https://",
            "https:///x",
            "https://a b",
            "ftp://example.com",
            "https:\\\\evil.example",
        ] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
        let link =
            read_action_link("mode=resetPassword&oobCode=a&continueUrl=javascript%3Aalert(1)")
                .unwrap();
        assert_eq!(link.continue_to, None);
    }

    #[test]
    fn the_code_leaves_the_query_and_the_rest_stays() {
        assert_eq!(
            without_code("mode=resetPassword&oobCode=s3cr3t&apiKey=k&lang=en"),
            "mode=resetPassword&apiKey=k&lang=en"
        );
        assert_eq!(without_code("oobCode=s3cr3t"), "");
    }
}
