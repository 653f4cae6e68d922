//! The page's script sends a form held before the app ran (`src/start_up/send_ahead.js`) only
//! when it sends exactly what the app would: the same request, named the same (`call`, which
//! the app compares before it takes the answer), in the same language. Each case runs the
//! script and the app's own code (the contract's configuration, description and email rules,
//! `RecoveryClient`, `i18n::choice`) on the same inputs. Where the script sends, the two must
//! agree; where it leaves the form to the app, that is said too, so that a script that sends
//! nothing cannot pass.

use reclaim::{
    backend::RecoveryClient,
    browser::parse_json,
    domain::{EmailAddress, PasswordRules, ResetToken},
    http::sent_as,
    i18n::choice::{choose, Asked},
};
use reclaim_contract::{
    backend::{Api, Backend, LinkSecret, OpenedLink},
    config::Config,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::BACKEND_FILES;

/// The script's source, as the build ships it (minified there, the same code).
const SCRIPT: &str = include_str!("../../src/start_up/send_ahead.js");

// The script is imported from its text at run time rather than as a wasm-bindgen snippet: a
// test bundle that imports a module file at load sometimes never finished loading in the test
// runner.
#[wasm_bindgen(inline_js = r#"
let script;
export function import_script(source) {
  script ??= import(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  return script;
}
export function send_quietly(script, config, backend, form, opened, asked) {
  const real = globalThis.fetch;
  globalThis.fetch = () => new Promise(() => {});
  try { return script.sendAhead(config, backend, form, opened, asked); }
  finally { globalThis.fetch = real; }
}
export function typed(fields) {
  const form = document.createElement("form");
  for (const [id, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.id = id;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  return form;
}
"#)]
extern "C" {
    /// The script as a module, imported once.
    fn import_script(source: &str) -> js_sys::Promise;
    /// The script's `sendAhead`, with a `fetch` that never answers: nothing leaves the test.
    fn send_quietly(
        script: &JsValue,
        config: JsValue,
        backend: JsValue,
        form: &str,
        opened: &str,
        asked: js_sys::Array,
    ) -> JsValue;
    /// Puts fields with these ids and values on the page, as a person typed them.
    fn typed(fields: JsValue) -> web_sys::Element;
}

/// The script, imported.
async fn script() -> JsValue {
    wasm_bindgen_futures::JsFuture::from(import_script(SCRIPT))
        .await
        .expect("importing send_ahead.js")
}

/// A form as a person left it.
#[derive(Clone, Copy)]
enum Form<'a> {
    Recovery {
        email: &'a str,
    },
    Reset {
        password: &'a str,
        confirmation: &'a str,
    },
}

/// What is asked for: the address's `?lang=`, the stored choice, the browser's languages.
#[derive(Clone, Copy, Default)]
struct Reader<'a> {
    address: Option<&'a str>,
    stored: Option<&'a str>,
    browser: &'a [&'a str],
}

struct Case<'a> {
    config: &'a str,
    form: Form<'a>,
    /// The query and fragment the page was opened with, `?` and `#` included.
    opened: &'a str,
    reader: Reader<'a>,
    /// Whether the script sends it (else it leaves it to the app).
    sends: bool,
}

impl<'a> Case<'a> {
    fn recovery(config: &'a str, email: &'a str, sends: bool) -> Self {
        Case {
            config,
            form: Form::Recovery { email },
            opened: "",
            reader: Reader::default(),
            sends,
        }
    }

    fn reset(config: &'a str, opened: &'a str, password: &'a str, sends: bool) -> Self {
        Case {
            config,
            form: Form::Reset {
                password,
                confirmation: password,
            },
            opened,
            reader: Reader::default(),
            sends,
        }
    }

    fn read_by(self, reader: Reader<'a>) -> Self {
        Case { reader, ..self }
    }

