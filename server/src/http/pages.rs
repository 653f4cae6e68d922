//! The built pages (`--dist`), served by tower-http's `ServeDir`: files as they are,
//! client-side routes as their `index.html` (prerendered in the language `?lang=` names, when
//! the build wrote it under `dist/<tag>/`), and on every HTML page the host's half of the
//! Content-Security-Policy (`reclaim_contract::policy::HOST_POLICY`): each page names its own
//! scripts and styles in its `<meta>` policy, so the server needs to know no hash.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any_service, MethodRouter};
use percent_encoding::percent_decode_str;
use reclaim_contract::assets::{has_content_hash, wasm_of_page, wasm_preload_header};
use reclaim_contract::link::param;
use reclaim_contract::locale::{match_locale, BUILT_IN, LANG_PARAM};
use reclaim_contract::policy::HOST_POLICY;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use walkdir::WalkDir;

use super::ApiError;

/// What serving the pages needs beyond the files, read from `--dist` at start-up: a build with
/// other routes or languages needs a restart.
struct Site {
    /// Each folder with an `index.html`, by its route (`recover`; `` for the top; `ar/recover`
    /// for a locale's copy).
    route_indexes: HashMap<String, PathBuf>,
}

/// The service for everything the API does not answer: the pages for GET and HEAD, a JSON 404
/// otherwise.
pub fn service(dist: &Path) -> anyhow::Result<MethodRouter> {
    let root = dist
        .canonicalize()
        .with_context(|| format!("--dist {}", dist.display()))?;
    anyhow::ensure!(root.is_dir(), "--dist {} is not a folder", root.display());
    let site = Arc::new(read_site(&root)?);
    let preload = wasm_preload(&root);
    let files = ServeDir::new(&root)
        .append_index_html_on_directories(false)
        .fallback(route_index.with_state(site));
    Ok(any_service(files).layer(middleware::from_fn_with_state(preload, page_headers)))
}

/// The `Link` header that asks for the build's wasm with each page's response, as
/// `dist/_headers` has the static hosts send it, for the wasm the top `index.html` names.
/// `None` for a build without the prerender.
fn wasm_preload(root: &Path) -> Option<HeaderValue> {
    let page = std::fs::read_to_string(root.join("index.html")).ok()?;
    HeaderValue::from_str(&wasm_preload_header(wasm_of_page(&page)?)).ok()
}

fn read_site(root: &Path) -> anyhow::Result<Site> {
    let mut route_indexes = HashMap::new();
    // Hidden files are never served, so their folders are no routes either.
    let entries = WalkDir::new(root).into_iter().filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
    });
    for entry in entries {
        let entry = entry.with_context(|| format!("reading --dist {}", root.display()))?;
        if !entry.file_type().is_file() || entry.file_name() != "index.html" {
            continue;
        }
        let path = entry.path();
        let folder = path.parent().and_then(|p| p.strip_prefix(root).ok());
        if let Some(route) = folder.and_then(|f| f.to_str()) {
            route_indexes.insert(route.to_owned(), path.to_path_buf());
        }
    }
    Ok(Site { route_indexes })
}

/// What `ServeDir` does not find (folders included, so every route comes here). A path without
/// a file extension is a client-side route: its own `index.html` (`/recover` →
/// `recover/index.html`), else the top `index.html`. With `?lang=` naming a built-in locale
/// (any case, as the contract matches it), the build's copy in that language comes first:
/// `/recover?lang=ar` → `ar/recover/index.html`, when the build wrote one; an unknown `lang`
/// is ignored. A missing path with an extension (`/config.json`) is a 404, never the index:
/// the pages read a missing `/config.json` as "use the defaults".
///
/// The page then depends on the query, which is part of the URL every cache keys on, so no
/// `Vary` is needed; pages are `no-store` anyway.
async fn route_index(State(site): State<Arc<Site>>, request: Request) -> Response {
    let segments = decode_segments(request.uri().path()).unwrap_or_default();
    if segments.last().is_some_and(|last| last.contains('.')) {
        return ApiError::NotFound.into_response();
    }
    let route = segments.join("/");
    let locale = request
        .uri()
        .query()
        .and_then(|query| param(query, LANG_PARAM))
        .and_then(|lang| match_locale(&lang, &BUILT_IN));
    let in_locale = |route: &str| {
        locale.and_then(|tag| {
            let localised = if route.is_empty() {
                tag.to_owned()
            } else {
                format!("{tag}/{route}")
            };
            site.route_indexes.get(&localised)
        })
    };
    // The right page in the wrong language beats the wrong page in the right one.
    let index = in_locale(&route)
        .or_else(|| site.route_indexes.get(&route))
        .or_else(|| in_locale(""))
        .or_else(|| site.route_indexes.get(""));
    match index {
        Some(index) => match ServeFile::new(index).oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        },
        None => ApiError::NotFound.into_response(),
    }
}

/// Refuses other methods than GET and HEAD, and hidden and unsafe paths, before `ServeDir` sees
/// them (it would serve dot-files), and gives what it serves a UTF-8 charset, the host's policy,
/// a caching rule and, on pages, `preload` (see [`wasm_preload`]).
async fn page_headers(
    State(preload): State<Option<HeaderValue>>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return ApiError::NotFound.into_response();
    }
    let Some(segments) = decode_segments(request.uri().path()) else {
        return ApiError::NotFound.into_response();
    };
    let hashed_name = segments.last().is_some_and(|name| has_content_hash(name));
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_server_error() {
        return ApiError::Internal(anyhow::anyhow!("serving a page failed with {status}"))
            .into_response();
    }
    if !(status.is_success() || status == StatusCode::NOT_MODIFIED) {
        return response;
    }
    let headers = response.headers_mut();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // mime_guess names text types without a charset; everything trunk writes is UTF-8.
    if content_type.starts_with("text/") && !content_type.contains("charset") {
        if let Ok(value) = HeaderValue::from_str(&format!("{content_type}; charset=utf-8")) {
            headers.insert(header::CONTENT_TYPE, value);
        }
    }
    let cache_control = if content_type.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HOST_POLICY),
        );
        if let Some(preload) = preload {
            headers.insert(header::LINK, preload);
        }
        // Pages are tiny and name the current hashed assets: always fetch them fresh.
        "no-store"
    } else if hashed_name {
        // trunk puts a hash of the content in asset names: such a name never changes meaning.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    response
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn folders_with_an_index_are_routes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("reset")).unwrap();
        std::fs::create_dir_all(root.join("ar/reset")).unwrap();
        std::fs::create_dir_all(root.join(".hidden")).unwrap();
        std::fs::create_dir_all(root.join("assets")).unwrap();
        for page in [
            "index.html",
            "reset/index.html",
            "ar/reset/index.html",
            ".hidden/index.html",
            "assets/other.html",
        ] {
            std::fs::write(root.join(page), "<p>page</p>").unwrap();
        }
        let site = read_site(root).unwrap();
        let mut routes: Vec<_> = site.route_indexes.keys().cloned().collect();
        routes.sort();
        assert_eq!(routes, ["", "ar/reset", "reset"]);
    }
}
