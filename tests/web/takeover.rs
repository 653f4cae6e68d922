//! The app taking over a prerendered page: what a person did before the wasm
//! arrived is kept. The prerendered page is stood in for by a deep copy of the
//! app's own first render (the same markup, and no event handlers, as the
//! build's HTML has none).

use serde_json::json;
use wasm_bindgen::JsCast;
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