    /// `(call, language)` as the script sent it, or `None` when it left the form to the app.
    fn script_sends(&self, script: &JsValue) -> Option<(String, String)> {
        let config = js_sys::JSON::parse(self.config).unwrap();
        let name = js_sys::Reflect::get(&config, &"backend".into())
            .ok()
            .and_then(|name| name.as_string())
            .unwrap_or_else(|| "reclaim".into());
        let backend = js_sys::JSON::parse(description(&name)).unwrap();
        let form_id = match self.form {
            Form::Recovery { .. } => "recovery-form",
            Form::Reset { .. } => "reset-form",
        };
        let fields = match self.form {
            Form::Recovery { email } => serde_json::json!({ "email": email }),
            Form::Reset {
                password,
                confirmation,
            } => serde_json::json!({ "new-password": password, "confirm-password": confirmation }),
        };
        let page = typed(js_sys::JSON::parse(&fields.to_string()).unwrap());
        let asked: js_sys::Array = [self.reader.address, self.reader.stored]
            .into_iter()
            .map(|tag| tag.map_or(JsValue::NULL, JsValue::from_str))
            .chain(self.reader.browser.iter().map(|tag| JsValue::from_str(tag)))
            .collect();
        let sent = send_quietly(script, config, backend, form_id, self.opened, asked);
        page.remove();
        if sent.is_null() {
            return None;
        }
        let text = |key: &str| {
            js_sys::Reflect::get(&sent, &key.into())
                .unwrap()
                .as_string()
                .unwrap()
        };
        Some((text("call"), text("language")))
    }

    /// `(call, language)` as the app sends it, or `None` when it sends nothing (a mistake it
    /// shows, in the configuration or at a field).
    fn app_sends(&self) -> Option<(String, String)> {
        // Parsed as the app parses them (the browser's `JSON.parse`, which keeps each object's
        // order).
        let config = Config::from_json(&parse_json(self.config).unwrap()).ok()?;
        let description = parse_json(description(&config.backend)).unwrap();
        let api = Api::new(
            &config,
            Backend::from_json(&config.backend, &description).ok()?,
        )
        .ok()?;
        let offered: Vec<&str> = config.locales.iter().map(String::as_str).collect();
        let browser: Vec<String> = self.reader.browser.iter().map(|t| t.to_string()).collect();
        let asked = Asked {
            address: self.reader.address,
            stored: self.reader.stored,
            browser: &browser,
        };
        let locale = choose(&offered, &config.default_locale, &asked).to_owned();
        let (query, fragment) = self.opened.split_once('#').unwrap_or((self.opened, ""));
        let link = match self.form {
            Form::Reset { .. } => api
                .backend
                .read_link(query.trim_start_matches('?'), fragment),
            Form::Recovery { .. } => OpenedLink::default(),
        };
        api.complete_for(&link).ok()?;
        let client = RecoveryClient::new(api, locale.clone());
        let request = match self.form {
            Form::Recovery { email } => client.recovery_request(&EmailAddress::parse(email).ok()?),
            Form::Reset {
                password,
                confirmation,
            } => {
                let rules = PasswordRules {
                    min_chars: config.min_password_length,
                };
                let LinkSecret::Present(secret) = &link.secret else {
                    return None;
                };
                if !rules.check(password, confirmation).is_acceptable() {
                    return None;
                }
                client.reset_request(&link, &ResetToken::new(secret.clone()), password)
            }
        };
        Some((sent_as(&request), locale))
    }
}

fn description(name: &str) -> &'static str {
    BACKEND_FILES
        .iter()
        .find(|(backend, _)| *backend == name)
        .map_or("{}", |(_, file)| file)
}

