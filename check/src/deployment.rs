//! What the pages of a deployment will call, read from its `config.json` and its backend's
//! description (`/backends/<backend>.json`) by the very rules the pages read them with
//! (`reclaim_contract::config`, `reclaim_contract::backend`): what the check says of a
//! configuration is what the pages would do with it.

use reclaim_contract::{
    backend::{Api, Backend, Call, Encoding as WireEncoding, Method},
    config::{Config, DEFAULT_BACKEND},
    json,
};
use url::Url;

/// How the pages encode a request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Form,
    Json,
}

/// One call the pages make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its name in the description: `request`, `reset`, …
    pub name: String,
    /// `POST`, or `GET` for a check that sends no body.
    pub method: &'static str,
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
    /// `locales` of `config.json` (every built-in one when it names none).
    pub locales: Vec<String>,
}

/// The backend `config.json` names, as far as it can be read, to know which description to
/// fetch; [`read`] says what is wrong with the file.
pub fn backend_name(config: Option<&str>) -> String {
    config
        .and_then(|text| json::parse(text).ok())
        .and_then(|value| value.get("backend")?.as_text().map(str::to_owned))
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| DEFAULT_BACKEND.to_owned())
}

/// Reads `config` (`config.json`'s text; `None` when the site serves none: every default) and
/// `description` (the backend's `/backends/<backend>.json`; `None` when the site serves none)
/// for pages at `pages`. `Err` says, in the pages' own words, what keeps them from starting.
pub fn read(
    config: Option<&str>,
    description: Option<&str>,
    pages: &Url,
) -> Result<Deployment, String> {
    let config = match config {
        None => Config::default(),
        Some(text) => {
            let file =
                json::parse(text).map_err(|e| format!("config.json is not valid JSON: {e}"))?;
            Config::from_json(&file).map_err(|e| e.0)?
        }
    };
    let source = format!("backends/{}.json", config.backend);
    let Some(description) = description else {
        return Err(format!(
            "config.json names the backend \"{}\", but the site serves no /{source}: the pages \
             cannot start without it",
            config.backend
        ));
    };
    let description =
        json::parse(description).map_err(|e| format!("{source} is not valid JSON: {e}"))?;
    let backend = Backend::from_json(&config.backend, &description).map_err(|e| e.0)?;
    let api = Api::new(&config, backend).map_err(|e| e.0)?;
    let pages_origin = pages.origin().ascii_serialization();
    let api_base = api.base.clone().unwrap_or_else(|| pages_origin.clone());
    let mut endpoints = Vec::new();
    for (name, call) in [
        ("request", Call::Request),
        ("check", Call::Check),
        ("reset", Call::Reset),
        ("reset_with_code", Call::ResetWithCode),
    ] {
        if !api.backend.has(call) {
            continue;
        }
        // What a person would send; a setting only a link supplies (Firebase's key on /reset)
        // is left out, as the pages leave it out of a request.
        let request = api
            .request(
                call,
                &pages_origin,
                &[
                    ("email", "a@example.com"),
                    ("secret", "x"),
                    ("password", "x"),
                    ("code", "x"),
                ],
                &[],
            )
            .ok_or_else(|| format!("{source}: {name} would not go to the API"))?;
        let mut url = Url::parse(&request.url)
            .map_err(|e| format!("{source}: {name} goes to {}: {e}", request.url))?;
        let query: Vec<&(String, String)> = request
            .query
            .iter()
            .filter(|(_, value)| !value.contains('{'))
            .collect();
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        endpoints.push(Endpoint {
            name: name.to_owned(),
            method: if request.method == Method::Get {
                "GET"
            } else {
                "POST"
            },
            url,
            encoding: match request.encoding {
                WireEncoding::Json => Encoding::Json,
                WireEncoding::Form => Encoding::Form,
            },
            headers: request
                .headers
                .iter()
                .map(|(name, _)| name.to_ascii_lowercase())
                .collect(),
        });
    }
    Ok(Deployment {
        backend: config.backend.clone(),
        api_base: Url::parse(&api_base).map_err(|e| format!("api_base {api_base}: {e}"))?,
        endpoints,
        locales: config.locales.clone(),
    })
}

#[cfg(test)]
mod tests {
    use reclaim_contract::locale::BUILT_IN;

    use super::*;

    fn pages() -> Url {
        Url::parse("https://reset.example.com/").unwrap()
    }

