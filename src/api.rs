//! The one HTTP client of the pages: the Rust counterpart of an
//! `AccountRecoveryService`. Every request goes through [`RecoveryClient`]; the
//! pages only see [`ApiError`], never a status code.

use std::{cell::Cell, fmt, rc::Rc, time::Duration};

use gloo_net::http::{Request, Response};
use reclaim_contract::wire;
use web_sys::{AbortController, UrlSearchParams};

use crate::{
    browser,
    config::{Config, ConfigError, Encoding},
    domain::{EmailAddress, EmailError, ResetToken},
};

/// A request still unanswered after this long is aborted and reported: a person
/// should never watch a spinner forever on a dead connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Every way a call can fail, in the terms the pages present to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// 400 from the recovery endpoint: the server does not take the address.
    InvalidEmail { message: Option<String> },
    /// 400/401/403/404/410 from the reset endpoint: unknown, used or expired link.
    InvalidLink,
    /// 422: the password policy refused the password; `message` is for the person.
    WeakPassword { message: Option<String> },
    /// 429: wait `retry_after` (from `Retry-After`, when the server sent it).
    RateLimited { retry_after: Option<Duration> },
    /// 5xx, or a status the contract does not name.
    Server { status: u16 },
    /// The request never got an answer (offline, DNS, CORS, connection reset).
    Network,
    /// No answer within [`REQUEST_TIMEOUT`].
    Timeout,
}

impl fmt::Display for ApiError {
    /// What the person reads when the error is not tied to one field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::InvalidEmail { message: Some(message) } => f.write_str(message),
            ApiError::InvalidEmail { message: None } => EmailError::Malformed.fmt(f),
            ApiError::InvalidLink => f.write_str("This link is invalid or has expired."),
            ApiError::WeakPassword { message } => f.write_str(
                message.as_deref().unwrap_or("Choose a different password: this one is too easy to guess."),
            ),
            ApiError::RateLimited { retry_after } => match retry_after.map(|d| d.as_secs()) {
                Some(secs) => write!(f, "Too many attempts. Wait {} and try again.", wait_phrase(secs)),
                // Matches DEFAULT_RATE_LIMIT_WAIT.
                None => f.write_str("Too many attempts. Wait a minute and try again."),
            },
            ApiError::Server { status } => write!(
                f,
                "Something went wrong on our side (error {status}). Nothing you typed was lost: try again in a moment."
            ),
            ApiError::Network => f.write_str(
                "We could not reach the server. Check your connection, then try again.",
            ),
            ApiError::Timeout => f.write_str("The server took too long to answer. Try again in a moment."),
        }
    }
}

/// The wait after a 429 that came without a usable `Retry-After`.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

impl ApiError {
    /// Whether the error is about the whole form (try again, later or now)
    /// rather than something a page shows at a field or as its own state.
    pub fn is_form_wide(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Network
                | ApiError::Timeout
        )
    }

    /// How long a rate limit asks the person to wait before trying again:
    /// the server's `Retry-After`, or a minute when it gave none.
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

/// "45 seconds", "2 minutes": how long to wait, in words.
pub fn wait_phrase(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=89 => format!("{secs} seconds"),
        _ => {
            let minutes = secs.div_ceil(60);
            format!("{minutes} minutes")
        }
    }
}

/// `Retry-After` as delay-seconds. An HTTP-date or garbage falls back to the
/// caller's default rather than a wrong countdown.
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// What a status from `POST /account/recovery` means. 404 is success: an API
/// that reveals which accounts exist must not have that amplified by the UI.
///
/// `message` is the error body's `message`, when the body was the contract's
/// JSON; anything else (a proxy's HTML page, an empty 500) simply has none.
pub fn recovery_outcome(
    status: u16,
    retry_after: Option<&str>,
    message: Option<String>,
) -> Result<(), ApiError> {
    match status {
        200..=299 | 404 => Ok(()),
        400 => Err(ApiError::InvalidEmail { message }),
        other => Err(common_error(other, retry_after)),
    }
}

/// What a status from `POST /account/reset-password` means.
pub fn reset_outcome(
    status: u16,
    retry_after: Option<&str>,
    message: Option<String>,
) -> Result<(), ApiError> {
    match status {
        200..=299 => Ok(()),
        400 | 401 | 403 | 404 | 410 => Err(ApiError::InvalidLink),
        422 => Err(ApiError::WeakPassword { message }),
        other => Err(common_error(other, retry_after)),
    }
}

fn common_error(status: u16, retry_after: Option<&str>) -> ApiError {
    match status {
        429 => ApiError::RateLimited {
            retry_after: parse_retry_after(retry_after),
        },
        other => ApiError::Server { status: other },
    }
}

/// Calls the recovery API named by the configuration.
#[derive(Clone, Debug)]
pub struct RecoveryClient {
    config: Config,
    page_origin: String,
}

