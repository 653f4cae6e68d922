//! [`Locale`]: the language a person's mail is written in, chosen with the contract's one
//! matching rule (`reclaim_contract::locale`), so the mail speaks the language the page did.

use reclaim_contract::locale::{
    accept_language, match_locale, negotiate, BUILT_IN, DEFAULT_LOCALE,
};

/// One of the built-in locales (`BUILT_IN`), by its canonical tag (`pt-BR`, `zh-Hans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale(&'static str);

impl Locale {
    /// English, for a request that asks for nothing the server writes.
    pub const DEFAULT: Locale = Locale(DEFAULT_LOCALE);

    /// The best built-in locale for an `Accept-Language` header (the pages send the tag they
    /// show), or English.
    pub fn from_accept_language(header: &str) -> Self {
        negotiate(accept_language(header), &BUILT_IN).map_or(Self::DEFAULT, Locale)
    }

    /// The built-in locale `tag` names (any case, or a regional variant such as `es-MX`), or
    /// English: how a stored tag is read back, so a row written by another version still gets
    /// mail.
    pub fn from_tag(tag: &str) -> Self {
        match_locale(tag, &BUILT_IN).map_or(Self::DEFAULT, Locale)
    }

    /// Every built-in locale, English first.
    #[cfg(test)]
    pub fn all() -> impl Iterator<Item = Locale> {
        BUILT_IN.into_iter().map(Locale)
    }

    /// The canonical tag, as stored, mailed in `&lang=` and named in `Content-Language`.
    pub fn tag(self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_a_built_in_locale_or_english() {
        for (header, expected) in [
            ("ar-EG,ar;q=0.9", "ar"),
            ("ja", "ja"),
            ("ko", "ko"),
            ("kl", "en"),
            ("kl, de;q=0.5", "de"),
            ("zh-CN,zh;q=0.9", "zh-Hans"),
            ("zh-TW", "zh-Hant"),
            ("iw", "he"),
            ("no", "nb"),
            ("PT-br", "pt-BR"),
            ("", "en"),
            ("*", "en"),
            ("<script>", "en"),
        ] {
            assert_eq!(
                Locale::from_accept_language(header).tag(),
                expected,
                "{header}"
            );
        }
    }

    #[test]
    fn stored_tags_read_back_as_themselves() {
        for locale in Locale::all() {
            assert_eq!(Locale::from_tag(locale.tag()), locale);
        }
        assert_eq!(Locale::from_tag("es-MX").tag(), "es");
        assert_eq!(Locale::from_tag("xx"), Locale::DEFAULT);
    }
}
