use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const RECOVERY: &str = "/account/recovery";

async fn request_link(routes: serde_json::Value, email: &str) -> Page {
    let page = Page::open("/recover", routes).await;
    page.type_into("#email", email);
    page.submit("#recovery-form");
    page
}

#[wasm_bindgen_test]
async fn malformed_address_is_refused_at_the_field_and_nothing_is_sent() {
    let page = request_link(json!({ RECOVERY: [answer(200, "{}")] }), "alice@example").await;
    page.wait_for("the field error", || find("#email-error").is_some())
        .await;

    assert!(text("#email-error").contains("Enter an email address in the correct format"));
    assert_eq!(attr("#email", "aria-invalid").as_deref(), Some("true"));
    assert!(attr("#email", "aria-describedby")
        .unwrap()
        .contains("email-error"));
    page.wait_for("focus on the field", || focused_id() == "email")
        .await;
    assert_eq!(value("#email"), "alice@example", "the typed text is kept");
    // The message comes from the very submit that would otherwise have sent.
    assert!(page.calls_to(RECOVERY).is_empty());

    page.type_into("#email", "");
    page.submit("#recovery-form");
    page.wait_for("the empty-field message", || {
        text("#email-error").contains("Enter your email address")
    })
    .await;
}

#[wasm_bindgen_test]
async fn accepted_request_shows_one_confirmation_and_sends_the_form_encoded_address() {
    let page = request_link(
        json!({ RECOVERY: [answer(200, "{}")] }),
        "  alice@example.com ",
    )
    .await;
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;

    assert_eq!(
        text("#confirmation"),
        "If an account exists for alice@example.com, we've sent a link to reset its password."
    );
    page.wait_for("focus on the heading", || focused_id() == "page-heading")
        .await;
    let calls = page.calls_to(RECOVERY);
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.method, "POST");
    assert!(
        call.url.starts_with(&window_origin()),
        "same origin by default: {}",
        call.url
    );
    assert!(call
        .content_type
        .as_deref()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(call.body, "email=alice%40example.com");
    page.wait_for("the announcement", || {
        text("#announcer") == "Check your email."
    })
    .await;
}

