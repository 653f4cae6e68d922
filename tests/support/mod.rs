//! Drives the mounted app like a person, with `fetch` answered by a stub that
//! records what was sent. Tests in one binary share one browser page, so each
//! [`Page`] resets the address, the stub and the mounted nodes.

use std::time::Duration;

use leptos::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::{prelude::*, JsCast};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlFormElement, HtmlInputElement};

#[wasm_bindgen(inline_js = r#"
export function install_fetch(routesJson) {
  const routes = JSON.parse(routesJson);
  globalThis.__reclaimCalls = [];
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.method === "GET" ? "" : await request.text();
    globalThis.__reclaimCalls.push({
      url: request.url,
      path: url.pathname,
      method: request.method,
      content_type: request.headers.get("content-type"),
      accept_language: request.headers.get("accept-language"),
      session_token: request.headers.get("x-session-token"),
      body,
    });
    const key = url.origin === location.origin ? url.pathname : url.origin + url.pathname;
    const queue = routes[key] || [{ status: 404, body: "" }];
    // Answers are used in order; the last one repeats.
    const answer = queue.length > 1 ? queue.shift() : queue[0];
    if (answer.network_error) throw new TypeError("Failed to fetch");
    if (answer.rejected_with) throw new DOMException("refused", answer.rejected_with);
    if (answer.hang) {
      // As the browser's fetch: rejected with the signal's reason (a TimeoutError for
      // AbortSignal.timeout).
      return new Promise((_, reject) => request.signal.addEventListener("abort",
        () => reject(request.signal.reason)));
    }
    if (answer.delay_ms) await new Promise((resolve) => setTimeout(resolve, answer.delay_ms));
    const headers = answer.headers || { "content-type": "application/json" };
    return new Response(answer.body ?? "", { status: answer.status, headers });
  };
}
export function set_browser_languages(tags) {
  Object.defineProperty(navigator, "languages", { get: () => tags, configurable: true });
}
export function recorded_calls() { return JSON.stringify(globalThis.__reclaimCalls || []); }
export function sleep_ms(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
"#)]
extern "C" {
    fn install_fetch(routes_json: &str);
    fn set_browser_languages(tags: Vec<String>);
    fn recorded_calls() -> String;
    fn sleep_ms(ms: u32) -> js_sys::Promise;
}

/// One request the page made.
#[derive(Debug, Deserialize)]
pub struct Call {
    pub url: String,
    pub path: String,
    pub method: String,
    pub content_type: Option<String>,
    pub accept_language: Option<String>,
    pub session_token: Option<String>,
    pub body: String,
}

/// An answer for the stubbed `fetch`.
pub fn answer(status: u16, body: &str) -> Value {
    json!({ "status": status, "body": body })
}

pub fn answer_with_headers(status: u16, body: &str, headers: Value) -> Value {
    json!({ "status": status, "body": body, "headers": headers })
}

pub fn network_error() -> Value {
    json!({ "network_error": true })
}

/// A fetch rejected with the `DOMException` named `name` (`TimeoutError` is what
/// `AbortSignal.timeout` rejects with).
pub fn rejected_with(name: &str) -> Value {
    json!({ "rejected_with": name })
}

pub fn never_answers() -> Value {
    json!({ "hang": true })
}

pub fn slow(status: u16, body: &str, delay_ms: u32) -> Value {
    json!({ "status": status, "body": body, "delay_ms": delay_ms })
}

/// The app mounted at `path`, unmounted when dropped.
pub struct Page {
    root: Element,
    mounted: Option<Box<dyn std::any::Any>>,
}

impl Page {
    /// Opens `path` with `fetch` answering from `routes` (path → list of answers).
    /// Without a `/config.json` entry the config file is missing (404): defaults.
    /// The built-in translations are served at `/i18n/<tag>.json` and the backends'
    /// descriptions at `/backends/<name>.json`, as in the build.
    pub async fn open(path: &str, routes: Value) -> Page {
        let mut routes = routes;
        let shipped = BUILT_IN_FILES
            .iter()
            .map(|(tag, file)| (format!("/i18n/{tag}.json"), file))
            .chain(
                BACKEND_FILES
                    .iter()
                    .map(|(name, file)| (format!("/backends/{name}.json"), file)),
            );
        for (route, file) in shipped {
            if routes.get(&route).is_none() {
                routes[route] = json!([answer(200, file)]);
            }
        }
        install_fetch(&routes.to_string());
        window()
            .history()
            .unwrap()
            .replace_state_with_url(&JsValue::NULL, "", Some(path))
            .unwrap();
        let root = document().create_element("div").unwrap();
        document().body().unwrap().append_child(&root).unwrap();
        // The page's header, as the build writes it outside the part the app takes over.
        let header = reclaim::components::language_switcher::masthead(
            "en",
            &reclaim_contract::locale::BUILT_IN,
            "Language",
        );
        document()
            .body()
            .unwrap()
            .insert_adjacent_html("afterbegin", &header)
            .unwrap();
        // As the app's start does, without a prerendered page to take over.
        let mounted = leptos::mount::mount_to(root.clone().unchecked_into(), move || {
            reclaim::start_up::handoff::provide_from_the_page();
            view! { <reclaim::App /> }
        });
        let page = Page {
            root,
            mounted: Some(Box::new(mounted)),
        };
        page.wait_for("a heading", || find("#page-heading").is_some())
            .await;
        page
    }

    /// The element the app is mounted in.
    pub fn root(&self) -> &Element {
        &self.root
    }

    /// Polls until `condition` holds (a few seconds at most), then returns.
    pub async fn wait_for(&self, what: &str, condition: impl Fn() -> bool) {
        wait_for(what, condition).await
    }

    pub fn calls(&self) -> Vec<Call> {
        serde_json::from_str(&recorded_calls()).unwrap()
    }

    /// The requests sent to `path` (the config fetch excluded).
    pub fn calls_to(&self, path: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.path == path)
            .collect()
    }

    /// Types into an input as a person would: the value, then an `input` event.
    pub fn type_into(&self, selector: &str, value: &str) {
        let input: HtmlInputElement = get(selector).unchecked_into();
        input.set_value(value);
        let init = EventInit::new();
        init.set_bubbles(true);
        input
            .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
            .unwrap();
    }

    pub fn submit(&self, form: &str) {
        get(form)
            .unchecked_into::<HtmlFormElement>()
            .request_submit()
            .unwrap();
    }

    pub fn click(&self, selector: &str) {
        get(selector).unchecked_into::<HtmlElement>().click();
    }

    pub fn heading(&self) -> String {
        text("#page-heading")
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        drop(self.mounted.take());
        self.root.remove();
        if let Some(header) = find(".masthead") {
            header.remove();
        }
        // A hand-off a test left untaken.
        let _ = js_sys::Reflect::delete_property(
            &window().unchecked_into::<js_sys::Object>(),
            &"reclaimHandoff".into(),
        );
        // What a page may leave behind for the next test: the reader's
        // language choice, the browser's languages, `<html lang dir>`.
        if let Ok(Some(storage)) = window().local_storage() {
            storage.clear().unwrap();
        }
        set_browser_languages(vec!["en-US".into()]);
        let html = document().document_element().unwrap();
        html.set_attribute("lang", "en").unwrap();
        html.set_attribute("dir", "ltr").unwrap();
    }
}

