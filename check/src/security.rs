//! What lets the pages run and call their API, and nothing else: the Content-Security-Policy
//! of each page, and the API's answer to a CORS preflight from the pages' origin.

use url::Url;

use crate::deployment::{Deployment, Encoding};
use crate::html;
use crate::policy::{sha256_source, Policy, Verdict};
use crate::report::Report;
use crate::visitor::{same_origin, Answer, Visitor};

const POLICY_FIX: &str = "deploy/README.md shows the policy the pages need";

/// The policy of each page: `'wasm-unsafe-eval'`, the inline bootstrap's hash, no
/// `'unsafe-inline'`, this origin allowed for the pages' own files, and the API allowed in
/// `connect-src`.
pub fn content_policy(pages: &[Answer], deployment: Option<&Deployment>, report: &mut Report) {
    let mut missing = Vec::new();
    let mut problems: Vec<(&'static str, String, String, String)> = Vec::new();
    let mut add = |check: &'static str, subject: &str, message: String, fix: String| {
        // The same problem on every page is said once, naming the pages.
        match problems
            .iter_mut()
            .find(|(c, _, m, _)| *c == check && *m == message)
        {
            Some((_, subjects, _, _)) => {
                if !subjects.split(", ").any(|known| known == subject) {
                    subjects.push_str(&format!(", {subject}"));
                }
            }
            None => problems.push((check, subject.to_owned(), message, fix)),
        }
    };
    for page in pages {
        let path = page.path();
        let policies = Policy::parse_all(page.header_values("content-security-policy"));
        if policies.is_empty() {
            missing.push(path);
            continue;
        }
        let html = page.text();
        for policy in &policies {
            if !allows_wasm(policy) {
                add(
                    "csp-wasm",
                    &path,
                    "script-src lacks 'wasm-unsafe-eval': the browser refuses to compile the \
                     app, and the pages never start"
                        .into(),
                    "add 'wasm-unsafe-eval' to script-src (it allows compiling wasm, not eval)"
                        .into(),
                );
            }
            for directive in ["script-src", "style-src"] {
                if policy.has_keyword(directive, "'unsafe-inline'") {
                    add(
                        "csp-unsafe-inline",
                        &path,
                        format!(
                            "{directive} allows 'unsafe-inline': a script or style injected \
                             into the page would run, and the pages need none"
                        ),
                        "remove 'unsafe-inline' (the pages' one inline script is allowed by its \
                         hash)"
                            .into(),
                    );
                }
            }
            for script in html::inline_scripts(&html) {
                let hash = sha256_source(script);
                let allowed = match policy.governing("script-src") {
                    Verdict::Unrestricted => true,
                    Verdict::Sources(..) => policy.has_keyword("script-src", &hash),
                };
                if !allowed {
                    add(
                        "csp-inline-script",
                        &path,
                        format!(
                            "script-src does not allow the page's inline script ({hash}): the \
                             pages never start (a host that adds or rewrites scripts changes it)"
                        ),
                        format!("add {hash} to script-src; it is the same in every build"),
                    );
                }
            }
            let own = |file: &str| page.url.join(file).ok();
            let loads = html::loads(&html);
            let mut own_files: Vec<(&str, Url)> = loads
                .stylesheets
                .iter()
                .filter_map(|href| Some(("style-src", own(href)?)))
                .collect();
            if let Some((glue, _)) = &loads.app {
                own_files.extend(own(glue).map(|url| ("script-src", url)));
            }
            own_files.extend(own("/config.json").map(|url| ("connect-src", url)));
            for (directive, url) in own_files {
                if !policy.allows_url(directive, &url, &page.url) {
                    add(
                        "csp-self",
                        &path,
                        format!(
                            "{directive} does not allow {}, which the pages load from their own \
                             origin",
                            url.path()
                        ),
                        format!("keep 'self' in {directive}"),
                    );
                }
            }
            if let Some(deployment) = deployment {
                for endpoint in &deployment.endpoints {
                    if !policy.allows_url("connect-src", &endpoint.url, &page.url) {
                        let origin = endpoint.url.origin().ascii_serialization();
                        add(
                            "csp-connect",
                            &path,
                            format!(
                                "connect-src does not allow {origin}, where the pages send their \
                                 requests (config.json's api_base or the backend's): every \
                                 request fails, and nobody can reset a password"
                            ),
                            format!(
                                "add it to the Content-Security-Policy: `connect-src 'self' \
                                 {origin}` ({POLICY_FIX}, \"API on another origin\")"
                            ),
                        );
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        report.fail(
            "csp",
            missing.join(", "),
            "no Content-Security-Policy: a script injected into the page could read the reset \
             token and the new password",
            format!("send the Content-Security-Policy; {POLICY_FIX}"),
        );
    }
    let checked = pages.len() - missing.len();
    for check in [
        "csp-wasm",
        "csp-unsafe-inline",
        "csp-inline-script",
        "csp-self",
        "csp-connect",
    ] {
        if checked > 0 && !problems.iter().any(|(c, ..)| *c == check) {
            let what = match check {
                "csp-wasm" => "'wasm-unsafe-eval' in script-src",
                "csp-unsafe-inline" => "no 'unsafe-inline'",
                "csp-inline-script" => "the inline bootstrap allowed by its hash",
                "csp-self" => "the pages' own scripts, styles and config.json allowed",
                _ if deployment.is_none() => continue,
                _ => "connect-src allows the API",
            };
            report.ok(check, "Content-Security-Policy", what);
        }
    }
    for (check, subject, message, fix) in problems {
        report.fail(check, subject, message, fix);
    }
}

fn allows_wasm(policy: &Policy) -> bool {
    match policy.governing("script-src") {
        Verdict::Unrestricted => true,
        Verdict::Sources(..) => {
            policy.has_keyword("script-src", "'wasm-unsafe-eval'")
                || policy.has_keyword("script-src", "'unsafe-eval'")
        }
    }
}

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
pub async fn cors(visitor: &Visitor, deployment: &Deployment, report: &mut Report) {
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
