//! The Content-Security-Policy of the HTML pages, allowing exactly their inline scripts by hash.

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};

/// The policy for a set of HTML pages: scripts only from this origin plus the pages' own inline
/// scripts by hash (trunk's loader is one), wasm compilation allowed, nothing else framed,
/// embedded or posted elsewhere.
pub fn content_security_policy<'a>(pages: impl IntoIterator<Item = &'a str>) -> String {
    // Sorted and without repeats: pages share their loader script, and the header stays stable.
    let hashes: BTreeSet<String> = pages
        .into_iter()
        .flat_map(inline_scripts)
        .map(|script| STANDARD.encode(Sha256::digest(script.as_bytes())))
        .collect();
    let hashes: String = hashes
        .iter()
        .map(|hash| format!(" 'sha256-{hash}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// The text of every `<script>` element without a `src` attribute, as a browser parses it
/// (line ends normalised, comments skipped): what the browser hashes for CSP.
fn inline_scripts(html: &str) -> Vec<String> {
    let inline = Selector::parse("script:not([src])").expect("a valid selector");
    Html::parse_document(html)
        .select(&inline)
        .map(|script| script.text().collect())
        .collect()
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
    fn finds_only_inline_scripts_with_their_exact_text() {
        let scripts = inline_scripts(TRUNK_INDEX);
        assert_eq!(scripts.len(), 1);
        assert!(scripts[0].starts_with("\nimport init, * as bindings from '/reclaim-abc.js';\n"));
        assert!(scripts[0].ends_with("{detail: {wasm}}));\n"));
    }

    #[test]
    fn csp_lists_the_hash_of_each_inline_script() {
        let policy = content_security_policy([TRUNK_INDEX]);
        let expected_hash = sha256_base64(&inline_scripts(TRUNK_INDEX)[0]);
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
        assert!(policy.contains(&sha256_base64(&inline_scripts(TRUNK_INDEX)[0])));
        assert_eq!(
            content_security_policy(["<p>none</p>"]),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; \
             base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
    }

    #[test]
    fn only_scripts_without_a_src_attribute_are_inline() {
        let html = "<script src=\"/a.js\"></script><script type=module SRC='/b.js' defer></script>\
            <script data-src=\"/c.js\">c()</script><script type=\"module\" data-x=\"src\">d()</script>\
            <scripts>x</scripts><script>y</script>";
        assert_eq!(inline_scripts(html), ["c()", "d()", "y"]);
    }

    #[test]
    fn scripts_are_read_as_a_browser_reads_them() {
        // The HTML parser turns CRLF into LF before the browser hashes; comments are not scripts.
        let html = "<!-- <script>no()</script> --><script>a();\r\nb('</p>')</script>";
        assert_eq!(inline_scripts(html), ["a();\nb('</p>')"]);
    }
}
