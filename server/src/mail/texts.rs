//! The words of the server's two messages, in every built-in locale: one file per locale,
//! `src/mail/locales/<tag>.json`, compiled in (`build.rs` lists them from the contract's list of
//! locales). Each is written for its readers in the register of a careful product, not
//! translated word for word; the structure is the same everywhere: the link, the page and the
//! code (`XXXX-XXXX`) on a line of its own, the lifetime of both, and what to do if it was not
//! you.
//!
//! A file holds `reset.subject` and `reset.body` (a list of lines), `changed.subject` and
//! `changed.body`, and `lifetime.seconds|minutes|hours`, the phrase for a duration in each of
//! the locale's plural categories (CLDR's, chosen by ICU4X). Bodies are templates with `{name}`
//! placeholders, filled by [`fill`]; every locale uses exactly the placeholders English uses (a
//! test checks). The link and the code stand alone on their lines, so a right-to-left text never
//! reorders them.

use std::{collections::BTreeMap, sync::LazyLock, time::Duration};

use serde::Deserialize;

use crate::domain::Locale;

include!(concat!(env!("OUT_DIR"), "/mail_files.rs"));

pub use reclaim_contract::locale::fill;

/// One locale's words for both messages.
#[derive(Debug)]
pub struct MailTexts {
    /// The locale's canonical tag (`reclaim_contract::locale::BUILT_IN`).
    pub tag: &'static str,
    pub reset_subject: String,
    /// Placeholders: `{to}` the account's address, `{url}` the link, `{page}` the reset page,
    /// `{code}` the short code, grouped, `{lifetime}` from [`MailTexts::describe`].
    pub reset_body: String,
    pub changed_subject: String,
    /// Placeholder: `{to}`.
    pub changed_body: String,
    /// The lifetime phrases, by unit and plural category.
    lifetime: Lifetimes,
}

/// A locale's file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "reset.subject")]
    reset_subject: String,
    #[serde(rename = "reset.body")]
    reset_body: Vec<String>,
    #[serde(rename = "changed.subject")]
    changed_subject: String,
    #[serde(rename = "changed.body")]
    changed_body: Vec<String>,
    #[serde(rename = "lifetime.seconds")]
    seconds: Forms,
    #[serde(rename = "lifetime.minutes")]
    minutes: Forms,
    #[serde(rename = "lifetime.hours")]
    hours: Forms,
}

/// A phrase in each plural category of the locale (`{"one": "{count} minute", "other":
/// "{count} minutes"}`).
type Forms = BTreeMap<String, String>;

/// A duration's phrases, per unit.
#[derive(Debug)]
struct Lifetimes {
    seconds: Forms,
    minutes: Forms,
    hours: Forms,
}

/// Every locale's words, read once; a broken file stops the server at its first mail (and the
/// tests before that).
static ALL: LazyLock<Vec<MailTexts>> = LazyLock::new(|| {
    MAIL_FILES
        .iter()
        .map(|(tag, text)| {
            let file: File = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("server/src/mail/locales/{tag}.json: {e}"));
            MailTexts {
                tag,
                reset_subject: file.reset_subject,
                reset_body: file.reset_body.join("\n") + "\n",
                changed_subject: file.changed_subject,
                changed_body: file.changed_body.join("\n") + "\n",
                lifetime: Lifetimes {
                    seconds: file.seconds,
                    minutes: file.minutes,
                    hours: file.hours,
                },
            }
        })
        .collect()
});

impl MailTexts {
    /// The words for `locale`.
    pub fn of(locale: Locale) -> &'static MailTexts {
        ALL.iter()
            .find(|texts| texts.tag == locale.tag())
            .unwrap_or(&ALL[0])
    }

    /// "30 minutes", "1 hour", "45 seconds": rounded down, so the mail never promises more
    /// time than the link has.
    pub fn describe(&self, lifetime: Duration) -> String {
        let seconds = lifetime.as_secs();
        let (count, forms) = if seconds >= 3600 && seconds.is_multiple_of(3600) {
            (seconds / 3600, &self.lifetime.hours)
        } else if seconds >= 60 {
            (seconds / 60, &self.lifetime.minutes)
        } else {
            (seconds, &self.lifetime.seconds)
        };
        let category = plural_category(self.tag, count);
        let form = forms
            .get(category)
            .or_else(|| forms.get("other"))
            .map_or("{count}", String::as_str);
        fill(form, &[("count", &count.to_string())])
    }
}

