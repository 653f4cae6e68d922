//! Deploy-time configuration: `config.json` next to the pages, read at start-up,
//! so one build can be pointed at any recovery API without a rebuild.

use std::fmt;

use reclaim_contract::{
    link::base_url,
    locale::{BUILT_IN, DEFAULT_LOCALE},
    wire, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};

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

/// Which recovery API the pages speak to (`config.json`'s `backend`). Each has
/// its module under `src/backend/`; nothing else in the pages depends on which.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BackendKind {
    /// The recovery contract (`request_path`, `reset_path`, `encoding`).
    #[default]
    Reclaim,
    /// Firebase Authentication's REST API, with `firebase_api_key`.
    Firebase,
}

impl BackendKind {
    /// The value of `backend` that selects it.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Reclaim => "reclaim",
            BackendKind::Firebase => "firebase",
        }
    }

    /// The keys of `config.json` that only this backend reads: giving one to
    /// another backend is a mistake worth showing (it would be silently ignored).
    fn own_keys(self) -> &'static [&'static str] {
        match self {
            BackendKind::Reclaim => &["request_path", "reset_path", "encoding"],
            BackendKind::Firebase => &["firebase_api_key"],
        }
    }

    /// Where the API is when `api_base` is left out: the pages' own origin for
    /// the contract, Google's endpoint for Firebase.
    fn default_api_base(self) -> Option<&'static str> {
        match self {
            BackendKind::Reclaim => None,
            BackendKind::Firebase => Some("https://identitytoolkit.googleapis.com"),
        }
    }
}

const BACKENDS: [BackendKind; 2] = [BackendKind::Reclaim, BackendKind::Firebase];

/// The configuration in force. Every key of `config.json` is optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub backend: BackendKind,
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
    /// Firebase's web API key (public by design: it names the project).
    pub firebase_api_key: Option<String>,
    /// The locales offered (in the switcher's order): a subset of the built-in ones, or any
    /// other with a `locales/<tag>.json` beside `config.json`.
    pub locales: Vec<String>,
    /// Used when nothing the reader asks for is offered; one of `locales`.
    pub default_locale: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            backend: BackendKind::Reclaim,
            api_base: None,
            request_path: wire::RECOVERY_PATH.into(),
            reset_path: wire::RESET_PASSWORD_PATH.into(),
            encoding: Encoding::Form,
            sign_in_url: "/sign-in".into(),
            min_password_length: MIN_PASSWORD_CHARS,
            app_name: "Reclaim".into(),
            firebase_api_key: None,
            locales: BUILT_IN.map(str::to_owned).to_vec(),
            default_locale: DEFAULT_LOCALE.to_owned(),
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
    /// An array of strings (`locales`).
    Texts(Vec<String>),
    /// Anything else (boolean, array, object), named for the error message.
    Other(&'static str),
}

