//! The deployer's `brand.css` as every page carries it (`<style id=brand>`): without its
//! comments, which explain each property to the deployer and are no use to a visitor, who would
//! download them with every page (about 0.3 KB brotli each). The build writes it so
//! (`src/bin/prerender.rs`), `deploy/rebrand.sh` does the same in awk, and the deployment check
//! compares a site's `/brand.css` with its pages by it; an end-to-end test holds the two
//! writers equal (`rebrand.sh` over the build changes no byte).

/// `css` without its comments (each with the spaces and tabs before it), its lines without
/// trailing whitespace, and no empty lines. A comment left open runs to the end, as in CSS.
pub fn as_carried(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(rest[..start].trim_end_matches([' ', '\t']));
        let after = &rest[start + 2..];
        rest = after.find("*/").map_or("", |end| &after[end + 2..]);
    }
    text.push_str(rest);
    text.split('\n')
        .map(|line| line.trim_end_matches([' ', '\t', '\r']))
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::as_carried;

    #[test]
    fn comments_and_blank_lines_go_declarations_stay() {
        let css = "/* Your brand:\n   edit it */\n:root {\n    --brand-accent: #1d4ed8;   /* buttons */\n\n    --brand-font: \"Segoe UI\", sans-serif;\r\n}\n";
        assert_eq!(
            as_carried(css),
            ":root {\n    --brand-accent: #1d4ed8;\n    --brand-font: \"Segoe UI\", sans-serif;\n}"
        );
    }

    #[test]
    fn an_open_comment_runs_to_the_end() {
        assert_eq!(
            as_carried("a { b: c; } /* left open\nd { e: f; }"),
            "a { b: c; }"
        );
    }

    #[test]
    fn a_brand_without_comments_is_only_trimmed() {
        assert_eq!(
            as_carried(":root{--brand-radius:0}\n\n"),
            ":root{--brand-radius:0}"
        );
    }
}
