//! Which language a reader gets. The pages match `navigator.languages` and `?lang=` against the
//! locales a deployment offers; the reference server matches a request's `Accept-Language`
//! against the locales it writes mail in. One matching rule for both, so the mail is in the
//! language the page was in, and the link in the mail (`&lang=`) opens the page in it again.

/// The locales built in, English first: its text is the fallback for every other.
pub const BUILT_IN: [&str; 8] = ["en", "es", "fr", "de", "pt-BR", "ja", "zh-Hans", "ar"];

/// The locale used when nothing the reader's browser asks for is offered.
pub const DEFAULT_LOCALE: &str = "en";

/// The address parameter that names the locale: `?lang=ar`, also appended to the emailed link.
pub const LANG_PARAM: &str = "lang";

/// The offered locale that best serves `requested` (one BCP 47 tag, any case), or `None`.
///
/// An exact match wins; otherwise any offered locale of the same language and writing system,
/// whatever its region: `es-MX` gets `es`, `de-AT` `de`, `en-GB` `en`, `pt-PT` `pt-BR` (when no
/// `pt-PT` is offered). Chinese is matched by script, which the region implies when the tag
/// does not say it: `zh-CN` and `zh-SG` get `zh-Hans`, but `zh-TW` does not (it reads
/// Traditional characters), and is left to the reader's next language.
pub fn match_locale<'a>(requested: &str, offered: &[&'a str]) -> Option<&'a str> {
    let requested = requested.trim();
    if requested.is_empty() || requested == "*" {
        return None;
    }
    if let Some(exact) = offered.iter().find(|o| o.eq_ignore_ascii_case(requested)) {
        return Some(exact);
    }
    let wanted = Subtags::of(requested);
    offered
        .iter()
        .find(|offer| {
            let offer = Subtags::of(offer);
            offer.language.eq_ignore_ascii_case(wanted.language)
                && offer.script.eq_ignore_ascii_case(&wanted.script)
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
            .any(|rtl| rtl.eq_ignore_ascii_case(subtags.language)),
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

/// The parts of a tag that decide a match: the language and the writing system, spelled out
/// (`Hans`) or, for Chinese, implied by the region.
struct Subtags<'t> {
    language: &'t str,
    script: String,
}

impl<'t> Subtags<'t> {
    fn of(tag: &'t str) -> Self {
        let mut parts = tag.split(['-', '_']);
        let language = parts.next().unwrap_or_default();
        let mut script = String::new();
        let mut region = "";
        for part in parts {
            if part.len() == 4 && part.bytes().all(|b| b.is_ascii_alphabetic()) && script.is_empty()
            {
                script = part.to_owned();
            } else if region.is_empty()
                && (part.len() == 2 && part.bytes().all(|b| b.is_ascii_alphabetic())
                    || part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()))
            {
                region = part;
            }
        }
        if script.is_empty() && language.eq_ignore_ascii_case("zh") {
            let traditional = ["TW", "HK", "MO"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(region));
            script = if traditional { "Hant" } else { "Hans" }.to_owned();
        }
        Subtags { language, script }
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
            ("zh-TW", None),
            ("zh-Hant", None),
            ("pt-PT", Some("pt-BR")),
            ("pt", Some("pt-BR")),
            ("en-GB", Some("en")),
            ("EN-us", Some("en")),
            ("ar-EG", Some("ar")),
            ("ja-JP", Some("ja")),
            ("fr_CA", Some("fr")),
            ("ko", None),
            ("", None),
            ("*", None),
        ] {
            assert_eq!(match_locale(requested, &BUILT_IN), expected, "{requested}");
        }
    }

    #[test]
    fn an_exact_offer_beats_a_neighbour() {
        let offered = ["pt-BR", "pt-PT", "en"];
        assert_eq!(match_locale("pt-PT", &offered), Some("pt-PT"));
        assert_eq!(match_locale("pt-pt", &offered), Some("pt-PT"));
        assert_eq!(match_locale("pt-AO", &offered), Some("pt-BR"));
    }

    #[test]
    fn first_served_preference_wins() {
        assert_eq!(
            negotiate(["ko", "zh-TW", "de-CH", "en"], &BUILT_IN),
            Some("de")
        );
        assert_eq!(negotiate(["ko"], &BUILT_IN), None);
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
