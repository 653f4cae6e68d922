//! The API's answer to a CORS preflight from the pages' origin, for each call the pages make
//! to an API on another origin.

use crate::deployment::{Deployment, Encoding};
use crate::report::Report;
use crate::visitor::{same_origin, Visitor};

/// Headers a browser lets a page send without asking (CORS-safelisted) for the values the pages
/// send: `Accept-Language` with a language tag, `Content-Type` for a form.
fn safelisted(header: &str, encoding: Encoding) -> bool {
    match header {
        "accept-language" => true,
        "content-type" => encoding == Encoding::Form,
        "accept" | "content-language" => true,
        _ => false,
    }
}

/// When the API is on another origin, each endpoint's preflight from the pages' origin: the
/// origin allowed, and every header the pages send.
pub async fn preflights(visitor: &Visitor, deployment: &Deployment, report: &mut Report) {
    let pages = visitor.site.clone();
    let origin = visitor.origin();
    let elsewhere: Vec<_> = deployment
        .endpoints
        .iter()
        .filter(|endpoint| !same_origin(&endpoint.url, &pages))
        .collect();
    if elsewhere.is_empty() {
        report.ok("cors", "API", "on the pages' origin: no CORS needed");
        return;
    }
    for endpoint in elsewhere {
        let mut headers = vec!["content-type".to_owned(), "accept-language".to_owned()];
        headers.extend(endpoint.headers.iter().cloned());
        let subject = format!("{} {}", endpoint.name, endpoint.url.as_str());
        let answer = match visitor
            .preflight(&endpoint.url, endpoint.method, &headers)
            .await
        {
            Ok(answer) => answer,
            Err(error) => {
                report.fail(
                    "cors",
                    subject,
                    format!("no answer to a preflight ({error}): the pages cannot reach their API"),
                    "check config.json's api_base and that the API is up and reachable from browsers",
                );
                continue;
            }
        };
        let allowed_origin = answer.header("access-control-allow-origin").trim();
        if !(200..300).contains(&answer.status)
            || !(allowed_origin == "*" || allowed_origin.eq_ignore_ascii_case(&origin))
        {
            let allows = if allowed_origin.is_empty() {
                "allows no origin".to_owned()
            } else {
                format!("allows {allowed_origin}")
            };
            report.fail(
                "cors",
                subject,
                format!(
                    "the API's answer to a preflight from {origin} ({}) {allows}: browsers block \
                     every request of the pages",
                    answer.status
                ),
                format!(
                    "allow the origin {origin} in the API's CORS settings, for POST with \
                     Content-Type and Accept-Language{}",
                    extra(&endpoint.headers)
                ),
            );
            continue;
        }
        let listed = answer
            .header_values("access-control-allow-headers")
            .join(",");
        let listed: Vec<String> = listed
            .split(',')
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let unlisted: Vec<&String> = headers
            .iter()
            .filter(|h| !listed.iter().any(|l| l == *h || l == "*"))
            .collect();
        let (needed, spared): (Vec<&String>, Vec<&String>) = unlisted
            .into_iter()
            .partition(|h| !safelisted(h, endpoint.encoding));
        // POST needs no Access-Control-Allow-Methods: browsers never ask about it.
        if !needed.is_empty() {
            let names: Vec<&str> = needed.iter().map(|h| h.as_str()).collect();
            report.fail(
                "cors",
                subject,
                format!(
                    "the API allows {origin} but not the header {}: browsers block the pages' \
                     requests",
                    names.join(", ")
                ),
                format!("add {} to Access-Control-Allow-Headers", names.join(", ")),
            );
        } else if !spared.is_empty() {
            let names: Vec<&str> = spared.iter().map(|h| h.as_str()).collect();
            report.warn(
                "cors",
                subject,
                format!(
                    "the API allows {origin}, but does not list {}: browsers let the pages send \
                     it without asking today, for the values they send",
                    names.join(", ")
                ),
                format!("add {} to Access-Control-Allow-Headers", names.join(", ")),
            );
        } else {
            report.ok(
                "cors",
                subject,
                format!(
                    "allows {origin} to POST with Content-Type and Accept-Language{}",
                    extra(&endpoint.headers)
                ),
            );
        }
    }
}

fn extra(headers: &[String]) -> String {
    if headers.is_empty() {
        String::new()
    } else {
        format!(" and {}", headers.join(", "))
    }
}
