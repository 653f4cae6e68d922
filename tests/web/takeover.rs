//! The app taking over a prerendered page: what a person did before the wasm
//! arrived is kept, and what the page's inline script handed over is used. The
//! prerendered page is stood in for by a deep copy of the app's own first
//! render (the same markup, and no event handlers, as the build's HTML has none).

use serde_json::json;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlInputElement};

use crate::support::*;

/// Opens `path`, then puts a lifeless copy of its first render before it, as
/// the prerendered page the app is about to take over.
async fn prerendered(path: &str, routes: serde_json::Value) -> (Page, Element) {
    let page = Page::open(path, routes).await;
    let copy: Element = page
        .root()
        .clone_node_with_deep(true)
        .unwrap()
        .unchecked_into();
    page.root()
        .parent_node()
        .unwrap()
        .insert_before(&copy, Some(page.root()))
        .unwrap();
    (page, copy)
}

fn input_in(root: &Element, id: &str) -> HtmlInputElement {
    root.query_selector(&format!("#{id}"))
        .unwrap()
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn typed_text_focus_and_caret_survive_the_takeover() {
    let (page, before) = prerendered("/reset?token=abc", json!({})).await;
    let typed = input_in(&before, "new-password");
    typed.set_value("correct horse battery");
    input_in(&before, "confirm-password").set_value("correct horse");
    typed.focus().unwrap();
    typed.set_selection_range(3, 7).unwrap();

    reclaim::start_up::takeover::take_over(&before, page.root());

    assert!(!before.is_connected(), "the prerendered page is gone");
    let field = input_in(page.root(), "new-password");
    assert_eq!(field.value(), "correct horse battery");
    assert_eq!(value("#confirm-password"), "correct horse");
    assert_eq!(focused_id(), "new-password");
    assert_eq!(field.selection_start().unwrap(), Some(3));
    assert_eq!(field.selection_end().unwrap(), Some(7));
    // The app itself holds the text: its live rules see it.
    page.wait_for("the length rule met", || {
        find("#password-rules .rule-met").is_some()
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_address_typed_before_the_app_ran_is_the_one_sent() {
    let (page, before) = prerendered(
        "/recover",
        json!({ "/account/recovery": [answer(200, "{}")] }),
    )
    .await;
    let typed = input_in(&before, "email");
    typed.set_value("alice@example.com");
    typed.focus().unwrap();

    reclaim::start_up::takeover::take_over(&before, page.root());

    assert_eq!(focused_id(), "email");
    assert_eq!(value("#email"), "alice@example.com");
    page.submit("#recovery-form");
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    assert_eq!(
        form_field(&page.calls_to("/account/recovery")[0].body, "email").as_deref(),
        Some("alice@example.com")
    );
}

#[wasm_bindgen(inline_js = r#"
export function hand_over(name, value) { globalThis[name] = value; }
export function handed(name) { return globalThis[name]; }
export function start_fetch(path, body) {
  (globalThis.reclaimFetched ||= {})[path] =
    Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
}
"#)]
extern "C" {
    /// What the page's inline script leaves on `window` for the app.
    fn hand_over(name: &str, value: &str);
    fn handed(name: &str) -> JsValue;
    /// A fetch of `path` the page's inline script started, answered with `body`.
    fn start_fetch(path: &str, body: &str);
}

#[wasm_bindgen_test]
async fn a_send_held_back_before_the_app_ran_is_sent_once_at_the_takeover() {
    let (page, before) = held_recovery_form("alice@example.com").await;

    reclaim::start_up::takeover::take_over(&before, page.root());

    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    let sent = page.calls_to("/account/recovery");
    assert_eq!(sent.len(), 1, "sent once");
    assert_eq!(
        form_field(&sent[0].body, "email").as_deref(),
        Some("alice@example.com")
    );
    assert!(
        handed("reclaimSubmitted").is_undefined(),
        "the hand-off is taken"
    );
}

#[wasm_bindgen_test]
async fn the_files_the_page_fetched_early_are_the_ones_the_app_reads() {
    start_fetch("/config.json", r#"{ "app_name": "Fetched early" }"#);
    let page = Page::open("/recover", json!({})).await;
    page.wait_for("the app's name", || text(".app-name") == "Fetched early")
        .await;
    assert!(
        page.calls_to("/config.json").is_empty(),
        "config.json was fetched again"
    );
}

#[wasm_bindgen_test]
async fn the_link_the_page_took_out_of_the_address_bar_is_the_one_read() {
    // The page's script has already left only the page in the address bar.
    hand_over("reclaimOpened", "?token=from-the-link&lang=en");
    let page = Page::open(
        "/reset",
        json!({ "/account/reset-password": [answer(200, "{}")] }),
    )
    .await;
    page.wait_for("the form", || find("#new-password").is_some())
        .await;
    assert!(find("#reset-code").is_none(), "the page asks for a code");
    page.type_into("#new-password", "correct horse battery");
    page.type_into("#confirm-password", "correct horse battery");
    page.submit("#reset-form");
    page.wait_for("the reset", || {
        !page.calls_to("/account/reset-password").is_empty()
    })
    .await;
    let sent = &page.calls_to("/account/reset-password")[0];
    assert_eq!(
        form_field(&sent.body, "token").as_deref(),
        Some("from-the-link")
    );
    assert!(
        handed("reclaimOpened").is_undefined(),
        "the hand-off is taken"
    );
}

#[wasm_bindgen_test]
async fn the_start_runs_in_short_tasks_unless_a_send_is_waiting_on_it() {
    use reclaim::{browser, start_up::in_own_task};
    use std::{cell::Cell, rc::Rc, time::Duration};

    // Nothing sent yet: the step waits for a task of its own, so the page can answer a tap.
    let ran = Rc::new(Cell::new(false));
    in_own_task({
        let ran = ran.clone();
        move || ran.set(true)
    });
    assert!(!ran.get(), "ran in the caller's task");
    browser::sleep(Duration::from_millis(20)).await;
    assert!(ran.get(), "never ran");

    // A send held by the page's script: the send waits on the start, so nothing is deferred.
    hand_over("reclaimSubmitted", "recovery-form");
    let ran = Rc::new(Cell::new(false));
    in_own_task({
        let ran = ran.clone();
        move || ran.set(true)
    });
    assert!(ran.get(), "deferred while a send was waiting");
    assert_eq!(
        browser::submitted_before_start().as_deref(),
        Some("recovery-form"),
        "looking did not take the hand-off"
    );
}

#[wasm_bindgen(inline_js = r#"
export function send_ahead(call, answer) { globalThis.reclaimAhead = { call, answer }; }
export function forget(name) { delete globalThis[name]; }
export function answered(status) { return Promise.resolve(new Response("{}", { status })); }
export function refused(name) { return Promise.reject(new DOMException("refused", name)); }
export function recovery_call(email) {
  return JSON.stringify(["POST", location.origin + "/account/recovery", [], "form", [["email", email]], []]);
}
"#)]
extern "C" {
    /// What the page's script leaves when it sent the held form itself (`send_ahead.js`).
    fn send_ahead(call: &str, answer: js_sys::Promise);
    fn forget(name: &str);
    fn answered(status: u16) -> js_sys::Promise;
    /// A fetch that failed with the `DOMException` named `name`.
    fn refused(name: &str) -> js_sys::Promise;
    /// How the page's script names the request for a link for `email` to this page's API.
    fn recovery_call(email: &str) -> String;
}

/// What the form-wide error says, if it is shown.
fn form_error() -> String {
    find("#form-error")
        .and_then(|error| error.text_content())
        .unwrap_or_default()
}

/// The prerendered recovery page with `email` typed and sent before the app ran.
async fn held_recovery_form(email: &str) -> (Page, Element) {
    let (page, before) = prerendered(
        "/recover",
        json!({ "/account/recovery": [answer(200, "{}")] }),
    )
    .await;
    input_in(&before, "email").set_value(email);
    // What the page's script does when the form is sent before the app runs.
    hand_over("reclaimSubmitted", "recovery-form");
    (page, before)
}

#[wasm_bindgen_test]
async fn the_request_the_pages_script_sent_ahead_is_answered_once() {
    let (page, before) = held_recovery_form("alice@example.com").await;
    send_ahead(&recovery_call("alice@example.com"), answered(200));

    reclaim::start_up::takeover::take_over(&before, page.root());

    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    assert!(
        page.calls_to("/account/recovery").is_empty(),
        "sent again rather than reading the answer of the request already sent"
    );
    assert!(
        handed("reclaimAhead").is_undefined(),
        "the hand-off is taken"
    );
}

#[wasm_bindgen_test]
async fn a_request_sent_ahead_that_is_not_the_pages_is_left_alone() {
    let (page, before) = held_recovery_form("alice@example.com").await;
    send_ahead(&recovery_call("bob@example.com"), answered(200));

    reclaim::start_up::takeover::take_over(&before, page.root());

    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    let sent = page.calls_to("/account/recovery");
    assert_eq!(sent.len(), 1, "the page sends what it was given");
    assert_eq!(
        form_field(&sent[0].body, "email").as_deref(),
        Some("alice@example.com")
    );
    assert!(
        !handed("reclaimAhead").is_undefined(),
        "taken though it differs"
    );
    forget("reclaimAhead");
}

#[wasm_bindgen_test]
async fn a_request_sent_ahead_that_timed_out_reads_as_a_timeout() {
    let (page, before) = held_recovery_form("alice@example.com").await;
    send_ahead(&recovery_call("alice@example.com"), refused("TimeoutError"));

    reclaim::start_up::takeover::take_over(&before, page.root());

    page.wait_for("the error", || form_error().contains("took too long"))
        .await;
    assert!(page.calls_to("/account/recovery").is_empty());
}

#[wasm_bindgen_test]
async fn a_request_sent_ahead_that_failed_reads_as_a_network_error() {
    let (page, before) = held_recovery_form("alice@example.com").await;
    send_ahead(&recovery_call("alice@example.com"), refused("NetworkError"));

    reclaim::start_up::takeover::take_over(&before, page.root());

    page.wait_for("the error", || !form_error().is_empty())
        .await;
    assert!(
        !text("#form-error").contains("took too long"),
        "a failed request read as a timeout: {}",
        text("#form-error")
    );
    assert!(page.calls_to("/account/recovery").is_empty());
}
