//! A static host for the tests, serving a build's folder as `deploy/`'s recipes do: each file
//! with its type, pages revalidated and sent with the host's policy, hashed files kept for a
//! year, `?lang=<tag>` served from `<tag>/`, `404.html` for anything else. A test may put its
//! own answer at any address (a compression bomb, a body that never ends), and count the
//! requests that came.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::{stream, StreamExt};
use reclaim_contract::assets::has_content_hash;
use reclaim_contract::policy::HOST_POLICY;
use tokio::net::TcpListener;

/// What a test puts at an address in place of the file.
#[derive(Clone)]
pub enum Answer {
    /// Status 200 with this body and these headers.
    Body {
        headers: Vec<(&'static str, &'static str)>,
        body: Vec<u8>,
    },
    /// Status 200 and the first byte of a body that never ends.
    Stalled,
}

pub struct Host {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    state: Arc<HostState>,
}

struct HostState {
    dist: PathBuf,
    /// By path and query: `/recover?lang=fr`.
    answers: Mutex<HashMap<String, Answer>>,
    requests: AtomicUsize,
}

impl Host {
    /// Serves `dist` on a free port of 127.0.0.1 until the test's runtime ends.
    pub async fn serve(dist: &Path) -> Host {
        let state = Arc::new(HostState {
            dist: dist.to_owned(),
            answers: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .fallback(answer)
            .with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Host { url, state }
    }

    /// Answers `address` (a path and its query, as asked for) with `answer` from now on.
    pub fn answer(&self, address: &str, answer: Answer) {
        self.state
            .answers
            .lock()
            .unwrap()
            .insert(address.to_owned(), answer);
    }

    /// How many requests came, whatever they asked for.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

async fn answer(State(host): State<Arc<HostState>>, request: Request) -> Response {
    host.requests.fetch_add(1, Ordering::SeqCst);
    let uri = request.uri();
    let address = uri.path_and_query().map_or("/", |a| a.as_str()).to_owned();
    let replaced = host.answers.lock().unwrap().get(&address).cloned();
    match replaced {
        Some(Answer::Body { headers, body }) => {
            let mut response = body.into_response();
            for (name, value) in headers {
                response.headers_mut().insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            return response;
        }
        Some(Answer::Stalled) => {
            let first = stream::once(async { Ok::<_, Infallible>(vec![b'<']) });
            return Body::from_stream(first.chain(stream::pending())).into_response();
        }
        None => {}
    }
    let path = uri.path().trim_matches('/');
    let lang = uri
        .query()
        .and_then(|query| query.split('&').find_map(|p| p.strip_prefix("lang=")));
    let name = path.rsplit('/').next().unwrap_or_default();
    let (file, status) = if name.contains('.') {
        (host.dist.join(path), StatusCode::OK)
    } else {
        // A route: its folder's index.html, in the language asked for when the build has it.
        let localised = lang.map(|tag| host.dist.join(tag).join(path).join("index.html"));
        match localised.filter(|file| file.is_file()) {
            Some(file) => (file, StatusCode::OK),
            None => (host.dist.join(path).join("index.html"), StatusCode::OK),
        }
    };
    let (file, status) = if file.is_file() {
        (file, status)
    } else {
        (host.dist.join("404.html"), StatusCode::NOT_FOUND)
    };
    let Ok(body) = std::fs::read(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let file_name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let cache = if content_type.starts_with("text/html") {
        "no-store"
    } else if has_content_hash(file_name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if content_type.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(HOST_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}
