//! The recovery API, whichever backend it is: one client that runs the calls the backend's
//! description names (`reclaim_contract::backend`) and says what each answer means in the
//! pages' terms ([`ApiError`]). The pages never see a status code, a field name or a backend's
//! own words for its errors.

use std::time::Duration;

use reclaim_contract::{
    backend::{Api, Call, OpenedLink, Refusal, Request, CODE, EMAIL, PASSWORD, SECRET},
    wire::WeakReason,
};

use crate::{
    browser,
    domain::{EmailAddress, EmailError, ResetToken},
    http::{self, Unanswered},
    i18n::{Counted, Message, Text},
};

/// Every way a call can fail, in the terms the pages present to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The API does not take the address. `message`: the API's own sentence, when the pages
    /// have no words for its reason.
    InvalidEmail { message: Option<String> },
    /// Unknown, used or expired link or code.
    InvalidLink,
    /// The password policy refused the password: the reasons the pages can word, else the
    /// API's sentence.
    WeakPassword {
        reasons: Vec<WeakReason>,
        message: Option<String>,
    },
    /// Too many requests: wait `retry_after` (from `Retry-After`, when the server sent it).
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, or an answer the backend's description does not name.
    Server { status: u16 },
    /// The request never got an answer (offline, DNS, CORS, connection reset).
    Network,
    /// No answer within [`http::REQUEST_TIMEOUT`].
    Timeout,
}

/// The wait after a 429 that came without a usable `Retry-After`.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

impl ApiError {
    /// What the person reads when the error is not tied to one field (a refused password is
    /// worded at its field).
    pub fn message(&self) -> Message {
        match self {
            ApiError::InvalidEmail {
                message: Some(message),
            } => Message::verbatim(message),
            ApiError::InvalidEmail { message: None } => EmailError::Malformed.message(),
            ApiError::InvalidLink => Text::InvalidLink.into(),
            ApiError::WeakPassword {
                message: Some(message),
                ..
            } => Message::verbatim(message),
            ApiError::WeakPassword { message: None, .. } => Text::PasswordCommon.into(),
            ApiError::RateLimited { .. } => {
                let secs = self.wait().unwrap_or(DEFAULT_RATE_LIMIT_WAIT).as_secs();
                // Whole minutes, and anything from a minute and a half, read as minutes.
                if secs < 90 && (secs < 60 || !secs.is_multiple_of(60)) {
                    Message::counted(Counted::RateLimitedSeconds, secs)
                } else {
                    Message::counted(Counted::RateLimitedMinutes, secs.div_ceil(60))
                }
            }
            ApiError::Server { status } => Message::text(Text::ServerError).with("status", status),
            ApiError::Network => Text::NetworkError.into(),
            ApiError::Timeout => Text::Timeout.into(),
        }
    }

    /// Whether the error is about the whole form (try again, later or now) rather than
    /// something a page shows at a field or as its own state.
    pub fn is_form_wide(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Network
                | ApiError::Timeout
        )
    }

    /// How long a rate limit asks the person to wait: the server's `Retry-After`, or a minute
    /// when it gave none.
    pub fn wait(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after } => Some(
                retry_after
                    .unwrap_or(DEFAULT_RATE_LIMIT_WAIT)
                    .max(Duration::from_secs(1)),
            ),
            _ => None,
        }
    }
}

/// In English: for logs and tests.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.message().fmt(f)
    }
}

/// `Retry-After` as delay-seconds. An HTTP-date or garbage falls back to the default wait
/// rather than a wrong countdown.
fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What a request's answer gives the code reset after it in the same tab (allauth's code mode:
/// its session). Secret: `Debug` says nothing of it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Kept(Vec<(String, String)>);

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Kept(<redacted>)")
    }
}

/// Calls the configured recovery API in the page's language.
#[derive(Clone, Debug)]
pub struct RecoveryClient {
    api: Api,
    language: String,
}

impl RecoveryClient {
    /// `language` is the page's locale, which the API hears.
    pub fn new(api: Api, language: String) -> Self {
        Self { api, language }
    }

    /// Asks for a reset link (and code) to be mailed. `Ok` says nothing about whether the
    /// account exists, by design; it holds what the backend's answer gives the code reset that
    /// may follow in this tab (a session), kept in memory only.
    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<Kept, ApiError> {
        let body = self
            .call(Call::Request, self.recovery_request(email))
            .await?;
        Ok(Kept(self.api.backend.kept(Call::Request, &body)))
    }

    /// What [`Self::send_recovery_email`] sends.
    pub fn recovery_request(&self, email: &EmailAddress) -> Request {
        self.request(Call::Request, &[(EMAIL, email.as_str())], &[])
    }

