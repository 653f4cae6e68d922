//! Which language a reader gets. The pages match `navigator.languages` and `?lang=` against the
//! locales a deployment offers; the reference server matches a request's `Accept-Language`
//! against the locales it writes mail in. One matching rule for both, so the mail is in the
//! language the page was in, and the link in the mail (`&lang=`) opens the page in it again.

/// A locale built into the pages and the reference server's mails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Locale {
    /// Its BCP 47 tag, as the files are named (`pt-BR`, `zh-Hant`).
    pub tag: &'static str,
    /// Its name in its own language, for the language switcher.
    pub name: &'static str,
}

/// The built-in locales, English first (its text is the fallback for every other): the one
/// list of them. Adding a language is its page catalog (`src/i18n/builtin/<tag>.json`), its
/// mail texts (`server/src/mail/locales/<tag>.json`) and one line here; the build, the static
/// hosts' recipes, the server and the tests all read this list.
pub const LOCALES: &[Locale] = &[
    Locale {
        tag: "en",
        name: "English",
    },
    Locale {
        tag: "ar",
        name: "العربية",
    },
    Locale {
        tag: "bg",
        name: "Български",
    },
    Locale {
        tag: "bn",
        name: "বাংলা",
    },
    Locale {
        tag: "ca",
        name: "Català",
    },
    Locale {
        tag: "cs",
        name: "Čeština",
    },
    Locale {
        tag: "da",
        name: "Dansk",
    },
    Locale {
        tag: "de",
        name: "Deutsch",
    },
    Locale {
        tag: "el",
        name: "Ελληνικά",
    },
    Locale {
        tag: "es",
        name: "Español",
    },
    Locale {
        tag: "fa",
        name: "فارسی",
    },
    Locale {
        tag: "fi",
        name: "Suomi",
    },
    Locale {
        tag: "fil",
        name: "Filipino",
    },
    Locale {
        tag: "fr",
        name: "Français",
    },
    Locale {
        tag: "he",
        name: "עברית",
    },
    Locale {
        tag: "hi",
        name: "हिन्दी",
    },
    Locale {
        tag: "hr",
        name: "Hrvatski",
    },
    Locale {
        tag: "hu",
        name: "Magyar",
    },
    Locale {
        tag: "id",
        name: "Bahasa Indonesia",
    },
    Locale {
        tag: "it",
        name: "Italiano",
    },
    Locale {
        tag: "ja",
        name: "日本語",
    },
    Locale {
        tag: "ko",
        name: "한국어",
    },
    Locale {
        tag: "lt",
        name: "Lietuvių",
    },
    Locale {
        tag: "ms",
        name: "Bahasa Melayu",
    },
    Locale {
        tag: "nb",
        name: "Norsk bokmål",
    },
    Locale {
        tag: "nl",
        name: "Nederlands",
    },
    Locale {
        tag: "pl",
        name: "Polski",
    },
    Locale {
        tag: "pt-BR",
        name: "Português (Brasil)",
    },
    Locale {
        tag: "pt-PT",
        name: "Português (Portugal)",
    },
    Locale {
        tag: "ro",
        name: "Română",
    },
    Locale {
        tag: "ru",
        name: "Русский",
    },
    Locale {
        tag: "sk",
        name: "Slovenčina",
    },
    Locale {
        tag: "sr",
        name: "Српски",
    },
    Locale {
        tag: "sv",
        name: "Svenska",
    },
    Locale {
        tag: "sw",
        name: "Kiswahili",
    },
    Locale {
        tag: "ta",
        name: "தமிழ்",
    },
    Locale {
        tag: "th",
        name: "ไทย",
    },
    Locale {
        tag: "tr",
        name: "Türkçe",
    },
    Locale {
        tag: "uk",
        name: "Українська",
    },
    Locale {
        tag: "ur",
        name: "اردو",
    },
    Locale {
        tag: "vi",
        name: "Tiếng Việt",
    },
    Locale {
        tag: "zh-Hans",
        name: "中文（简体）",
    },
    Locale {
        tag: "zh-Hant",
        name: "中文（繁體）",
    },
];