/// Every key `config.json` may have. Unknown keys are refused: a typo such as
/// `api_bse` would otherwise fall back to a default target without anyone noticing.
pub const CONFIG_KEYS: [&str; 11] = [
    "backend",
    "api_base",
    "request_path",
    "reset_path",
    "encoding",
    "sign_in_url",
    "min_password_length",
    "app_name",
    "firebase_api_key",
    "locales",
    "default_locale",
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
                "backend" => {
                    let name = text(key, value)?;
                    config.backend = BACKENDS
                        .into_iter()
                        .find(|backend| backend.name() == name)
                        .ok_or_else(|| invalid(key, "\"reclaim\" or \"firebase\"", value))?
                }
                "firebase_api_key" => config.firebase_api_key = Some(non_empty(key, value)?),
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
                "locales" => config.locales = locales(key, value)?,
                "default_locale" => config.default_locale = non_empty(key, value)?,
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
        // A key of another backend is refused, whatever order the keys came in.
        let foreign = BACKENDS
            .into_iter()
            .filter(|backend| *backend != config.backend)
            .flat_map(|backend| backend.own_keys().iter().map(move |key| (backend, *key)))
            .find(|(_, own)| {
                fields
                    .iter()
                    .any(|(key, value)| key == own && *value != ConfigValue::Null)
            });
        if let Some((owner, key)) = foreign {
            return Err(ConfigError(format!(
                "config.json: {key} is for the backend \"{}\", but backend is \"{}\"",
                owner.name(),
                config.backend.name()
            )));
        }
        if config.api_base.is_none() {
            config.api_base = config.backend.default_api_base().map(str::to_owned);
        }
        config.default_locale = default_locale(&config, fields)?;
        Ok(config)
    }

    /// The configuration for the address the pages were opened at: a Firebase
    /// action link names its project's API key (`apiKey`), used when
    /// `config.json` has none. Without either, the pages cannot call Firebase
    /// at all, which is a setup problem to show rather than a failed request.
    pub fn for_link(mut self, link_api_key: Option<String>) -> Result<Self, ConfigError> {
        if self.backend == BackendKind::Firebase && self.firebase_api_key.is_none() {
            match link_api_key.filter(|key| !key.trim().is_empty()) {
                Some(key) => self.firebase_api_key = Some(key),
                None => {
                    return Err(ConfigError(
                        "config.json: backend \"firebase\" needs firebase_api_key, the web API key of your Firebase project".into(),
                    ))
                }
            }
        }
        Ok(self)
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
        ConfigValue::Texts(_) => "a list".to_owned(),
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

/// The offered locales: tags, each once, the built-in ones spelled as built in (`pt-br` is
/// `pt-BR`, the name of its file).
fn locales(key: &str, value: &ConfigValue) -> Result<Vec<String>, ConfigError> {
    let expected = "a non-empty list of language tags, like [\"en\", \"fr\"]";
    let ConfigValue::Texts(tags) = value else {
        return Err(invalid(key, expected, value));
    };
    let mut locales: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim();
        let well_formed = (2..=35).contains(&tag.len())
            && tag.starts_with(|c: char| c.is_ascii_alphabetic())
            && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(invalid(key, expected, &ConfigValue::Text(tag.to_owned())));
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

/// `default_locale` as one of `locales`; left out, English if offered, else the first.
fn default_locale(
    config: &Config,
    fields: &[(String, ConfigValue)],
) -> Result<String, ConfigError> {
    let named = fields
        .iter()
        .any(|(key, value)| key == "default_locale" && *value != ConfigValue::Null);
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
                backend: BackendKind::Reclaim,
                firebase_api_key: None,
                ..Config::default()
            }
        );
        assert_eq!(
            config.endpoint("https://pages.example.com", &config.reset_path),
            "https://api.example.com/v2/reset"
        );
        assert_eq!(CONFIG_KEYS.len(), 11);
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
                    serde_json::Value::Null => ConfigValue::Null,
                    serde_json::Value::Array(items) => ConfigValue::Texts(
                        items
                            .into_iter()
                            .map(|i| i.as_str().unwrap().to_owned())
                            .collect(),
                    ),
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
    fn firebase_defaults_to_googles_endpoint_and_takes_a_key() {
        let config = Config::from_fields(&fields(&[
            ("backend", text("firebase")),
            ("firebase_api_key", text("AIza-test")),
        ]))
        .unwrap();
        assert_eq!(config.backend, BackendKind::Firebase);
        assert_eq!(
            config.api_base.as_deref(),
            Some("https://identitytoolkit.googleapis.com")
        );
        assert_eq!(config.firebase_api_key.as_deref(), Some("AIza-test"));
        // An empty api_base is the default too; the emulator's is taken as given.
        for (base, expected) in [
            ("", "https://identitytoolkit.googleapis.com"),
            (
                "http://127.0.0.1:9099/identitytoolkit.googleapis.com/",
                "http://127.0.0.1:9099/identitytoolkit.googleapis.com",
            ),
        ] {
            let config = Config::from_fields(&fields(&[
                ("api_base", text(base)),
                ("backend", text("firebase")),
            ]))
            .unwrap();
            assert_eq!(config.api_base.as_deref(), Some(expected), "{base}");
        }
        // The contract's default stays the pages' own origin.
        assert_eq!(Config::default().backend, BackendKind::Reclaim);
        assert_eq!(Config::default().api_base, None);
    }

    #[test]
    fn keys_of_the_other_backend_are_a_configuration_problem() {
        for pairs in [
            vec![("backend", text("firebase")), ("encoding", text("json"))],
            vec![("request_path", text("/r")), ("backend", text("firebase"))],
            vec![("backend", text("firebase")), ("reset_path", text("/x"))],
            vec![("firebase_api_key", text("AIza"))],
            vec![
                ("backend", text("reclaim")),
                ("firebase_api_key", text("AIza")),
            ],
        ] {
            let err = Config::from_fields(&fields(&pairs)).expect_err(&format!("{pairs:?}"));
            assert!(err.0.contains("is for the backend"), "{err}");
        }
        let err = Config::from_fields(&fields(&[("backend", text("supabase"))])).unwrap_err();
        assert_eq!(
            err.0,
            "config.json: backend must be \"reclaim\" or \"firebase\", not \"supabase\""
        );
        // null is the same as leaving the key out.
        assert!(Config::from_fields(&fields(&[("firebase_api_key", ConfigValue::Null)])).is_ok());
    }

    #[test]
    fn firebase_without_any_key_is_a_configuration_problem() {
        let firebase = Config::from_fields(&fields(&[("backend", text("firebase"))])).unwrap();
        let err = firebase.clone().for_link(None).unwrap_err();
        assert!(err.0.contains("firebase_api_key"), "{err}");
        assert!(firebase.clone().for_link(Some(" ".into())).is_err());
        // The action link's apiKey stands in when config.json has none...
        let from_link = firebase.for_link(Some("link-key".into())).unwrap();
        assert_eq!(from_link.firebase_api_key.as_deref(), Some("link-key"));
        // ...but never overrides the one config.json names.
        let configured = Config::from_fields(&fields(&[
            ("backend", text("firebase")),
            ("firebase_api_key", text("config-key")),
        ]))
        .unwrap()
        .for_link(Some("link-key".into()))
        .unwrap();
        assert_eq!(configured.firebase_api_key.as_deref(), Some("config-key"));
        // The contract needs no key.
        assert_eq!(Config::default().for_link(None), Ok(Config::default()));
    }

    #[test]
    fn locales_and_their_default() {
        let list =
            |tags: &[&str]| ConfigValue::Texts(tags.iter().map(|t| (*t).to_owned()).collect());
        let config = Config::from_fields(&fields(&[
            ("locales", list(&["pt-br", "ar", "nl"])),
            ("default_locale", text("AR")),
        ]))
        .unwrap();
        assert_eq!(config.locales, ["pt-BR", "ar", "nl"]);
        assert_eq!(config.default_locale, "ar");
        // Without a default, English if offered, else the first offered.
        let config = Config::from_fields(&fields(&[("locales", list(&["ja", "en"]))])).unwrap();
        assert_eq!(config.default_locale, "en");
        let config = Config::from_fields(&fields(&[("locales", list(&["ja", "fr"]))])).unwrap();
        assert_eq!(config.default_locale, "ja");
        assert_eq!(Config::default().locales.len(), 8);
        for (pairs, expected) in [
            (vec![("locales", list(&[]))], "must be a non-empty list"),
            (vec![("locales", list(&["en", "EN"]))], "twice"),
            (
                vec![("locales", list(&["en", "e n"]))],
                "must be a non-empty list",
            ),
            (vec![("locales", text("en"))], "not \"en\""),
            (
                vec![("default_locale", text("ko"))],
                "is not one of locales",
            ),
            (
                vec![("locales", list(&["fr"])), ("default_locale", text("en"))],
                "is not one of locales (fr)",
            ),
        ] {
            let err = Config::from_fields(&fields(&pairs)).expect_err(&format!("{pairs:?}"));
            assert!(err.0.contains(expected), "{err}");
        }
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
