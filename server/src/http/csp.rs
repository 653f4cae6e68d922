//! The Content-Security-Policy of the HTML pages, allowing exactly their inline scripts by hash.
//!
//! A small scanner rather than an HTML parser crate: a hash covers the text between `<script>`
//! and `</script>`, and finding that is all the server needs, once at start-up.

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The source expression that allows one inline script: `'sha256-…'` of its text.
fn script_source(script: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(script.as_bytes()))
    )
}

/// The policy for a set of HTML pages: scripts only from this origin plus the pages' own inline
/// scripts by hash (trunk's loader is one), wasm compilation allowed, nothing else framed,
/// embedded or posted elsewhere.
pub fn content_security_policy<'a>(pages: impl IntoIterator<Item = &'a str>) -> String {
    // Sorted and without repeats: pages share their loader script, and the header stays stable.
    let hashes: BTreeSet<String> = pages
        .into_iter()
        .flat_map(inline_scripts)
        .map(script_source)
        .collect();
    let hashes: String = hashes.iter().map(|hash| format!(" {hash}")).collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The text of every `<script>` element without a `src` attribute, exactly as between the
/// tags (what browsers hash for CSP).
fn inline_scripts(html: &str) -> Vec<&str> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut position = 0;
    while let Some(found) = lower[position..].find("<script") {
        let name_end = position + found + "<script".len();
        let Some(&next) = lower.as_bytes().get(name_end) else {
            break;
        };
        if !(next.is_ascii_whitespace() || next == b'>' || next == b'/') {
            position = name_end; // e.g. `<scripts>`
            continue;
        }
        let Some(tag_end) = end_of_tag(html, name_end) else {
            break;
        };
        let content_start = tag_end + 1;
        let Some(length) = lower[content_start..].find("</script") else {
            break;
        };
        if !has_attribute(&html[name_end..tag_end], "src") {
            scripts.push(&html[content_start..content_start + length]);
        }
        position = content_start + length;
    }
    scripts
}

/// Index of the `>` closing a start tag, skipping `>` inside quoted attribute values.
fn end_of_tag(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, byte) in html.as_bytes()[from..].iter().enumerate() {
        match (quote, byte) {
            (Some(open), _) if *byte == open => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(*byte),
            (None, b'>') => return Some(from + offset),
            (None, _) => {}
        }
    }
    None
}

/// Whether the attribute text of a start tag has an attribute called `name`.
fn has_attribute(attributes: &str, name: &str) -> bool {
    let bytes = attributes.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/')
        {
            i += 1;
        }
        if start < i && attributes[start..i].eq_ignore_ascii_case(name) {
            return true;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                }
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK_INDEX: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\
        <meta charset=\"utf-8\">\n<title>Reclaim</title>\n\
        <link rel=\"modulepreload\" href=\"/reclaim-abc.js\" crossorigin=\"anonymous\" integrity=\"sha384-x\">\n\
        <script src=\"/analytics.js\" data-note=\"a > b\"></script>\n\
        <script type=\"module\">\nimport init, * as bindings from '/reclaim-abc.js';\n\
        const wasm = await init({ module_or_path: '/reclaim-abc_bg.wasm' });\n\
        window.wasmBindings = bindings;\n\
        dispatchEvent(new CustomEvent(\"TrunkApplicationStarted\", {detail: {wasm}}));\n</script>\n\
        </head>\n<body></body>\n</html>\n";

    fn sha256_base64(text: &str) -> String {
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    }

    #[test]
    fn finds_only_inline_scripts_exactly_between_the_tags() {
        let scripts = inline_scripts(TRUNK_INDEX);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with("\nimport init, * as bindings from '/reclaim-abc.js';\n"));
        assert!(scripts[0].ends_with("{detail: {wasm}}));\n"));
    }

    #[test]
    fn csp_lists_the_hash_of_each_inline_script() {
        let policy = content_security_policy([TRUNK_INDEX]);
        let expected_hash = sha256_base64(inline_scripts(TRUNK_INDEX)[0]);
        assert_eq!(
            policy,
            format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected_hash}'; \
                 object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
            )
        );
    }

    #[test]
    fn known_hash_of_a_tiny_script() {
        // echo -n "alert(1)" | openssl dgst -sha256 -binary | base64
        let policy =
            content_security_policy(["<SCRIPT>alert(1)</SCRIPT><script src=x.js></script>"]);
        assert!(
            policy.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 1);
    }

    #[test]
    fn csp_of_several_pages_lists_each_hash_once() {
        let policy = content_security_policy([
            TRUNK_INDEX,
            "<script>alert(1)</script>",
            TRUNK_INDEX,
            "<p>no script</p>",
        ]);
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert!(policy.contains(&sha256_base64(inline_scripts(TRUNK_INDEX)[0])));
        assert_eq!(
            content_security_policy(["<p>none</p>"]),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
    }

    #[test]
    fn attribute_names_are_matched_whole() {
        assert!(has_attribute(" src=\"/a.js\"", "src"));
        assert!(has_attribute(" type=module SRC='/a.js' defer", "src"));
        assert!(!has_attribute(" data-src=\"/a.js\"", "src"));
        assert!(!has_attribute(" type=\"module\" data-x=\"src\"", "src"));
        assert_eq!(
            inline_scripts("<scripts>x</scripts><script>y</script>"),
            vec!["y"]
        );
    }
}
