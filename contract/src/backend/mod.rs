//! A recovery backend as data: where the pages post, how each body is encoded and named, which
//! answers mean what, and how the backend's mailed link carries its secret. One description per
//! backend (`backends/<name>.json` beside `config.json`; the presets ship in `contract/backends/`),
//! read by one engine in the pages, so a backend costs the visitors who use it a small file and
//! nobody else anything, and a team with its own API writes a file rather than code.
//!
//! This module checks a description ([`schema`]: the pages before they send anything, and
//! `reclaim-server check` against a deployment) and holds the engine's pure half, reading the
//! description as it is needed: the request a call makes, the meaning of an answer, the secret
//! in an opened link. The pages' `backend` module does the sending.

mod presets;
mod schema;

use std::fmt;

use crate::{
    config::{Config, ConfigError, PAGE_KEYS},
    json::Json,
    link::RESET_PAGE_PATH,
    link::{origin_of, params, pasted_link_parts, query_value, web_url, CodeError, MAX_TOKEN_LEN},
    locale::{fill, placeholders},
    wire::WeakReason,
};

pub use presets::PRESETS;

/// Where the descriptions are served, relative to the site root: `/backends/<name>.json`.
pub const DESCRIPTIONS_PATH: &str = "/backends";

/// The pages' own origin, which every call may send.
pub const PAGES: &str = "pages";
/// Where the person goes back to after the reset (the request page's `?continue=`, when the
/// deployment allows its origin), which a request may send for its mail to carry: a field or
/// query value that names it is left out when there is none.
pub const CONTINUE: &str = "continue";
/// The reset page's address, with the return address in its query when there is one: where a
/// backend's link should land (Better Auth's `redirectTo`).
pub const RESET_PAGE: &str = "reset_page";
/// The values a call sends from what the person typed or the link carried.
pub const EMAIL: &str = "email";
pub const SECRET: &str = "secret";
pub const PASSWORD: &str = "password";
pub const CODE: &str = "code";

/// The calls a description names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// Asks for a link (or code) to be mailed.
    Request,
    /// Checks a link before a password is chosen, and learns whose account it resets.
    Check,
    /// Sets the password with the link's secret.
    Reset,
    /// Sets the password with the address and the short code the mail carried.
    ResetWithCode,
}

impl Call {
    fn key(self) -> &'static str {
        match self {
            Call::Request => "request",
            Call::Check => "check",
            Call::Reset => "reset",
            Call::ResetWithCode => "reset_with_code",
        }
    }
}

/// The HTTP method of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Post,
    Get,
}

/// How a call's body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// `application/x-www-form-urlencoded`.
    Form,
    Json,
}

/// A call with every placeholder filled: what goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    /// Without its query: the HTTP client appends and encodes [`Request::query`].
    pub url: String,
    pub query: Vec<(String, String)>,
    pub encoding: Encoding,
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
}

/// Why a call was refused, in the pages' terms (before any wording).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `message`: the API's sentence, when the description says to show it.
    InvalidEmail {
        message: Option<String>,
    },
    InvalidLink(DeadLink),
    /// The reasons the pages can word; else the API's sentence.
    WeakPassword {
        reasons: Vec<WeakReason>,
        message: Option<String>,
    },
    RateLimited,
    Server {
        status: u16,
    },
}

/// A link's secret, or a code typed from its mail: only ever held in memory and sent to the
/// API that issued it. `Debug` is redacted so it cannot end up in a log or a panic message.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Secret(secret.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A query's or a fragment's parameters, decoded, in order.
pub type Params = [(String, String)];

/// What is wrong with a link or code the API refused, as far as its backend tells (each
/// description maps its own answers to these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadLink {
    /// Unknown, used or expired: the backend does not say which.
    Unknown,
    /// Used already (by the person, or by someone who had it).
    Used,
    /// Past its lifetime.
    Expired,
    /// Not a link or code it issued: most likely cut short on its way.
    Malformed,
    /// Refused after too many wrong codes.
    TooManyTries,
}

/// What the link the person opened carries, read by its backend's shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LinkSecret {
    /// No secret in it (a link cut short, or `/reset` opened by hand).
    #[default]
    Missing,
    Present(Secret),
    /// A link for something other than a password reset.
    NotAReset,
    /// The backend refused the link before sending the person here.
    Refused,
}

