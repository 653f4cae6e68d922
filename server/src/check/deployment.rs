//! What the pages of a deployment will call, read from its `config.json` and its backend's
//! description (`/backends/<backend>.json`). [`read`] is the one place the check reads them:
//! the seam where it will use the pages' own validator once there is a shared one.

use serde_json::{Map, Value};
use url::Url;

/// The backend when `config.json` names none.
pub const DEFAULT_BACKEND: &str = "reclaim";

/// The backends today's build knows without a description: the contract's two endpoints, and
/// Firebase Authentication's REST API. In the description format, so that both are read as a
/// served description is.
const BUILT_IN: [(&str, &str); 2] = [
    (
        "reclaim",
        r#"{ "request": { "path": "/account/recovery", "encoding": "form" },
             "reset": { "path": "/account/reset-password", "encoding": "form" } }"#,
    ),
    (
        "firebase",
        r#"{ "api_base": "https://identitytoolkit.googleapis.com",
             "request": { "path": "/v1/accounts:sendOobCode", "encoding": "json",
                          "query": { "key": "{firebase_api_key}" } },
             "reset": { "path": "/v1/accounts:resetPassword", "encoding": "json",
                        "query": { "key": "{firebase_api_key}" } } }"#,
    ),
];

/// The calls a description may name, in the order the pages make them.
const ENDPOINTS: [&str; 4] = ["request", "check", "reset", "reset_with_code"];

/// How the pages encode a request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Json,
}

/// One call the pages make: always a `POST`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its name in the description: `request`, `reset`, …
    pub name: String,
    pub url: Url,
    pub encoding: Encoding,
    /// Headers the pages add beyond `Content-Type` and `Accept-Language`, in lower case.
    pub headers: Vec<String>,
}

/// What the check needs to know of a deployment's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub backend: String,
    /// Where the API is (the pages' origin unless configured otherwise).
    pub api_base: Url,
    pub endpoints: Vec<Endpoint>,
    /// `locales` of `config.json`, when it names them.
    pub locales: Option<Vec<String>>,
}

/// The backend `config.json` names, as far as it can be read, to know which description to
/// fetch; [`read`] says what is wrong with the file.
pub fn backend_name(config: Option<&str>) -> String {
    config
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .and_then(|value| value.get("backend")?.as_str().map(str::to_owned))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_BACKEND.to_owned())
}

