//! The pages' Content-Security-Policy in its two halves (`reclaim_contract::policy`), then both
//! together as a browser enforces them.
//!
//! - The page's own (`csp-page`): a `<meta http-equiv>` in its `<head>`, before every script,
//!   style and link, naming exactly what the build's `page_policy` names for that page: its
//!   inline scripts and styles by hash, and nothing it does not use.
//! - The host's (`csp-host`): the header, with every directive of `HOST_POLICY` at least as
//!   strict (`connect-src` may add the API's origin), and no `default-src`, `script-src` or
//!   `style-src` that would block what the page's own policy allows.
//! - Together (`csp-wasm`, `csp-unsafe-inline`, `csp-inline-script`, `csp-inline-style`,
//!   `csp-self`, `csp-connect`): each policy must allow what the pages need.

use reclaim_contract::policy::{page_policy, HOST_POLICY};
use url::Url;

use crate::deployment::Deployment;
use crate::html;
use crate::policy::{same_source, sha256, source_matches, Policy, Verdict};
use crate::report::Report;
use crate::visitor::{same_origin, Answer};

/// Which half of the policy a directive comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The page's `<meta http-equiv=Content-Security-Policy>`.
    Page,
    /// A `Content-Security-Policy` header.
    Host,
}

impl Half {
    fn name(self) -> &'static str {
        match self {
            Half::Page => "the page's own policy",
            Half::Host => "the host's policy",
        }
    }
}

/// One policy a browser enforces on a page.
#[derive(Debug, Clone)]
pub struct Enforced {
    pub half: Half,
    pub policy: Policy,
}

/// Every policy a browser enforces on `page`: its own `<meta>` one, and each of the header's.
/// A request must pass all of them.
pub fn enforced(page: &Answer) -> Vec<Enforced> {
    let own = html::meta_policy(&page.text()).filter(|meta| meta.after_head.is_none());
    own.map(|meta| Policy::parse(&meta.content))
        .into_iter()
        .map(|policy| Enforced {
            half: Half::Page,
            policy,
        })
        .chain(
            Policy::parse_all(page.header_values("content-security-policy"))
                .into_iter()
                .map(|policy| Enforced {
                    half: Half::Host,
                    policy,
                }),
        )
        .collect()
}

/// The page's inline scripts and styles, by the base64 of their SHA-256.
struct Inline {
    scripts: Vec<String>,
    styles: Vec<String>,
}

impl Inline {
    fn of(html: &str) -> Inline {
        let hashes = |texts: Vec<&str>| texts.into_iter().map(sha256).collect();
        Inline {
            scripts: hashes(html::inline_scripts(html)),
            styles: hashes(html::inline_styles(html)),
        }
    }

    /// `source` in words, when it is the hash of one of the page's inline scripts or styles.
    fn describe(&self, source: &str) -> String {
        let named = |hashes: &[String]| {
            hashes
                .iter()
                .any(|hash| same_source(source, &hash_source(hash)))
        };
        if named(&self.scripts) {
            format!("{source} (its inline script)")
        } else if named(&self.styles) {
            format!("{source} (its inline <style>)")
        } else {
            source.to_owned()
        }
    }
}

fn hash_source(hash: &str) -> String {
    format!("'sha256-{hash}'")
}

/// Every check this file reports, and what each says when it holds.
const CHECKS: [(&str, &str); 8] = [
    (
        "csp-page",
        "each page's own policy, first in its <head>, names exactly its inline scripts and styles",
    ),
    (
        "csp-host",
        "the host's policy holds every directive of reclaim's, and leaves scripts and styles to \
         the page",
    ),
    ("csp-wasm", "'wasm-unsafe-eval' in script-src"),
    ("csp-unsafe-inline", "no 'unsafe-inline'"),
    (
        "csp-inline-script",
        "the inline scripts allowed by both policies",
    ),
    (
        "csp-inline-style",
        "the inline styles allowed by both policies",
    ),
    (
        "csp-self",
        "the pages' own scripts, styles, wasm and config.json allowed",
    ),
    ("csp-connect", "connect-src allows the API"),
];

