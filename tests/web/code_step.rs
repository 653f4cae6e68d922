//! The short code from the mail, typed in the tab where the recovery started (`/recover`, after
//! "Check your email") or on `/reset` without a link (with the address): every state of that
//! step, with `fetch` playing the contract's API.

use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const RECOVERY: &str = "/account/recovery";
const RESET: &str = "/account/reset-password";
const PASSWORD: &str = "correct horse battery";
const REFUSED: &str = r#"{"error":"invalid_token","message":"This link is invalid."}"#;

/// `/recover` → an address → "Check your email" → "Enter the code from the email".
async fn code_step(reset_answers: serde_json::Value) -> Page {
    let page = Page::open(
        "/recover",
        json!({ RECOVERY: [answer(200, "{}")], RESET: reset_answers }),
    )
    .await;
    page.type_into("#email", "alice@example.com");
    page.submit("#recovery-form");
    page.wait_for("the offer to enter the code", || {
        find("#enter-code").is_some()
    })
    .await;
    page.click("#enter-code");
    page.wait_for("the code step", || {
        page.heading() == "Enter the code from the email"
    })
    .await;
    page
}

fn enter(page: &Page, code: &str) {
    page.type_into("#reset-code", code);
    page.type_into("#new-password", PASSWORD);
    page.type_into("#confirm-password", PASSWORD);
    page.submit("#reset-form");
}

#[wasm_bindgen_test]
async fn the_code_from_the_mail_resets_the_password_in_the_same_tab() {
    let page = code_step(json!([answer(200, "{}")])).await;
    assert!(text("#code-lead").contains("alice@example.com"));
    page.wait_for("focus on the heading", || focused_id() == "page-heading")
        .await;
    for (name, expected) in [
        ("autocomplete", "one-time-code"),
        ("dir", "ltr"),
        ("class", "input input-code"),
    ] {
        assert_eq!(
            attr("#reset-code", name).as_deref(),
            Some(expected),
            "{name}"
        );
    }
    // The address is known: no field for it, but password managers learn whose password it is.
    assert!(find("#email").is_none());
    assert_eq!(
        attr("input[autocomplete='username']", "value").as_deref(),
        Some("alice@example.com")
    );

    // Typed as a person reads it off a phone: lower case, a space for the dash.
    enter(&page, " kq7m xw3p ");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = page.calls_to(RESET);
    assert_eq!(calls.len(), 1);
    assert_eq!(
        form_field(&calls[0].body, "email").as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        form_field(&calls[0].body, "code").as_deref(),
        Some("kq7mxw3p")
    );
    assert_eq!(
        form_field(&calls[0].body, "new_password").as_deref(),
        Some(PASSWORD)
    );
    assert_eq!(form_field(&calls[0].body, "token"), None);
    page.wait_for("the announcement", || {
        text("#announcer") == "Your password has been changed."
    })
    .await;
    // Nothing of the code stays in the address bar or storage.
    assert_eq!(address_bar(), "/recover");
    let storage = leptos::prelude::window().local_storage().unwrap().unwrap();
    for i in 0..storage.length().unwrap() {
        let key = storage.key(i).unwrap().unwrap();
        assert!(!storage
            .get_item(&key)
            .unwrap()
            .unwrap_or_default()
            .contains("kq7m"));
    }
}

#[wasm_bindgen_test]
async fn a_wrong_code_is_said_at_its_field_and_can_be_corrected_in_place() {
    let page = code_step(json!([answer(400, REFUSED), answer(200, "{}")])).await;
    enter(&page, "KQ7M-XW3Q");
    page.wait_for("the code error", || find("#reset-code-error").is_some())
        .await;
    assert!(text("#reset-code-error").contains("This code is wrong or has expired"));
    assert_eq!(attr("#reset-code", "aria-invalid").as_deref(), Some("true"));
    page.wait_for("focus on the code", || focused_id() == "reset-code")
        .await;
    // What was typed stays, the passwords too: only the code needs correcting.
    assert_eq!(value("#reset-code"), "KQ7M-XW3Q");
    assert_eq!(value("#new-password"), PASSWORD);
    assert_eq!(page.heading(), "Enter the code from the email");

    page.type_into("#reset-code", "KQ7M-XW3P");
    page.submit("#reset-form");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    assert_eq!(page.calls_to(RESET).len(), 2);
}

#[wasm_bindgen_test]
async fn after_five_wrong_codes_a_new_one_must_be_asked_for() {
    let page = code_step(json!([answer(400, REFUSED)])).await;
    for attempt in 1..=4 {
        enter(&page, &format!("WRNG-000{attempt}"));
        page.wait_for("the code error", || {
            find("#reset-code-error").is_some() && page.calls_to(RESET).len() == attempt
        })
        .await;
    }
    enter(&page, "WRNG-0005");
    page.wait_for("the spent code", || {
        page.heading() == "This code can no longer be used"
    })
    .await;
    assert!(text("#main").contains("Your password has not been changed"));
    assert_eq!(page.calls_to(RESET).len(), 5);
    // Sending a new code is what is offered (once the pause after the last send is over).
    assert!(
        text("#send-again").starts_with("Send again in")
            || text("#send-again") == "Send a new code"
    );
    page.wait_for("focus on the heading", || focused_id() == "page-heading")
        .await;
}