/// CLDR's plural category of `count` in `tag`, as the pages' build reads it.
fn plural_category(tag: &str, count: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};

    let rules = tag
        .parse::<icu_locale_core::Locale>()
        .ok()
        .and_then(|locale| PluralRules::try_new_cardinal(locale.into()).ok());
    match rules.map(|rules| rules.category_for(count)) {
        Some(PluralCategory::Zero) => "zero",
        Some(PluralCategory::One) => "one",
        Some(PluralCategory::Two) => "two",
        Some(PluralCategory::Few) => "few",
        Some(PluralCategory::Many) => "many",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use reclaim_contract::locale::BUILT_IN;

    use super::*;

    /// The `{name}`s of a template.
    fn placeholders(template: &str) -> BTreeSet<&str> {
        template
            .split('{')
            .skip(1)
            .filter_map(|part| part.split_once('}').map(|(name, _)| name))
            .collect()
    }

    fn english() -> &'static MailTexts {
        MailTexts::of(Locale::DEFAULT)
    }

    #[test]
    fn every_built_in_locale_has_every_text() {
        let tags: Vec<&str> = ALL.iter().map(|texts| texts.tag).collect();
        assert_eq!(tags, BUILT_IN);
        for locale in Locale::all() {
            let texts = MailTexts::of(locale);
            assert_eq!(texts.tag, locale.tag());
            for (name, text) in [
                ("reset_subject", &texts.reset_subject),
                ("reset_body", &texts.reset_body),
                ("changed_subject", &texts.changed_subject),
                ("changed_body", &texts.changed_body),
            ] {
                assert!(!text.trim().is_empty(), "{} {name} is empty", texts.tag);
            }
        }
    }

    #[test]
    fn every_locale_uses_the_placeholders_english_uses() {
        let english = english();
        assert_eq!(
            placeholders(&english.reset_body),
            BTreeSet::from(["to", "url", "page", "code", "lifetime"])
        );
        assert_eq!(placeholders(&english.changed_body), BTreeSet::from(["to"]));
        for texts in ALL.iter() {
            for (name, english, text) in [
                (
                    "reset_subject",
                    &english.reset_subject,
                    &texts.reset_subject,
                ),
                ("reset_body", &english.reset_body, &texts.reset_body),
                (
                    "changed_subject",
                    &english.changed_subject,
                    &texts.changed_subject,
                ),
                ("changed_body", &english.changed_body, &texts.changed_body),
            ] {
                assert_eq!(
                    placeholders(text),
                    placeholders(english),
                    "{} {name}",
                    texts.tag
                );
                // Each once: the link and the code appear exactly where the structure says.
                for placeholder in placeholders(text) {
                    let count = text.matches(&format!("{{{placeholder}}}")).count();
                    assert_eq!(
                        count, 1,
                        "{} {name} has {{{placeholder}}} {count} times",
                        texts.tag
                    );
                }
            }
        }
    }

    #[test]
    fn every_lifetime_has_a_form_for_each_of_the_locales_plural_categories() {
        for texts in ALL.iter() {
            let needed: BTreeSet<&str> = (0..1000)
                .chain([1_000_000, 2_000_000])
                .map(|n| plural_category(texts.tag, n))
                .collect();
            for (unit, forms) in [
                ("seconds", &texts.lifetime.seconds),
                ("minutes", &texts.lifetime.minutes),
                ("hours", &texts.lifetime.hours),
            ] {
                let written: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
                assert_eq!(written, needed, "{} lifetime.{unit}", texts.tag);
            }
            for count in [1, 2, 3, 11, 30, 100] {
                let said = texts.describe(Duration::from_secs(count * 60));
                assert!(
                    !said.is_empty() && !said.contains('{'),
                    "{}: {said}",
                    texts.tag
                );
            }
        }
    }

    #[test]
    fn the_link_and_the_code_stand_on_lines_of_their_own() {
        for texts in ALL.iter() {
            let lines: Vec<&str> = texts.reset_body.lines().collect();
            let url = lines.iter().position(|l| *l == "{url}");
            let code = lines.iter().position(|l| *l == "{code}");
            let page = lines.iter().position(|l| l.contains("{page}"));
            let (Some(url), Some(page), Some(code)) = (url, page, code) else {
                panic!(
                    "{}: the link, the page or the code is not on its own line",
                    texts.tag
                );
            };
            assert!(
                url < page && page < code,
                "{}: link, page, code in that order",
                texts.tag
            );
            for line in &lines {
                assert!(line.len() <= 998, "{}: a line too long for mail", texts.tag);
            }
        }
    }

    #[test]
    fn fill_replaces_each_placeholder_once_and_nothing_else() {
        assert_eq!(
            fill(
                "{to} at {page}: {missing} {",
                &[("to", "{page}"), ("page", "/reset")]
            ),
            "{page} at /reset: {missing} {"
        );
    }

    #[test]
    fn durations_read_naturally() {
        let say = |tag: &str, seconds: u64| {
            MailTexts::of(Locale::from_tag(tag)).describe(Duration::from_secs(seconds))
        };
        assert_eq!(say("en", 1800), "30 minutes");
        assert_eq!(say("en", 3600), "1 hour");
        assert_eq!(say("en", 5400), "90 minutes");
        assert_eq!(say("en", 61), "1 minute");
        assert_eq!(say("en", 2), "2 seconds");
        assert_eq!(say("fr", 60), "1 minute");
        assert_eq!(say("de", 7200), "2 Stunden");
        assert_eq!(say("pt-BR", 1800), "30 minutos");
        assert_eq!(say("ja", 1800), "30分");
        assert_eq!(say("zh-Hans", 3600), "1 小时");
        assert_eq!(say("ar", 60), "دقيقة واحدة");
        assert_eq!(say("ar", 120), "دقيقتين");
        assert_eq!(say("ar", 300), "5 دقائق");
        assert_eq!(say("ar", 1800), "30 دقيقة");
        assert_eq!(say("ar", 6000), "100 دقيقة");
        // Russian's three forms for whole numbers.
        assert_eq!(say("ru", 60), "1 минуту");
        assert_eq!(say("ru", 180), "3 минуты");
        assert_eq!(say("ru", 1800), "30 минут");
    }
}
