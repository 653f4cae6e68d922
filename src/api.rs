//! The pages' HTTP, all of it: the recovery API, whichever backend it is, through one client
//! that runs the calls the backend's description names (`reclaim_contract::backend`), sends
//! them (with a timeout and the reader's language) and says what each answer means in the
//! pages' terms ([`ApiError`]); and the files a deployment puts beside the pages
//! (`config.json`, a backend's description, locale files). The pages never see a status code,
//! a field name or a backend's own words for its errors.

use std::time::Duration;

use gloo_net::http::{Request, Response};
use leptos::prelude::window;
use reclaim_contract::{
    backend::{
        self, Api, Call, DeadLink, Encoding, Method, OpenedLink, Refusal, Secret, CODE, CONTINUE,
        EMAIL, PASSWORD, SECRET,
    },
    json::Json,
    wire::WeakReason,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, UrlSearchParams};

use crate::{
    browser,
    domain::{EmailAddress, EmailError},
    i18n::{Counted, Message, Text},
};

/// A request still unanswered after this long is aborted and reported: a person should never
/// watch a spinner forever on a dead connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Every way a call can fail, in the terms the pages present to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The API does not take the address. `message`: the API's own sentence, when the pages
    /// have no words for its reason.
    InvalidEmail { message: Option<String> },
    /// A link or code the API refused, with what it said of it (or one the pages would not
    /// send: see `Api::request`).
    InvalidLink(DeadLink),
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
    /// No answer within [`REQUEST_TIMEOUT`].
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
            ApiError::InvalidLink(_) => Text::InvalidLink.into(),
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

/// What a request's answer gives the code reset after it in the same tab: allauth's code mode
/// answers with a session the code must be sent with. Secret: `Debug` says nothing of it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CodeSession(Vec<(String, String)>);

