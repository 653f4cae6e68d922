//! The few places the pages touch the browser directly. Kept in one module so
//! components stay free of `window` in their first render (they will be
//! prerendered to HTML and hydrated) and so tests know what to stub.

use std::time::Duration;

use leptos::prelude::{document, set_timeout_with_handle, window, TimeoutHandle};

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
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url));
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