/// Reads `config` (`config.json`'s text; `None` when the site serves none: every default) and
/// `description` (the backend's `/backends/<backend>.json`; `None` when the site serves none,
/// then a built-in one) for pages at `pages`. `Err` says, in a sentence, what is wrong.
pub fn read(
    config: Option<&str>,
    description: Option<&str>,
    pages: &Url,
) -> Result<Deployment, String> {
    let config = match config {
        None => Map::new(),
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(other) => {
                return Err(format!(
                    "config.json holds {}, not a JSON object like {{\"app_name\": \"Example\"}}",
                    kind(&other)
                ))
            }
            Err(error) => return Err(format!("config.json is not valid JSON: {error}")),
        },
    };
    let backend = match config.get("backend") {
        None | Some(Value::Null) => DEFAULT_BACKEND.to_owned(),
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        Some(other) => {
            return Err(format!(
                "config.json's backend is {}, not the name of a backend like \"reclaim\"",
                kind(other)
            ))
        }
    };
    let built_in = BUILT_IN
        .iter()
        .find(|(name, _)| *name == backend)
        .map(|(_, text)| *text);
    let (description_text, served) = match (description, built_in) {
        (Some(text), _) => (text, true),
        (None, Some(text)) => (text, false),
        (None, None) => {
            return Err(format!(
                "config.json names the backend \"{backend}\", but the site serves no \
                 /backends/{backend}.json and the pages have no such backend built in \
                 (they have {})",
                BUILT_IN
                    .map(|(name, _)| format!("\"{name}\""))
                    .join(" and ")
            ))
        }
    };
    let source = format!("/backends/{backend}.json");
    let description = match serde_json::from_str::<Value>(description_text) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            return Err(format!(
                "{source} holds {}, not a JSON object",
                kind(&other)
            ))
        }
        Err(error) => return Err(format!("{source} is not valid JSON: {error}")),
    };

    let api_base = match config.get("api_base") {
        None | Some(Value::Null) => None,
        Some(Value::String(base)) if base.is_empty() => None,
        Some(Value::String(base)) => Some(base_url(base).ok_or_else(|| {
            format!(
                "config.json's api_base {base:?} is not an http:// or https:// address with a \
                 host and no query, like \"https://api.example.com\""
            )
        })?),
        Some(other) => {
            return Err(format!(
                "config.json's api_base is {}, not a string",
                kind(other)
            ))
        }
    };
    let api_base = match (api_base, description.get("api_base")) {
        (Some(base), _) => base,
        (None, Some(Value::String(base))) => base_url(base)
            .ok_or_else(|| format!("{source}'s api_base {base:?} is not an http(s) address"))?,
        (None, _) => pages.origin().ascii_serialization(),
    };

    let mut endpoints = Vec::new();
    for name in ENDPOINTS {
        let Some(value) = description.get(name) else {
            continue;
        };
        let Value::Object(call) = value else {
            return Err(format!(
                "{source}'s {name} is {}, not an object",
                kind(value)
            ));
        };
        let mut call = call.clone();
        // Today's pages let config.json move the contract's endpoints and choose its encoding.
        if backend == DEFAULT_BACKEND && !served {
            let own = if name == "request" {
                "request_path"
            } else {
                "reset_path"
            };
            for (key, field) in [(own, "path"), ("encoding", "encoding")] {
                if let Some(value @ Value::String(_)) = config.get(key) {
                    call.insert(field.to_owned(), value.clone());
                }
            }
        }
        endpoints.push(endpoint(name, &call, &api_base, &config, &source)?);
    }
    if endpoints.is_empty() {
        return Err(format!("{source} names no request and no reset"));
    }
    let locales = match config.get("locales") {
        Some(Value::Array(tags)) => Some(
            tags.iter()
                .filter_map(|tag| tag.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    Ok(Deployment {
        backend,
        api_base: Url::parse(&api_base).map_err(|e| format!("api_base {api_base}: {e}"))?,
        endpoints,
        locales,
    })
}

fn endpoint(
    name: &str,
    call: &Map<String, Value>,
    api_base: &str,
    config: &Map<String, Value>,
    source: &str,
) -> Result<Endpoint, String> {
    let Some(Value::String(path)) = call.get("path") else {
        return Err(format!("{source}'s {name} has no path"));
    };
    let path = fill(path, config).map_err(|setting| {
        format!("{source}'s {name} path {path:?} needs {setting}, which config.json does not set")
    })?;
    let encoding = match call.get("encoding").and_then(Value::as_str) {
        None | Some("form") => Encoding::Form,
        Some("json") => Encoding::Json,
        Some(other) => {
            return Err(format!(
                "{source}'s {name} encoding is {other:?}, not \"form\" or \"json\""
            ))
        }
    };
    let headers = match call.get("headers") {
        Some(Value::Object(headers)) => headers.keys().map(|h| h.to_ascii_lowercase()).collect(),
        _ => Vec::new(),
    };
    let mut url = Url::parse(&format!("{api_base}{path}"))
        .map_err(|e| format!("{source}'s {name} address {api_base}{path}: {e}"))?;
    if let Some(Value::Object(query)) = call.get("query") {
        // A parameter whose setting is missing is left out, as the pages leave it out (a
        // Firebase link carries its own key).
        let filled: Vec<(String, String)> = query
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), fill(value.as_str()?, config).ok()?)))
            .collect();
        if !filled.is_empty() {
            url.query_pairs_mut().extend_pairs(filled);
        }
    }
    Ok(Endpoint {
        name: name.to_owned(),
        url,
        encoding,
        headers,
    })
}