    /// Checks a link before a password is chosen, and learns whose account it resets, where the
    /// backend can (its description has a check call); else `Ok(None)` without a request, and
    /// the link is checked when used.
    pub async fn check_link(
        &self,
        link: &OpenedLink,
        token: &ResetToken,
    ) -> Result<Option<String>, ApiError> {
        if !self.api.backend.has(Call::Check) {
            return Ok(None);
        }
        let request = self.request(Call::Check, &[(SECRET, token.expose())], &link.settings);
        let body = self.call(Call::Check, request).await?;
        Ok(self
            .api
            .backend
            .account(Call::Check, &body)
            .map(str::to_owned))
    }

    /// Sets the new password with the link's secret (or the code typed from the mail). The
    /// password is sent exactly as typed.
    pub async fn reset_password(
        &self,
        link: &OpenedLink,
        token: &ResetToken,
        new_password: &str,
    ) -> Result<(), ApiError> {
        let request = self.reset_request(link, token, new_password);
        self.call(Call::Reset, request).await.map(drop)
    }

    /// What [`Self::reset_password`] sends.
    pub fn reset_request(
        &self,
        link: &OpenedLink,
        token: &ResetToken,
        new_password: &str,
    ) -> Request {
        let values = [(SECRET, token.expose()), (PASSWORD, new_password)];
        self.request(Call::Reset, &values, &link.settings)
    }

    /// Sets the new password with the address and the short code the mail carried, where the
    /// backend takes one.
    pub async fn reset_with_code(
        &self,
        email: &EmailAddress,
        code: &str,
        new_password: &str,
        kept: &Kept,
    ) -> Result<(), ApiError> {
        let values = [
            (EMAIL, email.as_str()),
            (CODE, code),
            (PASSWORD, new_password),
        ];
        let request = self.request(Call::ResetWithCode, &values, &kept.0);
        self.call(Call::ResetWithCode, request).await.map(drop)
    }

    fn request(
        &self,
        call: Call,
        values: &[(&str, &str)],
        link_settings: &[(String, String)],
    ) -> Request {
        self.api
            .request(call, &browser::origin(), values, link_settings)
    }

    /// Sends `request`, made for `call`, and returns the body of its success.
    async fn call(
        &self,
        call: Call,
        request: Request,
    ) -> Result<reclaim_contract::json::Json, ApiError> {
        let answer = http::send(&request, &self.language)
            .await
            .map_err(|unanswered| match unanswered {
                Unanswered::Network => ApiError::Network,
                Unanswered::Timeout => ApiError::Timeout,
            })?;
        match self.api.backend.answer(call, answer.status, &answer.body) {
            Ok(()) => Ok(answer.body),
            Err(Refusal::InvalidEmail { message }) => Err(ApiError::InvalidEmail { message }),
            Err(Refusal::InvalidLink) => Err(ApiError::InvalidLink),
            Err(Refusal::WeakPassword { reasons, message }) => {
                Err(ApiError::WeakPassword { reasons, message })
            }
            Err(Refusal::RateLimited) => Err(ApiError::RateLimited {
                retry_after: parse_retry_after(answer.retry_after.as_deref()),
            }),
            Err(Refusal::Server { status }) => Err(ApiError::Server { status }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rate_limits_impose_a_wait() {
        let limited = |secs: Option<u64>| ApiError::RateLimited {
            retry_after: secs.map(Duration::from_secs),
        };
        assert_eq!(limited(Some(42)).wait(), Some(Duration::from_secs(42)));
        assert_eq!(limited(None).wait(), Some(Duration::from_secs(60)));
        assert_eq!(limited(Some(0)).wait(), Some(Duration::from_secs(1)));
        assert_eq!(ApiError::Network.wait(), None);
        assert_eq!(ApiError::Server { status: 503 }.wait(), None);
    }

    #[test]
    fn retry_after_is_read_as_seconds_only() {
        assert_eq!(
            parse_retry_after(Some(" 42 ")),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn messages_say_how_long_to_wait() {
        let limited = |secs| ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            limited(30).to_string(),
            "Too many attempts. Wait 30 seconds and try again."
        );
        assert_eq!(
            limited(1).to_string(),
            "Too many attempts. Wait 1 second and try again."
        );
        assert_eq!(
            limited(90).to_string(),
            "Too many attempts. Wait 2 minutes and try again."
        );
        assert_eq!(
            limited(3600).to_string(),
            "Too many attempts. Wait 60 minutes and try again."
        );
        assert_eq!(
            ApiError::RateLimited { retry_after: None }.to_string(),
            "Too many attempts. Wait 1 minute and try again."
        );
        assert!(ApiError::Server { status: 502 }.to_string().contains("502"));
        assert!(ApiError::InvalidEmail { message: None }
            .to_string()
            .contains("name@example.com"));
        assert!(ApiError::WeakPassword {
            reasons: vec![],
            message: None
        }
        .to_string()
        .contains("too easy to guess"));
    }
}
