//! The app taking over a prerendered page: what a person did before the wasm
//! arrived is kept, and what the page's inline script handed over is used. The
//! prerendered page is stood in for by a deep copy of the app's own first
//! render (the same markup, and no event handlers, as the build's HTML has none).

use serde_json::json;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, HtmlInputElement};

use reclaim::start_up::{handoff::HeldForm, takeover::take_over};

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

    take_over(&before, page.root(), None);

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

    take_over(&before, page.root(), None);

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
const handoff = () => (globalThis.reclaimHandoff ||= { opened: { query: [], fragment: [] }, held: null, fetched: {} });
export function hand_over_address(query, fragment) {
  handoff().opened = { query: [...new URLSearchParams(query)], fragment: [...new URLSearchParams(fragment)] };
}
export function hand_over_held_form(id) { handoff().held = id; }
export function start_fetch(path, body) {
  handoff().fetched[path] =
    Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
}
export function handoff_taken() { return globalThis.reclaimHandoff === undefined; }
"#)]
extern "C" {
    /// What the page's first script hands the app (`window.reclaimHandoff`): the address's
    /// query and fragment it took out of the address bar,
    fn hand_over_address(query: &str, fragment: &str);
    /// the form a person sent before the app ran,
    fn hand_over_held_form(id: &str);
    /// and a fetch of `path` it started, answered with `body`.
    fn start_fetch(path: &str, body: &str);
    fn handoff_taken() -> bool;
}

/// The held form as the app reads it from the hand-off.
fn held(id: &str) -> HeldForm {
    HeldForm(id.to_owned())
}

#[wasm_bindgen_test]
async fn a_form_held_before_the_app_ran_is_sent_once_at_the_takeover() {
    let (page, before) = held_recovery_form("alice@example.com").await;

    take_over(&before, page.root(), Some(&held("recovery-form")));

    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    let sent = page.calls_to("/account/recovery");
    assert_eq!(sent.len(), 1, "sent once");
    assert_eq!(
        form_field(&sent[0].body, "email").as_deref(),
        Some("alice@example.com")
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
    assert!(handoff_taken(), "the hand-off is taken");
}

#[wasm_bindgen_test]
async fn the_link_the_page_took_out_of_the_address_bar_is_the_one_read() {
    // The page's script has already left only the page in the address bar.
    hand_over_address("?token=from-the-link&lang=en", "");
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
    assert!(handoff_taken(), "the hand-off is taken");
}

#[wasm_bindgen_test]
async fn the_start_runs_in_short_tasks_unless_a_form_is_held() {
    use leptos::prelude::*;
    use reclaim::{components::Rendering, start_up::handoff};
    use std::{cell::Cell, rc::Rc};

    let runs_at_once = || {
        Owner::new().with(|| {
            handoff::provide_from_the_page();
            let rendering = Rendering::provide(Some(RwSignal::new(false)));
            let ran = Rc::new(Cell::new(false));
            rendering.in_own_task({
                let ran = ran.clone();
                move || ran.set(true)
            });
            ran.get()
        })
    };
    // Nothing held: the step waits for a task of its own, so the page can answer a tap.
    assert!(!runs_at_once(), "ran in the caller's task");
    // A form held by the page's script: its send waits on the start, so nothing is deferred.
    hand_over_held_form("recovery-form");
    assert!(runs_at_once(), "deferred while a form was held");
}

/// What the form-wide error says, if it is shown.
fn form_error() -> String {
    find("#form-error")
        .and_then(|error| error.text_content())
        .unwrap_or_default()
}

/// The prerendered recovery page with `email` typed and sent before the app ran (the page's
/// script made the fields read-only and holds the form).
async fn held_recovery_form(email: &str) -> (Page, Element) {
    held_recovery_form_answered(email, answer(200, "{}")).await
}

async fn held_recovery_form_answered(email: &str, answer: serde_json::Value) -> (Page, Element) {
    let (page, before) = prerendered("/recover", json!({ "/account/recovery": [answer] })).await;
    input_in(&before, "email").set_value(email);
    (page, before)
}

#[wasm_bindgen_test]
async fn a_held_form_whose_request_times_out_reads_as_a_timeout() {
    let (page, before) =
        held_recovery_form_answered("alice@example.com", rejected_with("TimeoutError")).await;

    take_over(&before, page.root(), Some(&held("recovery-form")));

    page.wait_for("the error", || form_error().contains("took too long"))
        .await;
}

#[wasm_bindgen_test]
async fn a_held_form_whose_request_fails_reads_as_a_network_error() {
    let (page, before) =
        held_recovery_form_answered("alice@example.com", rejected_with("NetworkError")).await;

    take_over(&before, page.root(), Some(&held("recovery-form")));

    page.wait_for("the error", || !form_error().is_empty())
        .await;
    assert!(
        text("#form-error").contains("could not reach the server"),
        "a failed request read as something else: {}",
        text("#form-error")
    );
}