#[wasm_bindgen_test]
async fn a_refused_password_and_a_rate_limit_keep_the_code_step() {
    let weak = r#"{"error":"weak_password","message":"Too common.","reasons":["common"]}"#;
    let limited = answer_with_headers(
        429,
        r#"{"error":"rate_limited"}"#,
        json!({ "content-type": "application/json", "retry-after": "30" }),
    );
    let page = code_step(json!([answer(422, weak), limited])).await;
    enter(&page, "KQ7M-XW3P");
    page.wait_for("the password refusal", || {
        find("#new-password-error").is_some()
    })
    .await;
    assert!(text("#new-password-error").contains("too common"));
    assert!(find("#reset-code-error").is_none());

    page.submit("#reset-form");
    page.wait_for("the rate limit", || find("#form-error").is_some())
        .await;
    assert!(text("#form-error").contains("Wait 30 seconds"));
    assert!(is_disabled("#set-password"));
    assert_eq!(value("#reset-code"), "KQ7M-XW3P");
    assert_eq!(page.heading(), "Enter the code from the email");
}

#[wasm_bindgen_test]
async fn reset_without_a_link_asks_for_the_address_with_the_code() {
    let page = Page::open("/reset", json!({ RESET: [answer(200, "{}")] })).await;
    page.wait_for("the address field", || find("#email").is_some())
        .await;
    assert_eq!(attr("#email", "autocomplete").as_deref(), Some("username"));
    assert!(text("#main").contains("Enter your email address and the code"));

    // A short code needs the address it was mailed to.
    enter(&page, "KQ7M-XW3P");
    page.wait_for("the address error", || find("#email-error").is_some())
        .await;
    assert!(text("#email-error").contains("Enter your email address"));
    page.wait_for("focus on the address", || focused_id() == "email")
        .await;
    assert!(page.calls_to(RESET).is_empty());

    page.type_into("#email", "alice@example.com");
    page.submit("#reset-form");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = page.calls_to(RESET);
    assert_eq!(
        form_field(&calls[0].body, "email").as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        form_field(&calls[0].body, "code").as_deref(),
        Some("KQ7M-XW3P")
    );
}

#[wasm_bindgen_test]
async fn a_pasted_link_needs_no_address() {
    let token = "Zm9vYmFyLXRva2VuLWZvci10ZXN0cy0xMjM0NTY3ODk";
    let page = Page::open("/reset", json!({ RESET: [answer(200, "{}")] })).await;
    page.wait_for("the address field", || find("#email").is_some())
        .await;
    enter(
        &page,
        &format!("https://id.example.com/reset?token={token}&lang=en"),
    );
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = page.calls_to(RESET);
    assert_eq!(form_field(&calls[0].body, "token").as_deref(), Some(token));
    assert_eq!(form_field(&calls[0].body, "email"), None);
}

/// django-allauth in code mode answers the request with a session that the code must be sent
/// with: kept in memory in this tab, never anywhere else.
#[wasm_bindgen_test]
async fn a_session_the_backend_gives_with_the_request_goes_with_the_code() {
    const API: &str = "https://api.test";
    let request = format!("{API}/_allauth/app/v1/auth/password/request");
    let reset = format!("{API}/_allauth/app/v1/auth/password/reset");
    let page = Page::open(
        "/recover",
        json!({
            "/config.json": [answer(200, &format!(r#"{{"backend":"allauth-codes","api_base":"{API}"}}"#))],
            request: [answer(401, r#"{"status":401,"meta":{"is_authenticated":false,"session_token":"s3ss10n"}}"#)],
            reset.clone(): [answer(401, r#"{"status":401,"meta":{"is_authenticated":false}}"#)],
        }),
    )
    .await;
    page.type_into("#email", "alice@example.com");
    page.submit("#recovery-form");
    page.wait_for("the offer to enter the code", || {
        find("#enter-code").is_some()
    })
    .await;
    page.click("#enter-code");
    page.wait_for("the code step", || find("#reset-code").is_some())
        .await;
    enter(&page, "zntz-ppgd");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls: Vec<Call> = page
        .calls()
        .into_iter()
        .filter(|c| c.url == reset)
        .collect();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].session_token.as_deref(), Some("s3ss10n"));
    let sent: serde_json::Value = serde_json::from_str(&calls[0].body).unwrap();
    assert_eq!(sent, json!({ "key": "zntz-ppgd", "password": PASSWORD }));
    let storage = leptos::prelude::window().local_storage().unwrap().unwrap();
    for i in 0..storage.length().unwrap() {
        let key = storage.key(i).unwrap().unwrap();
        assert!(!storage
            .get_item(&key)
            .unwrap()
            .unwrap_or_default()
            .contains("s3ss10n"));
    }
}
