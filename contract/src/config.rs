//! `config.json`, beside the pages: what one deployment sets without a rebuild. Read by the pages
//! before they send anything and by `reclaim-server check` against a deployed site, with the
//! same rules, so the check says exactly what the pages would.

use std::fmt;

use crate::{
    json::Json,
    link::{base_url, is_safe_destination, origin_of, web_url},
    locale::{BUILT_IN, DEFAULT_LOCALE},
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};

/// Where the pages look for their configuration, relative to the site root.
pub const CONFIG_PATH: &str = "/config.json";

/// The backend when `config.json` names none: the contract, which the reference server speaks.
pub const DEFAULT_BACKEND: &str = "reclaim";

/// The keys that are the pages' own; every other key of `config.json` is a setting of the
/// chosen backend, checked against its description.
pub const PAGE_KEYS: [&str; 9] = [
    "backend",
    "api_base",
    "sign_in_url",
    "min_password_length",
    "app_name",
    "locales",
    "default_locale",
    "continue_origins",
    "link_lifetime_minutes",
];

/// A `config.json` (or a backend description) that cannot be used. Shown as is, in English:
/// it is for the deployer, who sees the mistake instead of the pages silently calling the
/// wrong API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The configuration in force. Every key of `config.json` is optional.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The description to read: `backends/<backend>.json`.
    pub backend: String,
    /// Origin (and optional path prefix) of the recovery API; `None`: the backend's default,
    /// else the pages' own origin.
    pub api_base: Option<String>,
    /// Where the success state's "Sign in" link goes.
    pub sign_in_url: String,
    pub min_password_length: usize,
    /// Shown in the header and the document title.
    pub app_name: String,
    /// The locales offered (in the switcher's order): built-in ones, or any other with a
    /// `locales/<tag>.json` beside `config.json`.
    pub locales: Vec<String>,
    /// Used when nothing the reader asks for is offered; one of `locales`.
    pub default_locale: String,
    /// Origins a link's "continue" address may lead to after a reset (anything else would make
    /// the success page an open redirect).
    pub continue_origins: Vec<String>,
    /// How long the backend's links last, to tell a person whose link has expired; `None`:
    /// the pages do not say.
    pub link_lifetime_minutes: Option<u64>,
    /// The other keys, for the backend's description to judge (see `backend::Api::new`).
    pub backend_settings: Vec<(String, Json)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            backend: DEFAULT_BACKEND.into(),
            api_base: None,
            sign_in_url: "/sign-in".into(),
            min_password_length: MIN_PASSWORD_CHARS,
            app_name: "Reclaim".into(),
            locales: BUILT_IN.map(str::to_owned).to_vec(),
            default_locale: DEFAULT_LOCALE.to_owned(),
            continue_origins: Vec::new(),
            link_lifetime_minutes: None,
            backend_settings: Vec::new(),
        }
    }
}