    fn shipped(name: &str) -> &'static str {
        reclaim_contract::backend::PRESETS
            .iter()
            .find(|(preset, _)| *preset == name)
            .map(|(_, description)| *description)
            .unwrap_or_else(|| panic!("no shipped description {name}"))
    }

    fn urls(deployment: &Deployment) -> Vec<String> {
        deployment
            .endpoints
            .iter()
            .map(|e| format!("{} {} {}", e.name, e.method, e.url))
            .collect()
    }

    #[test]
    fn no_config_is_the_contract_on_the_pages_origin() {
        let deployment = read(None, Some(shipped("reclaim")), &pages()).unwrap();
        assert_eq!(deployment.backend, "reclaim");
        assert_eq!(deployment.api_base.as_str(), "https://reset.example.com/");
        assert_eq!(
            urls(&deployment),
            [
                "request POST https://reset.example.com/account/recovery",
                "reset POST https://reset.example.com/account/reset-password",
                "reset_with_code POST https://reset.example.com/account/reset-password"
            ]
        );
        assert!(deployment
            .endpoints
            .iter()
            .all(|e| e.encoding == Encoding::Form));
    }

    #[test]
    fn the_shipped_config_reads_as_the_defaults() {
        let shipped_config = include_str!("../../config.json");
        let deployment = read(Some(shipped_config), Some(shipped("reclaim")), &pages()).unwrap();
        assert_eq!(deployment.api_base.as_str(), "https://reset.example.com/");
        // Requesting a link, resetting with its secret, and resetting with the mailed code.
        assert_eq!(deployment.endpoints.len(), 3);
        // Every built-in language.
        assert_eq!(deployment.locales.len(), BUILT_IN.len());
    }

    #[test]
    fn the_contracts_settings_move_its_endpoints() {
        let config = r#"{ "api_base": "https://api.example.com/v2/", "request_path": "/forgot",
                          "encoding": "json" }"#;
        let deployment = read(Some(config), Some(shipped("reclaim")), &pages()).unwrap();
        assert_eq!(
            urls(&deployment),
            [
                "request POST https://api.example.com/v2/forgot",
                "reset POST https://api.example.com/v2/account/reset-password",
                "reset_with_code POST https://api.example.com/v2/account/reset-password"
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
        let deployment = read(Some(config), Some(shipped("firebase")), &pages()).unwrap();
        assert_eq!(
            deployment.api_base.as_str(),
            "https://identitytoolkit.googleapis.com/"
        );
        assert_eq!(
            urls(&deployment),
            [
                "request POST https://identitytoolkit.googleapis.com/v1/accounts:sendOobCode?key=AIzaKey",
                "check POST https://identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=AIzaKey",
                "reset POST https://identitytoolkit.googleapis.com/v1/accounts:resetPassword?key=AIzaKey"
            ]
        );
    }

    #[test]
    fn every_backends_calls_and_headers() {
        let config = r#"{ "backend": "allauth", "api_base": "https://api.example.com" }"#;
        let deployment = read(Some(config), Some(shipped("allauth")), &pages()).unwrap();
        let check = &deployment.endpoints[1];
        assert_eq!(check.method, "GET");
        assert_eq!(check.headers, ["x-password-reset-key"]);
        let config = r#"{ "backend": "pocketbase", "collection": "members", "api_base": "https://pb.example.com" }"#;
        let deployment = read(Some(config), Some(shipped("pocketbase")), &pages()).unwrap();
        assert_eq!(
            urls(&deployment),
            [
                "request POST https://pb.example.com/api/collections/members/request-password-reset",
                "reset POST https://pb.example.com/api/collections/members/confirm-password-reset"
            ]
        );
        assert!(deployment
            .endpoints
            .iter()
            .all(|e| e.encoding == Encoding::Json));
    }

    #[test]
    fn each_mistake_is_said_as_the_pages_say_it() {
        let reclaim = Some(shipped("reclaim"));
        let cases = [
            ("{ not json", reclaim, "config.json is not valid JSON"),
            ("[1, 2]", reclaim, "config.json must be a JSON object"),
            (
                r#"{"backend": 3}"#,
                reclaim,
                "config.json: backend must be a string, not a number",
            ),
            (
                r#"{"backend": "okta"}"#,
                None,
                "serves no /backends/okta.json",
            ),
            (
                r#"{"api_base": "api.example.com"}"#,
                reclaim,
                "api_base must be an origin",
            ),
            (
                r#"{"api_base": 1}"#,
                reclaim,
                "api_base must be a string, not a number",
            ),
            (
                r#"{"api_bse": "https://x.example"}"#,
                reclaim,
                "unknown key \"api_bse\"",
            ),
            ("{}", Some("{"), "backends/reclaim.json is not valid JSON"),
            (
                "{}",
                Some(r#"{"request": {"path": "/q", "fields": {"e": "{emial}"}}}"#),
                "uses {emial}",
            ),
        ];
        for (config, description, expected) in cases {
            let error = read(Some(config), description, &pages()).unwrap_err();
            assert!(error.contains(expected), "{config}: {error}");
        }
    }

    #[test]
    fn the_backend_to_fetch_is_read_leniently() {
        assert_eq!(backend_name(None), "reclaim");
        assert_eq!(backend_name(Some("{ not json")), "reclaim");
        assert_eq!(backend_name(Some(r#"{"backend": ""}"#)), "reclaim");
        assert_eq!(backend_name(Some(r#"{"backend": "firebase"}"#)), "firebase");
    }
}
