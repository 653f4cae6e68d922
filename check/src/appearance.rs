//! The deployer's brand as the pages carry it (`<style id=brand>`, which `deploy/rebrand.sh`
//! writes from `brand.css`): every property the pages read set, its colours readable against
//! each other in both schemes, its logo loading; and `/brand.css`, the deployer's copy, the same
//! brand.

use crate::brand::{measure, Brand, Scheme, NON_TEXT};
use crate::content_policy::enforced;
use crate::html;
use crate::report::Report;
use crate::visitor::{path_of, same_origin, Answer, Kind, Visitor};

const REBRAND: &str = "after editing dist/brand.css, run `sh deploy/rebrand.sh dist`: it puts the \
     brand into every page, with its hash in the page's policy";

/// The brand of `page`, the request page as served.
pub async fn brand(visitor: &Visitor, page: &Answer, report: &mut Report) {
    let html = page.text();
    let Some(carried) = html::brand_style(&html) else {
        report.warn(
            "brand",
            page.path(),
            "carries no brand (<style id=brand>): a build from before the pages carried their \
             styles, or a page edited by hand",
            "deploy a current build",
        );
        return;
    };
    deployers_copy(visitor, carried, report).await;
    let subject = format!("{} <style id=brand>", page.path());
    let brand = Brand::parse(carried);
    let missing = brand.missing();
    if missing.is_empty() {
        report.ok("brand", subject, "every property the pages read is set");
    } else {
        report.fail(
            "brand",
            subject,
            format!(
                "sets no {}: the pages have no value for {}",
                missing.join(", "),
                if missing.len() == 1 { "it" } else { "them" }
            ),
            format!(
                "copy the missing lines back into dist/brand.css from the one the build wrote \
                 (style/brand.css in the source); {REBRAND}"
            ),
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
                "make {} or {} darker or lighter in the {} scheme of dist/brand.css{}, then run \
                 `sh deploy/rebrand.sh dist`",
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
        let Ok(url) = page.url.join(&logo) else {
            report.fail(
                "logo",
                logo,
                "is not an address",
                "write --brand-logo as url(/logo.svg)",
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
                "put the logo on this origin (dist/logo.svg is url(/logo.svg)): the host's policy \
                 allows images from it alone",
            );
            continue;
        }
        if url.scheme() == "data" {
            report.ok("logo", shown, "an image inside the brand");
            continue;
        }
        if !visitor.fetches(&url) {
            report.warn(
                "logo",
                shown,
                "is on another origin: not fetched (the check loads nothing but the site and \
                 its API), so whether it loads is not known",
                "put the logo on this origin (dist/logo.svg is url(/logo.svg))",
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
                "put the file where --brand-logo says (url(/logo.svg) is dist/logo.svg), or \
                 correct the url()",
            ),
            Err(error) => report.fail(
                "logo",
                shown,
                format!("could not be loaded ({error}): the header shows the name without it"),
                "put the logo on this origin (dist/logo.svg is url(/logo.svg))",
            ),
        }
    }
}

/// `/brand.css`, the copy a deployer edits: the brand the pages carry, or an edit not yet put
/// into them, which nobody sees.
async fn deployers_copy(visitor: &Visitor, carried: &str, report: &mut Report) {
    let url = visitor.url("/brand.css");
    let answer = match visitor.get(&url, Kind::Fetch).await {
        Ok(answer) if answer.status == 200 => answer,
        // The pages need no brand.css; only the next rebrand does, and it says so.
        Ok(_) => return,
        Err(error) => {
            report.warn(
                "brand",
                path_of(&url),
                format!("could not be loaded ({error})"),
                "serve dist/brand.css as the build and deploy/rebrand.sh left it",
            );
            return;
        }
    };
    // The pages carry it without its comments (rebrand.sh writes it so).
    if reclaim_contract::brand::as_carried(&answer.text()) != carried {
        report.warn(
            "brand",
            answer.path(),
            "is not the brand the pages carry: an edit not yet put into the pages, which still \
             show the brand before it",
            REBRAND,
        );
    }
}
