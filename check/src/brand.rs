//! The brand of a deployment, read from its `brand.css`: the custom properties the pages read,
//! in the light and the dark scheme, and whether its colours keep WCAG AA contrast where the
//! pages put one on another.

use std::collections::HashMap;

use crate::colour::{contrast, Colour};

/// Every custom property `style/main.css` reads: a `brand.css` without one leaves the pages
/// without that value.
pub const PROPERTIES: [&str; 18] = [
    "--brand-accent",
    "--brand-accent-hover",
    "--brand-accent-text",
    "--brand-text",
    "--brand-muted-text",
    "--brand-background",
    "--brand-surface",
    "--brand-border",
    "--brand-error",
    "--brand-error-background",
    "--brand-success",
    "--brand-focus",
    "--brand-focus-outline",
    "--brand-radius",
    "--brand-font",
    "--brand-logo",
    "--brand-logo-width",
    "--brand-logo-height",
];

/// WCAG AA: 4.5:1 for text, 3:1 for the parts of a control a person must see (1.4.3, 1.4.11).
pub const TEXT: f64 = 4.5;
pub const NON_TEXT: f64 = 3.0;

/// Where the pages paint one brand colour on another.
pub struct Pair {
    pub foreground: &'static str,
    pub background: &'static str,
    pub minimum: f64,
    /// What a person sees there.
    pub what: &'static str,
}

const fn pair(
    foreground: &'static str,
    background: &'static str,
    minimum: f64,
    what: &'static str,
) -> Pair {
    Pair {
        foreground,
        background,
        minimum,
        what,
    }
}

/// The pairs of `style/main.css`.
pub const PAIRS: [Pair; 14] = [
    pair("--brand-text", "--brand-surface", TEXT, "text on the card"),
    pair(
        "--brand-text",
        "--brand-background",
        TEXT,
        "the language button under the pointer",
    ),
    pair(
        "--brand-muted-text",
        "--brand-background",
        TEXT,
        "the name in the header",
    ),
    pair(
        "--brand-muted-text",
        "--brand-surface",
        TEXT,
        "hints on the card",
    ),
    pair("--brand-accent", "--brand-surface", TEXT, "links"),
    pair(
        "--brand-accent-hover",
        "--brand-surface",
        TEXT,
        "links under the pointer",
    ),
    pair(
        "--brand-accent-text",
        "--brand-accent",
        TEXT,
        "button labels",
    ),
    pair(
        "--brand-accent-text",
        "--brand-accent-hover",
        TEXT,
        "button labels under the pointer",
    ),
    pair("--brand-error", "--brand-surface", TEXT, "error messages"),
    pair(
        "--brand-text",
        "--brand-error-background",
        TEXT,
        "the text of an alert",
    ),
    pair(
        "--brand-success",
        "--brand-surface",
        TEXT,
        "password rules met",
    ),
    pair(
        "--brand-border",
        "--brand-surface",
        NON_TEXT,
        "field borders",
    ),
    pair(
        "--brand-error",
        "--brand-error-background",
        NON_TEXT,
        "an alert's border",
    ),
    // The focus ring is the stronger of --brand-focus and --brand-focus-outline: see `focus`.
    pair(
        "--brand-focus",
        "--brand-surface",
        NON_TEXT,
        "the focus ring on the card",
    ),
];

/// The two schemes the pages have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }

    /// The colour a browser paints under a translucent page background.
    fn canvas(self) -> Colour {
        match self {
            Scheme::Light => Colour::WHITE,
            Scheme::Dark => Colour::BLACK,
        }
    }
}

/// The custom properties in force in each scheme.
#[derive(Debug, Clone, Default)]
pub struct Brand {
    light: HashMap<String, String>,
    dark: HashMap<String, String>,
}

impl Brand {
    /// Reads the custom properties set on `:root` (or `html`), outside any `@media` or inside a
    /// `prefers-color-scheme` one, in source order: the dark scheme is the light one with the
    /// dark block's values over it. Other rules and at-rules are skipped.
    pub fn parse(css: &str) -> Brand {
        let mut brand = Brand::default();
        for rule in style_rules(&without_comments(css)) {
            let is_root = rule
                .selector
                .split(',')
                .any(|s| matches!(s.trim(), ":root" | "html"));
            if !is_root {
                continue;
            }
            let (light, dark) = schemes_of(&rule.media);
            for (name, value) in declarations(rule.body) {
                if !name.starts_with("--") {
                    continue;
                }
                if light {
                    brand.light.insert(name.clone(), value.clone());
                }
                if dark {
                    brand.dark.insert(name, value);
                }
            }
        }
        brand
    }