/// The parts of an opened link the pages use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenedLink {
    pub secret: LinkSecret,
    /// Where "Continue" goes after the reset: an http(s) URL the link named (the configuration
    /// decides whether it may be used, see [`Config::continue_to`]).
    pub continue_to: Option<String>,
    /// Settings the link supplied, for its own calls only.
    pub settings: Vec<(String, String)>,
}

/// A backend's description, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    pub name: String,
    description: Json,
}

impl Backend {
    /// Reads and checks `backends/<name>.json`. Every mistake is named with its key: a typo
    /// would otherwise send the person's address to the wrong place or misread an answer.
    pub fn from_json(name: &str, description: &Json) -> Result<Backend, ConfigError> {
        schema::check(&format!("backends/{name}.json"), description)?;
        Ok(Backend {
            name: name.to_owned(),
            description: description.clone(),
        })
    }

    /// Whether the description names `call`.
    pub fn has(&self, call: Call) -> bool {
        self.call(call).is_some()
    }

    fn call(&self, call: Call) -> Option<&Json> {
        self.description.get(call.key())
    }

    fn text(&self, path: &str) -> Option<&str> {
        self.description.text_at(path)
    }

    /// The settings `config.json` may give this backend, each with its default (`None`: it
    /// must be given).
    pub fn settings(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        let fields = self.description.get("settings").and_then(Json::fields);
        fields
            .unwrap_or_default()
            .iter()
            .map(|(name, default)| (name.as_str(), default.as_text()))
    }

    /// What an answer to `call` means: its own rules first, then the description's common
    /// ones, then 2xx success, 429 a rate limit, anything else a server error.
    pub fn answer(&self, call: Call, status: u16, body: &Json) -> Result<(), Refusal> {
        let code_at = self.text("error.code").unwrap_or(crate::wire::ERROR_FIELD);
        let message_at = self
            .text("error.message")
            .unwrap_or(crate::wire::MESSAGE_FIELD);
        // "CODE : detail" (Firebase keeps both in one field): the code is before the colon.
        let codes: Vec<&str> = body
            .texts_at(code_at)
            .into_iter()
            .map(|text| text.split(':').next().unwrap_or(text).trim())
            .collect();
        let message = || -> Option<String> {
            let text = body.text_at(message_at)?;
            let text = if message_at == code_at {
                text.split_once(':')?.1.trim()
            } else {
                text
            };
            (!text.is_empty()).then(|| sentence(text))
        };
        let rules = [self.call(call), Some(&self.description)]
            .into_iter()
            .flatten()
            .filter_map(|holder| match holder.get("answers") {
                Some(Json::List(rules)) => Some(rules),
                _ => None,
            })
            .flatten();
        let rule = rules.into_iter().find(|rule| {
            let statuses = match rule.get("status") {
                Some(Json::List(statuses)) => statuses.iter().collect(),
                one => one.into_iter().collect::<Vec<_>>(),
            };
            let status_matches =
                statuses.is_empty() || statuses.into_iter().any(|s| matches_status(s, status));
            let wanted = rule.texts_at("code");
            status_matches && (wanted.is_empty() || codes.iter().any(|code| wanted.contains(code)))
        });
        let said = |key: &str| rule.and_then(|rule| rule.get(key));
        let means = said("means")
            .and_then(Json::as_text)
            .unwrap_or(match status {
                200..=299 => "ok",
                429 => "rate_limited",
                _ => "server_error",
            });
        let show_message = said("show_message") == Some(&Json::Bool(true));
        match means {
            "ok" => Ok(()),
            "invalid_email" => Err(Refusal::InvalidEmail {
                message: show_message.then(message).flatten(),
            }),
            "invalid_link" => Err(Refusal::InvalidLink(DeadLink::Unknown)),
            "used_link" => Err(Refusal::InvalidLink(DeadLink::Used)),
            "expired_link" => Err(Refusal::InvalidLink(DeadLink::Expired)),
            "malformed_link" => Err(Refusal::InvalidLink(DeadLink::Malformed)),
            "too_many_tries" => Err(Refusal::InvalidLink(DeadLink::TooManyTries)),
            "weak_password" => {
                let mut reasons: Vec<WeakReason> = said("reason")
                    .and_then(Json::as_text)
                    .and_then(WeakReason::parse)
                    .into_iter()
                    .collect();
                if let Some(path) = self.text("error.reasons") {
                    reasons.extend(
                        body.texts_at(path)
                            .into_iter()
                            .filter_map(WeakReason::parse),
                    );
                }
                let message = (show_message || reasons.is_empty()).then(message).flatten();
                Err(Refusal::WeakPassword { reasons, message })
            }
            "rate_limited" => Err(Refusal::RateLimited),
            _ => Err(Refusal::Server { status }),
        }
    }

