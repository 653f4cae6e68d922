use std::collections::BTreeSet;

use reclaim_contract::locale::BUILT_IN;

use super::{entries, native, plural, texts, Catalog, Counted, Entry, Message, Text};

fn file_text(locale: &str) -> String {
    let path = native::built_in_folder().join(format!("{locale}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn file(locale: &str) -> Vec<(String, Entry)> {
    reclaim_contract::json::parse(&file_text(locale))
        .and_then(|json| entries(&json))
        .unwrap_or_else(|e| panic!("{locale}.json: {e}"))
}

fn english_placeholders(key: &str) -> BTreeSet<&'static str> {
    let english = Text::ALL
        .iter()
        .find(|t| t.key() == key)
        .map(|t| t.english())
        .or_else(|| {
            Counted::ALL
                .iter()
                .find(|c| c.key() == key)
                .map(|c| c.english()[1].1)
        })
        .unwrap_or_else(|| panic!("unknown key {key}"));
    texts::placeholders(english).into_iter().collect()
}

/// `en.json` is the table in `texts.rs` as JSON, for translators and deployers.
#[test]
fn en_json_is_the_compiled_in_english() {
    let mut expected: Vec<(String, Entry)> = Text::ALL
        .iter()
        .map(|t| (t.key().to_owned(), Entry::Text(t.english().to_owned())))
        .collect();
    expected.extend(Counted::ALL.iter().map(|c| {
        let forms = c
            .english()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        (c.key().to_owned(), Entry::Forms(forms))
    }));
    let mut actual = file("en");
    actual.sort_by(|a, b| a.0.cmp(&b.0));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        actual, expected,
        "src/i18n/builtin/en.json differs from src/i18n/texts.rs"
    );
}

#[test]
fn keys_are_unique_in_the_table_and_in_every_file() {
    let keys: Vec<&str> = Text::ALL
        .iter()
        .map(|t| t.key())
        .chain(Counted::ALL.iter().map(|c| c.key()))
        .collect();
    let unique: BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(unique.len(), keys.len(), "a key is used twice in texts.rs");
    for locale in BUILT_IN {
        // serde_json keeps the last of two equal keys silently: count the top-level lines.
        let text = file_text(locale);
        let mut seen = BTreeSet::new();
        for line in text.lines().filter(|l| l.starts_with("  \"")) {
            let key = line
                .trim_start()
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap();
            assert!(
                seen.insert(key.to_owned()),
                "{locale}.json has \"{key}\" twice"
            );
        }
    }
}

