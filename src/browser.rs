//! The few places the pages touch the browser directly. Kept in one module so
//! components stay free of `window` in their first render (they will be
//! prerendered to HTML and hydrated) and so tests know what to stub.

use std::time::Duration;

use leptos::prelude::{document, set_timeout_with_handle, window, TimeoutHandle};
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    config::{ConfigError, ConfigValue},
    i18n::Entry,
};

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

/// Waits `delay` (in a task's own time: nothing else is held up).
pub async fn sleep(delay: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(
            &resolve,
            delay.as_millis() as i32,
        );
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
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

/// `text` parsed as JSON, or the parser's reason why it is not.
fn parse_json(text: &str) -> Result<JsValue, String> {
    js_sys::JSON::parse(text).map_err(|error| {
        let reason = error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default();
        format!("not valid JSON: {reason}")
    })
}

/// The top-level fields of a JSON object (`config.json`), or why it is not one.
pub fn json_fields(text: &str) -> Result<Vec<(String, ConfigValue)>, ConfigError> {
    let value =
        parse_json(text).map_err(|reason| ConfigError(format!("config.json is {reason}")))?;
    let entries = object_entries(&value).ok_or_else(|| {
        ConfigError("config.json must be a JSON object, like {\"app_name\": \"Example\"}".into())
    })?;
    let fields = entries
        .into_iter()
        .map(|(key, value)| {
            let value = if let Some(text) = value.as_string() {
                ConfigValue::Text(text)
            } else if let Some(number) = value.as_f64() {
                ConfigValue::Number(number)
            } else if value.is_null() {
                ConfigValue::Null
            } else if value.as_bool().is_some() {
                ConfigValue::Other("a boolean")
            } else if let Some(texts) = strings(&value) {
                ConfigValue::Texts(texts)
            } else if js_sys::Array::is_array(&value) {
                ConfigValue::Other("an array of non-strings")
            } else {
                ConfigValue::Other("an object")
            };
            (key, value)
        })
        .collect();
    Ok(fields)
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

/// The strings of an array, or `None` when `value` is not an array of strings.
fn strings(value: &JsValue) -> Option<Vec<String>> {
    if !js_sys::Array::is_array(value) {
        return None;
    }
    let array: &js_sys::Array = value.unchecked_ref();
    array.iter().map(|item| item.as_string()).collect()
}

/// The strings of the array at `field` of a JSON object body (the contract's
/// `reasons`); empty when there is none.
pub fn json_strings(body: &str, field: &str) -> Vec<String> {
    js_sys::JSON::parse(body)
        .ok()
        .filter(JsValue::is_object)
        .and_then(|value| js_sys::Reflect::get(&value, &JsValue::from_str(field)).ok())
        .and_then(|value| strings(&value))
        .unwrap_or_default()
}

/// The entries of a locale file (`{"key": "text", "counted.key": {"one": …}}`),
/// or why it is not one.
pub fn locale_entries(text: &str) -> Result<Vec<(String, Entry)>, String> {
    let value = parse_json(text)?;
    let entries = object_entries(&value).ok_or("must be a JSON object of texts")?;
    Ok(entries
        .into_iter()
        .map(|(key, value)| {
            let entry = if let Some(text) = value.as_string() {
                Entry::Text(text)
            } else if let Some(forms) = object_entries(&value) {
                let texts: Option<Vec<(String, String)>> = forms
                    .into_iter()
                    .map(|(category, form)| Some((category, form.as_string()?)))
                    .collect();
                texts.map_or(Entry::Other("an object of non-strings"), Entry::Forms)
            } else {
                Entry::Other("neither a string nor an object")
            };
            (key, entry)
        })
        .collect())
}

/// The fields of a plain JSON object; `None` for anything else (arrays included).
fn object_entries(value: &JsValue) -> Option<Vec<(String, JsValue)>> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return None;
    }
    Some(
        js_sys::Object::entries(value.unchecked_ref())
            .iter()
            .map(|entry| {
                let entry: js_sys::Array = entry.unchecked_into();
                (entry.get(0).as_string().unwrap_or_default(), entry.get(1))
            })
            .collect(),
    )
}

/// The reader's languages, most preferred first (`navigator.languages`).
pub fn languages() -> Vec<String> {
    window()
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect()
}

/// Where the reader's choice of language is kept between visits.
const LOCALE_KEY: &str = "reclaim.locale";

/// The language the reader chose with the switcher on an earlier visit. Storage
/// may be off (a private window, a policy): then there is none.
pub fn stored_locale() -> Option<String> {
    let storage = window().local_storage().ok()??;
    storage.get_item(LOCALE_KEY).ok()?
}

pub fn store_locale(tag: &str) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(LOCALE_KEY, tag);
    }
}

/// `<html lang dir>` for the locale: screen readers pick their voice from
/// `lang`, and `dir` lays the page out right to left.
pub fn set_document_language(tag: &str, right_to_left: bool) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", tag);
        let _ = html.set_attribute("dir", if right_to_left { "rtl" } else { "ltr" });
    }
}
