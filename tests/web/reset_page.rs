use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

const RESET: &str = "/account/reset-password";
const TOKEN: &str = "Zm9vYmFyLXRva2VuLWZvci10ZXN0cy0xMjM0NTY3ODk";

async fn open_link(routes: serde_json::Value) -> Page {
    let page = Page::open(&format!("/reset?token={TOKEN}"), routes).await;
    page.wait_for("the form", || find("#reset-form").is_some())
        .await;
    page
}

fn choose(page: &Page, password: &str, confirmation: &str) {
    page.type_into("#new-password", password);
    page.type_into("#confirm-password", confirmation);
    page.submit("#reset-form");
}

#[wasm_bindgen_test]
async fn token_is_taken_out_of_the_address_bar_before_anything_is_typed() {
    let page = open_link(json!({})).await;
    page.wait_for("the token to leave the address bar", || {
        !address_bar().contains("token")
    })
    .await;
    assert_eq!(address_bar(), "/reset");
    assert_eq!(page.heading(), "Choose a new password");
    assert!(!leptos::prelude::document()
        .body()
        .unwrap()
        .inner_html()
        .contains(TOKEN));
}

#[wasm_bindgen_test]
async fn token_in_the_fragment_works_too() {
    let page = Page::open(
        &format!("/reset#token={TOKEN}"),
        json!({ RESET: [answer(200, "{}")] }),
    )
    .await;
    page.wait_for("the token to leave the address bar", || {
        address_bar() == "/reset"
    })
    .await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    assert_eq!(
        form_field(&page.calls_to(RESET)[0].body, "token").as_deref(),
        Some(TOKEN)
    );
}

/// `/reset` with no token in the link: the code from the email is typed there.
async fn open_without_token(routes: serde_json::Value) -> Page {
    let page = Page::open("/reset", routes).await;
    page.wait_for("the code field", || find("#reset-code").is_some())
        .await;
    page
}

fn enter_code(page: &Page, code: &str) {
    page.type_into("#reset-code", code);
    choose(page, "correct horse battery", "correct horse battery");
}

#[wasm_bindgen_test]
async fn a_link_without_a_token_asks_for_the_code_with_a_labelled_field() {
    let page = open_without_token(json!({ RESET: [answer(200, "{}")] })).await;
    assert_eq!(page.heading(), "Choose a new password");
    assert_eq!(text("label[for='reset-code']"), "Reset code");
    assert!(text("#reset-code-hint").contains("under the link"));
    assert!(attr("#reset-code", "aria-describedby")
        .unwrap()
        .contains("reset-code-hint"));
    for (name, expected) in [
        ("type", "text"),
        ("autocomplete", "one-time-code"),
        ("autocapitalize", "none"),
        ("spellcheck", "false"),
        ("dir", "ltr"),
    ] {
        assert_eq!(
            attr("#reset-code", name).as_deref(),
            Some(expected),
            "{name}"
        );
    }
    // The password fields are there too, so the person can finish on this page.
    assert!(find("#new-password").is_some() && find("#confirm-password").is_some());
    assert_eq!(
        attr("#request-new-link", "href").as_deref(),
        Some("/recover?lang=en")
    );

    page.submit("#reset-form");
    page.wait_for("the code error", || find("#reset-code-error").is_some())
        .await;
    assert!(text("#reset-code-error").contains("Enter the reset code from the email"));
    assert_eq!(attr("#reset-code", "aria-invalid").as_deref(), Some("true"));
    page.wait_for("focus on the code", || focused_id() == "reset-code")
        .await;
    assert!(page.calls_to(RESET).is_empty());
}

