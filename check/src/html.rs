//! The little of the pages' HTML the check reads: start tags' attributes (quoted or not, as the
//! minified build writes them), the document's `lang`, what the page loads, its inline scripts
//! and styles exactly as a Content-Security-Policy hashes them, and its own policy's `<meta>`.
//!
//! A small scanner rather than an HTML parser crate: it finds tags in order, skipping comments
//! and the raw text of `<script>` and `<style>`, which is all the checks need.

/// A tag as written: its name in lower case (`/head` for an end tag), its attributes (names in
/// lower case, values unquoted), where its `<` is, and for `<script>` and `<style>` the text up
/// to their end tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag<'a> {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub at: usize,
    pub text: Option<&'a str>,
}

impl<'a> Tag<'a> {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    /// The text of an inline script (one without `src`) or style: what its CSP hash covers.
    fn inline_text(&self, element: &str) -> Option<&'a str> {
        let inline =
            self.name == element && (element == "style" || self.attribute("src").is_none());
        inline.then_some(self.text).flatten()
    }
}

/// Every tag of `html`, in order.
pub fn tags(html: &str) -> Vec<Tag<'_>> {
    // ASCII lower-casing keeps byte offsets, so positions found in `lower` index `html`.
    let lower = html.to_ascii_lowercase();
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut position = 0;
    while let Some(found) = lower[position..].find('<') {
        let at = position + found;
        let rest = &lower[at..];
        if rest.starts_with("<!--") {
            position = rest.find("-->").map_or(html.len(), |end| at + end + 3);
            continue;
        }
        let (closing, name_start) = match bytes.get(at + 1) {
            Some(b'/') => (true, at + 2),
            Some(letter) if letter.is_ascii_alphabetic() => (false, at + 1),
            // A doctype, or a `<` that opens no tag.
            _ => {
                position = at + 1;
                continue;
            }
        };
        let name_end = lower[name_start..]
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .map_or(html.len(), |end| name_start + end);
        let (attributes, tag_end) = attributes(html, name_end);
        let name = &lower[name_start..name_end];
        let mut tag = Tag {
            name: if closing {
                format!("/{name}")
            } else {
                name.to_owned()
            },
            attributes,
            at,
            text: None,
        };
        position = tag_end;
        if !closing && matches!(name, "script" | "style") {
            // Raw text: nothing in it is a tag, up to the element's own end tag.
            let end = lower[tag_end..]
                .find(&format!("</{name}"))
                .map_or(html.len(), |end| tag_end + end);
            tag.text = Some(&html[tag_end..end]);
            position = end;
        }
        tags.push(tag);
    }
    tags
}

/// The attributes from `from` (just after a tag's name) up to its `>`, and where the tag ends
/// (just after the `>`); a `>` inside a quoted value does not end it.
fn attributes(html: &str, from: usize) -> (Vec<(String, String)>, usize) {
    let bytes = html.as_bytes();
    let mut attributes = Vec::new();
    let mut i = from;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attributes, bytes.len());
        }
        if bytes[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = html[i + 1..]
                        .find(quote as char)
                        .map_or(html.len(), |e| i + 1 + e);
                    value = html[i + 1..end].to_owned();
                    i = (end + 1).min(html.len());
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = html[start..i].to_owned();
                }
            }
        }
        attributes.push((name, value));
    }
}

/// `lang` of `<html>`, as written.
pub fn document_language(html: &str) -> Option<String> {
    let tags = tags(html);
    let root = tags.iter().find(|tag| tag.name == "html")?;
    root.attribute("lang").map(str::to_owned)
}

/// What a built page loads: its stylesheets, and the app's glue and wasm that its
/// `<meta name=reclaim-app>` names for the bootstrap.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loads {
    pub stylesheets: Vec<String>,
    /// `None` for a page that is not a Reclaim build.
    pub app: Option<(String, String)>,
}

