//! The pages' HTTP: one error type for every backend ([`ApiError`], in the
//! terms a person is shown), one way to send a request (with its timeout), and
//! the configuration loader. Which API is spoken is decided in `backend`; the
//! pages only see [`ApiError`], never a status code.

use std::{cell::Cell, fmt, rc::Rc, time::Duration};

use gloo_net::http::{Request, Response};
use web_sys::{AbortController, UrlSearchParams};

use crate::{
    browser,
    config::{Config, ConfigError, Encoding},
    domain::EmailError,
};

/// A request still unanswered after this long is aborted and reported: a person
/// should never watch a spinner forever on a dead connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Every way a call can fail, in the terms the pages present to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The API does not take the address (the contract's 400 from the recovery endpoint).
    InvalidEmail { message: Option<String> },
    /// Unknown, used or expired link or code (the contract's 400/401/403/404/410
    /// from the reset endpoint).
    InvalidLink,
    /// The password policy refused the password (the contract's 422); `message`
    /// is for the person.
    WeakPassword { message: Option<String> },
    /// Too many requests (429): wait `retry_after` (from `Retry-After`, when
    /// the server sent it).
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

/// Posts `fields` to `url` (with `query` appended, encoded), aborting after
/// [`REQUEST_TIMEOUT`]. Every answer, whatever its status, is `Ok`: what it
/// means is the backend's business.
pub async fn post(
    url: &str,
    query: &[(&str, &str)],
    encoding: Encoding,
    fields: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let controller = AbortController::new().map_err(|_| ApiError::Network)?;
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let (controller, timed_out) = (controller.clone(), timed_out.clone());
        browser::after(REQUEST_TIMEOUT, move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let builder = Request::post(url)
        .query(query.iter().copied())
        .abort_signal(Some(&controller.signal()));
    let request = match encoding {
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
