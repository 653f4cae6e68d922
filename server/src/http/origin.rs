//! Refuses requests a browser makes on behalf of another website.
//!
//! A form post needs no CORS preflight, so any page could make its visitors' browsers ask for
//! recovery mail, each visitor from a different IP. Browsers say where a request comes from:
//! `Sec-Fetch-Site` (all current ones) and `Origin` (on every POST). A state-changing request
//! that is `cross-site`, or whose `Origin` is neither the public URL's nor an
//! `--allowed-origin`, gets 403 before anything is read. Clients that send neither header
//! (curl, the mobile app) are not browsers that can be abused this way and pass.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use super::ApiError;

/// The origins whose pages may post to the API, as browsers serialise them
/// (`https://host[:port]`).
#[derive(Debug, Clone)]
pub struct AllowedOrigins(Vec<String>);

impl AllowedOrigins {
    /// The public URL's origin and the extra ones.
    pub fn new(public_url: &Url, extra: &[Url]) -> Self {
        let origins = std::iter::once(public_url)
            .chain(extra)
            .map(|url| url.origin().ascii_serialization())
            .collect();
        Self(origins)
    }

    fn allows(&self, headers: &HeaderMap) -> bool {
        let cross_site = headers
            .get("sec-fetch-site")
            .is_some_and(|site| site.as_bytes().eq_ignore_ascii_case(b"cross-site"));
        if cross_site {
            return false;
        }
        match headers.get(header::ORIGIN) {
            None => true,
            // `null` (sandboxed frames, some redirects) and anything unparsable fail here.
            Some(origin) => origin
                .to_str()
                .ok()
                .and_then(|origin| Url::parse(origin).ok())
                .map(|url| url.origin().ascii_serialization())
                .is_some_and(|origin| self.0.contains(&origin)),
        }
    }
}

/// Middleware: 403 `forbidden_origin` for a cross-site state-changing request.
pub async fn refuse_cross_site(
    State(allowed): State<Arc<AllowedOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !allowed.allows(request.headers()) {
        tracing::info!("cross-site request refused");
        return ApiError::ForbiddenOrigin.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn allowed() -> AllowedOrigins {
        AllowedOrigins::new(
            &Url::parse("https://reclaim.example.com/app/").unwrap(),
            &[Url::parse("http://localhost:8081").unwrap()],
        )
    }

    fn with(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn own_and_listed_origins_pass() {
        let allowed = allowed();
        assert!(allowed.allows(&HeaderMap::new()));
        assert!(allowed.allows(&with(&[("origin", "https://reclaim.example.com")])));
        assert!(allowed.allows(&with(&[("origin", "https://RECLAIM.example.com:443")])));
        assert!(allowed.allows(&with(&[("origin", "http://localhost:8081")])));
        assert!(allowed.allows(&with(&[("sec-fetch-site", "same-origin")])));
        assert!(allowed.allows(&with(&[("sec-fetch-site", "none")])));
    }

    #[test]
    fn other_origins_and_cross_site_fail() {
        let allowed = allowed();
        for refused in [
            with(&[("origin", "https://evil.example")]),
            with(&[("origin", "http://reclaim.example.com")]),
            with(&[("origin", "https://reclaim.example.com:8443")]),
            with(&[("origin", "null")]),
            with(&[("sec-fetch-site", "cross-site")]),
            with(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://reclaim.example.com"),
            ]),
        ] {
            assert!(!allowed.allows(&refused), "{refused:?}");
        }
    }
}