pub fn loads(html: &str) -> Loads {
    let tags = tags(html);
    let stylesheets = tags
        .iter()
        .filter(|tag| tag.name == "link" && is_stylesheet(tag))
        .filter_map(|tag| tag.attribute("href").map(str::to_owned))
        .collect();
    let app = tags
        .iter()
        .find(|tag| tag.name == "meta" && tag.attribute("name") == Some("reclaim-app"))
        .and_then(|tag| {
            Some((
                tag.attribute("data-glue")?.to_owned(),
                tag.attribute("data-wasm")?.to_owned(),
            ))
        });
    Loads { stylesheets, app }
}

fn is_stylesheet(link: &Tag) -> bool {
    link.attribute("rel").is_some_and(|rel| {
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("stylesheet"))
    })
}

/// The text of every `<script>` without a `src`, exactly as between its tags.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    tags(html)
        .into_iter()
        .filter_map(|tag| tag.inline_text("script"))
        .collect()
}

/// The text of every `<style>`, exactly as between its tags.
pub fn inline_styles(html: &str) -> Vec<&str> {
    tags(html)
        .into_iter()
        .filter_map(|tag| tag.inline_text("style"))
        .collect()
}

/// The text of the page's `<style id=brand>`: the deployer's brand, as the pages carry it.
pub fn brand_style(html: &str) -> Option<&str> {
    tags(html)
        .into_iter()
        .find(|tag| tag.name == "style" && tag.attribute("id") == Some("brand"))?
        .text
}

/// A page's own Content-Security-Policy: the `content` of its first
/// `<meta http-equiv=Content-Security-Policy>`, and what stands before it that it cannot
/// govern (a browser applies such a policy only in the `<head>`, and only to what follows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaPolicy {
    pub content: String,
    /// The tag that ends the `<head>` before the policy (`<body>`, `</head>`, `<div>`…).
    pub after_head: Option<String>,
    /// The scripts, styles and links before the policy, as `<script>`, `<link>`…
    pub after: Vec<String>,
}

/// Elements a `<head>` may hold: any other starts the `<body>`, even when the tag is left out.
const HEAD_ELEMENTS: [&str; 10] = [
    "html", "head", "base", "link", "meta", "noscript", "script", "style", "template", "title",
];

