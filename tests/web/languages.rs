//! The pages in the reader's language: which one is chosen, the switcher, a deployer's own
//! sentences, and a broken locale file.

use leptos::prelude::{document, window};
use reclaim::i18n::plural;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

async fn heading_is(page: &Page, expected: &str) {
    page.wait_for(&format!("the heading {expected:?}"), || {
        page.heading() == expected
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_address_wins_then_the_earlier_choice_then_the_browser_then_the_default() {
    browser_languages(&["de-AT", "en"]);
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("reclaim.locale", "ja")
        .unwrap();
    let page = Page::open("/recover?lang=ar", json!({})).await;
    heading_is(&page, &translation("ar", "recover.heading")).await;
    assert_eq!(html_attr("lang"), "ar");
    assert_eq!(html_attr("dir"), "rtl");
    drop(page);

    // Without ?lang=, the choice kept from an earlier visit.
    browser_languages(&["de-AT", "en"]);
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item("reclaim.locale", "ja")
        .unwrap();
    let page = Page::open("/recover", json!({})).await;
    heading_is(&page, &translation("ja", "recover.heading")).await;
    assert_eq!(html_attr("dir"), "ltr");
    drop(page);

    // Without either, the browser's languages by language: de-AT reads German.
    browser_languages(&["kl", "de-AT", "en"]);
    let page = Page::open("/recover?lang=xx", json!({})).await;
    heading_is(&page, &translation("de", "recover.heading")).await;
    assert_eq!(html_attr("lang"), "de");
    drop(page);

    // zh-CN reads Simplified Chinese, zh-TW Traditional; pt-AO European Portuguese, pt
    // Brazilian; no (Norwegian) Bokmål.
    for (asked, locale) in [
        ("zh-CN", "zh-Hans"),
        ("zh-TW", "zh-Hant"),
        ("pt-AO", "pt-PT"),
        ("pt", "pt-BR"),
        ("no", "nb"),
        ("es-MX", "es"),
    ] {
        browser_languages(&[asked]);
        let page = Page::open("/recover", json!({})).await;
        heading_is(&page, &translation(locale, "recover.heading")).await;
        drop(page);
    }

    // Nothing asked for is offered: the deployment's default.
    browser_languages(&["kl"]);
    let config = r#"{"locales": ["en", "fr", "ar"], "default_locale": "fr"}"#;
    let page = Page::open("/recover", json!({ "/config.json": [answer(200, config)] })).await;
    heading_is(&page, &translation("fr", "recover.heading")).await;
    // And the switcher lists what the deployment offers, each in its own language.
    page.wait_for("three languages", || {
        document()
            .query_selector_all(".language-list li:not([hidden]) a")
            .unwrap()
            .length()
            == 3
    })
    .await;
    assert_eq!(text(".language-list a[lang='ar']"), "العربية");
    assert_eq!(
        attr(".language-list a[lang='fr']", "aria-current").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn a_language_that_is_not_offered_is_not_used_even_when_asked_for() {
    let config = r#"{"locales": ["en", "fr"]}"#;
    let page = Page::open(
        "/recover?lang=ja",
        json!({ "/config.json": [answer(200, config)] }),
    )
    .await;
    page.wait_for("the app name", || text(".app-name") == "Reclaim")
        .await;
    assert_eq!(page.heading(), "Forgot your password?");
    assert_eq!(html_attr("lang"), "en");
}

#[wasm_bindgen_test]
async fn the_switcher_changes_the_language_in_place_and_keeps_what_was_typed() {
    let page = Page::open(
        "/recover",
        json!({ "/account/recovery": [answer(400, r#"{"error":"invalid_email","message":"Not an address."}"#)] }),
    )
    .await;
    page.wait_for("the app name", || text(".app-name") == "Reclaim")
        .await;
    page.type_into("#email", "alice@example.com");
    page.click(".language-list a[lang='ar']");
    heading_is(&page, &translation("ar", "recover.heading")).await;
    assert_eq!(value("#email"), "alice@example.com");
    assert_eq!(html_attr("dir"), "rtl");
    assert_eq!(attr("#email", "dir").as_deref(), Some("ltr"));
    assert_eq!(
        text("label[for='email']"),
        translation("ar", "recover.email_label")
    );
    assert_eq!(address_bar(), "/recover?lang=ar");
    assert_eq!(
        window()
            .local_storage()
            .unwrap()
            .unwrap()
            .get_item("reclaim.locale")
            .unwrap()
            .as_deref(),
        Some("ar")
    );
    // The menu closed behind the choice.
    let menu: web_sys::HtmlDetailsElement = get(".language").unchecked_into();
    assert!(!menu.open());

    // The API hears the language, and its known code is worded by the page, in Arabic.
    page.submit("#recovery-form");
    page.wait_for("the field error", || find("#email-error").is_some())
        .await;
    assert!(text("#email-error").contains(&translation("ar", "email.malformed")));
    let calls = page.calls_to("/account/recovery");
    assert_eq!(calls[0].accept_language.as_deref(), Some("ar"));

    // Switching back re-words the error already shown.
    page.click(".language-list a[lang='en']");
    heading_is(&page, "Forgot your password?").await;
    assert!(text("#email-error").contains("in the correct format"));
    assert_eq!(html_attr("dir"), "ltr");
}

#[wasm_bindgen_test]
async fn a_deployers_file_overrides_sentences_and_falls_back_for_the_rest() {
    let overrides = r#"{"recover.heading": "Mot de passe oublié ? Pas de souci",
                        "recover.send_again_in": {"other": "Renvoyer ({count})"}}"#;
    let page = Page::open(
        "/recover?lang=fr",
        json!({ "/locales/fr.json": [answer(200, overrides)] }),
    )
    .await;
    heading_is(&page, "Mot de passe oublié ? Pas de souci").await;
    assert_eq!(text("#send-link"), translation("fr", "recover.send"));
    drop(page);

    // A locale the pages do not have, added by the deployer: its own sentences, English for the rest.
    browser_languages(&["lv-LV"]);
    let config = r#"{"locales": ["en", "lv"], "default_locale": "lv"}"#;
    let latvian = r#"{"recover.heading": "Aizmirsāt paroli?"}"#;
    let page = Page::open(
        "/recover",
        json!({ "/config.json": [answer(200, config)], "/locales/lv.json": [answer(200, latvian)] }),
    )
    .await;
    heading_is(&page, "Aizmirsāt paroli?").await;
    assert_eq!(text("#send-link"), "Send reset link");
    assert_eq!(html_attr("lang"), "lv");
}

#[wasm_bindgen_test]
async fn a_broken_locale_file_is_a_configuration_problem_in_english_and_nothing_is_sent() {
    for broken in [
        r#"{"recover.heading": "#,
        r#"{"recover.heding": "x"}"#,
        r#"["x"]"#,
    ] {
        let page = Page::open(
            "/recover?lang=de",
            json!({ "/locales/de.json": [answer(200, broken)], "/account/recovery": [answer(200, "{}")] }),
        )
        .await;
        heading_is(&page, "This page is not set up correctly").await;
        assert!(
            text(".alert").contains("locales/de.json"),
            "{}",
            text(".alert")
        );
        assert!(find("#recovery-form").is_none());
        assert!(page.calls_to("/account/recovery").is_empty());
        drop(page);
    }
}

#[wasm_bindgen_test]
async fn counted_texts_take_the_locales_plural_form() {
    // Arabic: 8 takes "few", 11 "many". The rule's minimum is configured.
    let config = r#"{"min_password_length": 11}"#;
    let page = Page::open(
        "/reset?token=abc&lang=ar",
        json!({ "/config.json": [answer(200, config)] }),
    )
    .await;
    heading_is(&page, &translation("ar", "reset.heading")).await;
    let file: serde_json::Value =
        serde_json::from_str(BUILT_IN_FILES.iter().find(|(t, _)| *t == "ar").unwrap().1).unwrap();
    let many = file["reset.rule_minimum"]["many"]
        .as_str()
        .unwrap()
        .replace("{count}", "11");
    page.wait_for("the Arabic 'many' form", || {
        text("#password-rules li").starts_with(&many)
    })
    .await;
}

/// The browser's plural rules (which the pages use) and ICU4X's (which the build's prerender
/// uses) agree for every built-in locale.
#[wasm_bindgen_test]
fn the_browsers_plural_rules_match_the_builds() {
    use icu_plurals::{PluralCategory, PluralRules};

    for locale in reclaim_contract::locale::BUILT_IN {
        let parsed: icu_locale_core::Locale = locale.parse().unwrap();
        let rules = PluralRules::try_new_cardinal(parsed.into()).unwrap();
        for count in (0..=250).chain([1000, 1_000_000, 2_000_000]) {
            let build = match rules.category_for(count) {
                PluralCategory::Zero => "zero",
                PluralCategory::One => "one",
                PluralCategory::Two => "two",
                PluralCategory::Few => "few",
                PluralCategory::Many => "many",
                PluralCategory::Other => "other",
            };
            assert_eq!(plural::category(locale, count), build, "{locale} {count}");
        }
    }
}
