use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

#[wasm_bindgen_test]
async fn unknown_path_shows_not_found_with_a_way_on() {
    let page = Page::open("/no-such-page", json!({})).await;
    assert_eq!(page.heading(), "Page not found");
    assert!(find("a[href^='/recover']").is_some());
}

#[wasm_bindgen_test]
async fn root_is_the_request_page() {
    let page = Page::open("/", json!({})).await;
    assert_eq!(page.heading(), "Forgot your password?");
    assert!(find("#recovery-form").is_some());
}

#[wasm_bindgen_test]
async fn malformed_configuration_is_shown_not_ignored() {
    let page = Page::open(
        "/recover",
        json!({ "/config.json": [answer(200, r#"{"api_bse":"https://x.test"}"#)] }),
    )
    .await;
    page.wait_for("the configuration error", || {
        page.heading() == "This page is not set up correctly"
    })
    .await;
    assert!(text(".alert").contains("api_bse"));
    assert!(find("#recovery-form").is_none());
}

#[wasm_bindgen_test]
async fn a_host_that_rewrites_config_json_to_index_html_means_defaults() {
    let index = answer_with_headers(
        200,
        "<!DOCTYPE html><html></html>",
        json!({ "content-type": "text/html" }),
    );
    let page = Page::open(
        "/recover",
        json!({ "/config.json": [index], "/account/recovery": [answer(200, "{}")] }),
    )
    .await;
    page.wait_for("the app name", || text(".app-name") == "Reclaim")
        .await;
    page.type_into("#email", "alice@example.com");
    page.submit("#recovery-form");
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
}

#[wasm_bindgen_test]
async fn every_input_has_a_visible_label() {
    for path in ["/recover", "/reset?token=abc"] {
        let page = Page::open(path, json!({})).await;
        let inputs = leptos::prelude::document()
            .query_selector_all("input")
            .unwrap();
        assert!(inputs.length() > 0);
        for i in 0..inputs.length() {
            let id =
                wasm_bindgen::JsCast::unchecked_into::<web_sys::Element>(inputs.item(i).unwrap())
                    .id();
            assert!(
                !text(&format!("label[for='{id}']")).is_empty(),
                "{path}: #{id} has no label"
            );
        }
        drop(page);
    }
}

/// A static host without rewrites redirects `/recover` to the folder `/recover/`.
#[wasm_bindgen_test]
async fn routes_answer_with_a_trailing_slash_too() {
    let page = Page::open("/recover/", json!({})).await;
    assert_eq!(page.heading(), "Forgot your password?");
    drop(page);
    let page = Page::open("/reset/?token=abc", json!({})).await;
    page.wait_for("the form", || find("#reset-form").is_some())
        .await;
    assert_eq!(page.heading(), "Choose a new password");
}
