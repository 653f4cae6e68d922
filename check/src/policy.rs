//! A Content-Security-Policy as a browser enforces it: which directive governs a kind of request
//! (CSP Level 3's fallbacks, to `default-src` at the end), and whether a source list allows a
//! URL, an inline script or style by its hash, or the compiling of wasm.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use url::Url;

/// One policy: its directives in order, names in lower case. A repeated directive is ignored,
/// as browsers ignore it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    directives: Vec<(String, Vec<String>)>,
}

/// What a directive says about a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    /// Neither the directive nor any it falls back to is set: anything goes.
    Unrestricted,
    /// The sources of the directive that governs, and its name.
    Sources(&'a str, &'a [String]),
}

/// The directives a browser consults for `directive`, in order (CSP Level 3, "directive fallback
/// list"). Navigation and document directives (`base-uri`, `form-action`, `frame-ancestors`)
/// fall back to nothing.
fn fallbacks(directive: &str) -> &[&str] {
    match directive {
        "script-src-elem" => &["script-src-elem", "script-src", "default-src"],
        "script-src-attr" => &["script-src-attr", "script-src", "default-src"],
        "style-src-elem" => &["style-src-elem", "style-src", "default-src"],
        "style-src-attr" => &["style-src-attr", "style-src", "default-src"],
        "worker-src" => &["worker-src", "child-src", "script-src", "default-src"],
        "frame-src" => &["frame-src", "child-src", "default-src"],
        "script-src" => &["script-src", "default-src"],
        "style-src" => &["style-src", "default-src"],
        "child-src" => &["child-src", "default-src"],
        "connect-src" => &["connect-src", "default-src"],
        "font-src" => &["font-src", "default-src"],
        "img-src" => &["img-src", "default-src"],
        "manifest-src" => &["manifest-src", "default-src"],
        "media-src" => &["media-src", "default-src"],
        "object-src" => &["object-src", "default-src"],
        _ => &[],
    }
}

/// The prefix of a hash or a nonce (`'sha256-`), a source that names inline content rather
/// than a place; `None` for any other source.
fn inline_prefix(source: &str) -> Option<&'static str> {
    let lower = source.to_ascii_lowercase();
    ["'sha256-", "'sha384-", "'sha512-", "'nonce-"]
        .into_iter()
        .find(|prefix| lower.starts_with(prefix))
}