    /// The value of `property` in `scheme`, with `var()` references followed (and `!important`
    /// dropped); `None` when it is not set.
    pub fn value(&self, scheme: Scheme, property: &str) -> Option<String> {
        let map = match scheme {
            Scheme::Light => &self.light,
            Scheme::Dark => &self.dark,
        };
        let mut value = map.get(property)?.clone();
        // A few hops at most: a loop of references gives up rather than spinning.
        for _ in 0..8 {
            let Some(inner) = value
                .strip_prefix("var(")
                .and_then(|rest| rest.strip_suffix(')'))
            else {
                break;
            };
            let (name, fallback) = match inner.split_once(',') {
                Some((name, fallback)) => (name.trim(), Some(fallback.trim())),
                None => (inner.trim(), None),
            };
            value = match (map.get(name), fallback) {
                (Some(next), _) => next.clone(),
                (None, Some(fallback)) => fallback.to_owned(),
                (None, None) => return None,
            };
        }
        Some(value)
    }

    /// The properties of [`PROPERTIES`] that are set in neither scheme.
    pub fn missing(&self) -> Vec<&'static str> {
        PROPERTIES
            .into_iter()
            .filter(|p| !self.light.contains_key(*p) && !self.dark.contains_key(*p))
            .collect()
    }

    /// The colour of `property` in `scheme`: `Err` with the value when it is not one this
    /// reads (a `color-mix()`, say), `Ok(None)` when unset.
    pub fn colour(&self, scheme: Scheme, property: &str) -> Result<Option<Colour>, String> {
        match self.value(scheme, property) {
            None => Ok(None),
            Some(value) => Colour::parse(&value).map(Some).ok_or(value),
        }
    }

    /// `url(…)` of the logo in `scheme`, unquoted; `None` for `none` or unset.
    pub fn logo(&self, scheme: Scheme) -> Option<String> {
        let value = self.value(scheme, "--brand-logo")?;
        let inner = value.strip_prefix("url(")?.strip_suffix(')')?.trim();
        Some(inner.trim_matches(['"', '\'']).to_owned())
    }
}

/// One contrast measured: a pair in a scheme, with the colours as painted.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub scheme: Scheme,
    pub foreground: &'static str,
    pub background: &'static str,
    pub foreground_colour: Colour,
    pub background_colour: Colour,
    pub ratio: f64,
    pub minimum: f64,
    pub what: &'static str,
}

impl Measured {
    pub fn holds(&self) -> bool {
        // Rounded as checkers show it, so that 4.499 reads as the 4.5 it is shown as.
        (self.ratio * 100.0).round() / 100.0 >= self.minimum
    }
}

/// What measuring a brand found: each pair measured, and each value that could not be read.
#[derive(Debug, Default)]
pub struct Contrasts {
    pub measured: Vec<Measured>,
    /// (scheme, property, value) of colours this does not read.
    pub unreadable: Vec<(Scheme, &'static str, String)>,
}

/// Every pair of [`PAIRS`] in both schemes. The focus ring counts as its stronger colour:
/// `--brand-focus` with `--brand-focus-outline` drawn around it.
pub fn measure(brand: &Brand) -> Contrasts {
    let mut found = Contrasts::default();
    for scheme in [Scheme::Light, Scheme::Dark] {
        let mut colour = |property: &'static str| match brand.colour(scheme, property) {
            Ok(colour) => colour,
            Err(value) => {
                if !found
                    .unreadable
                    .iter()
                    .any(|(s, p, _)| *s == scheme && *p == property)
                {
                    found.unreadable.push((scheme, property, value));
                }
                None
            }
        };
        let colours: HashMap<&'static str, Option<Colour>> = PAIRS
            .iter()
            .flat_map(|p| [p.foreground, p.background])
            .chain(["--brand-focus-outline"])
            .map(|property| (property, colour(property)))
            .collect();
        for pair in &PAIRS {
            let (Some(foreground), Some(background)) =
                (colours[pair.foreground], colours[pair.background])
            else {
                continue;
            };
            let background = background.over(scheme.canvas());
            let mut measured = Measured {
                scheme,
                foreground: pair.foreground,
                background: pair.background,
                foreground_colour: foreground.over(background),
                background_colour: background,
                ratio: contrast(foreground, background),
                minimum: pair.minimum,
                what: pair.what,
            };
            if pair.foreground == "--brand-focus" {
                if let Some(outline) = colours["--brand-focus-outline"] {
                    let outline_ratio = contrast(outline, background);
                    if outline_ratio > measured.ratio {
                        measured.foreground = "--brand-focus-outline";
                        measured.foreground_colour = outline.over(background);
                        measured.ratio = outline_ratio;
                    }
                }
            }
            found.measured.push(measured);
        }
    }
    found
}