/// `template` with each `{setting}` replaced by that setting of `config.json`; `Err` names the
/// first one it does not set.
fn fill(template: &str, config: &Map<String, Value>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let setting = &rest[open + 1..open + close];
        let value = match config.get(setting) {
            Some(Value::String(text)) if !text.is_empty() => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            _ => return Err(format!("{{{setting}}}")),
        };
        out.push_str(&rest[..open]);
        out.push_str(&value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The contract's rule for a base address, as the pages apply it, without a trailing slash.
fn base_url(input: &str) -> Option<String> {
    reclaim_contract::link::base_url(input).map(str::to_owned)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> Url {
        Url::parse("https://reset.example.com/").unwrap()
    }

    fn urls(deployment: &Deployment) -> Vec<String> {
        deployment
            .endpoints
            .iter()
            .map(|e| format!("{} {}", e.name, e.url))
            .collect()
    }

    #[test]
    fn no_config_is_the_contract_on_the_pages_origin() {
        let deployment = read(None, None, &pages()).unwrap();
        assert_eq!(deployment.backend, "reclaim");
        assert_eq!(deployment.api_base.as_str(), "https://reset.example.com/");
        assert_eq!(
            urls(&deployment),
            [
                "request https://reset.example.com/account/recovery",
                "reset https://reset.example.com/account/reset-password"
            ]
        );
        assert!(deployment
            .endpoints
            .iter()
            .all(|e| e.encoding == Encoding::Form));
        assert_eq!(deployment.locales, None);
    }

    #[test]
    fn the_shipped_config_reads_as_the_defaults() {
        let shipped = include_str!("../../../config.json");
        let deployment = read(Some(shipped), None, &pages()).unwrap();
        assert_eq!(deployment.api_base.as_str(), "https://reset.example.com/");
        assert_eq!(deployment.endpoints.len(), 2);
        assert_eq!(deployment.locales.as_ref().map(Vec::len), Some(8));
    }

    #[test]
    fn todays_contract_settings_move_its_endpoints() {
        let config = r#"{ "api_base": "https://api.example.com/v2/", "request_path": "/forgot",
                          "encoding": "json" }"#;
        let deployment = read(Some(config), None, &pages()).unwrap();
        assert_eq!(
            urls(&deployment),
            [
                "request https://api.example.com/v2/forgot",
                "reset https://api.example.com/v2/account/reset-password"
            ]
        );
        assert!(deployment
            .endpoints
            .iter()
            .all(|e| e.encoding == Encoding::Json));
    }

    #[test]
    fn firebase_defaults_to_googles_api_with_the_key_when_set() {
        let config = r#"{ "backend": "firebase", "firebase_api_key": "AIzaKey" }"#;
        let deployment = read(Some(config), None, &pages()).unwrap();
        assert_eq!(
            deployment.api_base.as_str(),
            "https://identitytoolkit.googleapis.com/"
        );
        assert_eq!(
            urls(&deployment),
            [
                "request https://identitytoolkit.googleapis.com/v1/accounts:sendOobCode?key=AIzaKey",
                "reset https://identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=AIzaKey"
            ]
        );
        // Without the key (a link brings its own), and on the emulator.
        let config = r#"{ "backend": "firebase",
                          "api_base": "http://127.0.0.1:9099/identitytoolkit.googleapis.com" }"#;
        let deployment = read(Some(config), None, &pages()).unwrap();
        assert_eq!(
            deployment.endpoints[0].url.as_str(),
            "http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:sendOobCode"
        );
    }

    #[test]
    fn a_served_description_fills_its_placeholders_from_the_config() {
        let config = r#"{ "backend": "pocketbase", "collection": "users",
                          "api_base": "https://pb.example.com" }"#;
        let description = r#"{
            "request": { "path": "/api/collections/{collection}/request-password-reset",
                         "encoding": "json", "headers": { "X-Requested-With": "reclaim" } },
            "reset": { "path": "/api/collections/{collection}/confirm-password-reset",
                       "encoding": "json" } }"#;
        let deployment = read(Some(config), Some(description), &pages()).unwrap();
        assert_eq!(
            urls(&deployment),
            [
                "request https://pb.example.com/api/collections/users/request-password-reset",
                "reset https://pb.example.com/api/collections/users/confirm-password-reset"
            ]
        );
        assert_eq!(deployment.endpoints[0].headers, ["x-requested-with"]);
        // The description's own default api_base, when the config names none.
        let with_base = r#"{ "api_base": "https://default.example.com",
                             "request": { "path": "/r" } }"#;
        let deployment = read(None, Some(with_base), &pages()).unwrap();
        assert_eq!(
            deployment.endpoints[0].url.as_str(),
            "https://default.example.com/r"
        );
    }

    #[test]
    fn each_mistake_is_said_in_a_sentence() {
        let cases = [
            ("{ not json", "config.json is not valid JSON"),
            ("[1, 2]", "config.json holds a list, not a JSON object"),
            (r#"{"backend": 3}"#, "config.json's backend is a number"),
            (r#"{"backend": "okta"}"#, "names the backend \"okta\""),
            (
                r#"{"api_base": "api.example.com"}"#,
                "api_base \"api.example.com\" is not",
            ),
            (
                r#"{"api_base": "https://x.example?a=1"}"#,
                "is not an http:// or https://",
            ),
            (r#"{"api_base": 1}"#, "api_base is a number"),
        ];
        for (config, expected) in cases {
            let error = read(Some(config), None, &pages()).unwrap_err();
            assert!(error.contains(expected), "{config}: {error}");
        }
        let missing = r#"{ "request": { "path": "/c/{collection}/x" } }"#;
        let error = read(Some(r#"{"backend":"pb"}"#), Some(missing), &pages()).unwrap_err();
        assert!(error.contains("needs {collection}"), "{error}");
        let error = read(None, Some("{}"), &pages()).unwrap_err();
        assert!(error.contains("names no request and no reset"), "{error}");
    }

    #[test]
    fn the_backend_to_fetch_is_read_leniently() {
        assert_eq!(backend_name(None), "reclaim");
        assert_eq!(backend_name(Some("{ not json")), "reclaim");
        assert_eq!(backend_name(Some(r#"{"backend": ""}"#)), "reclaim");
        assert_eq!(backend_name(Some(r#"{"backend": "firebase"}"#)), "firebase");
    }
}
