//! The few places the pages touch the browser directly: the address, history, timers, the
//! browser's JSON parser, storage, `<html lang dir>`. A thin layer that knows none of the app's
//! types, kept in one module so that components stay free of `window` in their first render
//! (the build renders them to HTML) and so tests know what to stub.

use std::time::Duration;

use leptos::prelude::{document, set_timeout_with_handle, window, TimeoutHandle};
use reclaim_contract::json::Json;
use wasm_bindgen::{JsCast, JsValue};

/// The pages' own origin, e.g. `http://127.0.0.1:8080`: the default API base.
pub fn origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The address the page was opened at, as (path, query without `?`, fragment without `#`).
/// The page's inline script may already have taken the query and fragment out of the address
/// bar (a reset link's secret must not stay there until the app runs); it leaves them in
/// `reclaimOpened`, which is read here once.
pub fn opened_address() -> (String, String, String) {
    let location = window().location();
    let path = location.pathname().unwrap_or_default();
    let (search, hash) = match handed_over(OPENED).and_then(|value| value.as_string()) {
        Some(handed) => {
            let (before, hash) = handed.split_once('#').unwrap_or((&handed, ""));
            let search = before.split_once('?').map_or("", |(_, query)| query);
            (search.to_owned(), hash.to_owned())
        }
        None => (
            location.search().unwrap_or_default(),
            location.hash().unwrap_or_default(),
        ),
    };
    let strip = |s: String, prefix: char| s.strip_prefix(prefix).map(str::to_owned).unwrap_or(s);
    (path, strip(search, '?'), strip(hash, '#'))
}

/// Where the inline script leaves the opened address's query and fragment.
const OPENED: &str = "reclaimOpened";
/// Where the inline script leaves the fetches it started, by path.
const FETCHED: &str = "reclaimFetched";
/// Where the inline script leaves the id of a form submitted before the app ran.
const SUBMITTED: &str = "reclaimSubmitted";
/// Where the inline script leaves the request it sent for that form, if it could.
const AHEAD: &str = "reclaimAhead";

/// A value the page's inline script left on `window` under `name`, taken: the next call gets
/// nothing.
fn handed_over(name: &str) -> Option<JsValue> {
    take(&window(), name)
}

/// `object[name]`, unless it is absent (undefined or null).
fn get(object: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .filter(|value| !value.is_undefined() && !value.is_null())
}

fn take(object: &JsValue, name: &str) -> Option<JsValue> {
    let value = get(object, name)?;
    let _ = js_sys::Reflect::delete_property(
        object.unchecked_ref::<js_sys::Object>(),
        &JsValue::from_str(name),
    );
    Some(value)
}

/// The fetch of `path` (`/config.json`) the page's inline script started before the app ran,
/// taken: a later fetch of the same path is the app's own.
pub fn started_fetch(path: &str) -> Option<js_sys::Promise> {
    let started = get(&window(), FETCHED)?;
    if !started.is_object() {
        return None;
    }
    take(&started, path)?.dyn_into().ok()
}

/// The id of the form a person submitted before the app ran, which the page's inline script
/// held back; once only.
pub fn submitted_before_start() -> Option<String> {
    handed_over(SUBMITTED)?.as_string()
}

/// Whether a person submitted a form before the app ran, which the page's inline script holds
/// back for the app to send (see [`submitted_before_start`], which takes it).
pub fn send_waiting() -> bool {
    get(&window(), SUBMITTED).is_some_and(|id| id.is_string())
}

/// The answer to the request the page's inline script sent before the app ran, for a form a
/// person sent then, taken if that request was `call` (as `http::send` names it): the script
/// leaves `{call, answer}` in `reclaimAhead` (`null` when it left the form to the app).
pub fn sent_ahead(call: &str) -> Option<js_sys::Promise> {
    let ahead = get(&window(), AHEAD)?;
    if get(&ahead, "call")?.as_string()? != call {
        return None;
    }
    handed_over(AHEAD);
    get(&ahead, "answer")?.dyn_into().ok()
}

/// An error's `name` (`"TimeoutError"`), if it has one.
pub fn error_name(error: &JsValue) -> Option<String> {
    get(error, "name")?.as_string()
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

/// A JSON object of string fields, as text.
pub fn json_object(fields: &[(String, String)]) -> String {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    js_sys::JSON::stringify(&object)
        .map(String::from)
        .unwrap_or_default()
}