/// Runs every case: where the script sends, it sends what the app would; it sends exactly
/// where the case says.
async fn check(cases: &[Case<'_>]) {
    let script = script().await;
    for (number, case) in cases.iter().enumerate() {
        let script = case.script_sends(&script);
        let what = format!("case {number} ({}, opened {:?})", case.config, case.opened);
        if let Some(sent) = &script {
            assert_eq!(
                Some(sent),
                case.app_sends().as_ref(),
                "{what}: not what the app sends"
            );
        }
        assert_eq!(
            script.is_some(),
            case.sends,
            "{what}: the script {} it",
            if script.is_some() {
                "sent"
            } else {
                "left the app to send"
            }
        );
    }
}

const DEFAULTS: &str = r#"{"api_base": ""}"#;
const PASSWORD: &str = "correct horse battery";

#[wasm_bindgen_test]
async fn every_backends_request_for_a_link_is_sent_as_the_app_sends_it() {
    let configs: Vec<String> = BACKEND_FILES
        .iter()
        .map(|(name, _)| match *name {
            "firebase" => r#"{"backend": "firebase", "firebase_api_key": "AIza-key"}"#.to_owned(),
            name => format!(r#"{{"backend": "{name}"}}"#),
        })
        .collect();
    let cases: Vec<Case> = configs
        .iter()
        .map(|config| Case::recovery(config, "alice@example.com", true))
        .collect();
    check(&cases).await;
}

#[wasm_bindgen_test]
async fn a_reset_is_sent_ahead_only_where_no_check_comes_first() {
    check(&[
        Case::reset(DEFAULTS, "?token=abc-DEF_123", PASSWORD, true),
        Case::reset(DEFAULTS, "#token=in-the-fragment", PASSWORD, true),
        Case::reset(
            r#"{"backend": "better-auth"}"#,
            "?token=abc",
            PASSWORD,
            true,
        ),
        Case::reset(
            r#"{"backend": "better-auth-codes"}"#,
            "?token=abc",
            PASSWORD,
            true,
        ),
        Case::reset(r#"{"backend": "pocketbase"}"#, "?token=abc", PASSWORD, true),
        Case::reset(
            r#"{"backend": "allauth-codes"}"#,
            "?key=abc",
            PASSWORD,
            true,
        ),
        // Checked as the page renders: a reset sent before would spend the link.
        Case::reset(r#"{"backend": "allauth"}"#, "?key=abc", PASSWORD, false),
        Case::reset(
            r#"{"backend": "firebase", "firebase_api_key": "k"}"#,
            "?mode=resetPassword&oobCode=abc",
            PASSWORD,
            false,
        ),
        // Refused by the backend before it sent the person here.
        Case::reset(
            r#"{"backend": "better-auth"}"#,
            "?error=INVALID_TOKEN",
            PASSWORD,
            false,
        ),
        Case::reset(DEFAULTS, "", PASSWORD, false),
        Case::reset(DEFAULTS, "?token=", PASSWORD, false),
        // Too short, for the contract and then for a deployment's minimum.
        Case::reset(DEFAULTS, "?token=abc", "short", false),
        Case::reset(
            r#"{"min_password_length": 24}"#,
            "?token=abc",
            PASSWORD,
            false,
        ),
        Case::reset(
            r#"{"min_password_length": 21}"#,
            "?token=abc",
            PASSWORD,
            true,
        ),
        Case::reset(DEFAULTS, "?token=abc", &"long".repeat(33), false),
        Case {
            form: Form::Reset {
                password: PASSWORD,
                confirmation: "correct horse batter",
            },
            ..Case::reset(DEFAULTS, "?token=abc", PASSWORD, false)
        },
    ])
    .await;
}

#[wasm_bindgen_test]
async fn the_address_is_sent_only_as_the_app_reads_it() {
    let plain = [
        "alice@example.com",
        "  alice@example.com\n",
        "Alice.Smith+recovery@mail.example.co.uk",
        "o'brien@example.ie",
        "user_name-1@sub-domain.example.org",
    ];
    let left = [
        "",
        "alice",
        "alice@localhost",
        "alice@example",
        "alice..smith@example.com",
        ".alice@example.com",
        "alice@-example.com",
        "alice@example.com.",
        "alice@127.0.0.1",
        "a@b.c1",
        "jörg@bücher.example",
        "\u{feff}alice@example.com",
        "alice@example.com\u{a0}",
        "al ice@example.com",
    ];
    let local = "a".repeat(65) + "@example.com";
    let cases: Vec<Case> = plain
        .iter()
        .map(|email| Case::recovery(DEFAULTS, email, true))
        .chain(
            left.iter()
                .map(|email| Case::recovery(DEFAULTS, email, false)),
        )
        .chain([Case::recovery(DEFAULTS, &local, false)])
        .collect();
    check(&cases).await;
}

#[wasm_bindgen_test]
async fn the_request_goes_in_the_language_the_app_chooses() {
    let alice = |reader| Case::recovery(DEFAULTS, "alice@example.com", true).read_by(reader);
    let browser = |tags| Reader {
        browser: tags,
        ..Reader::default()
    };
    let offering_two = r#"{"locales": ["fr", "de"], "default_locale": "de"}"#;
    check(&[
        alice(Reader::default()),
        alice(browser(&["en-US", "en"])),
        alice(browser(&["es-MX"])),
        alice(browser(&["pt-PT"])),
        alice(browser(&["de_AT"])),
        alice(browser(&["zh-Hans"])),
        alice(browser(&["xx", "*", "ja"])),
        alice(Reader {
            address: Some("AR"),
            stored: Some("ja"),
            browser: &["de"],
        }),
        alice(Reader {
            address: Some("xx"),
            stored: Some("fr"),
            browser: &["de"],
        }),
        Case::recovery(offering_two, "alice@example.com", true).read_by(browser(&["en-US"])),
        Case::recovery(r#"{"locales": ["fr", "de"]}"#, "alice@example.com", true)
            .read_by(browser(&["en-US"])),
        // Chinese is matched by script, which the region implies: left to the app.
        Case::recovery(DEFAULTS, "alice@example.com", false).read_by(browser(&["zh-CN", "en"])),
        Case::recovery(DEFAULTS, "alice@example.com", false).read_by(browser(&["en-Latn"])),
        // A language the deployment adds: its file could be one the app refuses.
        Case::recovery(r#"{"locales": ["en", "sv"]}"#, "alice@example.com", false)
            .read_by(browser(&["sv"])),
    ])
    .await;
}

#[wasm_bindgen_test]
async fn a_configuration_the_app_would_refuse_sends_nothing() {
    let alice = |config| Case::recovery(config, "alice@example.com", false);
    check(&[
        alice(r#"{"request_pth": "/typo"}"#),
        alice(r#"{"encoding": "xml"}"#),
        alice(r#"{"request_path": "account/recovery"}"#),
        alice(r#"{"api_base": "ftp://api.example.com"}"#),
        alice(r#"{"api_base": "https://api.example.com?x=1"}"#),
        alice(r#"{"min_password_length": 5}"#),
        alice(r#"{"min_password_length": "12"}"#),
        alice(r#"{"locales": ["en", "en"]}"#),
        alice(r#"{"locales": []}"#),
        alice(r#"{"default_locale": "ja", "locales": ["en"]}"#),
        alice(r#"{"app_name": ""}"#),
        alice(r#"{"continue_origins": ["https://app.example.com/path"]}"#),
        alice(r#"{"backend": "firebase"}"#),
        alice(r#"[]"#),
    ])
    .await;
    // And what it does take, as the app does.
    check(&[
        Case::recovery(
            r#"{"api_base": "https://api.example.com/"}"#,
            "alice@example.com",
            true,
        ),
        Case::recovery(
            r#"{"api_base": "https://api.example.com/v2"}"#,
            "alice@example.com",
            true,
        ),
        Case::recovery(
            r#"{"request_path": "/custom/recover", "encoding": "json", "app_name": "Example",
                "sign_in_url": "/login", "continue_origins": ["https://app.example.com"],
                "default_locale": null, "min_password_length": 12}"#,
            "alice@example.com",
            true,
        ),
    ])
    .await;
}

#[wasm_bindgen_test]
async fn the_scripts_copies_of_the_contracts_constants_are_the_contracts() {
    use reclaim_contract::{
        config::PAGE_KEYS, locale::BUILT_IN, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
    };
    let script = script().await;
    let export = |name: &str| js_sys::Reflect::get(&script, &name.into()).unwrap();
    let strings = |name: &str| -> Vec<String> {
        js_sys::Array::from(&export(name))
            .iter()
            .filter_map(|item| item.as_string())
            .collect()
    };
    let number = |name: &str| export(name).as_f64();
    assert_eq!(strings("BUILT_IN"), BUILT_IN);
    assert_eq!(strings("PAGE_KEYS"), PAGE_KEYS);
    assert_eq!(number("MIN_PASSWORD"), Some(MIN_PASSWORD_CHARS as f64));
    assert_eq!(number("MAX_PASSWORD"), Some(MAX_PASSWORD_CHARS as f64));
    assert_eq!(
        number("TIMEOUT_MS"),
        Some(reclaim::http::REQUEST_TIMEOUT.as_millis() as f64)
    );
}
