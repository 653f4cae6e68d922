//! The deployer's brand as served: `brand.css` present with every property the pages read, its
//! colours readable against each other in both schemes, and its logo loading.

use crate::brand::{measure, Brand, Scheme, NON_TEXT};
use crate::content_policy::enforced;
use crate::html;
use crate::report::Report;
use crate::visitor::{path_of, same_origin, Answer, Kind, Visitor};

const BRAND_FILE: &str = "brand.css";

/// `stylesheets` are the request page's, as served; `page` is that page.
pub async fn brand(visitor: &Visitor, page: &Answer, stylesheets: &[Answer], report: &mut Report) {
    let is_brand = |href: &str| href.ends_with(&format!("/{BRAND_FILE}"));
    let Some(sheet) = stylesheets.iter().find(|s| is_brand(s.url.path())) else {
        // Linked but not loaded is an asset-type failure already.
        let linked = html::loads(&page.text()).stylesheets;
        if !linked.iter().any(|href| is_brand(href)) {
            report.warn(
                "brand",
                BRAND_FILE,
                "the pages link no brand.css: a build from before branding, or pages edited by \
                 hand",
                "deploy a current build: its pages link /brand.css",
            );
        }
        return;
    };
    let brand = Brand::parse(&sheet.text());
    let missing = brand.missing();
    if missing.is_empty() {
        report.ok(
            "brand",
            sheet.path(),
            "every property the pages read is set",
        );
    } else {
        report.fail(
            "brand",
            sheet.path(),
            format!(
                "sets no {}: the pages have no value for {}",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            ),
            "copy the missing lines back from the brand.css the build wrote (style/brand.css in \
             the source)",
        );
    }

    let contrasts = measure(&brand);
    for (scheme, property, value) in &contrasts.unreadable {
        report.warn(
            "contrast",
            format!("{} scheme", scheme.name()),
            format!("{property} is `{value}`, which this check cannot measure"),
            "write it as #hex, rgb(), hsl() or a colour name, or check its contrast by hand",
        );
    }
    let failing: Vec<_> = contrasts.measured.iter().filter(|m| !m.holds()).collect();
    for measured in &failing {
        let kind = if measured.minimum == NON_TEXT {
            "controls"
        } else {
            "text"
        };
        report.fail(
            "contrast",
            format!("{} scheme", measured.scheme.name()),
            format!(
                "{}: {} ({}) on {} ({}) is {:.2}:1, below the {}:1 WCAG AA asks for {kind}",
                measured.what,
                measured.foreground,
                measured.foreground_colour.hex(),
                measured.background,
                measured.background_colour.hex(),
                measured.ratio,
                measured.minimum,
            ),
            format!(
                "make {} or {} darker or lighter in the {} scheme of brand.css{}",
                measured.foreground,
                measured.background,
                measured.scheme.name(),
                match measured.scheme {
                    Scheme::Light => "",
                    Scheme::Dark => " (its prefers-color-scheme: dark block)",
                }
            ),
        );
    }
    if failing.is_empty() && !contrasts.measured.is_empty() {
        report.ok(
            "contrast",
            "brand colours",
            format!(
                "{} pairs meet WCAG AA in the light and the dark scheme",
                contrasts.measured.len()
            ),
        );
    }

    let mut logos: Vec<String> = [Scheme::Light, Scheme::Dark]
        .into_iter()
        .filter_map(|scheme| brand.logo(scheme))
        .collect();
    logos.dedup();
    let policies = enforced(page);
    for logo in logos {
        let Ok(url) = sheet.url.join(&logo) else {
            report.fail(
                "logo",
                logo,
                "is not an address",
                "write --brand-logo as url(logo.svg)",
            );
            continue;
        };
        let shown = if url.scheme() == "data" {
            logo.chars().take(40).collect()
        } else if same_origin(&url, &visitor.site) {
            path_of(&url)
        } else {
            url.to_string()
        };
        if policies
            .iter()
            .any(|p| !p.policy.allows_url("img-src", &url, &page.url))
        {
            report.fail(
                "logo",
                shown.clone(),
                "img-src of the Content-Security-Policy does not allow it: the header shows the \
                 name without it",
                "put the logo beside brand.css on this origin, or add its origin to img-src",
            );
            continue;
        }
        if url.scheme() == "data" {
            report.ok("logo", shown, "an image inside brand.css");
            continue;
        }
        if !visitor.fetches(&url) {
            report.warn(
                "logo",
                shown,
                "is on another origin: not fetched (the check loads nothing but the site and \
                 its API), so whether it loads is not known",
                "put the logo beside brand.css on this origin",
            );
            continue;
        }
        match visitor.get(&url, Kind::Image).await {
            Ok(answer) if answer.status == 200 && answer.media_type().starts_with("image/") => {
                report.ok("logo", shown, format!("loads, as {}", answer.media_type()));
            }
            Ok(answer) => report.fail(
                "logo",
                shown,
                format!(
                    "answers {} ({}): the header shows the name without the logo",
                    answer.status,
                    answer.media_type()
                ),
                "put the file where --brand-logo in brand.css says (relative to brand.css), or \
                 correct the url()",
            ),
            Err(error) => report.fail(
                "logo",
                shown,
                format!("could not be loaded ({error}): the header shows the name without it"),
                "put the logo beside brand.css on this origin",
            ),
        }
    }
}
