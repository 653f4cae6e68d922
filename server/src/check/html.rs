//! The little of the pages' HTML the check reads: start tags' attributes (quoted or not, as the
//! minified build writes them), the document's `lang`, what the page loads.

/// The attributes of each `<name …>` start tag, names in lower case, values unquoted.
pub fn start_tags(html: &str, name: &str) -> Vec<Vec<(String, String)>> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let mut tags = Vec::new();
    let mut position = 0;
    while let Some(found) = lower[position..].find(&open) {
        let start = position + found + open.len();
        position = start;
        let next = lower.as_bytes().get(start).copied();
        if !matches!(next, Some(b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')) {
            continue; // `<linkage>`, not `<link>`
        }
        tags.push(attributes(&html[start..]));
    }
    tags
}

/// Attributes from just after a tag's name up to its `>`.
fn attributes(text: &str) -> Vec<(String, String)> {
    let bytes = text.as_bytes();
    let mut attributes = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return attributes;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>')
        {
            i += 1;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = text[i + 1..]
                        .find(quote as char)
                        .map_or(text.len(), |e| i + 1 + e);
                    value = text[i + 1..end].to_owned();
                    i = end + 1;
                }
                _ => {
                    let start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = text[start..i].to_owned();
                }
            }
        }
        attributes.push((name, value));
    }
}

fn attribute<'a>(tag: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tag.iter()
        .find(|(known, _)| known == name)
        .map(|(_, value)| value.as_str())
}

/// `lang` of `<html>`, as written.
pub fn document_language(html: &str) -> Option<String> {
    let tags = start_tags(html, "html");
    attribute(tags.first()?, "lang").map(str::to_owned)
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
    let stylesheets = start_tags(html, "link")
        .iter()
        .filter(|tag| {
            attribute(tag, "rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("stylesheet"))
            })
        })
        .filter_map(|tag| attribute(tag, "href").map(str::to_owned))
        .collect();
    let app = start_tags(html, "meta")
        .iter()
        .find(|tag| attribute(tag, "name") == Some("reclaim-app"))
        .and_then(|tag| {
            Some((
                attribute(tag, "data-glue")?.to_owned(),
                attribute(tag, "data-wasm")?.to_owned(),
            ))
        });
    Loads { stylesheets, app }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head of a release page, minified as trunk writes it.
    const PAGE: &str = "<!doctype html><html lang=ar dir=rtl><head><meta charset=utf-8>\
        <link rel=stylesheet href=/main-1a2b3c4d5e6f7a8b.css integrity=sha384-x>\
        <link rel=\"stylesheet\" href=\"/brand.css\"><link rel=icon href=/favicon-9f8e.svg>\
        <meta name=reclaim-app data-glue=/reclaim-1234abcd5678ef90.js \
        data-wasm='/reclaim-1234abcd5678ef90_bg.wasm'><script type=module>go()</script>";

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
}
