//! The pages' HTTP: one error type for every backend ([`ApiError`], in the
//! terms a person is shown), one way to send a request (with its timeout), and
//! the configuration loader. Which API is spoken is decided in `backend`; the
//! pages only see [`ApiError`], never a status code.

use std::{cell::Cell, fmt, rc::Rc, time::Duration};

use gloo_net::http::{Request, Response};
use web_sys::{AbortController, UrlSearchParams};

use reclaim_contract::wire::WeakReason;

use crate::{
    browser,
    config::{Config, ConfigError, Encoding},
    domain::EmailError,
    i18n::{Catalog, Counted, Message, Text, BUILT_IN_PATH, OVERRIDES_PATH},
};
use reclaim_contract::locale::DEFAULT_LOCALE;

/// A request still unanswered after this long is aborted and reported: a person
/// should never watch a spinner forever on a dead connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Every way a call can fail, in the terms the pages present to a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The API does not take the address (400 from the recovery endpoint).
    /// `message` is the API's own sentence, kept only when the body did not
    /// carry the contract's `invalid_email` code (whose sentence the pages have
    /// in every language).
    InvalidEmail { message: Option<String> },
    /// Unknown, used or expired link or code (the contract's 400/401/403/404/410
    /// from the reset endpoint).
    InvalidLink,
    /// The password policy refused the password (the contract's 422): the
    /// contract's `reasons` the pages know, and the API's sentence for when
    /// they know none.
    WeakPassword {
        reasons: Vec<WeakReason>,
        message: Option<String>,
    },
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

impl ApiError {
    /// What the person reads when the error is not tied to one field (a
    /// refused password is worded at its field: see `WeakPassword`'s users).
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
                if secs < 90 && (secs < 60 || secs % 60 != 0) {
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
}

/// In English: for logs and tests.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
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

/// `Retry-After` as delay-seconds. An HTTP-date or garbage falls back to the
/// caller's default rather than a wrong countdown.
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Posts `fields` to `url` (with `query` appended, encoded), aborting after
/// [`REQUEST_TIMEOUT`]. `language` is the page's locale, sent as
/// `Accept-Language` so the API writes its mail in it. Every answer, whatever
/// its status, is `Ok`: what it means is the backend's business.
pub async fn post(
    url: &str,
    query: &[(&str, &str)],
    encoding: Encoding,
    language: &str,
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
        // A CORS-safelisted header: no preflight for a cross-origin API.
        .header("Accept-Language", language)
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
    match deploy_file(crate::config::CONFIG_PATH).await? {
        Some(text) => Config::from_fields(&browser::json_fields(&text)?),
        None => Ok(Config::default()),
    }
}

/// One of the files a deployer may put beside the pages (`config.json`,
/// `locales/<tag>.json`): its text, or `None` when there is none (404, or a
/// host that answers every path with `index.html`).
async fn deploy_file(path: &str) -> Result<Option<String>, ConfigError> {
    let name = path.trim_start_matches('/');
    let unreachable = || {
        ConfigError(format!(
            "The page could not load {name}. Check your connection and reload the page."
        ))
    };
    let response = Request::get(path).send().await.map_err(|_| unreachable())?;
    let is_html = response
        .headers()
        .get("Content-Type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    match response.status() {
        404 => Ok(None),
        200 if is_html => Ok(None),
        200 => response.text().await.map(Some).map_err(|_| unreachable()),
        status => Err(ConfigError(format!(
            "The page could not load {name} (it answered {status}). Reload the page to try again."
        ))),
    }
}

/// The catalog of `locale`: its built-in translation (English is compiled in)
/// with the deployer's `locales/<tag>.json` over it, both fetched at once. A
/// broken file is a configuration problem; a missing one is no override.
pub async fn load_catalog(locale: &str) -> Result<Catalog, ConfigError> {
    let built_in_path = format!("{BUILT_IN_PATH}/{locale}.json");
    let override_path = format!("{OVERRIDES_PATH}/{locale}.json");
    let has_built_in = crate::i18n::is_built_in(locale) && locale != DEFAULT_LOCALE;
    let built_in = async {
        match has_built_in {
            true => deploy_file(&built_in_path).await,
            false => Ok(None),
        }
    };
    let (built_in, overrides) = futures::join!(built_in, deploy_file(&override_path));
    let mut files = Vec::new();
    for (path, text) in [(&built_in_path, built_in?), (&override_path, overrides?)] {
        if let Some(text) = text {
            let name = &path[1..];
            let entries = browser::locale_entries(&text)
                .map_err(|reason| ConfigError(format!("{name}: {reason}")))?;
            files.push((name, entries));
        }
    }
    Catalog::from_files(locale, &files)
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
        let limited = |secs| ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(secs)),
        };
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
    }
}