const PAGE_FIX: &str = "serve each page as the build wrote it: the build writes its policy, and \
     a host or tool that adds, rewrites or minifies scripts or styles after the build changes \
     their hashes";

/// Both halves of each page's policy, and what they allow together.
pub fn check(pages: &[Answer], deployment: Option<&Deployment>, report: &mut Report) {
    let mut problems = Problems::default();
    let mut any_style = false;
    for page in pages {
        let html = page.text();
        let inline = Inline::of(&html);
        any_style |= !inline.styles.is_empty();
        own_policy(&page.path(), &html, &inline, &mut problems);
        host_policy(page, &inline, deployment, &mut problems);
        together(page, &html, &inline, deployment, &mut problems);
    }
    for (check, holds) in CHECKS {
        let unasked = match check {
            "csp-inline-style" => !any_style,
            "csp-connect" => deployment.is_none(),
            _ => false,
        };
        if !pages.is_empty() && !unasked && !problems.any(check) {
            report.ok(check, "Content-Security-Policy", holds);
        }
    }
    problems.report(report);
}

/// The page's `<meta>` policy: in the head, before what it governs, and naming exactly what the
/// build's `page_policy` would for this page.
fn own_policy(path: &str, html: &str, inline: &Inline, problems: &mut Problems) {
    let Some(meta) = html::meta_policy(html) else {
        problems.add(
            "csp-page",
            path,
            "has no policy of its own (a <meta http-equiv=Content-Security-Policy> first in its \
             <head>): nothing but the host's policy stands between its scripts and styles and \
             whatever is injected into it",
            PAGE_FIX,
        );
        return;
    };
    if let Some(tag) = &meta.after_head {
        problems.add(
            "csp-page",
            path,
            format!(
                "its <meta> policy comes after {tag}, outside the <head>, where browsers \
                 ignore it"
            ),
            PAGE_FIX,
        );
        return;
    }
    if !meta.after.is_empty() {
        problems.add(
            "csp-page",
            path,
            format!(
                "its <meta> policy comes after its {}: a browser applies it only to what \
                 follows it",
                meta.after.join(", ")
            ),
            PAGE_FIX,
        );
    }
    let scripts: Vec<&str> = inline.scripts.iter().map(String::as_str).collect();
    let styles: Vec<&str> = inline.styles.iter().map(String::as_str).collect();
    let wanted = Policy::parse(&page_policy(&scripts, &styles));
    let given = Policy::parse(&meta.content);
    for (directive, wanted_sources) in wanted.directives() {
        let Some(given_sources) = given.directive(directive) else {
            problems.add(
                "csp-page",
                path,
                format!(
                    "its own policy sets no {directive}: only the host's policy governs its \
                     {}",
                    if directive.starts_with("script") {
                        "scripts"
                    } else {
                        "styles"
                    }
                ),
                PAGE_FIX,
            );
            continue;
        };
        // 'none' stands for an empty list: no source to lack, nor one allowed besides.
        let none = |source: &&String| !same_source(source, "'none'");
        let lacking: Vec<String> = wanted_sources
            .iter()
            .filter(none)
            .filter(|want| !given_sources.iter().any(|give| same_source(give, want)))
            .map(|source| inline.describe(source))
            .collect();
        if !lacking.is_empty() {
            problems.add(
                "csp-page",
                path,
                format!(
                    "its own policy's {directive} lacks {}: the browser refuses what it does not \
                     name, and the pages do not start or lose their styles",
                    lacking.join(", ")
                ),
                PAGE_FIX,
            );
        }
        let unused: Vec<&str> = given_sources
            .iter()
            .filter(none)
            .filter(|give| !wanted_sources.iter().any(|want| same_source(give, want)))
            .map(String::as_str)
            .collect();
        if !unused.is_empty() {
            problems.add(
                "csp-page",
                path,
                format!(
                    "its own policy's {directive} also allows {}, which the page does not use: \
                     a script or style injected to match would run",
                    unused.join(" ")
                ),
                PAGE_FIX,
            );
        }
    }
    for (directive, _) in given.directives() {
        if wanted.directive(directive).is_none() {
            problems.add(
                "csp-page",
                path,
                format!(
                    "its own policy also sets {directive}, which the build leaves to the \
                     host's policy"
                ),
                PAGE_FIX,
            );
        }
    }
}

