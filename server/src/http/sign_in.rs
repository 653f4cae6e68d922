//! `GET /sign-in`: a small sign-in page of the reference server's own, so that a person can see
//! a new password work in the browser. The recovery pages' "Sign in" link points here by
//! default; a real deployment points it at its own sign-in. Plain HTML and a few lines of
//! JavaScript, compiled into the binary: it does not depend on `--dist`.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::AppState;

const PAGE: &str = include_str!("../../assets/sign-in.html");
const SCRIPT: &str = include_str!("../../assets/sign-in.js");
const STYLES: &str = include_str!("../../assets/sign-in.css");
const ICON: &str = include_str!("../../assets/sign-in-icon.svg");

/// The page's whole policy: it has no inline script or style, so its header can say it all.
const POLICY: &str = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
                      frame-ancestors 'none'; form-action 'self'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(page))
        .route(
            "/sign-in.js",
            get(|| async { asset("text/javascript; charset=utf-8", SCRIPT) }),
        )
        .route(
            "/sign-in.css",
            get(|| async { asset("text/css; charset=utf-8", STYLES) }),
        )
        .route(
            "/sign-in-icon.svg",
            get(|| async { asset("image/svg+xml", ICON) }),
        )
}

async fn page() -> Response {
    let mut response = asset("text/html; charset=utf-8", PAGE);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    response
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