/// Without a secret the page is the code form from its first render: no form for a link is
/// built only to be torn down (on a slow phone that is a long task while the page must answer).
#[wasm_bindgen_test]
async fn without_a_secret_the_first_form_built_is_the_code_form() {
    // Each reset form put in the page, and whether it held the code field then.
    js_sys::Function::new_no_args(
        "const seen = (window.resetFormsSeen = []);
        const observer = (window.resetFormsObserver = new MutationObserver((records) => {
            for (const node of records.flatMap((record) => [...record.addedNodes])) {
                if (!node.querySelectorAll) continue;
                for (const form of [node, ...node.querySelectorAll('form')]) {
                    if (form.id === 'reset-form') seen.push(!!form.querySelector('#reset-code'));
                }
            }
        }));
        observer.observe(document.body, { childList: true, subtree: true });",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
    let _page = open_without_token(json!({})).await;
    // The tests that follow share this page: stop watching them.
    js_sys::Function::new_no_args("window.resetFormsObserver.disconnect();")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
    let seen = js_sys::Reflect::get(&leptos::prelude::window(), &"resetFormsSeen".into()).unwrap();
    let seen: Vec<bool> = js_sys::Array::from(&seen)
        .iter()
        .map(|held_code| held_code.as_bool().unwrap())
        .collect();
    assert_eq!(seen, [true]);
}

#[wasm_bindgen_test]
async fn a_malformed_code_is_refused_at_its_field_and_nothing_is_sent() {
    let page = open_without_token(json!({ RESET: [answer(200, "{}")] })).await;
    let two_tokens = format!("{TOKEN} {TOKEN}");
    for (typed, message) in [
        // Far longer than a short code, with a space inside: not something from the email.
        (two_tokens.as_str(), "with no spaces"),
        ("https://id.example.com/reset?lang=fr", "no code in it"),
        // Only spaces: a text input drops line breaks itself.
        ("   ", "Enter the reset code"),
    ] {
        enter_code(&page, typed);
        page.wait_for("the code error", || {
            find("#reset-code-error").is_some_and(|e| e.text_content().unwrap().contains(message))
        })
        .await;
        page.wait_for("focus on the code", || focused_id() == "reset-code")
            .await;
        assert_eq!(value("#reset-code"), typed, "what was typed is kept");
        assert!(find("#new-password-error").is_none());
    }
    assert!(page.calls_to(RESET).is_empty());
}

#[wasm_bindgen_test]
async fn a_typed_code_is_trimmed_sent_and_cleared_after_success() {
    let page = open_without_token(json!({ RESET: [answer(200, "{}")] })).await;
    enter_code(&page, &format!("  {TOKEN} \n"));
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let calls = page.calls_to(RESET);
    assert_eq!(calls.len(), 1);
    assert_eq!(form_field(&calls[0].body, "token").as_deref(), Some(TOKEN));
    assert!(find("#reset-code").is_none());
    assert!(!leptos::prelude::document()
        .body()
        .unwrap()
        .inner_html()
        .contains(TOKEN));
}

#[wasm_bindgen_test]
async fn pasting_the_whole_link_sends_its_code_and_nothing_reaches_the_address_bar_or_storage() {
    let page = open_without_token(json!({ RESET: [answer(200, "{}")] })).await;
    enter_code(
        &page,
        &format!("https://id.example.com/reset?token={TOKEN}&lang=fr\n"),
    );
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    assert_eq!(
        form_field(&page.calls_to(RESET)[0].body, "token").as_deref(),
        Some(TOKEN)
    );
    assert_eq!(address_bar(), "/reset");
    let window = leptos::prelude::window();
    assert_eq!(
        window.local_storage().unwrap().unwrap().length().unwrap(),
        0
    );
    assert_eq!(
        window.session_storage().unwrap().unwrap().length().unwrap(),
        0
    );
}

#[wasm_bindgen_test]
async fn a_refused_code_says_what_the_api_said_of_it_and_offers_a_new_link() {
    // A link's secret pasted into the code field is a link like any other.
    let page = open_without_token(json!({
        RESET: [answer(410, r#"{"error":"used_token","message":"Used"}"#)]
    }))
    .await;
    enter_code(&page, TOKEN);
    page.wait_for("the used-link state", || {
        page.heading() == "This link has already been used"
    })
    .await;
    assert_eq!(
        attr("#request-new-link", "href").as_deref(),
        Some("/recover?lang=en")
    );
}

#[wasm_bindgen_test]
async fn short_password_and_mismatch_are_refused_at_their_fields_without_a_request() {
    let page = open_link(json!({ RESET: [answer(200, "{}")] })).await;
    choose(&page, "short", "short");
    page.wait_for("the length error", || find("#new-password-error").is_some())
        .await;
    assert!(text("#new-password-error").contains("at least 8 characters"));
    assert_eq!(
        attr("#new-password", "aria-invalid").as_deref(),
        Some("true")
    );
    assert!(attr("#new-password", "aria-describedby")
        .unwrap()
        .contains("new-password-error"));
    page.wait_for("focus on the password", || focused_id() == "new-password")
        .await;

    choose(&page, "long enough now", "long enough n0w");
    page.wait_for("the mismatch error", || {
        find("#confirm-password-error").is_some()
    })
    .await;
    assert!(text("#confirm-password-error").contains("do not match"));
    assert!(find("#new-password-error").is_none());
    page.wait_for("focus on the confirmation", || {
        focused_id() == "confirm-password"
    })
    .await;

    let too_long = "x".repeat(129);
    choose(&page, &too_long, &too_long);
    page.wait_for("the too-long error", || {
        find("#new-password-error").is_some()
    })
    .await;
    assert!(text("#new-password-error").contains("128 characters or fewer"));
    assert_eq!(
        value("#new-password").chars().count(),
        129,
        "never truncated"
    );

    // Every message above came from a submit that would otherwise have sent.
    assert!(page.calls_to(RESET).is_empty());
}

#[wasm_bindgen_test]
async fn rules_update_live_as_the_person_types() {
    let page = open_link(json!({})).await;
    let met = || {
        leptos::prelude::document()
            .query_selector_all("#password-rules .rule-met")
            .unwrap()
            .length()
    };
    assert_eq!(met(), 0);
    page.type_into("#new-password", "🔑🔑🔑🔑🔑🔑🔑🔑");
    page.wait_for("the length rule", || met() == 1).await;
    page.type_into("#confirm-password", "🔑🔑🔑🔑🔑🔑🔑🔑");
    page.wait_for("both rules", || met() == 2).await;
    page.type_into("#new-password", "🔑🔑🔑🔑🔑🔑🔑");
    page.wait_for("seven emoji fall short", || met() == 0).await;
}

#[wasm_bindgen_test]
async fn password_is_sent_byte_exact() {
    let page = open_link(json!({ RESET: [answer(200, "{}")] })).await;
    // Spaces at both ends, mixed case, a decomposed é and emoji: all kept.
    let password = "  Caf\u{65}\u{301} 🔑🔑 Ünïcödé  ";
    choose(&page, password, password);
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;

    let calls = page.calls_to(RESET);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].method, "POST");
    assert!(calls[0]
        .content_type
        .as_deref()
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(
        form_field(&calls[0].body, "new_password").as_deref(),
        Some(password)
    );
    assert_eq!(form_field(&calls[0].body, "token").as_deref(), Some(TOKEN));
}

#[wasm_bindgen_test]
async fn success_offers_the_configured_sign_in_link() {
    let page = open_link(json!({
        "/config.json": [answer(200, r#"{"sign_in_url":"https://example.test/login"}"#)],
        RESET: [answer(200, "{}")],
    }))
    .await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    assert_eq!(
        attr("#sign-in", "href").as_deref(),
        Some("https://example.test/login")
    );
    page.wait_for("focus on the heading", || focused_id() == "page-heading")
        .await;
    page.wait_for("the announcement", || {
        text("#announcer") == "Your password has been changed."
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_refused_link_says_what_the_api_said_of_it_and_what_to_do() {
    let config = r#"{"link_lifetime_minutes": 30}"#;
    for (status, body, heading, lead) in [
        (
            410,
            r#"{"error":"used_token","message":"Used"}"#,
            "This link has already been used",
            "If it wasn't you who used it",
        ),
        (
            410,
            r#"{"error":"expired_token","message":"Expired"}"#,
            "This link has expired",
            "Reset links work for 30 minutes after they are sent.",
        ),
        // Whatever else the API says: as before, invalid or expired.
        (
            401,
            "",
            "This link is invalid or has expired",
            "work once and expire",
        ),
        (
            403,
            "<html>Forbidden</html>",
            "This link is invalid or has expired",
            "work once",
        ),
        (404, "", "This link is invalid or has expired", "work once"),
        (410, "", "This link is invalid or has expired", "work once"),
    ] {
        let page = Page::open(
            "/reset?token=abc",
            json!({ "/config.json": [answer(200, config)], RESET: [answer(status, body)] }),
        )
        .await;
        choose(&page, "correct horse battery", "correct horse battery");
        page.wait_for(heading, || page.heading() == heading).await;
        assert!(
            text("#dead-link").contains(lead),
            "{status} {body}: {}",
            text("#dead-link")
        );
        // Without an address the page knows, the next step is the request page.
        assert_eq!(
            attr("#request-new-link", "href").as_deref(),
            Some("/recover?lang=en"),
            "status {status}"
        );
        assert!(find("#reset-form").is_none());
    }
}

#[wasm_bindgen_test]
async fn an_expired_link_without_a_configured_lifetime_says_links_expire() {
    let expired = answer(410, r#"{"error":"expired_token","message":"Expired"}"#);
    let page = open_link(json!({ RESET: [expired] })).await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("the expired state", || {
        page.heading() == "This link has expired"
    })
    .await;
    assert!(text("#dead-link").contains("expire after a short time"));
}

#[wasm_bindgen_test]
async fn a_link_cut_short_asks_for_the_code_and_keeps_the_new_password() {
    let unknown = answer(
        400,
        r#"{"error":"invalid_token","message":"Unknown token"}"#,
    );
    let page =
        open_link(json!({ RESET: [unknown, answer(200, r#"{"sessions_ended":true}"#)] })).await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("the incomplete-link state", || {
        page.heading() == "This link is incomplete"
    })
    .await;
    assert!(text("#incomplete").contains("Enter the code from the same email"));
    assert!(find("#reset-code").is_some(), "no code field");
    assert_eq!(value("#new-password"), "correct horse battery");
    assert_eq!(value("#confirm-password"), "correct horse battery");
    page.type_into("#email", "alice@example.com");
    page.type_into("#reset-code", "KQ7M-XW3P");
    page.submit("#reset-form");
    page.wait_for("the success", || {
        page.heading() == "Your password has been changed"
    })
    .await;
    let sent = page.calls_to(RESET);
    assert_eq!(
        form_field(&sent[1].body, "code").as_deref(),
        Some("KQ7M-XW3P")
    );
    assert_eq!(
        form_field(&sent[1].body, "new_password").as_deref(),
        Some("correct horse battery")
    );
    assert!(text("#done-lead").contains("signed out on every device"));
}

#[wasm_bindgen_test]
async fn weak_password_shows_the_reason_in_the_pages_words_and_keeps_what_was_typed() {
    let weak = answer(
        422,
        r#"{"error":"weak_password","message":"This password is too common. Choose another.","reasons":["common"]}"#,
    );
    let page = open_link(json!({ RESET: [weak] })).await;
    choose(&page, "password123", "password123");
    page.wait_for("the policy message", || {
        find("#new-password-error").is_some()
    })
    .await;
    // A reason of the contract is worded by the page, in the reader's language.
    assert!(text("#new-password-error").contains("too common or too easy to guess"));
    assert_eq!(value("#new-password"), "password123");
    assert_eq!(value("#confirm-password"), "password123");
    page.wait_for("focus on the password", || focused_id() == "new-password")
        .await;
}

/// A policy the pages know nothing of (no reason they know): the API's own sentence.
#[wasm_bindgen_test]
async fn a_refusal_for_a_reason_the_pages_do_not_know_shows_the_apis_sentence() {
    let weak = answer(
        422,
        r#"{"error":"weak_password","message":"Use a digit somewhere.","reasons":["needs_digit"]}"#,
    );
    let page = open_link(json!({ RESET: [weak] })).await;
    choose(&page, "password-without", "password-without");
    page.wait_for("the policy message", || {
        find("#new-password-error").is_some()
    })
    .await;
    assert!(text("#new-password-error").contains("Use a digit somewhere."));
}

#[wasm_bindgen_test]
async fn rate_limit_server_error_and_network_keep_the_form() {
    let limited = answer_with_headers(429, "", json!({ "retry-after": "120" }));
    let page = open_link(json!({ RESET: [limited] })).await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("the rate-limit message", || find("#form-error").is_some())
        .await;
    assert!(text("#form-error").contains("Wait 2 minutes"));
    assert!(is_disabled("#set-password"));
    // Both pages say when trying again will work.
    assert!(text("#set-password + .hint").starts_with("You can try again in 1"));
    assert_eq!(value("#new-password"), "correct horse battery");
    drop(page);

    let page = open_link(json!({ RESET: [answer(503, ""), network_error()] })).await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("the server error", || find("#form-error").is_some())
        .await;
    assert!(text("#form-error").contains("error 503"));
    page.submit("#reset-form");
    page.wait_for("the network error", || {
        text("#form-error").contains("could not reach")
    })
    .await;
    assert_eq!(value("#confirm-password"), "correct horse battery");
    assert_eq!(page.heading(), "Choose a new password");
}

#[wasm_bindgen_test]
async fn show_passwords_reveals_both_fields_and_says_so() {
    let page = open_link(json!({})).await;
    assert_eq!(
        attr("#show-passwords", "aria-pressed").as_deref(),
        Some("false")
    );
    assert_eq!(attr("#new-password", "type").as_deref(), Some("password"));

    page.click("#show-passwords");
    page.wait_for("revealed", || {
        attr("#new-password", "type").as_deref() == Some("text")
    })
    .await;
    assert_eq!(attr("#confirm-password", "type").as_deref(), Some("text"));
    assert_eq!(
        attr("#show-passwords", "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr("#new-password", "autocomplete").as_deref(),
        Some("new-password")
    );
    page.wait_for("the announcement", || {
        text("#announcer") == "Your passwords are shown."
    })
    .await;

    page.click("#show-passwords");
    page.wait_for("hidden", || {
        attr("#confirm-password", "type").as_deref() == Some("password")
    })
    .await;
    assert_eq!(
        attr("#show-passwords", "aria-pressed").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn a_request_that_never_answers_times_out_with_the_form_kept() {
    let page = open_link(json!({ RESET: [never_answers()] })).await;
    choose(&page, "correct horse battery", "correct horse battery");
    page.wait_for("progress", || text("#set-password") == "Saving…")
        .await;
    wait_for_at_most("the timeout", std::time::Duration::from_secs(20), || {
        find("#form-error").is_some()
    })
    .await;
    assert!(text("#form-error").contains("took too long"));
    assert_eq!(text("#set-password"), "Set new password");
    assert_eq!(value("#new-password"), "correct horse battery");
}