/// The built-in locales' tags, in [`LOCALES`]' order.
pub const BUILT_IN: [&str; LOCALES.len()] = {
    let mut tags = [""; LOCALES.len()];
    let mut i = 0;
    while i < LOCALES.len() {
        tags[i] = LOCALES[i].tag;
        i += 1;
    }
    tags
};

/// Whether `tag` is one of the built-in locales, exactly as spelled there.
pub fn is_built_in(tag: &str) -> bool {
    BUILT_IN.contains(&tag)
}

/// The name of the locale `tag` in its own language: a built-in one's, else the tag itself.
pub fn native_name(tag: &str) -> &str {
    LOCALES
        .iter()
        .find(|locale| locale.tag == tag)
        .map_or(tag, |locale| locale.name)
}

/// For a build script: the entries of a table `(tag, include_str!("<folder>/<tag>.json"))`, one
/// line per built-in locale in [`LOCALES`]' order, leaving out `except`. The pages' translations
/// (`build.rs`) and the reference server's mail texts (`server/build.rs`) are tabled so; a locale
/// without its file fails the build, naming the file.
pub fn include_table(folder: &std::path::Path, except: Option<&str>) -> String {
    BUILT_IN
        .iter()
        .filter(|tag| Some(**tag) != except)
        .map(|tag| {
            let file = folder.join(format!("{tag}.json"));
            format!(
                "    ({tag:?}, include_str!({:?})),\n",
                file.display().to_string()
            )
        })
        .collect()
}

/// The locale used when nothing the reader's browser asks for is offered.
pub const DEFAULT_LOCALE: &str = "en";

/// The address parameter that names the locale: `?lang=ar`, also appended to the emailed link.
pub const LANG_PARAM: &str = "lang";

/// The offered locale that best serves `requested` (one BCP 47 tag, any case), or `None`.
///
/// An exact match wins. Otherwise the tag's language is read with its old and macro-language
/// aliases (`iw` is `he`, `in` `id`, `tl` `fil`, `no` and `nn` `nb`), and an offered locale of
/// the same language and writing system serves it, preferring the region's own variety:
/// `es-MX` gets `es`, `de-AT` `de`, `pt` and `pt-BR` get `pt-BR` and `pt-AO` `pt-PT` where both
/// are offered (else whichever is). The writing system is the tag's script or the one its
/// language and region imply: `zh-CN`, `zh-SG` and `zh` read Simplified characters (`zh-Hans`),
/// `zh-TW`, `zh-HK` and `zh-MO` Traditional (`zh-Hant`), and `sr` Cyrillic. Chinese is never
/// served in the other script (a Traditional reader is left to their next language); any
/// other language is served in another script rather than not at all (`sr-Latn` gets `sr`).
pub fn match_locale<'a>(requested: &str, offered: &[&'a str]) -> Option<&'a str> {
    let requested = requested.trim();
    if requested.is_empty() || requested == "*" {
        return None;
    }
    if let Some(exact) = offered.iter().find(|o| o.eq_ignore_ascii_case(requested)) {
        return Some(exact);
    }
    let wanted = Subtags::of(requested);
    let same_language = |offer: &&&str| Subtags::of(offer).language == wanted.language;
    let same_script = |offer: &&&str| Subtags::of(offer).script == wanted.script;
    let same_region = |offer: &&&str| Subtags::of(offer).variety == wanted.variety;
    let candidates: Vec<&&str> = offered.iter().filter(same_language).collect();
    candidates
        .iter()
        .copied()
        .filter(same_script)
        .find(same_region)
        .or_else(|| candidates.iter().copied().find(same_script))
        .or_else(|| {
            (wanted.language != "zh")
                .then(|| candidates.first().copied())
                .flatten()
        })
        .copied()
}

/// The first of `requested` (most preferred first) that an offered locale serves.
pub fn negotiate<'a, 'r>(
    requested: impl IntoIterator<Item = &'r str>,
    offered: &[&'a str],
) -> Option<&'a str> {
    requested
        .into_iter()
        .find_map(|tag| match_locale(tag, offered))
}