impl std::fmt::Debug for CodeSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeSession(<redacted>)")
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

    /// Asks for a reset link (and code) to be mailed, carrying `return_to` (where the person
    /// goes back after the reset) where the backend can. `Ok` says nothing about whether the
    /// account exists, by design; it holds what the backend's answer gives the code reset that
    /// may follow in this tab (a session), kept in memory only.
    pub async fn send_recovery_email(
        &self,
        email: &EmailAddress,
        return_to: Option<&str>,
    ) -> Result<CodeSession, ApiError> {
        let values = [(EMAIL, email.as_str()), (CONTINUE, return_to.unwrap_or(""))];
        let body = self.call(Call::Request, &values, &[]).await?;
        Ok(CodeSession(self.api.backend.keeps(Call::Request, &body)))
    }

    /// Checks a link before a password is chosen, and learns whose account it resets, where the
    /// backend can (its description has a check call); else `Ok(None)` without a request, and
    /// the link is checked when used.
    pub async fn check_link(
        &self,
        link: &OpenedLink,
        secret: &Secret,
    ) -> Result<Option<String>, ApiError> {
        if !self.api.backend.has(Call::Check) {
            return Ok(None);
        }
        let body = self
            .call(Call::Check, &[(SECRET, secret.expose())], &link.settings)
            .await?;
        Ok(self
            .api
            .backend
            .account(Call::Check, &body)
            .map(str::to_owned))
    }

    /// Sets the new password with the link's secret (or one pasted from the mail). The
    /// password is sent exactly as typed.
    pub async fn reset_password(
        &self,
        link: &OpenedLink,
        secret: &Secret,
        new_password: &str,
    ) -> Result<PasswordReset, ApiError> {
        let values = [(SECRET, secret.expose()), (PASSWORD, new_password)];
        let body = self.call(Call::Reset, &values, &link.settings).await?;
        Ok(self.password_reset(Call::Reset, &body))
    }

    /// Sets the new password with the address and the short code the mail carried, where the
    /// backend takes one.
    pub async fn reset_with_code(
        &self,
        email: &EmailAddress,
        code: &str,
        new_password: &str,
        session: &CodeSession,
    ) -> Result<PasswordReset, ApiError> {
        let values = [
            (EMAIL, email.as_str()),
            (CODE, code),
            (PASSWORD, new_password),
        ];
        let body = self.call(Call::ResetWithCode, &values, &session.0).await?;
        Ok(self.password_reset(Call::ResetWithCode, &body))
    }

    fn password_reset(&self, call: Call, body: &Json) -> PasswordReset {
        PasswordReset {
            sessions_ended: self.api.backend.ends_sessions(call, body),
        }
    }

    /// Sends `call` with `values` (and the link's or session's own settings), and returns the
    /// body of its success.
    async fn call(
        &self,
        call: Call,
        values: &[(&str, &str)],
        own_settings: &[(String, String)],
    ) -> Result<Json, ApiError> {
        let request = self
            .api
            .request(call, &browser::origin(), values, own_settings)
            .ok_or(ApiError::InvalidLink(DeadLink::Malformed))?;
        let answer = send(&request, &self.language).await?;
        match self.api.backend.answer(call, answer.status, &answer.body) {
            Ok(()) => Ok(answer.body),
            Err(Refusal::InvalidEmail { message }) => Err(ApiError::InvalidEmail { message }),
            Err(Refusal::InvalidLink(dead)) => Err(ApiError::InvalidLink(dead)),
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

/// What a password reset did beside setting the password.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PasswordReset {
    /// Whether it ended the account's other sessions, as far as the backend says.
    pub sessions_ended: Option<bool>,
}

/// An API's answer, whatever its status.
struct Answer {
    status: u16,
    /// `Retry-After`, as the server sent it.
    retry_after: Option<String>,
    /// The body as JSON; `Null` when it is not JSON (a proxy's HTML page, an empty 500).
    body: Json,
}

/// Sends `request`, aborted after [`REQUEST_TIMEOUT`]. `language` is the page's locale, sent
/// as `Accept-Language` (a CORS-safelisted header) so the API writes its mail in it.
async fn send(request: &backend::Request, language: &str) -> Result<Answer, ApiError> {
    let timeout = AbortSignal::timeout_with_u32(REQUEST_TIMEOUT.as_millis() as u32);
    let mut builder = match request.method {
        Method::Post => Request::post(&request.url),
        Method::Get => Request::get(&request.url),
    }
    .query(
        request
            .query
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
    .header("Accept-Language", language)
    .abort_signal(Some(&timeout));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = match (request.method, request.encoding) {
        (Method::Get, _) => builder.build(),
        // The browser sets `application/x-www-form-urlencoded;charset=UTF-8` and encodes the
        // UTF-8 bytes exactly as typed.
        (Method::Post, Encoding::Form) => {
            let params = UrlSearchParams::new().map_err(|_| ApiError::Network)?;
            for (name, value) in &request.fields {
                params.append(name, value);
            }
            builder.body(params)
        }
        (Method::Post, Encoding::Json) => builder
            .header("Content-Type", "application/json")
            .body(json_object(&request.fields)),
    }
    .map_err(|_| ApiError::Network)?;
    match JsFuture::from(window().fetch_with_request(&built.into())).await {
        Ok(response) => {
            let response = Response::from(response.unchecked_into::<web_sys::Response>());
            let status = response.status();
            let retry_after = response.headers().get("Retry-After");
            // A body that fails to arrive, or is not JSON, just says nothing.
            let text = response.text().await.unwrap_or_default();
            Ok(Answer {
                status,
                retry_after,
                body: browser::parse_json(&text).unwrap_or(Json::Null),
            })
        }
        // What `AbortSignal.timeout` rejects the fetch with.
        Err(error) if error_name(&error).as_deref() == Some("TimeoutError") => {
            Err(ApiError::Timeout)
        }
        Err(_) => Err(ApiError::Network),
    }
}

/// A JSON object of string fields, as text, written by the browser's own JSON (a JSON library
/// in the wasm would cost every visitor more).
fn json_object(fields: &[(String, String)]) -> String {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default()
}

/// An error's `name` (`"TimeoutError"`), if it has one.
fn error_name(error: &JsValue) -> Option<String> {
    js_sys::Reflect::get(error, &JsValue::from_str("name"))
        .ok()?
        .as_string()
}

/// Why a deployment's file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    /// No answer at all.
    Unreachable,
    /// An answer other than the file or its absence.
    Status(u16),
}

/// The response the page's script fetched in `started` (a promise of a response, or of none),
/// as a promise again, when it is `path`'s.
pub async fn started_file(path: &str, started: js_sys::Promise) -> Option<js_sys::Promise> {
    let response: web_sys::Response = JsFuture::from(started).await.ok()?.dyn_into().ok()?;
    response
        .url()
        .ends_with(path)
        .then(|| js_sys::Promise::resolve(&JsValue::from(response)))
}

/// One of the files a deployer puts beside the pages: its text, or `None` when there is none
/// (404, or a host that answers every path with its `index.html`). `started`: the fetch of it
/// the page's script started already, if it did.
pub async fn deploy_file(
    path: &str,
    started: Option<js_sys::Promise>,
) -> Result<Option<String>, FileError> {
    let response = match started {
        Some(started) => JsFuture::from(started)
            .await
            .map(|response| Response::from(response.unchecked_into::<web_sys::Response>()))
            .map_err(|_| FileError::Unreachable)?,
        None => Request::get(path)
            .send()
            .await
            .map_err(|_| FileError::Unreachable)?,
    };
    let is_html = response
        .headers()
        .get("Content-Type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    match response.status() {
        404 => Ok(None),
        200 if is_html => Ok(None),
        200 => response
            .text()
            .await
            .map(Some)
            .map_err(|_| FileError::Unreachable),
        status => Err(FileError::Status(status)),
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
