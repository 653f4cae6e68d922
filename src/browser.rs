//! The few places the pages touch the browser directly: the address bar, timers, the browser's
//! JSON parser, storage, the reader's languages, the title and `<html lang dir>`. A thin layer
//! that knows none of the app's types, kept in one module so that components stay free of
//! `window` in their first render (the build renders them to HTML) and so tests know what to
//! stub. What the page's first script hands over is read in `start_up::handoff`.

use std::time::Duration;

use leptos::prelude::{document, set_timeout_with_handle, window, TimeoutHandle};
use reclaim_contract::json::Json;
use wasm_bindgen::{JsCast, JsValue};

/// The pages' own origin, e.g. `http://127.0.0.1:8080`: the default API base.
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The page's first element matching `selector`, if any.
pub fn element(selector: &str) -> Option<web_sys::Element> {
    document().query_selector(selector).ok().flatten()
}

/// Replaces the address bar's URL without a navigation or a history entry.
pub fn replace_address(url: &str) {
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Runs `f` once after `delay`; cancel with [`cancel`].
pub fn after(delay: Duration, f: impl FnOnce() + 'static) -> Option<TimeoutHandle> {
    after_boxed(delay, Box::new(f))
}

/// [`after`] for a closure already boxed. Every closure type Leptos's timer is given becomes a
/// JS callback shim of its own in the wasm; behind one boxed type, every timer shares one.
pub fn after_boxed(delay: Duration, f: Box<dyn FnOnce()>) -> Option<TimeoutHandle> {
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

/// `<html lang dir>`: screen readers pick their voice from `lang`, and `dir` lays the page out
/// right to left.
pub fn set_document_language(tag: &str, right_to_left: bool) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("lang", tag);
        let _ = html.set_attribute("dir", if right_to_left { "rtl" } else { "ltr" });
    }
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

/// A value kept between visits. Storage may be off (a private window, a policy): then there
/// is none.
pub fn stored(key: &str) -> Option<String> {
    window().local_storage().ok()??.get_item(key).ok()?
}

pub fn store(key: &str, value: &str) {
    if let Ok(Some(storage)) = window().local_storage() {
        let _ = storage.set_item(key, value);
    }
}

// JSON goes through the browser's own parser: a JSON library compiled into the wasm would add
// more to every download than everything below.

/// `text` parsed as JSON, or the parser's reason why it is not.
pub fn parse_json(text: &str) -> Result<Json, String> {
    match js_sys::JSON::parse(text) {
        Ok(value) => Ok(to_json(&value)),
        Err(error) => Err(error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_default()),
    }
}

fn to_json(value: &JsValue) -> Json {
    if let Some(text) = value.as_string() {
        Json::Text(text)
    } else if let Some(number) = value.as_f64() {
        Json::Number(number)
    } else if let Some(truth) = value.as_bool() {
        Json::Bool(truth)
    } else if js_sys::Array::is_array(value) {
        Json::List(
            value
                .unchecked_ref::<js_sys::Array>()
                .iter()
                .map(|item| to_json(&item))
                .collect(),
        )
    } else if value.is_object() {
        Json::Object(
            js_sys::Object::entries(value.unchecked_ref())
                .iter()
                .map(|entry| {
                    let entry: js_sys::Array = entry.unchecked_into();
                    (
                        entry.get(0).as_string().unwrap_or_default(),
                        to_json(&entry.get(1)),
                    )
                })
                .collect(),
        )
    } else {
        Json::Null
    }
}