impl Config {
    /// The configuration from `config.json`'s object, defaults for absent (or `null`) keys.
    pub fn from_json(file: &Json) -> Result<Self, ConfigError> {
        let fields = file.fields().ok_or_else(|| {
            ConfigError(
                "config.json must be a JSON object, like {\"app_name\": \"Example\"}".into(),
            )
        })?;
        let mut config = Config::default();
        for (key, value) in fields {
            let key = key.as_str();
            match key {
                _ if *value == Json::Null && PAGE_KEYS.contains(&key) => {}
                "backend" => {
                    let name = text(key, value)?;
                    let well_formed = !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                    if !well_formed {
                        return Err(invalid(key, "a backend's name, like \"reclaim\" or \"firebase\" (lower-case letters, digits and -)", value));
                    }
                    config.backend = name.to_owned();
                }
                "api_base" => {
                    let base = text(key, value)?;
                    config.api_base = if base.trim_end_matches('/').is_empty() {
                        None
                    } else {
                        Some(
                            base_url(base)
                                .ok_or_else(|| {
                                    invalid(key, "an origin like https://api.example.com", value)
                                })?
                                .to_owned(),
                        )
                    };
                }
                "sign_in_url" => {
                    let url = non_empty(key, value)?;
                    if !is_safe_destination(&url) {
                        return Err(invalid(
                            key,
                            "a path on this site like /sign-in, or an https:// address",
                            value,
                        ));
                    }
                    config.sign_in_url = url;
                }
                "app_name" => config.app_name = non_empty(key, value)?,
                "locales" => config.locales = locales(key, value)?,
                "default_locale" => config.default_locale = non_empty(key, value)?,
                "continue_origins" => config.continue_origins = origins(key, value)?,
                "link_lifetime_minutes" => {
                    config.link_lifetime_minutes = match value {
                        Json::Number(n) if n.fract() == 0.0 && (1.0..=10_080.0).contains(n) => {
                            Some(*n as u64)
                        }
                        _ => {
                            return Err(invalid(
                                key,
                                "a whole number of minutes between 1 and 10080 (a week)",
                                value,
                            ))
                        }
                    }
                }
                "min_password_length" => {
                    config.min_password_length = match value {
                        Json::Number(n)
                            if n.fract() == 0.0
                                && (MIN_PASSWORD_CHARS as f64..=MAX_PASSWORD_CHARS as f64)
                                    .contains(n) =>
                        {
                            *n as usize
                        }
                        _ => {
                            return Err(invalid(
                                key,
                                &format!(
                            "a whole number between {MIN_PASSWORD_CHARS} and {MAX_PASSWORD_CHARS}"
                        ),
                                value,
                            ))
                        }
                    }
                }
                other => config
                    .backend_settings
                    .push((other.to_owned(), value.clone())),
            }
        }
        config.default_locale = default_locale(&config, fields)?;
        Ok(config)
    }

    /// `url` as the success page's "Continue", when it is an https address (or http on this
    /// machine) on one of `continue_origins`.
    pub fn continue_to(&self, url: &str) -> Option<String> {
        let url = web_url(url).filter(|url| is_safe_destination(url))?;
        let origin = origin_of(url);
        self.continue_origins
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin))
            .then(|| url.to_owned())
    }
}

/// One message shape for every wrong value. A number is not repeated back: formatting a float
/// would cost the wasm more than this whole module.
fn invalid(key: &str, expected: &str, value: &Json) -> ConfigError {
    ConfigError(format!(
        "config.json: {key} must be {expected}, not {}",
        value.describe()
    ))
}

fn text<'a>(key: &str, value: &'a Json) -> Result<&'a str, ConfigError> {
    match value {
        Json::Text(text) => Ok(text.trim()),
        other => Err(invalid(key, "a string", other)),
    }
}

fn non_empty(key: &str, value: &Json) -> Result<String, ConfigError> {
    match text(key, value)? {
        "" => Err(invalid(key, "a non-empty string", value)),
        text => Ok(text.to_owned()),
    }
}

fn strings<'a>(key: &str, expected: &str, value: &'a Json) -> Result<Vec<&'a str>, ConfigError> {
    match value {
        Json::List(items) => items
            .iter()
            .map(|item| match item {
                Json::Text(text) => Ok(text.trim()),
                other => Err(invalid(key, expected, other)),
            })
            .collect(),
        other => Err(invalid(key, expected, other)),
    }
}

/// The offered locales: tags, each once, the built-in ones spelled as built in (`pt-br` is
/// `pt-BR`, the name of its file).
fn locales(key: &str, value: &Json) -> Result<Vec<String>, ConfigError> {
    let expected = "a non-empty list of language tags, like [\"en\", \"fr\"]";
    let mut locales: Vec<String> = Vec::new();
    for tag in strings(key, expected, value)? {
        let well_formed = (2..=35).contains(&tag.len())
            && tag.starts_with(|c: char| c.is_ascii_alphabetic())
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(invalid(key, expected, &Json::Text(tag.to_owned())));
        }
        let tag = BUILT_IN
            .into_iter()
            .find(|built_in| built_in.eq_ignore_ascii_case(tag))
            .unwrap_or(tag);
        if locales.iter().any(|had| had.eq_ignore_ascii_case(tag)) {
            return Err(ConfigError(format!(
                "config.json: locales has \"{tag}\" twice"
            )));
        }
        locales.push(tag.to_owned());
    }
    if locales.is_empty() {
        return Err(invalid(key, expected, value));
    }
    Ok(locales)
}

