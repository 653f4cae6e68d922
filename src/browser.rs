//! The few places the pages touch the browser directly. Kept in one module so
//! components stay free of `window` in their first render (they will be
//! prerendered to HTML and hydrated) and so tests know what to stub.

use std::time::Duration;

use leptos::prelude::{document, set_timeout_with_handle, window, TimeoutHandle};
use wasm_bindgen::{JsCast, JsValue};

use crate::config::{ConfigError, ConfigValue};

/// The pages' own origin, e.g. `http://127.0.0.1:8080`: the default API base.
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The current address as (path, query without `?`, fragment without `#`).
pub fn address() -> (String, String, String) {
    let location = window().location();
    let strip = |s: String, prefix: char| s.strip_prefix(prefix).map(str::to_owned).unwrap_or(s);
    (
        location.pathname().unwrap_or_default(),
        strip(location.search().unwrap_or_default(), '?'),
        strip(location.hash().unwrap_or_default(), '#'),
    )
}

/// Replaces the address bar's URL without a navigation or a history entry.
pub fn replace_address(url: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Runs `f` once after `delay`; cancel with [`cancel`].
pub fn after(delay: Duration, f: impl FnOnce() + 'static) -> Option<TimeoutHandle> {
    set_timeout_with_handle(f, delay).ok()
}

pub fn cancel(timer: Option<TimeoutHandle>) {
    if let Some(timer) = timer {
        timer.clear();
    }
}

pub fn set_title(title: &str) {
    document().set_title(title);
}

// JSON goes through the browser's own parser: a JSON library compiled into the
// wasm would add more to every download than everything below.

/// The top-level fields of a JSON object (`config.json`), or why it is not one.
pub fn json_fields(text: &str) -> Result<Vec<(String, ConfigValue)>, ConfigError> {
    let value = js_sys::JSON::parse(text).map_err(|error| {
        let reason = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        ConfigError(format!("config.json is not valid JSON: {reason}"))
    })?;
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(ConfigError(
            "config.json must be a JSON object, like {\"app_name\": \"Example\"}".into(),
        ));
    }
    let fields = js_sys::Object::entries(value.unchecked_ref())
        .iter()
        .map(|entry| {
            let entry: js_sys::Array = entry.unchecked_into();
            let key = entry.get(0).as_string().unwrap_or_default();
            let value = entry.get(1);
            let value = if let Some(text) = value.as_string() {
                ConfigValue::Text(text)
            } else if let Some(number) = value.as_f64() {
                ConfigValue::Number(number)
            } else if value.is_null() {
                ConfigValue::Null
            } else if value.as_bool().is_some() {
                ConfigValue::Other("a boolean")
            } else if js_sys::Array::is_array(&value) {
                ConfigValue::Other("an array")
            } else {
                ConfigValue::Other("an object")
            };
            (key, value)
        })
        .collect();
    Ok(fields)
}

/// The `message` of an error body in the contract's shape, if the body is one.
pub fn json_message(body: &str) -> Option<String> {
    json_text(body, &["message"])
}

/// The non-empty string at `path` in a JSON body (`["error", "message"]` is
/// `{"error":{"message":"…"}}`), trimmed; `None` when the body is not JSON or
/// has no string there.
pub fn json_text(body: &str, path: &[&str]) -> Option<String> {
    let mut value = js_sys::JSON::parse(body).ok()?;
    for name in path {
        if !value.is_object() {
            return None;
        }
        value = js_sys::Reflect::get(&value, &JsValue::from_str(name)).ok()?;
    }
    value
        .as_string()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

/// A JSON object of string fields, for the `json` request encoding.
pub fn json_object(fields: &[(&str, &str)]) -> String {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default()
}