/// The tags of an `Accept-Language` header, most preferred first (by `q`, then by order);
/// `q=0` means "not this one" and is dropped. Malformed entries are skipped, not fatal.
pub fn accept_language(header: &str) -> Vec<&str> {
    let mut tags: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let mut quality = 1000;
            for parameter in parts {
                let (name, value) = parameter.split_once('=')?;
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = thousandths(value.trim())?;
                }
            }
            let well_formed = !tag.is_empty()
                && tag.len() <= 35
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '*');
            (well_formed && quality > 0).then_some((tag, quality))
        })
        .collect();
    // A stable sort keeps the header's order among equal weights.
    tags.sort_by_key(|&(_, quality)| std::cmp::Reverse(quality));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// Whether the locale's script runs right to left (Arabic, Hebrew, Persian, Urdu and others).
pub fn is_right_to_left(tag: &str) -> bool {
    const RTL_LANGUAGES: [&str; 9] = ["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ckb"];
    let subtags = Subtags::of(tag);
    match subtags.script.as_str() {
        "" => RTL_LANGUAGES
            .iter()
            .any(|rtl| rtl.eq_ignore_ascii_case(&subtags.language)),
        script => ["Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"]
            .iter()
            .any(|rtl| rtl.eq_ignore_ascii_case(script)),
    }
}

/// `template` with each `{name}` replaced by its value, in one pass: a value that itself holds
/// `{url}` (an address may) stays as it is. An unknown `{name}` is left in place. The pages'
/// sentences and the server's mails are written with the same placeholders.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            let value = values.iter().find(|(key, _)| *key == name)?.1;
            Some((value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholders (`{name}`) of a template, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        match rest.find('}') {
            Some(close) => {
                found.push(&rest[..close]);
                rest = &rest[close + 1..];
            }
            None => break,
        }
    }
    found
}

/// A `q` value (`0.8`, `1`, `0.125`) in thousandths; `None` when it is not one.
fn thousandths(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{fraction:0<3}");
    let value = match whole {
        "0" => digits.parse::<u16>().ok()?,
        "1" if digits == "000" => 1000,
        _ => return None,
    };
    Some(value)
}

/// The parts of a tag that decide a match: the language (its aliases read as the language),
/// the writing system (spelled out, like `Hans`, or implied), and the variety its region
/// belongs to (European or Brazilian Portuguese).
struct Subtags {
    language: String,
    script: String,
    variety: &'static str,
}