/// The header: every directive of `HOST_POLICY` at least as strict (`connect-src` may add the
/// API's origin), and nothing that governs scripts or styles in a way that blocks the page's.
fn host_policy(
    page: &Answer,
    inline: &Inline,
    deployment: Option<&Deployment>,
    problems: &mut Problems,
) {
    let path = page.path();
    let send = format!("send `Content-Security-Policy: {HOST_POLICY}` with every page");
    let headers = Policy::parse_all(page.header_values("content-security-policy"));
    if headers.is_empty() {
        problems.add(
            "csp-host",
            &path,
            "comes with no Content-Security-Policy header: nothing stops another site from \
             framing the page, or an injected tag from sending its token elsewhere",
            &send,
        );
        return;
    }
    let host = Policy::parse(HOST_POLICY);
    let mut open = Vec::new();
    let mut looser = Vec::new();
    for (directive, allowed) in host.directives() {
        let verdicts: Vec<Verdict> = headers.iter().map(|h| h.governing(directive)).collect();
        let strict_enough = |sources: &[String]| {
            sources.iter().all(|source| {
                same_source(source, "'none'")
                    || within(source, allowed, &page.url)
                    || (directive == "connect-src" && is_api(source, deployment, &page.url))
            })
        };
        // Several header policies all apply: one strict enough is enough.
        if verdicts
            .iter()
            .any(|v| matches!(v, Verdict::Sources(_, sources) if strict_enough(sources)))
        {
            continue;
        }
        match verdicts.iter().find_map(|v| match v {
            Verdict::Sources(name, sources) => Some((name, sources)),
            Verdict::Unrestricted => None,
        }) {
            None => open.push(directive.to_owned()),
            Some((name, sources)) => {
                let extra: Vec<&str> = sources
                    .iter()
                    .filter(|source| !strict_enough(std::slice::from_ref(source)))
                    .map(String::as_str)
                    .collect();
                looser.push(format!(
                    "{directive} allows {} (by its {name}), where reclaim's allows {}",
                    extra.join(" "),
                    allowed.join(" ")
                ));
            }
        }
    }
    if !open.is_empty() {
        problems.add(
            "csp-host",
            &path,
            format!(
                "the host's policy sets no {}: an injected tag could frame the page, post its \
                 form or send its token elsewhere, or load a plugin",
                open.join(", ")
            ),
            &send,
        );
    }
    if !looser.is_empty() {
        problems.add(
            "csp-host",
            &path,
            format!(
                "the host's policy is looser than reclaim's: {}",
                looser.join("; ")
            ),
            format!("{send}, adding only the API's origin to connect-src"),
        );
    }
    for header in &headers {
        blocking(header, &path, inline, problems);
    }
}

