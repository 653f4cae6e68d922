//! The built pages (`--dist`): files as they are, client-side routes as their `index.html`,
//! with a Content-Security-Policy that allows exactly the inline scripts each page carries.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::{ApiError, AppState};

/// A folder of built pages.
#[derive(Debug, Clone)]
pub struct Pages {
    /// Canonical path, so a resolved file can be checked to lie inside it.
    root: PathBuf,
}

impl Pages {
    pub fn new(root: &Path) -> anyhow::Result<Self> {
        let root = root
            .canonicalize()
            .map_err(|e| anyhow::anyhow!("--dist {}: {e}", root.display()))?;
        anyhow::ensure!(root.is_dir(), "--dist {} is not a folder", root.display());
        Ok(Self { root })
    }

    /// Finds the file for a request path (still percent-encoded), or `None` for a 404.
    ///
    /// An existing file wins. Otherwise a path without a file extension is a client-side
    /// route: its own `index.html` (`/recover` → `recover/index.html`), else the top
    /// `index.html`. A missing path with an extension (`/config.json`) is a 404, never the
    /// index: the pages read a missing `/config.json` as "use the defaults".
    async fn resolve(&self, raw_path: &str) -> Option<PathBuf> {
        let segments = decode_segments(raw_path)?;
        let requested = segments
            .iter()
            .fold(self.root.clone(), |path, segment| path.join(segment));
        if let Some(file) = self.existing_file(&requested).await {
            return Some(file);
        }
        if segments.last().is_some_and(|last| last.contains('.')) {
            return None;
        }
        match self.existing_file(&requested.join("index.html")).await {
            Some(route_index) => Some(route_index),
            None => self.existing_file(&self.root.join("index.html")).await,
        }
    }

    /// `path` if it is a file inside the root once symlinks are resolved.
    async fn existing_file(&self, path: &Path) -> Option<PathBuf> {
        let canonical = tokio::fs::canonicalize(path).await.ok()?;
        let metadata = tokio::fs::metadata(&canonical).await.ok()?;
        (metadata.is_file() && canonical.starts_with(&self.root)).then_some(canonical)
    }
}

/// Splits and percent-decodes the path. `None` for anything that could step outside the
/// folder or reach a hidden file: `..`, `.`, dot-files, encoded slashes or backslashes, NUL.
fn decode_segments(raw_path: &str) -> Option<Vec<String>> {
    raw_path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| {
            let decoded = percent_decode_str(segment).decode_utf8().ok()?;
            let safe = !decoded.starts_with('.') && !decoded.contains(['/', '\\', '\0']);
            safe.then(|| decoded.into_owned())
        })
        .collect()
}

/// The fallback route: pages for GET and HEAD when `--dist` is set, a JSON 404 otherwise.
pub async fn serve(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    let Some(pages) = state
        .pages
        .as_ref()
        .filter(|_| method == Method::GET || method == Method::HEAD)
    else {
        return ApiError::NotFound.into_response();
    };
    let Some(file) = pages.resolve(uri.path()).await else {
        return ApiError::NotFound.into_response();
    };
    let contents = match tokio::fs::read(&file).await {
        Ok(contents) => contents,
        Err(error) => {
            return ApiError::Internal(anyhow::anyhow!("reading {}: {error}", file.display()))
                .into_response()
        }
    };
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&extension)),
    );
    if extension == "html" {
        let policy = content_security_policy(&String::from_utf8_lossy(&contents));
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        // Pages are tiny and name the current hashed assets: always fetch them fresh.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if has_content_hash(&file) {
        // trunk puts a hash of the content in asset names: such a name never changes meaning.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    } else {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    *response.body_mut() = Body::from(contents);
    response
}

fn content_type(extension: &str) -> &'static str {
    match extension {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/octet-stream",
    }
}

/// trunk names assets `name-<16 hex digits>.ext` (or `name-<hash>_bg.wasm`).
fn has_content_hash(file: &Path) -> bool {
    let Some(stem) = file.file_stem().and_then(|s| s.to_str()) else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The policy for one HTML page: scripts only from this origin plus the page's own inline
/// scripts by hash (trunk's loader is one), wasm compilation allowed, nothing else framed,
/// embedded or posted elsewhere.
pub fn content_security_policy(html: &str) -> String {
    let hashes: String = inline_scripts(html)
        .into_iter()
        .map(|script| {
            format!(
                " 'sha256-{}'",
                STANDARD.encode(Sha256::digest(script.as_bytes()))
            )
        })
        .collect();
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
        let policy = content_security_policy(TRUNK_INDEX);
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
        let policy = content_security_policy("<SCRIPT>alert(1)</SCRIPT><script src=x.js></script>");
        assert!(
            policy.contains("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"),
            "{policy}"
        );
        assert_eq!(policy.matches("'sha256-").count(), 1);
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

    #[test]
    fn path_segments_refuse_traversal() {
        assert_eq!(decode_segments("/recover/").unwrap(), vec!["recover"]);
        assert_eq!(decode_segments("/a%20b.txt").unwrap(), vec!["a b.txt"]);
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/..%2fx",
            "/a%5c..%5cb",
            "/.git/config",
            "/x%00.js",
            "/%ff",
        ] {
            assert!(decode_segments(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn hashed_asset_names() {
        assert!(has_content_hash(Path::new("reclaim-1a2b3c4d5e6f7a8b.js")));
        assert!(has_content_hash(Path::new(
            "reclaim-1a2b3c4d5e6f7a8b_bg.wasm"
        )));
        assert!(!has_content_hash(Path::new("config.json")));
        assert!(!has_content_hash(Path::new("my-app.js")));
    }

    #[test]
    fn content_types_include_wasm() {
        assert_eq!(content_type("wasm"), "application/wasm");
        assert_eq!(content_type("html"), "text/html; charset=utf-8");
        assert_eq!(content_type("unknown"), "application/octet-stream");
    }
}