impl RecoveryClient {
    /// Only call this in event handlers or effects: it reads the page's origin.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            page_origin: browser::origin(),
        }
    }

    /// Asks for a reset link to be mailed. `Ok` says nothing about whether the
    /// account exists, by design.
    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<(), ApiError> {
        let url = self
            .config
            .endpoint(&self.page_origin, &self.config.request_path);
        let response = self
            .post(&url, &[(wire::EMAIL_FIELD, email.as_str())])
            .await?;
        let (status, retry_after, message) = read(response).await;
        recovery_outcome(status, retry_after.as_deref(), message)
    }

    /// Sets the new password. The password is sent exactly as typed.
    pub async fn reset_password(
        &self,
        token: &ResetToken,
        new_password: &str,
    ) -> Result<(), ApiError> {
        let url = self
            .config
            .endpoint(&self.page_origin, &self.config.reset_path);
        let response = self
            .post(
                &url,
                &[
                    (wire::TOKEN_FIELD, token.expose()),
                    (wire::NEW_PASSWORD_FIELD, new_password),
                ],
            )
            .await?;
        let (status, retry_after, message) = read(response).await;
        reset_outcome(status, retry_after.as_deref(), message)
    }

    async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Result<Response, ApiError> {
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (controller, timed_out) = (controller.clone(), timed_out.clone());
            browser::after(REQUEST_TIMEOUT, move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let builder = Request::post(url).abort_signal(Some(&controller.signal()));
        let request = match self.config.encoding {
            // The browser sets `application/x-www-form-urlencoded;charset=UTF-8`
            // and encodes the UTF-8 bytes exactly as typed.
            Encoding::Form => {
                let params = UrlSearchParams::new().map_err(|_| ApiError::Network)?;
                for (name, value) in fields {
                    params.append(name, value);
                }
                builder.body(params)
            }
            Encoding::Json => builder
                .header("Content-Type", "application/json")
                .body(browser::json_object(fields)),
        }
        .map_err(|_| ApiError::Network)?;
        let result = request.send().await;
        browser::cancel(timer);
        result.map_err(|_| {
            if timed_out.get() {
                ApiError::Timeout
            } else {
                ApiError::Network
            }
        })
    }
}

/// The status, `Retry-After`, and the error body's `message` if it has one.
async fn read(response: Response) -> (u16, Option<String>, Option<String>) {
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    // Only error bodies are read; one that fails to arrive just has no message.
    let message = if status >= 400 {
        response
            .text()
            .await
            .ok()
            .and_then(|body| browser::json_message(&body))
    } else {
        None
    };
    (status, retry_after, message)
}

/// Loads `config.json`. A missing file, or a host that answers every path with
/// `index.html`, means defaults; a file that is there but wrong is an error.
pub async fn load_config() -> Result<Config, ConfigError> {
    let response = Request::get(crate::config::CONFIG_PATH)
        .send()
        .await
        .map_err(|_| ConfigError("The page could not load its configuration (config.json). Check your connection and reload the page.".into()))?;
    let is_html = response
        .headers()
        .get("Content-Type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    match response.status() {
        404 => Ok(Config::default()),
        200 if is_html => Ok(Config::default()),
        200 => {
            let text = response.text().await.map_err(|_| ConfigError("config.json could not be read.".into()))?;
            Config::from_fields(&browser::json_fields(&text)?)
        }
        status => Err(ConfigError(format!(
            "The page could not load its configuration (config.json answered {status}). Reload the page to try again."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_treats_404_like_200() {
        assert_eq!(recovery_outcome(200, None, None), Ok(()));
        assert_eq!(recovery_outcome(204, None, None), Ok(()));
        assert_eq!(
            recovery_outcome(404, None, Some("No such account".into())),
            Ok(())
        );
    }

    #[test]
    fn recovery_400_carries_the_server_message() {
        assert_eq!(
            recovery_outcome(400, None, Some("That is not an address.".into())),
            Err(ApiError::InvalidEmail {
                message: Some("That is not an address.".into())
            })
        );
        let no_message = ApiError::InvalidEmail { message: None };
        assert!(no_message.to_string().contains("name@example.com"));
    }

    #[test]
    fn reset_link_statuses_all_mean_invalid_link() {
        for status in [400, 401, 403, 404, 410] {
            assert_eq!(
                reset_outcome(status, None, Some("Used".into())),
                Err(ApiError::InvalidLink),
                "{status}"
            );
        }
    }

    #[test]
    fn reset_422_carries_the_policy_message() {
        assert_eq!(
            reset_outcome(422, None, Some("This password is too common.".into())),
            Err(ApiError::WeakPassword {
                message: Some("This password is too common.".into())
            })
        );
        let no_message = reset_outcome(422, None, None).unwrap_err();
        assert!(no_message.to_string().contains("too easy to guess"));
    }

    #[test]
    fn rate_limits_read_retry_after_seconds() {
        assert_eq!(
            reset_outcome(429, Some("42"), None),
            Err(ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(42))
            })
        );
        assert_eq!(
            recovery_outcome(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), None),
            Err(ApiError::RateLimited { retry_after: None })
        );
        assert_eq!(
            recovery_outcome(429, None, None),
            Err(ApiError::RateLimited { retry_after: None })
        );
    }

    #[test]
    fn server_failures_tolerate_any_body() {
        assert_eq!(
            recovery_outcome(502, None, None),
            Err(ApiError::Server { status: 502 })
        );
        assert_eq!(
            reset_outcome(500, None, Some("boom".into())),
            Err(ApiError::Server { status: 500 })
        );
        assert_eq!(
            recovery_outcome(415, None, None),
            Err(ApiError::Server { status: 415 })
        );
    }

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
    fn messages_say_how_long_to_wait() {
        let err = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            err.to_string(),
            "Too many attempts. Wait 30 seconds and try again."
        );
        assert_eq!(wait_phrase(1), "a second");
        assert_eq!(wait_phrase(90), "2 minutes");
        assert_eq!(wait_phrase(3600), "60 minutes");
        assert!(ApiError::Server { status: 502 }.to_string().contains("502"));
    }
}