/// A header `default-src`, `script-src` or `style-src` (or their `-elem`s) that blocks the
/// page's inline script or style, or its wasm: a host cannot know a page's hashes.
fn blocking(header: &Policy, path: &str, inline: &Inline, problems: &mut Problems) {
    let mut needs: Vec<(Verdict, String)> = Vec::new();
    for hash in &inline.scripts {
        let source = hash_source(hash);
        if !header.allows_inline("script-src-elem", &source) {
            needs.push((
                header.governing("script-src-elem"),
                format!("its inline script ({source})"),
            ));
        }
    }
    for hash in &inline.styles {
        let source = hash_source(hash);
        if !header.allows_inline("style-src-elem", &source) {
            needs.push((
                header.governing("style-src-elem"),
                format!("its inline <style> ({source})"),
            ));
        }
    }
    if !header.allows_wasm() {
        needs.push((
            header.governing("script-src"),
            "the compiling of its wasm".to_owned(),
        ));
    }
    let blocked: Vec<(&str, String)> = needs
        .into_iter()
        .filter_map(|(verdict, what)| match verdict {
            Verdict::Sources(name, _) => Some((name, what)),
            Verdict::Unrestricted => None,
        })
        .collect();
    let mut directives: Vec<&str> = Vec::new();
    for (name, _) in &blocked {
        if !directives.contains(name) {
            directives.push(name);
        }
    }
    for directive in directives {
        let what: Vec<&str> = blocked
            .iter()
            .filter(|(name, _)| *name == directive)
            .map(|(_, what)| what.as_str())
            .collect();
        problems.add(
            "csp-host",
            path,
            format!(
                "the host's policy sets {directive}, which governs the page's scripts or styles \
                 and blocks {}: a host cannot name a page's hashes, so it leaves scripts and \
                 styles to the page's own policy",
                what.join(" and ")
            ),
            format!(
                "remove {directive} from the Content-Security-Policy header; the page's <meta> \
                 policy governs scripts and styles"
            ),
        );
    }
}

/// Whether `source` allows nothing `allowed` does not: one of its sources, or the page's own
/// origin written out for `'self'`.
fn within(source: &str, allowed: &[String], page: &Url) -> bool {
    let own_origin =
        || Url::parse(source).is_ok_and(|url| url.origin() == page.origin() && url.path() == "/");
    allowed.iter().any(|known| same_source(source, known))
        || (allowed.iter().any(|known| same_source(known, "'self'")) && own_origin())
}

/// Whether `source` names the API's origin and nothing wider (no wildcard, no bare scheme).
fn is_api(source: &str, deployment: Option<&Deployment>, page: &Url) -> bool {
    let narrow = !source.contains('*') && !source.ends_with(':') && !source.starts_with('\'');
    deployment.is_some_and(|d| narrow && source_matches(source, &d.api_base, page))
}