/// Whether two source expressions are the same: keywords and hosts in any case, a hash's or
/// nonce's base64 exactly.
pub fn same_source(a: &str, b: &str) -> bool {
    match (inline_prefix(a), inline_prefix(b)) {
        (Some(prefix_a), Some(prefix_b)) => {
            prefix_a == prefix_b && a[prefix_a.len()..] == b[prefix_b.len()..]
        }
        (None, None) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

impl Policy {
    /// Every policy a response carries: each `Content-Security-Policy` header, and each
    /// comma-separated policy within one. A request must pass all of them.
    pub fn parse_all<'a>(headers: impl IntoIterator<Item = &'a str>) -> Vec<Policy> {
        headers
            .into_iter()
            .flat_map(|header| header.split(','))
            .map(Policy::parse)
            .filter(|policy| !policy.directives.is_empty())
            .collect()
    }

    /// One policy: `script-src 'self' 'wasm-unsafe-eval'; object-src 'none'`.
    pub fn parse(text: &str) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for directive in text.split(';') {
            let mut words = directive.split_ascii_whitespace();
            let Some(name) = words.next() else { continue };
            let name = name.to_ascii_lowercase();
            if directives.iter().any(|(known, _)| *known == name) {
                continue;
            }
            directives.push((name, words.map(str::to_owned).collect()));
        }
        Policy { directives }
    }

    /// Each directive set, with its sources, in order.
    pub fn directives(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.directives
            .iter()
            .map(|(name, sources)| (name.as_str(), sources.as_slice()))
    }

    /// The sources of `name` when the policy sets it, without fallbacks.
    pub fn directive(&self, name: &str) -> Option<&[String]> {
        self.directives()
            .find(|(known, _)| *known == name)
            .map(|(_, sources)| sources)
    }

    /// The sources that govern `directive` (`script-src-elem`, `connect-src`, `base-uri`…): its
    /// own, else those of the first directive it falls back to that is set.
    pub fn governing(&self, directive: &str) -> Verdict<'_> {
        let own = [directive];
        let order = match fallbacks(directive) {
            [] => &own[..],
            order => order,
        };
        order
            .iter()
            .find_map(|name| self.directives().find(|(known, _)| known == name))
            .map_or(Verdict::Unrestricted, |(name, sources)| {
                Verdict::Sources(name, sources)
            })
    }

    /// Whether the governing source list of `directive` holds `keyword` (`'wasm-unsafe-eval'`,
    /// `'unsafe-inline'`, a `'sha256-…'` hash).
    pub fn has_keyword(&self, directive: &str, keyword: &str) -> bool {
        match self.governing(directive) {
            Verdict::Unrestricted => false,
            Verdict::Sources(_, sources) => {
                sources.iter().any(|source| same_source(source, keyword))
            }
        }
    }

    /// Whether an inline `<script>` (`directive` `script-src-elem`) or `<style>`
    /// (`style-src-elem`) whose text hashes to `hash` may run. `'unsafe-inline'` counts only in a
    /// list without hashes or nonces, as browsers ignore it beside them.
    pub fn allows_inline(&self, directive: &str, hash: &str) -> bool {
        match self.governing(directive) {
            Verdict::Unrestricted => true,
            Verdict::Sources(_, sources) => {
                sources.iter().any(|source| same_source(source, hash))
                    || (sources
                        .iter()
                        .any(|source| same_source(source, "'unsafe-inline'"))
                        && !sources.iter().any(|source| inline_prefix(source).is_some()))
            }
        }
    }

    /// Whether the page may compile its wasm: `'wasm-unsafe-eval'` (or `'unsafe-eval'`) where
    /// scripts are governed.
    pub fn allows_wasm(&self) -> bool {
        match self.governing("script-src") {
            Verdict::Unrestricted => true,
            Verdict::Sources(..) => {
                self.has_keyword("script-src", "'wasm-unsafe-eval'")
                    || self.has_keyword("script-src", "'unsafe-eval'")
            }
        }
    }

    /// Whether `directive` lets a page on `page` load `url`.
    pub fn allows_url(&self, directive: &str, url: &Url, page: &Url) -> bool {
        match self.governing(directive) {
            Verdict::Unrestricted => true,
            Verdict::Sources(_, sources) => sources
                .iter()
                .any(|source| source_matches(source, url, page)),
        }
    }
}

/// The base64 of the SHA-256 of an inline script's or style's text: what `'sha256-…'` names.
pub fn sha256(text: &str) -> String {
    STANDARD.encode(Sha256::digest(text.as_bytes()))
}

/// CSP Level 3's source matching, for http(s) URLs: `*`, `'self'`, a scheme (`https:`), or a
/// host with optional scheme, port and path (`https://*.example.com:8443/api/`).
pub fn source_matches(source: &str, url: &Url, page: &Url) -> bool {
    let source = source.to_ascii_lowercase();
    let web = matches!(url.scheme(), "http" | "https");
    if source == "*" {
        return web;
    }
    if source == "'self'" {
        return url.host_str() == page.host_str()
            && scheme_matches(page.scheme(), url.scheme())
            && port_matches(Some(port_of(page)), url, page.scheme());
    }
    if source.starts_with('\'') {
        return false; // another keyword, a nonce or a hash: never a URL
    }
    if let Some(scheme) = source.strip_suffix(':') {
        return !scheme.contains('/') && scheme_matches(scheme, url.scheme());
    }
    let (scheme, rest) = match source.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, source.as_str()),
    };
    if !scheme_matches(scheme.unwrap_or(page.scheme()), url.scheme()) {
        return false;
    }
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], Some(&rest[at..])),
        None => (rest, None),
    };
    // `[::1]` has colons of its own; its port, if any, follows the `]`.
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !authority.ends_with(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let Some(url_host) = url.host_str() else {
        return false;
    };
    let host_ok = match host.strip_prefix("*.") {
        Some(parent) => url_host.ends_with(&format!(".{parent}")),
        None => host == "*" || host == url_host,
    };
    let port_ok = match port {
        Some("*") => true,
        Some(port) => port.parse::<u16>().ok().is_some_and(|p| p == port_of(url)),
        None => port_matches(None, url, scheme.unwrap_or(url.scheme())),
    };
    let path_ok = match path {
        None | Some("") | Some("/") => true,
        Some(path) if path.ends_with('/') => url.path().starts_with(path),
        Some(path) => url.path() == path,
    };
    host_ok && port_ok && path_ok
}