    /// What the success of `call` keeps for the calls after it, by the names its `keep` gives
    /// them (allauth's code mode answers a request with a session the code must be sent with).
    pub fn keeps(&self, call: Call, body: &Json) -> Vec<(String, String)> {
        let keep = self
            .call(call)
            .and_then(|call| call.get("keep"))
            .and_then(Json::fields);
        keep.unwrap_or_default()
            .iter()
            .filter_map(|(name, path)| {
                Some((name.clone(), body.text_at(path.as_text()?)?.to_owned()))
            })
            .collect()
    }

    /// Whether the reset `call`, answered with `body`, ended the account's other sessions: what
    /// its description's `ends_sessions` says (`true`, `false`, or where in the answer it says
    /// so); `None` when it does not say, and the pages promise nothing.
    pub fn ends_sessions(&self, call: Call, body: &Json) -> Option<bool> {
        match self.call(call)?.get("ends_sessions")? {
            Json::Bool(ended) => Some(*ended),
            Json::Text(path) => match body.get_at(path)? {
                Json::Bool(ended) => Some(*ended),
                _ => None,
            },
            _ => None,
        }
    }

    /// Where a check's success names the account's address.
    pub fn account<'a>(&self, call: Call, body: &'a Json) -> Option<&'a str> {
        body.text_at(self.call(call)?.get("account")?.as_text()?)
    }

    /// Reads the link the person opened, from its query's and fragment's parameters.
    pub fn read_link(&self, query: &Params, fragment: &Params) -> OpenedLink {
        let value = |name: &str| {
            query
                .iter()
                .chain(fragment)
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.trim().to_owned())
        };
        let named = |key: &str| self.text(&format!("link.{key}")).and_then(value);
        let purpose = self.text("link.purpose.param").and_then(value);
        let reset = self.text("link.purpose.reset").unwrap_or_default();
        let secret = if named("error").is_some() {
            LinkSecret::Refused
        } else if purpose.is_some_and(|said| !said.is_empty() && said != reset) {
            LinkSecret::NotAReset
        } else {
            match named("secret").filter(|s| !s.is_empty() && s.len() <= MAX_TOKEN_LEN) {
                Some(secret) => LinkSecret::Present(Secret(secret)),
                None => LinkSecret::Missing,
            }
        };
        let link_settings = self
            .description
            .get("link")
            .and_then(|link| link.get("settings"));
        OpenedLink {
            secret,
            continue_to: named("continue").and_then(|url| web_url(&url).map(str::to_owned)),
            settings: link_settings
                .and_then(Json::fields)
                .unwrap_or_default()
                .iter()
                .filter_map(|(setting, name)| {
                    Some((
                        setting.clone(),
                        value(name.as_text()?).filter(|v| !v.is_empty())?,
                    ))
                })
                .collect(),
        }
    }

    /// Whether an address opened at the site's root is this backend's reset link (a deployer
    /// may point a backend's mails there): it names the secret, a purpose or a refusal.
    pub fn is_link(&self, query: &Params, fragment: &Params) -> bool {
        ["link.secret", "link.purpose.param", "link.error"]
            .into_iter()
            .filter_map(|path| self.text(path))
            .any(|name| query.iter().chain(fragment).any(|(key, _)| key == name))
    }

    /// What a person typed or pasted into a code field: the short code from the mail (where the
    /// backend takes one), a whole link of this backend's shape (its secret), or the secret
    /// itself, as a mail without short codes shows it.
    pub fn entered_code(&self, input: &str) -> Result<EnteredCode, CodeError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(CodeError::Empty);
        }
        if let Some((query, fragment)) = pasted_link_parts(text) {
            return match self.read_link(&params(query), &params(fragment)).secret {
                LinkSecret::Present(secret) => Ok(EnteredCode::Secret(secret)),
                _ => Err(CodeError::LinkWithoutCode),
            };
        }
        // A short code is read as people type it, spaces and all (`ABCD EFGH`); anything
        // longer is a link's secret copied on its own.
        let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if self.has(Call::ResetWithCode) && code.chars().count() <= MAX_SHORT_CODE {
            return Ok(EnteredCode::Short(code));
        }
        if text.chars().any(char::is_whitespace) || text.len() > MAX_TOKEN_LEN {
            return Err(CodeError::Malformed);
        }
        Ok(EnteredCode::Secret(Secret(text.to_owned())))
    }
}

