//! The pages with `backend: "firebase"`: Firebase's action links read, their
//! code taken out of the address bar and checked first, the account shown
//! masked, and every answer presented in the pages' own terms. `fetch` plays
//! Firebase's REST API here; the end-to-end tests use the real emulator.

use serde_json::{json, Value};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const API: &str = "https://fb.test/identitytoolkit.googleapis.com";
const RESET: &str = "https://fb.test/identitytoolkit.googleapis.com/v1/accounts:resetPassword";
const SEND: &str = "https://fb.test/identitytoolkit.googleapis.com/v1/accounts:sendOobCode";
const CODE: &str = "oob-C0de_xyz";

/// `config.json` for Firebase, with `extra` keys.
fn config(extra: &str) -> Value {
    answer(
        200,
        &format!(r#"{{"backend":"firebase","api_base":"{API}"{extra}}}"#),
    )
}

fn firebase_error(message: &str) -> Value {
    answer(
        400,
        &json!({ "error": { "code": 400, "message": message, "errors": [] } }).to_string(),
    )
}

fn checked(email: &str) -> Value {
    answer(
        200,
        &json!({ "requestType": "PASSWORD_RESET", "email": email }).to_string(),
    )
}

fn body(call: &Call) -> Value {
    serde_json::from_str(&call.body).unwrap()
}

fn calls_to(page: &Page, url: &str) -> Vec<Call> {
    page.calls()
        .into_iter()
        .filter(|c| c.url.split('?').next() == Some(url))
        .collect()
}

fn choose(page: &Page, password: &str) {
    page.type_into("#new-password", password);
    page.type_into("#confirm-password", password);
    page.submit("#reset-form");
}

#[wasm_bindgen_test]
async fn an_action_link_is_read_checked_and_shows_the_masked_account() {
    let link = format!(
        "/reset?mode=resetPassword&oobCode={CODE}&apiKey=link-key&lang=en\
         &continueUrl=https%3A%2F%2Fapp.example.test%2Fdone%3Fx%3D1"
    );
    let page = Page::open(
        &link,
        json!({
            "/config.json": [config(r#","continue_origins":["https://app.example.test"]"#)],
            RESET: [checked("alice@example.com"), answer(200, r#"{"requestType":"PASSWORD_RESET"}"#)],
        }),
    )
    .await;
    page.wait_for("the masked account", || find("#account").is_some())
        .await;
    assert_eq!(
        text("#account"),
        "For the account a\u{2022}\u{2022}\u{2022}@example.com"
    );
    assert!(!leptos::prelude::document()
        .body()
        .unwrap()
        .inner_html()
        .contains("alice@"));
    // The link left the address bar; the page and its language stayed.
    assert_eq!(address_bar(), "/reset?lang=en");
    // Checked with the code alone, with the link's key (config.json has none).
    let checks = calls_to(&page, RESET);
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].url, format!("{RESET}?key=link-key"));
    assert_eq!(checks[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(body(&checks[0]), json!({ "oobCode": CODE }));

    choose(&page, "correct horse battery");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = calls_to(&page, RESET);
    assert_eq!(calls.len(), 2);
    assert_eq!(
        body(&calls[1]),
        json!({ "oobCode": CODE, "newPassword": "correct horse battery" })
    );
    // The link's continueUrl is where the person goes next: its origin is listed.
    assert_eq!(
        attr("#continue", "href").as_deref(),
        Some("https://app.example.test/done?x=1")
    );
    assert!(find("#sign-in").is_none());
}

/// A continueUrl to an origin the deployment does not list would make the success page an
/// open redirect: the person is offered the configured sign-in page instead.
#[wasm_bindgen_test]
async fn a_continue_link_to_an_unlisted_origin_is_not_followed() {
    let page = Page::open(
        &format!("/reset?mode=resetPassword&oobCode={CODE}&apiKey=k&continueUrl=https%3A%2F%2Fevil.test%2F"),
        json!({
            "/config.json": [config(r#","continue_origins":["https://app.example.test"]"#)],
            RESET: [checked("alice@example.com"), answer(200, "{}")],
        }),
    )
    .await;
    page.wait_for("the masked account", || find("#account").is_some())
        .await;
    choose(&page, "correct horse battery");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    assert!(find("#continue").is_none());
    assert_eq!(attr("#sign-in", "href").as_deref(), Some("/sign-in"));
}

/// The key in a reset link serves that link alone: on `/recover`, a Firebase deployment without
/// `firebase_api_key` is a configuration problem, whatever the address carries.
#[wasm_bindgen_test]
async fn a_key_from_a_link_is_never_used_to_ask_for_a_link() {
    let page = Page::open(
        "/recover?apiKey=stolen-key&mode=resetPassword",
        json!({ "/config.json": [config("")] }),
    )
    .await;
    page.wait_for("the configuration problem", || {
        page.heading() == "This page is not set up correctly"
    })
    .await;
    assert!(page.calls_to("/v1/accounts:sendOobCode").is_empty());
}

#[wasm_bindgen_test]
async fn an_action_link_at_the_root_is_the_reset_page() {
    let page = Page::open(
        &format!("/?mode=resetPassword&oobCode={CODE}&apiKey=k"),
        json!({
            "/config.json": [config("")],
            RESET: [checked("bo@example.org")],
        }),
    )
    .await;
    assert_eq!(page.heading(), "Choose a new password");
    page.wait_for("the masked account", || find("#account").is_some())
        .await;
    assert_eq!(
        text("#account strong"),
        "b\u{2022}\u{2022}\u{2022}@example.org"
    );
    assert_eq!(address_bar(), "/");
}

#[wasm_bindgen_test]
async fn a_used_or_expired_code_says_so_before_a_password_is_typed() {
    for (message, heading) in [
        ("EXPIRED_OOB_CODE", "This link has expired"),
        ("INVALID_OOB_CODE", "This link is invalid or has expired"),
    ] {
        let page = Page::open(
            &format!("/reset?mode=resetPassword&oobCode={CODE}&apiKey=k"),
            json!({ "/config.json": [config("")], RESET: [firebase_error(message)] }),
        )
        .await;
        page.wait_for(heading, || page.heading() == heading).await;
        assert_eq!(calls_to(&page, RESET).len(), 1, "{message}");
        assert!(find("#request-new-link").is_some());
    }
}

#[wasm_bindgen_test]
async fn a_weak_password_shows_firebases_reason_at_the_field() {
    let page = Page::open(
        &format!("/reset?mode=resetPassword&oobCode={CODE}&apiKey=k"),
        json!({
            "/config.json": [config("")],
            RESET: [
                checked("alice@example.com"),
                firebase_error("WEAK_PASSWORD : Password should be at least 6 characters"),
            ],
        }),
    )
    .await;
    page.wait_for("the check", || find("#account").is_some())
        .await;
    choose(&page, "correct horse battery");
    page.wait_for("the field error", || find("#new-password-error").is_some())
        .await;
    assert!(
        text("#new-password-error").contains("Password should be at least 6 characters."),
        "{}",
        text("#new-password-error")
    );
    assert_eq!(page.heading(), "Choose a new password");
}

#[wasm_bindgen_test]
async fn other_modes_get_their_own_page_and_nothing_is_sent() {
    for mode in ["verifyEmail", "recoverEmail", "verifyAndChangeEmail"] {
        let page = Page::open(
            &format!("/?mode={mode}&oobCode={CODE}&apiKey=k"),
            json!({ "/config.json": [config("")] }),
        )
        .await;
        page.wait_for("the not-a-reset page", || {
            page.heading() == "This link is not for this page"
        })
        .await;
        assert!(text("#main").contains("This site handles password resets only"));
        assert!(!address_bar().contains(CODE), "{}", address_bar());
        let sent: Vec<Call> = page
            .calls()
            .into_iter()
            // Reading the deployment's files (config, languages) sends nothing.
            .filter(|c| c.method != "GET")
            .collect();
        assert!(sent.is_empty(), "{mode}: {sent:?}");
    }
}

#[wasm_bindgen_test]
async fn a_typed_code_is_the_firebase_code() {
    let page = Page::open(
        "/reset",
        json!({
            "/config.json": [config(r#","firebase_api_key":"cfg-key""#)],
            RESET: [answer(200, "{}")],
        }),
    )
    .await;
    page.wait_for("the code field", || find("#reset-code").is_some())
        .await;
    // Firebase mails links only: the code is the link's, and no address is asked for.
    assert!(find("#email").is_none());
    assert_eq!(attr("#reset-code", "class").as_deref(), Some("input"));
    page.type_into("#reset-code", CODE);
    choose(&page, "correct horse battery");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = calls_to(&page, RESET);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].url, format!("{RESET}?key=cfg-key"));
    assert_eq!(
        body(&calls[0]),
        json!({ "oobCode": CODE, "newPassword": "correct horse battery" })
    );
    // No continueUrl: the configured sign-in link.
    assert!(find("#sign-in").is_some());
}

#[wasm_bindgen_test]
async fn asking_for_a_link_reads_alike_whether_or_not_the_account_exists() {
    let mut confirmations = Vec::new();
    for answer in [
        answer(200, r#"{"email":"alice@example.com"}"#),
        firebase_error("EMAIL_NOT_FOUND"),
    ] {
        let page = Page::open(
            "/recover",
            json!({ "/config.json": [config(r#","firebase_api_key":"cfg-key""#)], SEND: [answer] }),
        )
        .await;
        page.type_into("#email", "alice@example.com");
        page.submit("#recovery-form");
        page.wait_for("the confirmation", || page.heading() == "Check your email")
            .await;
        let calls = calls_to(&page, SEND);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].url, format!("{SEND}?key=cfg-key"));
        assert_eq!(
            body(&calls[0]),
            json!({ "requestType": "PASSWORD_RESET", "email": "alice@example.com" })
        );
        confirmations.push(text("#main"));
    }
    assert_eq!(confirmations[0], confirmations[1]);
}

#[wasm_bindgen_test]
async fn too_many_attempts_is_the_rate_limited_state() {
    let page = Page::open(
        "/recover",
        json!({
            "/config.json": [config(r#","firebase_api_key":"cfg-key""#)],
            SEND: [firebase_error("TOO_MANY_ATTEMPTS_TRY_LATER")],
        }),
    )
    .await;
    page.type_into("#email", "alice@example.com");
    page.submit("#recovery-form");
    page.wait_for("the rate-limit message", || find("#form-error").is_some())
        .await;
    assert!(text("#form-error").contains("Too many attempts"));
    assert!(is_disabled("#send-link"));
}

#[wasm_bindgen_test]
async fn firebase_without_a_key_is_a_configuration_problem() {
    let page = Page::open("/recover", json!({ "/config.json": [config("")] })).await;
    page.wait_for("the configuration problem", || {
        page.heading() == "This page is not set up correctly"
    })
    .await;
    assert!(text("#main").contains("firebase_api_key"));
    drop(page);
    let page = Page::open(
        "/recover",
        json!({ "/config.json": [answer(200, r#"{"backend":"firebase","encoding":"json","firebase_api_key":"k"}"#)] }),
    )
    .await;
    page.wait_for("the configuration problem", || {
        page.heading() == "This page is not set up correctly"
    })
    .await;
    assert!(text("#main").contains("unknown key \"encoding\" for the backend \"firebase\""));
}
