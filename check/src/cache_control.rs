//! `Cache-Control` as browsers and shared caches read it: whether a response is asked for again
//! before each use, or kept for good.

/// A year in seconds: what a file whose name changes with its content may be kept for.
pub const YEAR: u64 = 31_536_000;

/// The directives that decide reuse. Several headers, or repeated directives, read as one list;
/// for a repeated `max-age` the smallest wins (the cautious reading).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControl {
    pub max_age: Option<u64>,
    /// `s-maxage`: how long a shared cache (a CDN) may keep it.
    pub shared_max_age: Option<u64>,
    pub no_cache: bool,
    pub no_store: bool,
    pub immutable: bool,
}

impl CacheControl {
    /// Reads the values of every `Cache-Control` header of a response.
    pub fn parse<'a>(headers: impl IntoIterator<Item = &'a str>) -> CacheControl {
        let mut parsed = CacheControl::default();
        let directives = headers.into_iter().flat_map(|header| header.split(','));
        for directive in directives {
            let (name, value) = match directive.split_once('=') {
                Some((name, value)) => (name, Some(value.trim().trim_matches('"'))),
                None => (directive, None),
            };
            let seconds = value.and_then(|v| v.parse::<u64>().ok());
            let smaller = |old: Option<u64>| match (old, seconds) {
                (Some(old), Some(new)) => Some(old.min(new)),
                (old, new) => old.or(new),
            };
            match name.trim().to_ascii_lowercase().as_str() {
                "max-age" => parsed.max_age = smaller(parsed.max_age),
                "s-maxage" => parsed.shared_max_age = smaller(parsed.shared_max_age),
                "no-cache" => parsed.no_cache = true,
                "no-store" => parsed.no_store = true,
                "immutable" => parsed.immutable = true,
                _ => {}
            }
        }
        parsed
    }

    /// Never reused without asking the server first, by the browser or a cache between.
    pub fn revalidated(&self) -> bool {
        self.no_store
            || self.no_cache
            || (self.max_age == Some(0) && self.shared_max_age.unwrap_or(0) == 0)
    }

    /// Kept for a year without asking again: right for a name that changes with its content.
    pub fn kept_for_good(&self) -> bool {
        !self.no_store && !self.no_cache && self.immutable && self.max_age >= Some(YEAR)
    }

    /// What it means for a reader, in a few words ("kept for 1 year without asking").
    pub fn describe(&self) -> String {
        if self.no_store {
            "never stored".to_owned()
        } else if self.no_cache {
            "revalidated before each use".to_owned()
        } else {
            match self.max_age {
                None => "no max-age: browsers guess how long to keep it".to_owned(),
                Some(0) => "revalidated before each use".to_owned(),
                Some(seconds) => format!(
                    "kept for {} without asking{}",
                    duration_words(seconds),
                    if self.immutable { ", immutable" } else { "" }
                ),
            }
        }
    }
}

/// `90` → "1 minute", `31536000` → "1 year": the largest whole unit, rounded down.
pub fn duration_words(seconds: u64) -> String {
    const UNITS: [(u64, &str); 5] = [
        (YEAR, "year"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, unit) = UNITS
        .into_iter()
        .find(|(size, _)| seconds >= *size)
        .unwrap_or((1, "second"));
    let count = seconds / size;
    format!("{count} {unit}{}", if count == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(header: &str) -> CacheControl {
        CacheControl::parse([header])
    }

    #[test]
    fn revalidated_answers() {
        for header in [
            "no-store",
            "no-cache",
            "max-age=0",
            "max-age=0, must-revalidate",
            "No-Cache, max-age=600",
            "public, max-age=\"0\"",
        ] {
            assert!(parse(header).revalidated(), "{header}");
        }
        for header in [
            "",
            "public",
            "max-age=60",
            "public, max-age=31536000",
            "max-age=0, s-maxage=86400",
        ] {
            assert!(!parse(header).revalidated(), "{header}");
        }
    }

    #[test]
    fn kept_for_good_needs_a_year_and_immutable() {
        assert!(parse("public, max-age=31536000, immutable").kept_for_good());
        assert!(parse("max-age=63072000,immutable").kept_for_good());
        assert!(!parse("public, max-age=31536000").kept_for_good());
        assert!(!parse("max-age=3600, immutable").kept_for_good());
        assert!(!parse("max-age=31536000, immutable, no-cache").kept_for_good());
        assert!(!parse("immutable").kept_for_good());
    }

    #[test]
    fn several_headers_read_as_one_list_and_the_smaller_age_wins() {
        let both = CacheControl::parse(["public, max-age=31536000", "immutable, max-age=60"]);
        assert_eq!(both.max_age, Some(60));
        assert!(both.immutable);
        assert!(!both.kept_for_good());
    }

    #[test]
    fn described_in_words() {
        assert_eq!(parse("no-store").describe(), "never stored");
        assert_eq!(
            parse("public, max-age=31536000, immutable").describe(),
            "kept for 1 year without asking, immutable"
        );
        assert_eq!(
            parse("max-age=7200").describe(),
            "kept for 2 hours without asking"
        );
        assert_eq!(
            parse("public").describe(),
            "no max-age: browsers guess how long to keep it"
        );
        assert_eq!(duration_words(59), "59 seconds");
        assert_eq!(duration_words(86_400 * 3 + 5), "3 days");
    }
}
