//! Every built-in locale as its readers first see it: each page prerendered in it (its
//! `lang` and `dir`, no English sentence left), in one browser; and the reset page at 320 px in
//! each right-to-left locale and each script other than Latin, axe-clean and photographed with
//! the fonts the test machine has (Debian's Noto), so that no glyph is missing.

use anyhow::{ensure, Context, Result};
use reclaim_contract::locale::{is_right_to_left, BUILT_IN, DEFAULT_LOCALE};
use reclaim_e2e::run;
use serde_json::{json, Value};

use crate::{first_paint::open_with_the_wasm_held_back, *};

/// The English sentences of the pages (en.json), each with its key.
fn english() -> Result<Vec<(String, String)>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/i18n/builtin/en.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let mut sentences = Vec::new();
    for (key, value) in file.as_object().context("en.json is an object")? {
        match value {
            Value::String(text) => sentences.push((key.clone(), text.clone())),
            Value::Object(forms) => sentences.extend(
                forms
                    .values()
                    .filter_map(Value::as_str)
                    .map(|text| (key.clone(), text.to_owned())),
            ),
            _ => {}
        }
    }
    Ok(sentences)
}

/// A sentence's words without its placeholders, long enough to be recognised as English
/// wherever it is left: the longest run between `{…}`.
fn recognisable(sentence: &str) -> Option<String> {
    let longest = sentence
        .split(['{', '}'])
        .step_by(2)
        .map(str::trim)
        .max_by_key(|part| part.len())?;
    (longest.len() >= 12).then(|| longest.to_owned())
}

/// Each locale's pages are prerendered in it: `<html lang dir>` right, its heading, and no
/// sentence of the English catalog in what the page shows before any script but the first has
/// run (unless the locale's own catalog says the same).
#[test]
fn every_locale_is_prerendered_in_its_language() {
    run(
        "every_locale_is_prerendered_in_its_language",
        &[],
        |env| async move {
            let english = english()?;
            let browser = env.browser().await?;
            let mut problems = Vec::new();
            for tag in BUILT_IN.iter().filter(|tag| **tag != DEFAULT_LOCALE) {
                let texts = Texts::load(tag)?;
                for (path, heading) in
                    [("/recover", "recover.heading"), ("/reset", "reset.heading")]
                {
                    let url = env.url(&format!("{path}?lang={tag}"));
                    open_with_the_wasm_held_back(&browser, &url, &texts.get(heading)).await?;
                    let shown = browser
                        .js(
                            "return [document.documentElement.lang, document.documentElement.dir,\
                                 document.body.innerText];",
                            vec![],
                        )
                        .await?;
                    let dir = if is_right_to_left(tag) { "rtl" } else { "ltr" };
                    if shown[0] != json!(tag) || shown[1] != json!(dir) {
                        problems.push(format!(
                            "{path}?lang={tag}: <html lang={} dir={}>",
                            shown[0], shown[1]
                        ));
                    }
                    let text = shown[2].as_str().unwrap_or_default();
                    for (key, sentence) in &english {
                        let Some(words) = recognisable(sentence) else {
                            continue;
                        };
                        let translated = texts.get(key);
                        if text.contains(&words) && !translated.contains(&words) {
                            problems.push(format!("{path}?lang={tag} shows English: {words:?}"));
                        }
                    }
                }
            }
            ensure!(problems.is_empty(), "{}", problems.join("\n"));
            Ok(())
        },
    );
}

/// The locales whose script is not Latin, and those written right to left.
const OTHER_SCRIPTS: [&str; 17] = [
    "ar", "fa", "he", "ur", "bg", "el", "ru", "sr", "uk", "bn", "hi", "ta", "th", "ja", "ko",
    "zh-Hans", "zh-Hant",
];

/// The reset page (asking for the code, the longest form) at 320 px in each right-to-left
/// locale and each other script: axe-clean, with its language switcher open too, and
/// photographed (`target/screenshots/locale-<tag>-*.png`) with every glyph drawn.
#[test]
fn each_script_and_direction_at_320_px() {
    run(
        "each_script_and_direction_at_320_px",
        &[],
        |env| async move {
            let browser = env.browser().await?;
            for tag in OTHER_SCRIPTS {
                let texts = Texts::load(tag)?;
                browser.goto(&format!("/reset?lang={tag}")).await?;
                browser.wait_app().await?;
                browser.wait_heading(&texts.get("reset.heading")).await?;
                browser.wait_element("#reset-code").await?;
                browser.axe(&format!("locale-{tag}")).await?;
                browser
                    .screenshots_at(&format!("locale-{tag}"), &[(320, "light")])
                    .await?;
                browser.click(".language-current").await?;
                browser
                    .screenshots_at(&format!("locale-{tag}-languages"), &[(320, "light")])
                    .await?;
                browser.click(".language-current").await?;
            }
            Ok(())
        },
    );
}
