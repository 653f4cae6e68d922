//! The HTTP layer: routes, shared state, and the layers every response goes through.

mod account;
mod error;
mod extract;
mod origin;
mod pages;
mod proxy;
mod rate_limit;
mod sign_in;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;
use extract::MAX_BODY_BYTES;
pub use origin::AllowedOrigins;
pub use pages::service as serve_pages;
pub use proxy::TrustedProxies;
pub use rate_limit::RateLimits;

use crate::domain::{CodeKey, PasswordPolicy, ReturnOrigins};
use crate::hashing::HashPool;
use crate::mail::Mailer;
use crate::recovery::RecoveryQueue;
use crate::store::Database;

/// What the handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub mailer: Arc<Mailer>,
    pub recovery: RecoveryQueue,
    pub limits: Arc<RateLimits>,
    pub hashes: HashPool,
    /// Wakes the delivery worker after writing to the outbox.
    pub mail_written: Arc<tokio::sync::Notify>,
    pub password_policy: PasswordPolicy,
    /// What typed reset codes are hashed with, to be looked up.
    pub code_key: CodeKey,
    /// Mark the session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Where a recovery request's `continue` may send the person back to.
    pub return_origins: ReturnOrigins,
}

/// What the layers around every request need.
pub struct Layers {
    pub allowed_origins: AllowedOrigins,
    pub trusted_proxies: TrustedProxies,
    /// Send `Strict-Transport-Security` (the public URL is https).
    pub hsts: bool,
    pub request_timeout: Duration,
}

/// The whole application; `pages` (see [`pages::service`]) answers what the API does not.
pub fn router(state: AppState, pages: Option<MethodRouter>, layers: Layers) -> Router {
    let timeout = layers.request_timeout;
    let api = account::router().layer(from_fn_with_state(
        Arc::new(layers.allowed_origins),
        origin::refuse_cross_site,
    ));
    let router = Router::new()
        .merge(api)
        .merge(sign_in::router())
        // Both fallbacks answer in JSON, like every other error.
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .fallback(|| async { ApiError::NotFound });
    let router = match pages {
        Some(pages) => router.fallback_service(pages),
        None => router,
    };
    let hsts = layers.hsts.then(|| {
        SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        )
    });
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(
            Arc::new(layers.trusted_proxies),
            proxy::resolve_client_ip,
        ))
        // Bodies are read inside handlers, so a client trickling one in is cut off too.
        .layer(axum::middleware::from_fn(move |request, next: Next| {
            time_limited(timeout, request, next)
        }))
        .layer(tower::util::option_layer(hsts))
        // gzip and brotli by Accept-Encoding; the default predicate skips bodies under 32 bytes
        // and images, and does compress application/wasm.
        .layer(CompressionLayer::new())
        // Defaults for API answers; the pages set their own CSP and caching first.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(
            TraceLayer::new_for_http()
                // The path only: query strings can carry reset tokens (`/reset?token=…`).
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Answers 408 `request_timeout` once a request has taken `limit`.
async fn time_limited(limit: Duration, request: axum::extract::Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::RequestTimeout.into_response(),
    }
}