/// `http` sources also allow `https` (the upgrade browsers accept), never the reverse.
fn scheme_matches(source: &str, url: &str) -> bool {
    source == url || (source == "http" && url == "https") || (source == "ws" && url == "wss")
}

fn port_of(url: &Url) -> u16 {
    url.port_or_known_default().unwrap_or(0)
}

/// A port left out means the scheme's default, also after an http → https upgrade.
fn port_matches(port: Option<u16>, url: &Url, source_scheme: &str) -> bool {
    let url_port = port_of(url);
    match port {
        Some(port) => port == url_port || (port == 80 && url_port == 443),
        None => {
            let default = if source_scheme == "https" { 443 } else { 80 };
            url_port == default || (default == 80 && url_port == 443)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' \
        'sha256-m/gLUSrPBY5W56RXY4wtwa9m5u3kVpOqu8OzseQx57I='; object-src 'none'; \
        base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn directives_fall_back_to_default_src() {
        let policy = Policy::parse(SHIPPED);
        assert!(policy.has_keyword("script-src", "'wasm-unsafe-eval'"));
        assert!(policy.has_keyword("script-src", "'WASM-UNSAFE-EVAL'"));
        assert!(!policy.has_keyword("style-src", "'wasm-unsafe-eval'"));
        assert_eq!(
            policy.governing("connect-src"),
            Verdict::Sources("default-src", &["'self'".to_owned()])
        );
        assert_eq!(
            Policy::parse("object-src 'none'").governing("connect-src"),
            Verdict::Unrestricted
        );
    }

    #[test]
    fn each_directive_falls_back_as_csp_level_3_says() {
        let policy = Policy::parse("default-src 'none'; script-src 'self'; child-src 'self'");
        let governing = |directive| match policy.governing(directive) {
            Verdict::Sources(name, _) => name,
            Verdict::Unrestricted => "nothing",
        };
        assert_eq!(governing("script-src-elem"), "script-src");
        assert_eq!(governing("style-src-elem"), "default-src");
        assert_eq!(governing("worker-src"), "child-src");
        assert_eq!(governing("frame-src"), "child-src");
        assert_eq!(governing("img-src"), "default-src");
        // Document and navigation directives fall back to nothing.
        assert_eq!(governing("base-uri"), "nothing");
        assert_eq!(governing("frame-ancestors"), "nothing");
        assert_eq!(governing("form-action"), "nothing");
    }

    #[test]
    fn inline_content_by_hash_and_unsafe_inline_only_without_hashes() {
        let hash = format!("'sha256-{}'", sha256("alert(1)"));
        // echo -n "alert(1)" | openssl dgst -sha256 -binary | base64
        assert_eq!(
            hash,
            "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
        );
        let by_hash = Policy::parse(&format!("script-src 'self' {hash}"));
        assert!(by_hash.allows_inline("script-src-elem", &hash));
        assert!(!by_hash.allows_inline("script-src-elem", &hash.to_ascii_uppercase()));
        assert!(!by_hash.allows_inline("script-src-elem", "'sha256-other='"));
        let lax = Policy::parse("script-src 'unsafe-inline'");
        assert!(lax.allows_inline("script-src-elem", &hash));
        let ignored = Policy::parse(&format!("script-src 'unsafe-inline' {hash}"));
        assert!(!ignored.allows_inline("script-src-elem", "'sha256-other='"));
        assert!(Policy::parse("img-src 'self'").allows_inline("script-src-elem", &hash));
        assert!(same_source("'SELF'", "'self'"));
        assert!(same_source("'SHA256-abc='", "'sha256-abc='"));
        assert!(!same_source("'sha256-ABC='", "'sha256-abc='"));
    }

    #[test]
    fn wasm_needs_wasm_unsafe_eval_where_scripts_are_governed() {
        assert!(Policy::parse("script-src 'self' 'wasm-unsafe-eval'").allows_wasm());
        assert!(Policy::parse("default-src 'self' 'unsafe-eval'").allows_wasm());
        assert!(!Policy::parse("default-src 'self'").allows_wasm());
        assert!(Policy::parse("img-src 'self'").allows_wasm());
    }

    #[test]
    fn a_repeated_directive_is_ignored_as_browsers_do() {
        let policy = Policy::parse("connect-src 'self'; connect-src *");
        let page = url("https://reset.example.com/recover");
        assert!(!policy.allows_url("connect-src", &url("https://api.example.com/x"), &page));
    }

    #[test]
    fn several_policies_in_one_header_or_several() {
        let policies = Policy::parse_all([SHIPPED, "connect-src 'self', img-src 'none'"]);
        assert_eq!(policies.len(), 3);
        assert!(Policy::parse_all(["", " ; "]).is_empty());
    }

    #[test]
    fn self_is_the_pages_origin() {
        let page = url("https://reset.example.com/recover");
        let policy = Policy::parse("connect-src 'self'");
        let allows = |u: &str| policy.allows_url("connect-src", &url(u), &page);
        assert!(allows("https://reset.example.com/config.json"));
        assert!(allows("https://reset.example.com:443/account/recovery"));
        assert!(!allows("https://api.example.com/account/recovery"));
        assert!(!allows("http://reset.example.com/config.json"));
        assert!(!allows("https://reset.example.com:8443/x"));
        let local = url("http://127.0.0.1:8080/");
        assert!(policy.allows_url("connect-src", &url("http://127.0.0.1:8080/a"), &local));
        assert!(!policy.allows_url("connect-src", &url("http://127.0.0.1:9099/a"), &local));
    }

    #[test]
    fn host_sources() {
        let page = url("https://reset.example.com/");
        let cases = [
            (
                "https://api.example.com",
                "https://api.example.com/v1/x",
                true,
            ),
            ("api.example.com", "https://api.example.com/v1/x", true),
            ("http://api.example.com", "https://api.example.com/x", true),
            ("https://api.example.com", "http://api.example.com/x", false),
            (
                "https://api.example.com",
                "https://api.example.com:8443/x",
                false,
            ),
            (
                "https://api.example.com:8443",
                "https://api.example.com:8443/x",
                true,
            ),
            (
                "https://api.example.com:*",
                "https://api.example.com:8443/x",
                true,
            ),
            ("https://*.example.com", "https://api.example.com/x", true),
            ("https://*.example.com", "https://example.com/x", false),
            (
                "https://api.example.com/v1/",
                "https://api.example.com/v1/x",
                true,
            ),
            (
                "https://api.example.com/v1/",
                "https://api.example.com/v2/x",
                false,
            ),
            (
                "https://api.example.com/v1/x",
                "https://api.example.com/v1/x",
                true,
            ),
            ("https:", "https://anything.example/x", true),
            ("http:", "https://anything.example/x", true),
            ("https:", "http://anything.example/x", false),
            ("*", "https://anything.example/x", true),
            ("'none'", "https://reset.example.com/x", false),
            ("'sha256-abc='", "https://reset.example.com/x", false),
            (
                "http://127.0.0.1:9099",
                "http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:sendOobCode",
                true,
            ),
        ];
        for (source, target, expected) in cases {
            let policy = Policy::parse(&format!("connect-src {source}"));
            assert_eq!(
                policy.allows_url("connect-src", &url(target), &page),
                expected,
                "{source} for {target}"
            );
        }
    }
}