impl Subtags {
    fn of(tag: &str) -> Self {
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        let language = match language.as_str() {
            "iw" => "he",
            "in" => "id",
            "ji" => "yi",
            "tl" => "fil",
            "no" | "nn" => "nb",
            other => other,
        }
        .to_owned();
        let mut script = String::new();
        let mut region = String::new();
        for part in parts {
            if part.len() == 4 && part.bytes().all(|b| b.is_ascii_alphabetic()) && script.is_empty()
            {
                script = part.to_ascii_lowercase();
            } else if region.is_empty()
                && (part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic())
                    || part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()))
            {
                region = part.to_ascii_uppercase();
            }
        }
        if script.is_empty() {
            script = match language.as_str() {
                "zh" if ["TW", "HK", "MO"].contains(&region.as_str()) => "hant",
                "zh" => "hans",
                "sr" => "cyrl",
                _ => "",
            }
            .to_owned();
        }
        // Portuguese as written in Portugal and the countries that follow its norm, else Brazil's.
        const EUROPEAN_PORTUGUESE: [&str; 10] =
            ["PT", "AO", "MZ", "CV", "GW", "ST", "TL", "MO", "LU", "CH"];
        let variety = match language.as_str() {
            "pt" if EUROPEAN_PORTUGUESE.contains(&region.as_str()) => "pt-PT",
            "pt" => "pt-BR",
            _ => "",
        };
        Subtags {
            language,
            script,
            variety,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issues_examples() {
        for (requested, expected) in [
            ("es-MX", Some("es")),
            ("de-AT", Some("de")),
            ("zh-CN", Some("zh-Hans")),
            ("zh-SG", Some("zh-Hans")),
            ("zh", Some("zh-Hans")),
            ("zh-Hans-HK", Some("zh-Hans")),
            ("zh-TW", Some("zh-Hant")),
            ("zh-HK", Some("zh-Hant")),
            ("zh-MO", Some("zh-Hant")),
            ("zh-Hant", Some("zh-Hant")),
            ("zh-Hant-TW", Some("zh-Hant")),
            ("pt", Some("pt-BR")),
            ("pt-BR", Some("pt-BR")),
            ("pt-PT", Some("pt-PT")),
            ("pt-AO", Some("pt-PT")),
            ("pt-MZ", Some("pt-PT")),
            ("no", Some("nb")),
            ("nn", Some("nb")),
            ("nb-NO", Some("nb")),
            ("iw", Some("he")),
            ("iw-IL", Some("he")),
            ("tl", Some("fil")),
            ("in", Some("id")),
            ("sr-Latn", Some("sr")),
            ("sr-Latn-RS", Some("sr")),
            ("sr-Cyrl-RS", Some("sr")),
            ("en-GB", Some("en")),
            ("EN-us", Some("en")),
            ("ar-EG", Some("ar")),
            ("ja-JP", Some("ja")),
            ("fr_CA", Some("fr")),
            ("ko", Some("ko")),
            ("xx", None),
            ("", None),
            ("*", None),
        ] {
            assert_eq!(match_locale(requested, &BUILT_IN), expected, "{requested}");
        }
    }

    #[test]
    fn chinese_is_never_served_in_the_other_script() {
        assert_eq!(match_locale("zh-TW", &["en", "zh-Hans"]), None);
        assert_eq!(match_locale("zh-CN", &["en", "zh-Hant"]), None);
        // Without the variety the reader's region names, the other one.
        assert_eq!(match_locale("pt-PT", &["en", "pt-BR"]), Some("pt-BR"));
        assert_eq!(match_locale("pt-BR", &["pt-PT"]), Some("pt-PT"));
    }

    #[test]
    fn an_exact_offer_beats_a_neighbour() {
        let offered = ["pt-BR", "pt-PT", "en"];
        assert_eq!(match_locale("pt-PT", &offered), Some("pt-PT"));
        assert_eq!(match_locale("pt-pt", &offered), Some("pt-PT"));
        assert_eq!(match_locale("pt-AO", &offered), Some("pt-PT"));
        assert_eq!(match_locale("pt", &offered), Some("pt-BR"));
    }

    #[test]
    fn first_served_preference_wins() {
        assert_eq!(
            negotiate(["xx", "zh-TW", "de-CH", "en"], &BUILT_IN),
            Some("zh-Hant")
        );
        assert_eq!(negotiate(["xx", "kl", "de-CH"], &BUILT_IN), Some("de"));
        assert_eq!(negotiate(["xx"], &BUILT_IN), None);
        assert_eq!(negotiate(["ar"], &["en", "fr"]), None);
    }

    #[test]
    fn accept_language_is_ordered_by_weight() {
        assert_eq!(
            accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
            ["fr-CH", "fr", "en", "de", "*"]
        );
        assert_eq!(accept_language("en;q=0.1, ja"), ["ja", "en"]);
        assert_eq!(accept_language("de;q=0, es"), ["es"]);
        assert_eq!(accept_language("x;q=2, y;q=abc, <script>, ja"), ["ja"]);
        assert!(accept_language("").is_empty());
        assert_eq!(
            negotiate(accept_language("zh-TW,zh;q=0.9,en;q=0.8"), &BUILT_IN),
            Some("zh-Hant")
        );
        assert_eq!(
            negotiate(
                accept_language("zh-TW,zh;q=0.9,en;q=0.8"),
                &["en", "zh-Hans"]
            ),
            Some("zh-Hans")
        );
    }

    #[test]
    fn templates_are_filled_in_one_pass() {
        let values = [("to", "a{url}@example.com"), ("url", "https://x")];
        assert_eq!(
            fill("{to} -> {url} {nope} {", &values),
            "a{url}@example.com -> https://x {nope} {"
        );
        assert_eq!(placeholders("{count} of {now}, {"), ["count", "now"]);
    }

    #[test]
    fn right_to_left_scripts() {
        for tag in ["ar", "ar-EG", "he", "fa-IR", "ur", "az-Arab"] {
            assert!(is_right_to_left(tag), "{tag}");
        }
        for tag in ["en", "ja", "zh-Hans", "pt-BR", "az", "arn"] {
            assert!(!is_right_to_left(tag), "{tag}");
        }
    }
}