/// What the pages need, against each policy enforced on the page.
fn together(
    page: &Answer,
    html: &str,
    inline: &Inline,
    deployment: Option<&Deployment>,
    problems: &mut Problems,
) {
    let path = page.path();
    let own = |file: &str| page.url.join(file).ok();
    let loads = html::loads(html);
    // Files elsewhere are asset-origin's to report.
    let mut own_files: Vec<(&str, Url)> = loads
        .stylesheets
        .iter()
        .filter_map(|href| Some(("style-src-elem", own(href)?)))
        .filter(|(_, url)| same_origin(url, &page.url))
        .collect();
    if let Some((glue, wasm)) = &loads.app {
        own_files.extend(own(glue).map(|url| ("script-src-elem", url)));
        own_files.extend(own(wasm).map(|url| ("connect-src", url)));
    }
    own_files.extend(own("/config.json").map(|url| ("connect-src", url)));
    for Enforced { half, policy } in enforced(page) {
        let half = half.name();
        if !policy.allows_wasm() {
            problems.add(
                "csp-wasm",
                &path,
                format!(
                    "{half}'s script-src lacks 'wasm-unsafe-eval': the browser refuses to \
                     compile the app, and the pages never start"
                ),
                "add 'wasm-unsafe-eval' to script-src (it allows compiling wasm, not eval)",
            );
        }
        for directive in ["script-src-elem", "style-src-elem"] {
            if let Verdict::Sources(name, _) = policy.governing(directive) {
                if policy.has_keyword(directive, "'unsafe-inline'") {
                    problems.add(
                        "csp-unsafe-inline",
                        &path,
                        format!(
                            "{half}'s {name} allows 'unsafe-inline': a script or style \
                             injected into the page could run, and the pages need none"
                        ),
                        "remove 'unsafe-inline' (the page's own policy allows its inline \
                         script and style by their hashes)",
                    );
                }
            }
        }
        for hash in &inline.scripts {
            let source = hash_source(hash);
            if !policy.allows_inline("script-src-elem", &source) {
                problems.add(
                    "csp-inline-script",
                    &path,
                    format!(
                        "{half} does not allow the page's inline script ({source}): the browser \
                         refuses to run it, and the pages never start"
                    ),
                    format!("let the page's own policy name {source}, and the host's none"),
                );
            }
        }
        for hash in &inline.styles {
            let source = hash_source(hash);
            if !policy.allows_inline("style-src-elem", &source) {
                problems.add(
                    "csp-inline-style",
                    &path,
                    format!(
                        "{half} does not allow the page's inline <style> ({source}): the \
                         browser ignores it, and the pages lose their layout and colours"
                    ),
                    format!("let the page's own policy name {source}, and the host's none"),
                );
            }
        }
        for (directive, url) in &own_files {
            if !policy.allows_url(directive, url, &page.url) {
                problems.add(
                    "csp-self",
                    &path,
                    format!(
                        "{half}'s {directive} does not allow {}, which the pages load from their \
                         own origin",
                        url.path()
                    ),
                    format!("keep 'self' in {directive} (or the directive it falls back to)"),
                );
            }
        }
        for endpoint in deployment.iter().flat_map(|d| &d.endpoints) {
            if !policy.allows_url("connect-src", &endpoint.url, &page.url) {
                let origin = endpoint.url.origin().ascii_serialization();
                problems.add(
                    "csp-connect",
                    &path,
                    format!(
                        "{half}'s connect-src does not allow {origin}, where the pages send their \
                         requests (config.json's api_base or the backend's): every request \
                         fails, and nobody can reset a password"
                    ),
                    format!(
                        "add it to connect-src of the Content-Security-Policy header: \
                         `connect-src 'self' {origin}`"
                    ),
                );
            }
        }
    }
}