/// A style rule: its selector, the `@media` preludes around it, and its declarations' text.
struct StyleRule<'a> {
    media: Vec<String>,
    selector: String,
    body: &'a str,
}

fn without_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The style rules of a stylesheet, with the at-rules they sit in.
fn style_rules(css: &str) -> Vec<StyleRule<'_>> {
    let mut rules = Vec::new();
    let mut media: Vec<String> = Vec::new();
    let mut start = 0;
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                let prelude = css[start..i].trim().to_owned();
                if prelude.starts_with('@') {
                    media.push(prelude);
                    start = i + 1;
                } else {
                    let end = matching_brace(css, i).unwrap_or(css.len());
                    rules.push(StyleRule {
                        media: media.clone(),
                        selector: prelude,
                        body: &css[i + 1..end],
                    });
                    i = end;
                    start = end + 1;
                }
            }
            b'}' => {
                media.pop();
                start = i + 1;
            }
            // `@import …;` and the like end without a block.
            b';' => start = i + 1,
            _ => {}
        }
        i += 1;
    }
    rules
}

/// Index of the `}` closing the block opened at `open`, skipping strings and nested blocks.
fn matching_brace(css: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    let mut quote = None;
    for (offset, byte) in css.as_bytes()[open..].iter().enumerate() {
        match (quote, byte) {
            (Some(q), _) if *byte == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*byte),
            (None, b'{') => depth += 1,
            (None, b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + offset);
                }
            }
            _ => {}
        }
    }
    None
}

/// Which schemes a rule inside these at-rules applies to: outside any, both; inside `@media`
/// naming `prefers-color-scheme: dark` (or light), that one; inside anything else, neither.
fn schemes_of(at_rules: &[String]) -> (bool, bool) {
    let (mut light, mut dark) = (true, true);
    for at_rule in at_rules {
        let condition: String = at_rule
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if !condition.starts_with("@media") {
            return (false, false);
        }
        if condition.contains("prefers-color-scheme:dark") {
            light = false;
        } else if condition.contains("prefers-color-scheme:light") {
            dark = false;
        } else if condition != "@mediaall" && condition != "@mediascreen" {
            return (false, false);
        }
    }
    (light, dark)
}

