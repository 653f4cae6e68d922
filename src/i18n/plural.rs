//! Which plural form a number takes in a locale. In the browser, its own `Intl.PluralRules`
//! decides, for any locale a deployer adds; the build (which prerenders each built-in locale)
//! and the native tests use the same CLDR rules written out for the built-in locales, and a
//! browser test checks the two agree.

/// CLDR's plural categories.
pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// The plural category of the whole number `count` in `locale`.
pub fn category(locale: &str, count: u64) -> &'static str {
    #[cfg(target_arch = "wasm32")]
    {
        browser_category(locale, count)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        cldr_category(locale, count)
    }
}

#[cfg(target_arch = "wasm32")]
fn browser_category(locale: &str, count: u64) -> &'static str {
    let locales = js_sys::Array::of1(&locale.into());
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    let category = String::from(rules.select(count as f64));
    CATEGORIES
        .into_iter()
        .find(|known| *known == category)
        .unwrap_or("other")
}

/// CLDR's rules for whole numbers in the built-in locales' languages; `other` for the rest.
pub fn cldr_category(locale: &str, count: u64) -> &'static str {
    let language = locale.split('-').next().unwrap_or_default();
    let millions = count != 0 && count.is_multiple_of(1_000_000);
    match language {
        "en" | "de" if count == 1 => "one",
        "es" if count == 1 => "one",
        "es" if millions => "many",
        "fr" | "pt" if count <= 1 => "one",
        "fr" | "pt" if millions => "many",
        "ar" => match (count, count % 100) {
            (0, _) => "zero",
            (1, _) => "one",
            (2, _) => "two",
            (_, 3..=10) => "few",
            (_, 11..=99) => "many",
            _ => "other",
        },
        _ => "other",
    }
}

/// The categories a locale's counted texts need (its `Intl.PluralRules` categories for whole
/// numbers), for the built-in locales.
pub fn categories_of(locale: &str) -> &'static [&'static str] {
    match locale.split('-').next().unwrap_or_default() {
        "en" | "de" => &["one", "other"],
        "es" | "fr" | "pt" => &["one", "many", "other"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        _ => &["other"],
    }
}
