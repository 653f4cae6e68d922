//! The pages' Content-Security-Policy, in two halves that a browser enforces together.
//!
//! - The page's own half, in a `<meta http-equiv>` first in each page's `<head>`, written by the
//!   build ([`page_policy`]): scripts and styles, which it names exactly, the inline ones by
//!   their hashes. It changes with every build (and with `brand.css`), so it travels with the
//!   page: no host has to know a hash.
//! - The host's half, the same for every deployment ([`HOST_POLICY`]): everything else. It names
//!   no `script-src`, `style-src` or `default-src` (any of them would forbid the page's inline
//!   script and style, which the host cannot name), so it lists every other fetch directive.
//!   When the API is on another origin, the host adds that origin to `connect-src`.

/// What every host sends with each page, as `Content-Security-Policy` (the reference server,
/// `deploy/nginx/reclaim.conf`, `deploy/static/_headers`; the deployment check holds a site to
/// it).
pub const HOST_POLICY: &str = "base-uri 'none'; object-src 'none'; frame-ancestors 'none'; \
form-action 'self'; connect-src 'self'; img-src 'self'; font-src 'self'; manifest-src 'self'; \
media-src 'none'; frame-src 'none'; child-src 'none'; worker-src 'none'";

/// The page's own policy: its scripts from this origin, the compiled wasm, the inline scripts
/// whose SHA-256 hashes (base64) are given, and the inline styles whose hashes are given (the
/// pages carry all their styles: no stylesheet from anywhere), and nothing else.
pub fn page_policy(script_hashes: &[&str], style_hashes: &[&str]) -> String {
    let sources = |hashes: &[&str]| -> String {
        hashes
            .iter()
            .map(|hash| format!(" 'sha256-{hash}'"))
            .collect()
    };
    let styles = match style_hashes {
        [] => " 'none'".to_owned(),
        hashes => sources(hashes),
    };
    format!(
        "script-src 'self' 'wasm-unsafe-eval'{}; style-src{styles}",
        sources(script_hashes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_leaves_scripts_and_styles_to_the_page() {
        for directive in HOST_POLICY.split(';') {
            let name = directive.split_whitespace().next().unwrap();
            assert!(
                !["default-src", "script-src", "style-src"].contains(&name),
                "{name}"
            );
        }
        assert!(!HOST_POLICY.contains("unsafe"));
        assert_eq!(
            page_policy(&["abc="], &["def=", "ghi="]),
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; style-src 'sha256-def=' \
             'sha256-ghi='"
        );
        assert_eq!(
            page_policy(&["abc="], &[]),
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; style-src 'none'"
        );
    }
}
