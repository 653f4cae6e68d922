//! Deploy-time configuration: `config.json` next to the pages, read at start-up,
//! so one build can be pointed at any recovery API without a rebuild.

use std::fmt;

use reclaim_contract::{link::base_url, wire, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// Where the pages look for their configuration, relative to the site root.
pub const CONFIG_PATH: &str = "/config.json";

/// How request bodies are encoded on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
            request_path: wire::RECOVERY_PATH.into(),
            reset_path: wire::RESET_PASSWORD_PATH.into(),
            encoding: Encoding::Form,
            sign_in_url: "/sign-in".into(),
            min_password_length: MIN_PASSWORD_CHARS,
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

/// One value of `config.json`'s top-level object, as the browser's JSON parser
/// read it. (The browser parses the file: a JSON library in the wasm would
/// cost every visitor more download than this whole module.)
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigValue {
    Text(String),
    Number(f64),
    /// `null`: the same as leaving the key out.
    Null,
    /// Anything else (boolean, array, object), named for the error message.
    Other(&'static str),
}

/// Every key `config.json` may have. Unknown keys are refused: a typo such as
/// `api_bse` would otherwise fall back to a default target without anyone noticing.
pub const CONFIG_KEYS: [&str; 7] = [
    "api_base",
    "request_path",
    "reset_path",
    "encoding",
    "sign_in_url",
    "min_password_length",
    "app_name",
];

impl Config {
    /// Builds the configuration from the top-level keys of `config.json`,
    /// filling in defaults for absent (or `null`) keys.
    pub fn from_fields(fields: &[(String, ConfigValue)]) -> Result<Self, ConfigError> {
        let mut config = Config::default();
        for (key, value) in fields {
            let key = key.as_str();
            match key {
                _ if *value == ConfigValue::Null => {}
                "api_base" => {
                    config.api_base = api_base(text(key, value)?).ok_or_else(|| {
                        invalid(key, "an origin like https://api.example.com", value)
                    })?
                }
                "request_path" => config.request_path = path(key, value)?,
                "reset_path" => config.reset_path = path(key, value)?,
                "encoding" => {
                    config.encoding = match text(key, value)? {
                        "form" => Encoding::Form,
                        "json" => Encoding::Json,
                        _ => return Err(invalid(key, "\"form\" or \"json\"", value)),
                    }
                }
                "sign_in_url" => config.sign_in_url = non_empty(key, value)?,
                "app_name" => config.app_name = non_empty(key, value)?,
                "min_password_length" => {
                    config.min_password_length = match value {
                        ConfigValue::Number(n)
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
                unknown => {
                    return Err(ConfigError(format!(
                        "config.json: unknown key \"{unknown}\" (known keys: {})",
                        CONFIG_KEYS.join(", ")
                    )))
                }
            }
        }
        Ok(config)
    }

    /// The absolute URL of an endpoint, given the pages' own origin.
    pub fn endpoint(&self, page_origin: &str, path: &str) -> String {
        format!("{}{path}", self.api_base.as_deref().unwrap_or(page_origin))
    }
}

/// One message shape for every wrong value. A number is not repeated back:
/// formatting a float would cost the wasm more than this whole module.
fn invalid(key: &str, expected: &str, value: &ConfigValue) -> ConfigError {
    let got = match value {
        ConfigValue::Text(text) => format!("\"{text}\""),
        ConfigValue::Number(_) => "that number".to_owned(),
        ConfigValue::Null => "null".to_owned(),
        ConfigValue::Other(kind) => (*kind).to_owned(),
    };
    ConfigError(format!("config.json: {key} must be {expected}, not {got}"))
}

fn text<'a>(key: &str, value: &'a ConfigValue) -> Result<&'a str, ConfigError> {
    match value {
        ConfigValue::Text(text) => Ok(text.trim()),
        other => Err(invalid(key, "a string", other)),
    }
}

fn path(key: &str, value: &ConfigValue) -> Result<String, ConfigError> {
    let path = text(key, value)?;
    if path.starts_with('/') && !path.contains(['?', '#', ' ']) {
        Ok(path.to_owned())
    } else {
        Err(invalid(key, "a path starting with /", value))
    }
}

fn non_empty(key: &str, value: &ConfigValue) -> Result<String, ConfigError> {
    match text(key, value)? {
        "" => Err(invalid(key, "a non-empty string", value)),
        text => Ok(text.to_owned()),
    }
}

/// `Some(None)` for an empty `api_base` (the pages' own origin), `None` when
/// it is not an http(s) origin.
fn api_base(base: &str) -> Option<Option<String>> {
    if base.trim_end_matches('/').is_empty() {
        return Some(None);
    }
    base_url(base).map(|base| Some(base.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, ConfigValue)]) -> Vec<(String, ConfigValue)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn text(s: &str) -> ConfigValue {
        ConfigValue::Text(s.into())
    }

    #[test]
    fn no_keys_gives_defaults() {
        assert_eq!(Config::from_fields(&[]).unwrap(), Config::default());
        assert_eq!(
            Config::from_fields(&fields(&[("api_base", text(""))])).unwrap(),
            Config::default()
        );
        assert_eq!(
            Config::from_fields(&fields(&[("app_name", ConfigValue::Null)])).unwrap(),
            Config::default()
        );
    }

    #[test]
    fn every_key_is_read() {
        let config = Config::from_fields(&fields(&[
            ("api_base", text("https://api.example.com/v2/")),
            ("request_path", text("/recover")),
            ("reset_path", text("/reset")),
            ("encoding", text("json")),
            ("sign_in_url", text("https://example.com/login")),
            ("min_password_length", ConfigValue::Number(12.0)),
            ("app_name", text("Example")),
        ]))
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
        assert_eq!(
            config.endpoint("https://pages.example.com", &config.reset_path),
            "https://api.example.com/v2/reset"
        );
        assert_eq!(CONFIG_KEYS.len(), 7);
    }

    #[test]
    fn endpoints_default_to_the_pages_origin() {
        let config = Config::default();
        assert_eq!(
            config.endpoint("http://127.0.0.1:8080", &config.request_path),
            "http://127.0.0.1:8080/account/recovery"
        );
        assert_eq!(config.encoding, Encoding::Form);
    }

    #[test]
    fn wrong_values_are_errors_not_defaults() {
        for (key, value) in [
            ("api_bse", text("https://api.example.com")),
            ("api_base", text("api.example.com")),
            ("api_base", text("ftp://api.example.com")),
            ("api_base", text("https://")),
            ("api_base", text("https://api.example.com?x=1")),
            ("api_base", ConfigValue::Number(1.0)),
            ("request_path", text("account/recovery")),
            ("reset_path", text("/x?y")),
            ("encoding", text("xml")),
            ("encoding", ConfigValue::Other("a boolean")),
            ("min_password_length", ConfigValue::Number(6.0)),
            ("min_password_length", ConfigValue::Number(8.5)),
            ("min_password_length", ConfigValue::Number(129.0)),
            ("min_password_length", text("8")),
            ("app_name", text(" ")),
            ("sign_in_url", text("")),
        ] {
            let err = Config::from_fields(&fields(&[(key, value.clone())])).expect_err(key);
            assert!(err.0.starts_with("config.json"), "{key}={value:?}: {err}");
        }
    }

    /// The `config.json` shipped in `dist/` spells out every default.
    #[test]
    fn shipped_file_is_the_defaults() {
        let file: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(include_str!("../config.json")).unwrap();
        let fields: Vec<(String, ConfigValue)> = file
            .into_iter()
            .map(|(key, value)| {
                let value = match value {
                    serde_json::Value::String(s) => ConfigValue::Text(s),
                    serde_json::Value::Number(n) => ConfigValue::Number(n.as_f64().unwrap()),
                    other => panic!("{key}: unexpected {other}"),
                };
                (key, value)
            })
            .collect();
        assert_eq!(
            fields.len(),
            CONFIG_KEYS.len(),
            "every key is documented in the file"
        );
        assert_eq!(Config::from_fields(&fields).unwrap(), Config::default());
    }

    #[test]
    fn errors_name_the_problem() {
        let err = Config::from_fields(&fields(&[("api_bse", text("x"))])).unwrap_err();
        assert!(
            err.0.contains("\"api_bse\"") && err.0.contains("api_base"),
            "{err}"
        );
        let err = Config::from_fields(&fields(&[(
            "min_password_length",
            ConfigValue::Number(200.0),
        )]))
        .unwrap_err();
        assert!(err.0.contains("between 8 and 128"), "{err}");
        let err = Config::from_fields(&fields(&[("app_name", ConfigValue::Other("an array"))]))
            .unwrap_err();
        assert_eq!(
            err.0,
            "config.json: app_name must be a string, not an array"
        );
    }
}