/// `name: value` pairs of a declaration block, split at `;` outside strings and brackets (a
/// `url(data:…;…)` keeps its semicolons).
fn declarations(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote = None;
    let mut start = 0;
    let bytes = body.as_bytes();
    for i in 0..=bytes.len() {
        let byte = bytes.get(i).copied();
        match (quote, byte) {
            (Some(q), Some(b)) if b == q => quote = None,
            (Some(_), Some(_)) => continue,
            (None, Some(b'"' | b'\'')) => quote = byte,
            (None, Some(b'(' | b'[')) => depth += 1,
            (None, Some(b')' | b']')) => depth -= 1,
            (_, None) | (None, Some(b';')) if depth <= 0 => {
                let declaration = &body[start..i];
                if let Some((name, value)) = declaration.split_once(':') {
                    let value = value.trim();
                    let value = value.strip_suffix("!important").unwrap_or(value).trim();
                    out.push((name.trim().to_owned(), value.to_owned()));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stylesheet the build ships: every property, and every pair meeting AA in both
    /// schemes (the defaults must never fail a deployer's check).
    const SHIPPED: &str = include_str!("../../style/brand.css");

    #[test]
    fn the_shipped_brand_sets_every_property_and_meets_aa() {
        let brand = Brand::parse(SHIPPED);
        assert_eq!(brand.missing(), Vec::<&str>::new());
        let found = measure(&brand);
        assert!(found.unreadable.is_empty(), "{:?}", found.unreadable);
        assert_eq!(found.measured.len(), 2 * PAIRS.len());
        for measured in &found.measured {
            assert!(measured.holds(), "{measured:?}");
        }
        assert_eq!(brand.logo(Scheme::Light), None);
    }

    #[test]
    fn the_dark_scheme_is_the_light_one_with_the_dark_block_over_it() {
        let brand = Brand::parse(
            "/* a { } comment */ :root { --brand-accent: #1d4ed8; --brand-text: black; }\n\
             @media (prefers-color-scheme: dark) { :root { --brand-accent: rgb(138 180 255) } }\n\
             @media (min-width: 40rem) { :root { --brand-text: red } }\n\
             .other { --brand-text: blue }",
        );
        let colour = |scheme, property| brand.colour(scheme, property).unwrap().unwrap().hex();
        assert_eq!(colour(Scheme::Light, "--brand-accent"), "#1d4ed8");
        assert_eq!(colour(Scheme::Dark, "--brand-accent"), "#8ab4ff");
        assert_eq!(colour(Scheme::Light, "--brand-text"), "#000000");
        assert_eq!(colour(Scheme::Dark, "--brand-text"), "#000000");
    }

    #[test]
    fn a_light_block_and_references_and_important() {
        let brand = Brand::parse(
            "html, body { --brand-surface: white !important; --ink: #222 }\
             @media screen and (prefers-color-scheme: light) { :root { --brand-text: var(--ink); } }\
             :root { --brand-border: var(--missing, #6b7280); --brand-error: var(--missing) }",
        );
        assert_eq!(
            brand.value(Scheme::Light, "--brand-surface").as_deref(),
            Some("white")
        );
        assert_eq!(
            brand.value(Scheme::Light, "--brand-text").as_deref(),
            Some("#222")
        );
        assert_eq!(brand.value(Scheme::Dark, "--brand-text"), None);
        assert_eq!(
            brand.value(Scheme::Dark, "--brand-border").as_deref(),
            Some("#6b7280")
        );
        assert_eq!(brand.value(Scheme::Light, "--brand-error"), None);
    }

    #[test]
    fn the_logo_is_read_with_or_without_quotes_and_a_data_url_keeps_its_semicolons() {
        let brand = Brand::parse(
            ":root { --brand-logo: url(\"logo.svg\"); --brand-accent: red }\
             @media (prefers-color-scheme: dark) { :root { \
               --brand-logo: url('data:image/svg+xml;utf8,<svg/>'); --brand-accent: blue } }",
        );
        assert_eq!(brand.logo(Scheme::Light).as_deref(), Some("logo.svg"));
        assert_eq!(
            brand.logo(Scheme::Dark).as_deref(),
            Some("data:image/svg+xml;utf8,<svg/>")
        );
        assert_eq!(
            brand.value(Scheme::Dark, "--brand-accent").as_deref(),
            Some("blue")
        );
    }

    #[test]
    fn a_low_contrast_pair_is_measured_as_failing_in_its_scheme_only() {
        let css = SHIPPED.replacen("--brand-accent: #1d4ed8;", "--brand-accent: #7ea6f0;", 1);
        let found = measure(&Brand::parse(&css));
        let failing: Vec<_> = found.measured.iter().filter(|m| !m.holds()).collect();
        assert!(!failing.is_empty());
        for measured in failing {
            assert_eq!(measured.scheme, Scheme::Light);
            assert!(
                measured.foreground == "--brand-accent" || measured.background == "--brand-accent",
                "{measured:?}"
            );
        }
    }

    #[test]
    fn unreadable_and_missing_values_are_reported() {
        let brand = Brand::parse(":root { --brand-accent: color-mix(in srgb, red, blue); }");
        let found = measure(&brand);
        assert!(
            found
                .unreadable
                .iter()
                .any(|(scheme, property, _)| *scheme == Scheme::Light
                    && *property == "--brand-accent")
        );
        assert!(brand.missing().contains(&"--brand-text"));
        assert!(!brand.missing().contains(&"--brand-accent"));
    }

    #[test]
    fn the_focus_ring_counts_as_its_stronger_colour() {
        // Yellow on white is faint; the near-black line around it is what a person sees.
        let brand = Brand::parse(
            ":root { --brand-focus: #ffbf47; --brand-focus-outline: #0b0c0c; --brand-surface: #fff }",
        );
        let found = measure(&brand);
        let focus = found
            .measured
            .iter()
            .find(|m| m.what.contains("focus") && m.scheme == Scheme::Light)
            .unwrap();
        assert_eq!(focus.foreground, "--brand-focus-outline");
        assert!(focus.holds());
    }
}