/// What `navigator.languages` says from now until the page is dropped.
pub fn browser_languages(tags: &[&str]) {
    set_browser_languages(tags.iter().map(|t| (*t).to_owned()).collect());
}

// The built-in translations, as the build serves them: `BUILT_IN_FILES` (build.rs).
include!(concat!(env!("OUT_DIR"), "/built_in_files.rs"));

/// The backends' descriptions, as the build serves them.
pub use reclaim_contract::backend::PRESETS as BACKEND_FILES;

/// A text of a built-in locale, as its file has it.
pub fn translation(locale: &str, key: &str) -> String {
    let (_, file) = BUILT_IN_FILES
        .iter()
        .find(|(tag, _)| *tag == locale)
        .unwrap_or_else(|| panic!("no built-in {locale}"));
    let texts: Value = serde_json::from_str(file).unwrap();
    texts[key]
        .as_str()
        .unwrap_or_else(|| panic!("{locale}: no {key}"))
        .to_owned()
}

pub fn html_attr(name: &str) -> String {
    document()
        .document_element()
        .unwrap()
        .get_attribute(name)
        .unwrap_or_default()
}

pub async fn sleep(duration: Duration) {
    wasm_bindgen_futures::JsFuture::from(sleep_ms(duration.as_millis() as u32))
        .await
        .unwrap();
}

pub async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    wait_for_at_most(what, Duration::from_secs(5), condition).await
}

pub async fn wait_for_at_most(what: &str, limit: Duration, condition: impl Fn() -> bool) {
    let started = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - started > limit.as_millis() as f64 {
            // The mounted pages only: the test runner's own output is on the page too.
            let pages: String = (0..document().body().unwrap().children().length())
                .filter_map(|i| document().body().unwrap().children().item(i))
                .filter(|element| element.tag_name() == "DIV")
                .map(|element| element.outer_html())
                .collect();
            panic!("timed out waiting for {what}; page: {pages}");
        }
        sleep(Duration::from_millis(10)).await;
    }
}

pub fn find(selector: &str) -> Option<Element> {
    document().query_selector(selector).unwrap()
}

pub fn get(selector: &str) -> Element {
    find(selector).unwrap_or_else(|| panic!("no {selector} on the page"))
}

pub fn text(selector: &str) -> String {
    get(selector)
        .text_content()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

pub fn attr(selector: &str, name: &str) -> Option<String> {
    get(selector).get_attribute(name)
}

pub fn value(selector: &str) -> String {
    get(selector).unchecked_into::<HtmlInputElement>().value()
}

pub fn focused_id() -> String {
    document()
        .active_element()
        .map(|e| e.id())
        .unwrap_or_default()
}

pub fn is_disabled(selector: &str) -> bool {
    get(selector).has_attribute("disabled")
}

pub fn address_bar() -> String {
    let location = window().location();
    format!(
        "{}{}{}",
        location.pathname().unwrap(),
        location.search().unwrap(),
        location.hash().unwrap()
    )
}

/// Decodes an `application/x-www-form-urlencoded` body the way a server would.
pub fn form_field(body: &str, name: &str) -> Option<String> {
    let params = web_sys::UrlSearchParams::new_with_str(body).unwrap();
    params.get(name)
}