/// The longest short code a mail carries (the reference server's is 8 characters, shown as
/// `XXXX-XXXX`; others send 6 digits); anything longer typed into a code field is a secret.
const MAX_SHORT_CODE: usize = 16;

/// What was entered into a code field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnteredCode {
    /// The short code from the mail (spaces taken out), sent with the address it was mailed to.
    Short(String),
    /// A link's secret (from a pasted link, or copied on its own), sent as the link would be.
    Secret(Secret),
}

fn matches_status(rule: &Json, status: u16) -> bool {
    match rule {
        Json::Number(wanted) => *wanted == status as f64,
        Json::Text(class) => class.as_bytes().first() == Some(&(b'0' + (status / 100) as u8)),
        _ => false,
    }
}

/// The API as one deployment configured it: a backend's description with `config.json`'s
/// `api_base` and settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub backend: Backend,
    /// `None`: the pages' own origin.
    pub base: Option<String>,
    /// Every setting that has a value (from `config.json`, else the description's default).
    settings: Vec<(String, String)>,
}

impl Api {
    /// `config`'s backend settings checked against `backend`: each must be one it has, and
    /// the encoding or path a setting names must be one there can be. A required setting left
    /// out is not an error here: a link may supply it (see [`Api::complete_for`]).
    pub fn new(config: &Config, backend: Backend) -> Result<Api, ConfigError> {
        let mut settings: Vec<(String, String)> = Vec::new();
        for (key, value) in &config.backend_settings {
            if !backend.settings().any(|(name, _)| name == key) {
                let known: Vec<&str> = PAGE_KEYS
                    .into_iter()
                    .chain(backend.settings().map(|(name, _)| name))
                    .collect();
                return Err(ConfigError(format!(
                    "config.json: unknown key \"{key}\" for the backend \"{}\" (known keys: {})",
                    backend.name,
                    known.join(", ")
                )));
            }
            match value {
                Json::Null => {}
                Json::Text(text) if !text.trim().is_empty() => {
                    settings.push((key.clone(), text.trim().to_owned()))
                }
                other => {
                    return Err(ConfigError(format!(
                        "config.json: {key} must be a non-empty string, not {}",
                        other.describe()
                    )))
                }
            }
        }
        for (name, default) in backend.settings() {
            if let (false, Some(default)) = (settings.iter().any(|(k, _)| k == name), default) {
                settings.push((name.to_owned(), default.to_owned()));
            }
        }
        // A setting that is a call's whole encoding, or starts its path, must make sense there.
        for (call, _, _) in schema::CALLS {
            let Some(call) = backend.description.get(call) else {
                continue;
            };
            for (part, expected) in [
                ("encoding", "\"form\" or \"json\""),
                ("path", "a path starting with /"),
            ] {
                let Some(template) = call.get(part).and_then(Json::as_text) else {
                    continue;
                };
                let Some(name) = template
                    .strip_prefix('{')
                    .and_then(|rest| rest.split('}').next())
                else {
                    continue;
                };
                let value = settings
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str());
                let fits = match (part, value) {
                    (_, None) => true,
                    ("encoding", Some(value)) => matches!(value, "form" | "json"),
                    (_, Some(value)) => value.starts_with('/') && !value.contains(['?', '#', ' ']),
                };
                if !fits {
                    return Err(ConfigError(format!(
                        "config.json: {name} must be {expected}, not \"{}\"",
                        value.unwrap_or_default()
                    )));
                }
            }
        }
        Ok(Api {
            base: config.api_base.clone().or_else(|| {
                backend
                    .text("api_base")
                    .map(|base| base.trim_end_matches('/').to_owned())
            }),
            backend,
            settings,
        })
    }

    /// The configuration problem when a setting the backend needs has no value and `link`
    /// (a link of the backend's that supplies it, for its own calls) does not give one either.
    pub fn complete_for(&self, link: &OpenedLink) -> Result<(), ConfigError> {
        let given = |name: &str| {
            self.settings
                .iter()
                .chain(&link.settings)
                .any(|(k, _)| k == name)
        };
        match self.backend.settings().find(|(name, _)| !given(name)) {
            Some((name, _)) => Err(ConfigError(format!(
                "config.json: backend \"{}\" needs {name}",
                self.backend.name
            ))),
            None => Ok(()),
        }
    }

    /// The wire request for `call` with `values`, the settings, and a link's own settings (used
    /// only where config.json has none). Only `config.json`'s settings (and the description's
    /// defaults) go into a path as they are: every other value (what was typed, what a link
    /// carried) goes in as one percent-encoded path segment, so nothing a link carries can steer
    /// the request. `None` when the URL would not be the API's all the same (a value that is a
    /// whole `.` or `..` segment): nothing is sent.
    pub fn request(
        &self,
        call: Call,
        page_origin: &str,
        values: &[(&str, &str)],
        link_settings: &[(String, String)],
    ) -> Option<Request> {
        let mut all: Vec<(&str, &str)> = values.to_vec();
        all.push((PAGES, page_origin));
        let return_to = values
            .iter()
            .find(|(name, _)| *name == CONTINUE)
            .map_or("", |(_, value)| *value);
        let reset_page = match return_to {
            "" => format!("{page_origin}{RESET_PAGE_PATH}"),
            to => format!(
                "{page_origin}{RESET_PAGE_PATH}?{CONTINUE}={}",
                query_value(to)
            ),
        };
        all.push((RESET_PAGE, &reset_page));
        let mut raw_in_paths: Vec<&str> = Vec::new();
        for (name, value) in &self.settings {
            if !all.iter().any(|(k, _)| k == name) {
                all.push((name, value));
                raw_in_paths.push(name);
            }
        }
        for (name, value) in link_settings {
            if !all.iter().any(|(k, _)| k == name) {
                all.push((name, value));
            }
        }
        let in_path: Vec<(&str, String)> = all
            .iter()
            .map(|&(name, value)| match raw_in_paths.contains(&name) {
                true => (name, value.to_owned()),
                false => (name, path_segment(value)),
            })
            .collect();
        let in_path: Vec<(&str, &str)> = in_path.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let description = self.backend.call(call);
        let part = |key: &str| description.and_then(|call| call.get(key));
        let filled = |key: &str| -> Vec<(String, String)> {
            part(key)
                .and_then(Json::fields)
                .unwrap_or_default()
                .iter()
                .filter_map(|(name, template)| {
                    let template = template.as_text()?;
                    // A return address is sent only when there is one.
                    let without_return =
                        return_to.is_empty() && placeholders(template).contains(&CONTINUE);
                    (!without_return).then(|| (name.clone(), fill(template, &all)))
                })
                .collect()
        };
        let text = |key: &str| {
            part(key)
                .and_then(Json::as_text)
                .map(|t| fill(t, &all))
                .unwrap_or_default()
        };
        let base = self.base.as_deref().unwrap_or(page_origin);
        let path = part("path")
            .and_then(Json::as_text)
            .map(|t| fill(t, &in_path))
            .unwrap_or_default();
        let url = format!("{base}{path}");
        let dot_segment = path.split('/').any(|segment| {
            matches!(
                segment.to_ascii_lowercase().as_str(),
                "." | ".." | "%2e" | "%2e." | ".%2e" | "%2e%2e"
            )
        });
        if dot_segment || !path.starts_with('/') || origin_of(&url) != origin_of(base) {
            return None;
        }
        Some(Request {
            method: if text("method") == "GET" {
                Method::Get
            } else {
                Method::Post
            },
            url,
            query: filled("query"),
            encoding: if text("encoding") == "json" {
                Encoding::Json
            } else {
                Encoding::Form
            },
            fields: filled("fields"),
            headers: filled("headers"),
        })
    }
}

/// `value` as one path segment: every byte but the unreserved characters (letters, digits,
/// `-._~`) percent-encoded, so that a `/`, `?`, `#` or `%` in it stays inside the segment.
fn path_segment(value: &str) -> String {
    query_value(value)
}

/// A sentence ends with its stop (Firebase's reasons come without one).
fn sentence(text: &str) -> String {
    if text.ends_with(['.', '!', '?', '。', '！', '？']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

#[cfg(test)]
mod tests;