#[test]
fn every_locale_has_every_key_with_english_placeholders() {
    let english: BTreeSet<String> = file("en").into_iter().map(|(k, _)| k).collect();
    for locale in BUILT_IN {
        let entries = file(locale);
        let keys: BTreeSet<String> = entries.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(keys, english, "{locale}.json: keys differ from en.json");
        for (key, entry) in &entries {
            let expected = english_placeholders(key);
            let forms: Vec<(&str, &str)> = match entry {
                Entry::Text(text) => vec![("", text.as_str())],
                Entry::Forms(forms) => forms
                    .iter()
                    .map(|(category, text)| (category.as_str(), text.as_str()))
                    .collect(),
                Entry::Other(kind) => panic!("{locale}.json: {key} is {kind}"),
            };
            for (category, form) in forms {
                assert!(!form.trim().is_empty(), "{locale}.json: {key} is empty");
                let mut found: BTreeSet<&str> = texts::placeholders(form).into_iter().collect();
                // A form for exactly zero, one or two may say the number in words.
                if ["zero", "one", "two"].contains(&category) && expected.contains("count") {
                    found.insert("count");
                }
                assert_eq!(found, expected, "{locale}.json: {key}: {form:?}");
            }
        }
        // And the pages load it as they would in the browser.
        native::built_in_catalog(locale).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn counted_texts_have_exactly_the_locales_plural_categories() {
    for locale in BUILT_IN {
        for (key, entry) in file(locale) {
            if let Entry::Forms(forms) = entry {
                let mut found: Vec<&str> = forms.iter().map(|(c, _)| c.as_str()).collect();
                let mut expected = plural::categories_of(locale);
                found.sort_unstable();
                expected.sort_unstable();
                assert_eq!(found, expected, "{locale}.json: {key}");
            } else {
                assert!(
                    Counted::ALL.iter().all(|c| c.key() != key),
                    "{locale}.json: {key} must have a form per plural category"
                );
            }
        }
    }
}

#[test]
fn plural_rules_of_the_built_in_locales() {
    let forms = |locale: &str| {
        [0, 1, 2, 3, 8, 11, 100, 128, 1_000_000]
            .map(|n| plural::cldr_category(locale, n))
            .join(" ")
    };
    // As Chromium's Intl.PluralRules answers (a browser test checks every built-in locale).
    assert_eq!(
        forms("en"),
        "other one other other other other other other other"
    );
    assert_eq!(
        forms("es"),
        "other one other other other other other other many"
    );
    assert_eq!(
        forms("fr"),
        "one one other other other other other other many"
    );
    assert_eq!(
        forms("pt-BR"),
        "one one other other other other other other many"
    );
    assert_eq!(
        forms("ja"),
        "other other other other other other other other other"
    );
    assert_eq!(forms("ar"), "zero one two few few many other many other");
    assert_eq!(forms("ru"), "many one few few many many many many many");
    assert_eq!(
        forms("vi"),
        "other other other other other other other other other"
    );
}

#[test]
fn a_deployers_file_overrides_a_sentence_and_keeps_the_rest() {
    let built_in = file("fr");
    let overrides = vec![
        (
            "recover.heading".to_owned(),
            Entry::Text("Mot de passe perdu ?".into()),
        ),
        (
            "recover.send_again_in".to_owned(),
            Entry::Forms(vec![("other".into(), "Encore dans {count} s".into())]),
        ),
    ];
    let catalog = Catalog::from_files(
        "fr",
        &[("i18n/fr.json", built_in), ("locales/fr.json", overrides)],
    )
    .unwrap();
    assert_eq!(catalog.text(Text::RecoverHeading), "Mot de passe perdu ?");
    assert_ne!(catalog.text(Text::SendLink), Text::SendLink.english());
    assert_eq!(catalog.counted(Counted::SendAgainIn, 5), "Encore dans 5 s");
    // The built-in "one" form is kept.
    assert_ne!(catalog.counted(Counted::SendAgainIn, 1), "Encore dans 1 s");
}

#[test]
fn an_added_locale_falls_back_to_english() {
    let catalog = Catalog::from_files(
        "nl",
        &[(
            "locales/nl.json",
            vec![(
                "recover.heading".into(),
                Entry::Text("Wachtwoord vergeten?".into()),
            )],
        )],
    )
    .unwrap();
    assert_eq!(catalog.locale(), "nl");
    assert_eq!(catalog.text(Text::RecoverHeading), "Wachtwoord vergeten?");
    assert_eq!(catalog.text(Text::SendLink), "Send reset link");
    assert_eq!(
        catalog.counted(Counted::TryAgainIn, 1),
        "You can try again in 1 second."
    );
}

#[test]
fn a_broken_file_is_a_configuration_problem_naming_the_key() {
    for (entry, expected) in [
        (
            ("recover.heding", Entry::Text("x".into())),
            "\"recover.heding\" is not a key",
        ),
        (
            ("recover.heading", Entry::Other("a boolean")),
            "must be a string",
        ),
        (
            ("recover.send_again_in", Entry::Text("x".into())),
            "plural forms",
        ),
        (
            (
                "recover.send_again_in",
                Entry::Forms(vec![("several".into(), "x".into())]),
            ),
            "not a plural category",
        ),
        (
            ("recover.sent_lead", Entry::Text("Sent to {adress}".into())),
            "{placeholder}",
        ),
    ] {
        let (key, value) = entry;
        let error =
            Catalog::from_files("de", &[("locales/de.json", vec![(key.to_owned(), value)])])
                .unwrap_err();
        assert!(error.0.starts_with("locales/de.json: "), "{error}");
        assert!(error.0.contains(expected), "{error}");
    }
}

#[test]
fn messages_fill_their_values() {
    let english = Catalog::english();
    let message = Message::text(Text::SentLead).with("address", "a@example.com");
    assert_eq!(
        english.render(&message),
        "If an account exists for a@example.com, we've sent a link to reset its password."
    );
    assert_eq!(
        english.render(&Message::counted(Counted::RuleMaximum, 128).with("now", 130)),
        "No more than 128 characters (now 130)"
    );
    assert_eq!(
        english.render(&Message::verbatim("As the API said.")),
        "As the API said."
    );
    assert_eq!(
        Message::text(Text::EmailEmpty).to_string(),
        "Enter your email address"
    );
    assert_eq!(
        texts::around("For the account {address}", "address"),
        ("For the account ".to_owned(), String::new())
    );
}

/// Right-to-left pages mirror by themselves only when the stylesheet names no physical side:
/// `margin-inline-start`, never `margin-left`.
#[test]
fn the_stylesheet_names_no_physical_side() {
    let css = include_str!("../../style/main.css");
    for (number, line) in css.lines().enumerate() {
        let code = line.split("/*").next().unwrap_or_default();
        for side in ["left", "right"] {
            assert!(
                !code.contains(side),
                "style/main.css:{}: `{}` names a side; use the logical property (inline-start/end)",
                number + 1,
                line.trim()
            );
        }
    }
}

/// The server words a refused length with the contract's sentences; the pages, in English,
/// say the same.
#[test]
fn the_pages_english_length_sentences_are_the_contracts() {
    use reclaim_contract::{password, MAX_PASSWORD_CHARS};
    let english = Catalog::english();
    assert_eq!(
        english.counted(Counted::PasswordTooShort, 12),
        password::too_short_sentence(12)
    );
    let too_long = english.render(
        &Message::counted(Counted::PasswordTooLong, MAX_PASSWORD_CHARS as u64).with("now", 130),
    );
    assert!(
        too_long.starts_with(&password::too_long_sentence()),
        "{too_long}"
    );
}
