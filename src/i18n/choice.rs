//! Which of the deployment's locales the pages speak, first match wins: `?lang=` in the
//! address (the emailed link carries it), the reader's earlier choice on this site, the
//! browser's languages, the deployment's default. Pure, so the order is tested natively; the
//! browser module supplies the inputs.

use reclaim_contract::locale::{match_locale, negotiate};

/// What the choice is made from.
#[derive(Clone, Debug, Default)]
pub struct Asked {
    /// `?lang=` in the address, if any.
    pub address: Option<String>,
    /// The locale the reader picked with the switcher on an earlier visit.
    pub stored: Option<String>,
    /// `navigator.languages`, most preferred first.
    pub browser: Vec<String>,
}

/// The locale to use, one of `offered`; `default` when nothing asked for is offered. An
/// unknown `?lang=` (or stale stored choice) is passed over, not an error.
pub fn choose<'o>(offered: &[&'o str], default: &'o str, asked: &Asked) -> &'o str {
    [&asked.address, &asked.stored]
        .into_iter()
        .flatten()
        .find_map(|tag| match_locale(tag, offered))
        .or_else(|| negotiate(asked.browser.iter().map(String::as_str), offered))
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use reclaim_contract::locale::BUILT_IN;

    use super::*;

    fn browser(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    #[test]
    fn the_address_then_the_stored_choice_then_the_browser_then_the_default() {
        let all = Asked {
            address: Some("ar".into()),
            stored: Some("ja".into()),
            browser: browser(&["de-AT", "en"]),
        };
        assert_eq!(choose(&BUILT_IN, "en", &all), "ar");
        assert_eq!(
            choose(
                &BUILT_IN,
                "en",
                &Asked {
                    address: None,
                    ..all.clone()
                }
            ),
            "ja"
        );
        assert_eq!(
            choose(
                &BUILT_IN,
                "en",
                &Asked {
                    address: None,
                    stored: None,
                    ..all.clone()
                }
            ),
            "de"
        );
        assert_eq!(choose(&BUILT_IN, "fr", &Asked::default()), "fr");
    }

    #[test]
    fn unknown_or_unoffered_choices_are_passed_over() {
        let asked = Asked {
            address: Some("xx".into()),
            stored: Some("es".into()),
            browser: browser(&["kl", "zh-CN"]),
        };
        // es is not offered here: the browser's zh-CN is next.
        assert_eq!(choose(&["en", "zh-Hans", "ar"], "ar", &asked), "zh-Hans");
        assert_eq!(choose(&["en", "ar"], "ar", &asked), "ar");
        // ?lang= is matched like any tag: es-MX asks for Spanish.
        let asked = Asked {
            address: Some("es-MX".into()),
            ..Asked::default()
        };
        assert_eq!(choose(&BUILT_IN, "en", &asked), "es");
    }
}