/// The page's own policy (`None` when it has no `<meta http-equiv=Content-Security-Policy>`).
pub fn meta_policy(html: &str) -> Option<MetaPolicy> {
    let tags = tags(html);
    let position = tags.iter().position(|tag| {
        tag.name == "meta"
            && tag
                .attribute("http-equiv")
                .is_some_and(|e| e.eq_ignore_ascii_case("content-security-policy"))
    })?;
    let before = &tags[..position];
    let after_head = before
        .iter()
        .find(|tag| {
            let opening = !tag.name.starts_with('/');
            tag.name == "/head" || (opening && !HEAD_ELEMENTS.contains(&tag.name.as_str()))
        })
        .map(|tag| format!("<{}>", tag.name));
    let mut after: Vec<String> = before
        .iter()
        .filter(|tag| matches!(tag.name.as_str(), "script" | "style" | "link"))
        .map(|tag| format!("<{}>", tag.name))
        .collect();
    after.dedup();
    Some(MetaPolicy {
        content: tags[position]
            .attribute("content")
            .unwrap_or_default()
            .to_owned(),
        after_head,
        after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head of a release page, minified as trunk writes it.
    const PAGE: &str = "<!doctype html><html lang=ar dir=rtl><head><meta charset=utf-8>\
        <meta http-equiv=Content-Security-Policy content=\"script-src 'self'\">\
        <link rel=stylesheet href=/main-1a2b3c4d5e6f7a8b.css integrity=sha384-x>\
        <link rel=\"stylesheet\" href=\"/brand.css\"><link rel=icon href=/favicon-9f8e.svg>\
        <meta name=reclaim-app data-glue=/reclaim-1234abcd5678ef90.js \
        data-wasm='/reclaim-1234abcd5678ef90_bg.wasm'><script type=module>go()</script>";

    /// trunk's own index, before the build replaces its bootstrap.
    const TRUNK_INDEX: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n\
        <meta charset=\"utf-8\">\n<title>Reclaim</title>\n\
        <link rel=\"modulepreload\" href=\"/reclaim-abc.js\" crossorigin=\"anonymous\">\n\
        <script src=\"/analytics.js\" data-note=\"a > b\"></script>\n\
        <script type=\"module\">\nimport init from '/reclaim-abc.js';\n\
        if (1 < 2) { await init('<b>'); }\n</script>\n\
        <!-- <script>commented()</script> -->\n<style>p{color:red}</style>\n\
        </head>\n<body></body>\n</html>\n";

    #[test]
    fn reads_what_a_minified_page_loads() {
        assert_eq!(
            loads(PAGE),
            Loads {
                stylesheets: vec!["/main-1a2b3c4d5e6f7a8b.css".into(), "/brand.css".into()],
                app: Some((
                    "/reclaim-1234abcd5678ef90.js".into(),
                    "/reclaim-1234abcd5678ef90_bg.wasm".into()
                )),
            }
        );
        assert_eq!(document_language(PAGE).as_deref(), Some("ar"));
    }

    #[test]
    fn another_page_loads_no_app() {
        let other = "<html><head><LINK REL=\"Stylesheet\" HREF=\"/a.css\"><linkage></head>";
        assert_eq!(loads(other).app, None);
        assert_eq!(loads(other).stylesheets, ["/a.css"]);
        assert_eq!(document_language(other), None);
        assert_eq!(
            document_language("<html data-x='a>b' lang=\"pt-BR\">").as_deref(),
            Some("pt-BR")
        );
    }

    #[test]
    fn inline_scripts_and_styles_exactly_between_their_tags() {
        assert_eq!(
            inline_scripts(TRUNK_INDEX),
            ["\nimport init from '/reclaim-abc.js';\nif (1 < 2) { await init('<b>'); }\n"]
        );
        assert_eq!(inline_styles(TRUNK_INDEX), ["p{color:red}"]);
        assert_eq!(inline_scripts(PAGE), ["go()"]);
        assert_eq!(
            inline_scripts("<scripts>x</scripts><SCRIPT>y</SCRIPT><script data-src=z>w</script>"),
            ["y", "w"]
        );
        assert!(inline_scripts("<script type=module SRC='/a.js' defer></script>").is_empty());
    }

    #[test]
    fn the_brand_the_page_carries() {
        let page = "<style>main{}</style><style id=brand>:root{--brand-accent:#000}</style>";
        assert_eq!(brand_style(page), Some(":root{--brand-accent:#000}"));
        assert_eq!(brand_style("<style>main{}</style>"), None);
    }

    #[test]
    fn the_pages_own_policy_and_what_comes_before_it() {
        let policy = meta_policy(PAGE).unwrap();
        assert_eq!(policy.content, "script-src 'self'");
        assert_eq!((policy.after_head, policy.after), (None, vec![]));
        assert_eq!(meta_policy(TRUNK_INDEX), None);

        let late = "<head><link rel=stylesheet href=/a.css><script>a()</script>\
            <meta http-equiv=\"content-security-policy\" content='style-src x'>";
        let policy = meta_policy(late).unwrap();
        assert_eq!(policy.content, "style-src x");
        assert_eq!(policy.after, ["<link>", "<script>"]);
        assert_eq!(policy.after_head, None);

        // Minified pages leave `</head>` and `<body>` out: the first body element ends the head.
        let in_body = "<head><title>x</title><main><meta http-equiv=content-security-policy \
            content=\"script-src 'none'\">";
        assert_eq!(
            meta_policy(in_body).unwrap().after_head.as_deref(),
            Some("<main>")
        );
    }
}