/// Problems found, each said once with every page it holds for.
#[derive(Default)]
struct Problems(Vec<(&'static str, String, String, String)>);

impl Problems {
    fn add(
        &mut self,
        check: &'static str,
        path: &str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) {
        let message = message.into();
        match self
            .0
            .iter_mut()
            .find(|(c, _, m, _)| *c == check && *m == message)
        {
            Some((_, subjects, _, _)) => {
                if !subjects.split(", ").any(|known| known == path) {
                    subjects.push_str(&format!(", {path}"));
                }
            }
            None => self.0.push((check, path.to_owned(), message, fix.into())),
        }
    }

    fn any(&self, check: &str) -> bool {
        self.0.iter().any(|(c, ..)| *c == check)
    }

    fn report(self, report: &mut Report) {
        for (check, subject, message, fix) in self.0 {
            report.fail(check, subject, message, fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;
    use crate::deployment;
    use crate::report::Status;

    const SCRIPT: &str = "start()";
    const STYLE: &str = "body{margin:0}";

    /// A built page: its own policy (`meta`, when given) first in its head, then its inline
    /// `style` when given, the app's preload, its inline script.
    fn html(meta: Option<&str>, style: Option<&str>) -> String {
        let meta = meta
            .map(|content| {
                format!("<meta http-equiv=Content-Security-Policy content=\"{content}\">")
            })
            .unwrap_or_default();
        let style = style
            .map(|css| format!("<style>{css}</style>"))
            .unwrap_or_default();
        format!(
            "<!doctype html><html lang=en><head><meta charset=utf-8>{meta}{style}\
             <link rel=modulepreload href=/app-0123456789abcdef.js>\
             <meta name=reclaim-app data-glue=/app-0123456789abcdef.js \
             data-wasm=/app-0123456789abcdef_bg.wasm><script type=module>{SCRIPT}</script>\
             </head><body><h1>Forgot your password?</h1></body></html>"
        )
    }

    /// What the build writes for [`html`]'s page, with or without the inline style.
    fn built_policy(style: bool) -> String {
        let styles = if style { vec![sha256(STYLE)] } else { vec![] };
        let styles: Vec<&str> = styles.iter().map(String::as_str).collect();
        page_policy(&[&sha256(SCRIPT)], &styles)
    }

    fn page(html: String, header: Option<&str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(policy) = header {
            headers.insert(
                "content-security-policy",
                HeaderValue::from_str(policy).unwrap(),
            );
        }
        Answer {
            url: Url::parse("https://reset.example.com/recover").unwrap(),
            status: 200,
            headers,
            body: html.into_bytes(),
        }
    }

    /// The API on another origin, as config.json's api_base puts it.
    fn api_elsewhere() -> Deployment {
        deployment::read(
            Some(r#"{"api_base": "https://api.example.com"}"#),
            Some(include_str!("../../contract/backends/reclaim.json")),
            &Url::parse("https://reset.example.com/").unwrap(),
        )
        .unwrap()
    }

    /// The failures, as `check: message`.
    fn failures(page: Answer, deployment: Option<&Deployment>) -> Vec<String> {
        let mut report = Report::new(&page.url);
        check(&[page], deployment, &mut report);
        report
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .map(|f| format!("{}: {}", f.check, f.message))
            .collect()
    }

    fn assert_fails(failures: &[String], check: &str, says: &str) {
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with(&format!("{check}: ")) && f.contains(says)),
            "no {check} saying {says:?} in {failures:#?}"
        );
    }

    #[test]
    fn a_page_naming_its_own_hashes_under_the_host_policy_passes() {
        let built = page(html(Some(&built_policy(false)), None), Some(HOST_POLICY));
        assert_eq!(failures(built, None), Vec::<String>::new());
        let styled = page(
            html(Some(&built_policy(true)), Some(STYLE)),
            Some(HOST_POLICY),
        );
        let mut report = Report::new(&styled.url);
        check(&[styled], None, &mut report);
        assert!(report.holds(), "{}", report.to_text());
        assert!(report
            .findings
            .iter()
            .any(|f| f.check == "csp-inline-style" && f.status == Status::Ok));
    }

    #[test]
    fn a_wrong_hash_fails() {
        let wrong = built_policy(false).replace(&sha256(SCRIPT), &sha256("other()"));
        let failures = failures(page(html(Some(&wrong), None), Some(HOST_POLICY)), None);
        let right = hash_source(&sha256(SCRIPT));
        assert_fails(
            &failures,
            "csp-page",
            &format!("its own policy's script-src lacks {right} (its inline script)"),
        );
        assert_fails(
            &failures,
            "csp-page",
            &format!(
                "also allows {}, which the page does not use",
                hash_source(&sha256("other()"))
            ),
        );
        assert_fails(
            &failures,
            "csp-inline-script",
            &format!("the page's own policy does not allow the page's inline script ({right})"),
        );
    }

    #[test]
    fn a_missing_or_misplaced_own_policy_fails() {
        let failures_without = failures(page(html(None, None), Some(HOST_POLICY)), None);
        assert_eq!(
            failures_without,
            [
                "csp-page: has no policy of its own (a <meta http-equiv=Content-Security-Policy> \
              first in its <head>): nothing but the host's policy stands between its scripts and \
              styles and whatever is injected into it"
            ]
        );
        let late = html(None, None).replace(
            "</script>",
            &format!(
                "</script><meta http-equiv=Content-Security-Policy content=\"{}\">",
                built_policy(false)
            ),
        );
        let failures_late = failures(page(late, Some(HOST_POLICY)), None);
        assert_fails(
            &failures_late,
            "csp-page",
            "its <meta> policy comes after its <link>, <script>: a browser applies it only to what follows it",
        );
        let in_body = html(None, None).replace(
            "<h1>",
            &format!(
                "<meta http-equiv=Content-Security-Policy content=\"{}\"><h1>",
                built_policy(false)
            ),
        );
        assert_fails(
            &failures(page(in_body, Some(HOST_POLICY)), None),
            "csp-page",
            "its <meta> policy comes after </head>, outside the <head>",
        );
    }

    #[test]
    fn unsafe_inline_fails() {
        let lax = built_policy(false).replace("style-src 'none'", "style-src 'unsafe-inline'");
        let failures = failures(page(html(Some(&lax), None), Some(HOST_POLICY)), None);
        assert_fails(
            &failures,
            "csp-page",
            "its own policy's style-src also allows 'unsafe-inline', which the page does not use",
        );
        assert_fails(
            &failures,
            "csp-unsafe-inline",
            "the page's own policy's style-src allows 'unsafe-inline'",
        );
    }

    #[test]
    fn a_host_policy_that_governs_scripts_fails() {
        let header = format!("default-src 'self'; {HOST_POLICY}");
        let failures = failures(
            page(html(Some(&built_policy(false)), None), Some(&header)),
            None,
        );
        let hash = hash_source(&sha256(SCRIPT));
        assert_fails(
            &failures,
            "csp-host",
            &format!(
                "the host's policy sets default-src, which governs the page's scripts or styles \
                 and blocks its inline script ({hash}) and the compiling of its wasm"
            ),
        );
        assert_fails(
            &failures,
            "csp-inline-script",
            &format!("the host's policy does not allow the page's inline script ({hash})"),
        );
        assert_fails(
            &failures,
            "csp-wasm",
            "the host's policy's script-src lacks",
        );
        // A host that names the hash itself blocks nothing (and must then follow every build).
        let naming = format!("script-src 'self' 'wasm-unsafe-eval' {hash}; {HOST_POLICY}");
        assert_eq!(
            super::tests::failures(
                page(html(Some(&built_policy(false)), None), Some(&naming)),
                None
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_host_policy_is_held_to_reclaims_directives() {
        let own = built_policy(false);
        let without_framing = HOST_POLICY.replace("frame-ancestors 'none'; ", "");
        assert_fails(
            &failures(page(html(Some(&own), None), Some(&without_framing)), None),
            "csp-host",
            "the host's policy sets no frame-ancestors",
        );
        assert_fails(
            &failures(page(html(Some(&own), None), None), None),
            "csp-host",
            "comes with no Content-Security-Policy header",
        );
        let images_anywhere = HOST_POLICY.replace("img-src 'self'", "img-src 'self' *");
        assert_fails(
            &failures(page(html(Some(&own), None), Some(&images_anywhere)), None),
            "csp-host",
            "the host's policy is looser than reclaim's: img-src allows * (by its img-src), where reclaim's allows 'self'",
        );
        // Stricter is fine, and so is the page's own origin written out.
        let stricter = HOST_POLICY
            .replace("img-src 'self'", "img-src 'none'")
            .replace(
                "form-action 'self'",
                "form-action https://reset.example.com",
            );
        assert_eq!(
            failures(page(html(Some(&own), None), Some(&stricter)), None),
            Vec::<String>::new()
        );
    }

    #[test]
    fn connect_src_may_add_the_api_and_must_when_it_is_elsewhere() {
        let own = built_policy(false);
        let api = api_elsewhere();
        assert_fails(
            &failures(page(html(Some(&own), None), Some(HOST_POLICY)), Some(&api)),
            "csp-connect",
            "the host's policy's connect-src does not allow https://api.example.com, where the pages send their requests",
        );
        let with_api = HOST_POLICY.replace(
            "connect-src 'self'",
            "connect-src 'self' https://api.example.com",
        );
        assert_eq!(
            failures(page(html(Some(&own), None), Some(&with_api)), Some(&api)),
            Vec::<String>::new()
        );
        let any_https = HOST_POLICY.replace("connect-src 'self'", "connect-src 'self' https:");
        assert_fails(
            &failures(page(html(Some(&own), None), Some(&any_https)), Some(&api)),
            "csp-host",
            "connect-src allows https: (by its connect-src)",
        );
    }
}
