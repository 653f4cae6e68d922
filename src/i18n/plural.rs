//! Which plural form a number takes in a locale, by CLDR's rules. In the browser, its own
//! `Intl.PluralRules` decides, for any locale a deployer adds; natively (the build, which
//! prerenders each built-in locale, and the tests) ICU4X's data does, pinned to the CLDR release
//! the test browser's ICU has, and a browser test checks the two agree for every built-in
//! locale.

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

/// The category of `count` in `locale` by ICU4X's CLDR data; `other` for a tag it cannot read.
#[cfg(not(target_arch = "wasm32"))]
pub fn cldr_category(locale: &str, count: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};

    let Ok(rules) = locale
        .parse::<icu_locale_core::Locale>()
        .map_err(drop)
        .and_then(|locale| PluralRules::try_new_cardinal(locale.into()).map_err(drop))
    else {
        return "other";
    };
    match rules.category_for(count) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// The categories a locale's counted texts need: those whole numbers fall in (the
/// categories of fractions never show), in [`CATEGORIES`]' order.
#[cfg(not(target_arch = "wasm32"))]
pub fn categories_of(locale: &str) -> Vec<&'static str> {
    // CLDR's rules for whole numbers turn on the last two digits, or on millions.
    let samples = (0..1000).chain([1_000_000, 2_000_000, 1_000_001]);
    let found: Vec<&str> = samples.map(|n| cldr_category(locale, n)).collect();
    CATEGORIES
        .into_iter()
        .filter(|category| found.contains(category))
        .collect()
}