/// The origins "continue" links may go to: each an https origin with no path (or http on this
/// machine).
fn origins(key: &str, value: &Json) -> Result<Vec<String>, ConfigError> {
    let expected = "a list of https origins, like [\"https://app.example.com\"]";
    strings(key, expected, value)?
        .into_iter()
        .map(|origin| {
            let origin = origin.trim_end_matches('/');
            match base_url(origin) {
                Some(base) if origin_of(base) == base && is_safe_destination(base) => {
                    Ok(base.to_owned())
                }
                _ => Err(invalid(key, expected, &Json::Text(origin.to_owned()))),
            }
        })
        .collect()
}

/// `default_locale` as one of `locales`; left out, English if offered, else the first.
fn default_locale(config: &Config, fields: &[(String, Json)]) -> Result<String, ConfigError> {
    let named = fields
        .iter()
        .any(|(key, value)| key == "default_locale" && *value != Json::Null);
    let wanted = if named {
        config.default_locale.as_str()
    } else {
        DEFAULT_LOCALE
    };
    match config
        .locales
        .iter()
        .find(|tag| tag.eq_ignore_ascii_case(wanted))
    {
        Some(tag) => Ok(tag.clone()),
        None if !named => Ok(config.locales[0].clone()),
        None => Err(ConfigError(format!(
            "config.json: default_locale \"{wanted}\" is not one of locales ({})",
            config.locales.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn config(text: &str) -> Result<Config, ConfigError> {
        Config::from_json(&parse(text).unwrap())
    }

    #[test]
    fn no_keys_gives_defaults() {
        assert_eq!(config("{}").unwrap(), Config::default());
        assert_eq!(config(r#"{"api_base": ""}"#).unwrap(), Config::default());
        assert_eq!(config(r#"{"app_name": null}"#).unwrap(), Config::default());
        assert_eq!(Config::default().backend, "reclaim");
    }

    #[test]
    fn every_key_is_read() {
        let read = config(
            r#"{"backend": "firebase", "api_base": "https://api.example.com/v2/",
                "sign_in_url": "https://example.com/login", "min_password_length": 12,
                "app_name": "Example", "continue_origins": ["https://app.example.com/"],
                "firebase_api_key": "AIza"}"#,
        )
        .unwrap();
        assert_eq!(
            read,
            Config {
                backend: "firebase".into(),
                api_base: Some("https://api.example.com/v2".into()),
                sign_in_url: "https://example.com/login".into(),
                min_password_length: 12,
                app_name: "Example".into(),
                continue_origins: vec!["https://app.example.com".into()],
                backend_settings: vec![("firebase_api_key".into(), Json::Text("AIza".into()))],
                ..Config::default()
            }
        );
    }

    #[test]
    fn wrong_values_are_errors_not_defaults() {
        for (text, expected) in [
            (
                r#"{"api_base": "api.example.com"}"#,
                "api_base must be an origin",
            ),
            (
                r#"{"api_base": "ftp://api.example.com"}"#,
                "api_base must be an origin",
            ),
            (r#"{"api_base": "https://"}"#, "api_base must be an origin"),
            (
                r#"{"api_base": "https://api.example.com?x=1"}"#,
                "api_base must be an origin",
            ),
            (
                r#"{"api_base": 1}"#,
                "api_base must be a string, not a number",
            ),
            (
                r#"{"backend": "Fire base"}"#,
                "backend must be a backend's name",
            ),
            (r#"{"backend": ""}"#, "backend must be a backend's name"),
            (r#"{"min_password_length": 6}"#, "between 8 and 128"),
            (r#"{"min_password_length": 8.5}"#, "between 8 and 128"),
            (r#"{"min_password_length": 129}"#, "between 8 and 128"),
            (
                r#"{"min_password_length": "8"}"#,
                "between 8 and 128, not \"8\"",
            ),
            (
                r#"{"app_name": " "}"#,
                "app_name must be a non-empty string",
            ),
            (
                r#"{"app_name": ["x"]}"#,
                "app_name must be a string, not a list",
            ),
            (
                r#"{"sign_in_url": ""}"#,
                "sign_in_url must be a non-empty string",
            ),
            (
                r#"{"sign_in_url": "javascript:alert(1)"}"#,
                "sign_in_url must be a path on this site like /sign-in, or an https:// address",
            ),
            (
                r#"{"sign_in_url": "http://example.com/login"}"#,
                "sign_in_url must be a path on this site",
            ),
            (
                r#"{"sign_in_url": "//evil.example/login"}"#,
                "sign_in_url must be a path on this site",
            ),
            (
                r#"{"continue_origins": ["http://app.example.com"]}"#,
                "continue_origins must be a list of https origins",
            ),
            (
                r#"{"continue_origins": ["https://a.example/path"]}"#,
                "continue_origins must be a list of https origins",
            ),
            (
                r#"{"continue_origins": "https://a.example"}"#,
                "continue_origins must be a list of https origins",
            ),
            ("[]", "config.json must be a JSON object"),
        ] {
            let err = config(text).expect_err(text);
            assert!(err.0.contains(expected), "{text}: {err}");
            assert!(err.0.starts_with("config.json"), "{text}: {err}");
        }
    }

    #[test]
    fn locales_and_their_default() {
        let read = config(r#"{"locales": ["pt-br", "ar", "nl"], "default_locale": "AR"}"#).unwrap();
        assert_eq!(read.locales, ["pt-BR", "ar", "nl"]);
        assert_eq!(read.default_locale, "ar");
        // Without a default, English if offered, else the first offered.
        assert_eq!(
            config(r#"{"locales": ["ja", "en"]}"#)
                .unwrap()
                .default_locale,
            "en"
        );
        assert_eq!(
            config(r#"{"locales": ["ja", "fr"]}"#)
                .unwrap()
                .default_locale,
            "ja"
        );
        assert_eq!(Config::default().locales, BUILT_IN);
        for (text, expected) in [
            (r#"{"locales": []}"#, "must be a non-empty list"),
            (r#"{"locales": ["en", "EN"]}"#, "twice"),
            (r#"{"locales": ["en", "e n"]}"#, "must be a non-empty list"),
            (r#"{"locales": "en"}"#, "not \"en\""),
            (r#"{"default_locale": "xx"}"#, "is not one of locales"),
            (
                r#"{"locales": ["fr"], "default_locale": "en"}"#,
                "is not one of locales (fr)",
            ),
        ] {
            let err = config(text).expect_err(text);
            assert!(err.0.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn a_continue_link_must_lead_to_a_listed_origin() {
        let read = config(r#"{"continue_origins": ["https://app.example.com"]}"#).unwrap();
        assert_eq!(
            read.continue_to("https://app.example.com/home?a=1")
                .as_deref(),
            Some("https://app.example.com/home?a=1")
        );
        assert_eq!(
            read.continue_to("HTTPS://APP.EXAMPLE.COM").as_deref(),
            Some("HTTPS://APP.EXAMPLE.COM")
        );
        for elsewhere in [
            "https://evil.example/",
            "https://app.example.com.evil.example/",
            "http://app.example.com/",
            "https://app.example.com:8443/",
            "javascript:alert(1)",
        ] {
            assert_eq!(read.continue_to(elsewhere), None, "{elsewhere}");
        }
        assert_eq!(
            Config::default().continue_to("https://app.example.com/"),
            None
        );
    }
}
