//! Deploy-time configuration: `config.json` next to the pages, read at start-up,
//! so one build can be pointed at any recovery API without a rebuild.

use std::fmt;

use serde::Deserialize;

use crate::domain::MAX_PASSWORD_CHARS;

/// Where the pages look for their configuration, relative to the site root.
pub const CONFIG_PATH: &str = "/config.json";

/// How request bodies are encoded on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// `application/x-www-form-urlencoded`: what existing clients of the API send.
    #[default]
    Form,
    Json,
}

/// The configuration in force. Every key of `config.json` is optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Origin (and optional path prefix) of the recovery API; `None` means the
    /// pages' own origin.
    pub api_base: Option<String>,
    pub request_path: String,
    pub reset_path: String,
    pub encoding: Encoding,
    /// Where the success state's "Sign in" link goes.
    pub sign_in_url: String,
    pub min_password_length: usize,
    /// Shown in the header and the document title.
    pub app_name: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_base: None,
            request_path: "/account/recovery".into(),
            reset_path: "/account/reset-password".into(),
            encoding: Encoding::Form,
            sign_in_url: "/sign-in".into(),
            min_password_length: 8,
            app_name: "Reclaim".into(),
        }
    }
}

/// A `config.json` that cannot be used. Shown to the person as is, so a
/// deployer sees the mistake instead of the pages silently calling the wrong API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file as written. Unknown keys are refused: a typo such as `api_bse`
/// would otherwise fall back to a default target without anyone noticing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    api_base: Option<String>,
    request_path: Option<String>,
    reset_path: Option<String>,
    encoding: Option<Encoding>,
    sign_in_url: Option<String>,
    min_password_length: Option<usize>,
    app_name: Option<String>,
}

impl Config {
    /// Parses `config.json`, filling in defaults for absent keys.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let file: ConfigFile = serde_json::from_str(text)
            .map_err(|e| ConfigError(format!("config.json is not valid: {e}")))?;
        let defaults = Config::default();
        let config = Config {
            api_base: match file.api_base {
                Some(base) if !base.trim().is_empty() => Some(api_base(&base)?),
                _ => None,
            },
            request_path: endpoint_path("request_path", file.request_path, defaults.request_path)?,
            reset_path: endpoint_path("reset_path", file.reset_path, defaults.reset_path)?,
            encoding: file.encoding.unwrap_or_default(),
            sign_in_url: non_empty("sign_in_url", file.sign_in_url, defaults.sign_in_url)?,
            min_password_length: match file.min_password_length {
                None => defaults.min_password_length,
                Some(n) if (8..=MAX_PASSWORD_CHARS).contains(&n) => n,
                Some(n) => {
                    return Err(ConfigError(format!(
                        "config.json: min_password_length must be between 8 and {MAX_PASSWORD_CHARS}, not {n}"
                    )))
                }
            },
            app_name: non_empty("app_name", file.app_name, defaults.app_name)?,
        };
        Ok(config)
    }

    /// The absolute URL of an endpoint, given the pages' own origin.
    pub fn endpoint(&self, page_origin: &str, path: &str) -> String {
        format!("{}{path}", self.api_base.as_deref().unwrap_or(page_origin))
    }
}

fn api_base(base: &str) -> Result<String, ConfigError> {
    let base = base.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| ConfigError(format!("config.json: api_base must start with https:// or http://, not {base:?}")))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(['?', '#', ' ']) {
        return Err(ConfigError(format!("config.json: api_base {base:?} is not an origin like https://api.example.com")));
    }
    Ok(base.to_owned())
}

fn endpoint_path(key: &str, value: Option<String>, default: String) -> Result<String, ConfigError> {
    match value {
        None => Ok(default),
        Some(path) if path.starts_with('/') && !path.contains(['?', '#', ' ']) => Ok(path),
        Some(path) => Err(ConfigError(format!("config.json: {key} must be a path starting with /, not {path:?}"))),
    }
}

fn non_empty(key: &str, value: Option<String>, default: String) -> Result<String, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(_) => Err(ConfigError(format!("config.json: {key} must not be empty"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_gives_defaults() {
        assert_eq!(Config::from_json("{}").unwrap(), Config::default());
        assert_eq!(Config::from_json(r#"{"api_base": ""}"#).unwrap(), Config::default());
    }

    #[test]
    fn every_key_is_read() {
        let config = Config::from_json(
            r#"{"api_base":"https://api.example.com/v2/","request_path":"/recover","reset_path":"/reset",
                "encoding":"json","sign_in_url":"https://example.com/login","min_password_length":12,
                "app_name":"Example"}"#,
        )
        .unwrap();
        assert_eq!(
            config,
            Config {
                api_base: Some("https://api.example.com/v2".into()),
                request_path: "/recover".into(),
                reset_path: "/reset".into(),
                encoding: Encoding::Json,
                sign_in_url: "https://example.com/login".into(),
                min_password_length: 12,
                app_name: "Example".into(),
            }
        );
        assert_eq!(config.endpoint("https://pages.example.com", &config.reset_path), "https://api.example.com/v2/reset");
    }

    #[test]
    fn endpoints_default_to_the_pages_origin() {
        let config = Config::default();
        assert_eq!(
            config.endpoint("http://127.0.0.1:8080", &config.request_path),
            "http://127.0.0.1:8080/account/recovery"
        );
    }

    #[test]
    fn malformed_files_are_errors_not_defaults() {
        for bad in [
            "",
            "not json",
            "[]",
            r#"{"api_bse":"https://api.example.com"}"#,
            r#"{"api_base":"api.example.com"}"#,
            r#"{"api_base":"ftp://api.example.com"}"#,
            r#"{"api_base":"https://"}"#,
            r#"{"request_path":"account/recovery"}"#,
            r#"{"reset_path":"/x?y"}"#,
            r#"{"encoding":"xml"}"#,
            r#"{"min_password_length":6}"#,
            r#"{"min_password_length":"8"}"#,
            r#"{"app_name":" "}"#,
            r#"{"sign_in_url":""}"#,
        ] {
            let err = Config::from_json(bad).expect_err(bad);
            assert!(err.0.starts_with("config.json"), "{bad}: {err}");
        }
    }

    #[test]
    fn errors_name_the_problem() {
        let err = Config::from_json(r#"{"api_bse":"x"}"#).unwrap_err();
        assert!(err.0.contains("api_bse"), "{err}");
        let err = Config::from_json(r#"{"min_password_length":200}"#).unwrap_err();
        assert!(err.0.contains("between 8 and 128"), "{err}");
    }
}