#[wasm_bindgen_test]
async fn not_found_reads_exactly_like_success() {
    let known = request_link(
        json!({ RECOVERY: [answer(200, "{}")] }),
        "alice@example.com",
    )
    .await;
    known
        .wait_for("the confirmation", || find("#confirmation").is_some())
        .await;
    let known_text = text("#confirmation").replace("alice@example.com", "ADDRESS");
    drop(known);

    let unknown = request_link(
        json!({ RECOVERY: [answer(404, r#"{"error":"not_found","message":"No such account"}"#)] }),
        "nobody@example.com",
    )
    .await;
    unknown
        .wait_for("the confirmation", || find("#confirmation").is_some())
        .await;
    assert_eq!(
        text("#confirmation").replace("nobody@example.com", "ADDRESS"),
        known_text
    );
    assert_eq!(unknown.heading(), "Check your email");
    assert!(!unknown.calls_to(RECOVERY).is_empty());
    assert!(find("#form-error").is_none());
}

#[wasm_bindgen_test]
async fn rate_limit_says_how_long_and_keeps_the_button_disabled() {
    let limited = answer_with_headers(
        429,
        r#"{"error":"rate_limited","message":"Too many requests"}"#,
        json!({ "content-type": "application/json", "retry-after": "30" }),
    );
    let page = request_link(json!({ RECOVERY: [limited] }), "alice@example.com").await;
    page.wait_for("the rate-limit message", || find("#form-error").is_some())
        .await;

    assert!(
        text("#form-error").contains("Wait 30 seconds"),
        "{}",
        text("#form-error")
    );
    assert!(is_disabled("#send-link"));
    page.wait_for("focus on the alert", || focused_id() == "form-error")
        .await;
    let hint = text("#send-link + .hint");
    assert!(hint.starts_with("You can try again in"), "{hint}");
    page.submit("#recovery-form");
    // Proof of absence after a positive event: once the wait has ticked on, a request from
    // that submit would long have been made.
    page.wait_for("the wait to tick", || text("#send-link + .hint") != hint)
        .await;
    assert_eq!(
        page.calls_to(RECOVERY).len(),
        1,
        "nothing is sent while limited"
    );
    assert_eq!(value("#email"), "alice@example.com");
    assert_eq!(page.heading(), "Forgot your password?");
}

#[wasm_bindgen_test]
async fn server_error_keeps_the_address_and_a_retry_succeeds() {
    let bad_gateway = answer_with_headers(
        502,
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
        json!({ "content-type": "text/html" }),
    );
    let page = request_link(
        json!({ RECOVERY: [bad_gateway, answer(200, "{}")] }),
        "alice@example.com",
    )
    .await;
    page.wait_for("the error", || find("#form-error").is_some())
        .await;

    assert!(text("#form-error").contains("Something went wrong on our side (error 502)"));
    assert_eq!(value("#email"), "alice@example.com");
    assert!(!is_disabled("#send-link"));

    page.submit("#recovery-form");
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    assert_eq!(page.calls_to(RECOVERY).len(), 2);
}

#[wasm_bindgen_test]
async fn network_failure_says_so_and_keeps_the_address() {
    let page = request_link(json!({ RECOVERY: [network_error()] }), "alice@example.com").await;
    page.wait_for("the error", || find("#form-error").is_some())
        .await;
    assert!(text("#form-error").contains("could not reach the server"));
    assert_eq!(value("#email"), "alice@example.com");
}

#[wasm_bindgen_test]
async fn invalid_email_from_the_server_is_shown_at_the_field() {
    // The contract's code: the page's own words, in the reader's language.
    let refused = answer(
        400,
        r#"{"error":"invalid_email","message":"Not an email address."}"#,
    );
    let page = request_link(json!({ RECOVERY: [refused] }), "alice@example.com").await;
    page.wait_for("the field error", || find("#email-error").is_some())
        .await;
    assert!(text("#email-error").contains("Enter an email address in the correct format"));
    assert_eq!(value("#email"), "alice@example.com");
    drop(page);

    // A code the pages do not know: the API's own sentence.
    let refused = answer(
        400,
        r#"{"error":"blocked_domain","message":"We can't send mail to that address."}"#,
    );
    let page = request_link(json!({ RECOVERY: [refused] }), "alice@example.com").await;
    page.wait_for("the field error", || find("#email-error").is_some())
        .await;
    assert!(text("#email-error").contains("We can't send mail to that address."));
}

#[wasm_bindgen_test]
async fn in_flight_request_shows_progress_and_a_second_click_sends_nothing() {
    let page = request_link(
        json!({ RECOVERY: [slow(200, "{}", 400)] }),
        "alice@example.com",
    )
    .await;
    page.wait_for("progress", || text("#send-link") == "Sending…")
        .await;
    assert_eq!(attr("#send-link", "aria-disabled").as_deref(), Some("true"));

    page.submit("#recovery-form");
    page.click("#send-link");
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;
    assert_eq!(page.calls_to(RECOVERY).len(), 1);
}

#[wasm_bindgen_test]
async fn send_again_waits_for_a_cooldown_and_a_different_address_keeps_the_form() {
    let page = request_link(
        json!({ RECOVERY: [answer(200, "{}")] }),
        "alice@example.com",
    )
    .await;
    page.wait_for("the confirmation", || find("#send-again").is_some())
        .await;

    assert!(is_disabled("#send-again"), "a cooldown comes first");
    assert!(text("#send-again").starts_with("Send again in"));
    let before = text("#send-again");
    page.click("#send-again");
    // A click during the pause sends nothing, seen once the pause has ticked on.
    page.wait_for("the pause to tick", || text("#send-again") != before)
        .await;
    assert_eq!(page.calls_to(RECOVERY).len(), 1);

    page.click("#use-different-address");
    page.wait_for("the form", || find("#recovery-form").is_some())
        .await;
    assert_eq!(page.heading(), "Forgot your password?");
    assert_eq!(value("#email"), "alice@example.com");
    page.wait_for("focus on the heading", || focused_id() == "page-heading")
        .await;
}

#[wasm_bindgen_test]
async fn json_encoding_and_api_base_come_from_the_configuration() {
    let config =
        r#"{"api_base":"https://api.example.test","encoding":"json","app_name":"Example"}"#;
    let page = request_link(
        json!({
            "/config.json": [answer(200, config)],
            "https://api.example.test/account/recovery": [answer(200, "{}")],
        }),
        "alice@example.com",
    )
    .await;
    page.wait_for("the confirmation", || page.heading() == "Check your email")
        .await;

    let calls: Vec<Call> = page
        .calls()
        .into_iter()
        .filter(|c| c.path == RECOVERY)
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].url, "https://api.example.test/account/recovery");
    assert_eq!(calls[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&calls[0].body).unwrap(),
        json!({ "email": "alice@example.com" })
    );
    assert_eq!(text(".app-name"), "Example");
    assert_eq!(
        leptos::prelude::document().title(),
        "Check your email – Example"
    );
}

fn window_origin() -> String {
    leptos::prelude::window().location().origin().unwrap()
}
