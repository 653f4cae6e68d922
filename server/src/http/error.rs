//! The one error type of the API. Every error answer is JSON
//! `{"error": "<stable code>", "message": "<sentence for a person>"}` (plus `reasons` for a
//! weak password), so clients branch on `error` and may show `message`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use reclaim_contract::wire::ErrorCode;
use serde_json::json;

use crate::domain::WeakPassword;
use crate::hashing::HashError;
use crate::recovery::EnqueueError;

/// Retry-After when the recovery backlog is full: the worker clears hundreds a second.
const BACKLOG_RETRY_AFTER_SECS: u64 = 5;

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        match error {
            // One hash takes well under a second: by then a thread is likely free.
            HashError::Busy => Self::Unavailable {
                retry_after_secs: 1,
            },
            HashError::Failed(cause) => Self::Internal(cause),
        }
    }
}

impl From<EnqueueError> for ApiError {
    fn from(error: EnqueueError) -> Self {
        match error {
            EnqueueError::BacklogFull => {
                tracing::warn!("recovery backlog full: request refused with 503");
                Self::Unavailable {
                    retry_after_secs: BACKLOG_RETRY_AFTER_SECS,
                }
            }
            EnqueueError::Store(cause) => Self::Internal(cause),
        }
    }
}

/// Everything a handler can answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `invalid_email`: the `email` field is not an email address.
    #[error("invalid email address")]
    InvalidEmail,

    /// 400 `invalid_request`: the body could not be read as the expected fields (broken JSON
    /// or form encoding, invalid UTF-8, a missing or duplicated field). The text says which.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// 400 `invalid_token`: the reset token is malformed or was never issued. Same answer for
    /// both, so the endpoint is no oracle for which tokens exist.
    #[error("unknown or malformed reset token")]
    InvalidToken,

    /// 410 `expired_token`: the token was issued but its lifetime passed or it was revoked.
    #[error("expired reset token")]
    ExpiredToken,

    /// 410 `used_token`: the token already set a password.
    #[error("used reset token")]
    UsedToken,

    /// 422 `weak_password`: the password policy refused the new password; the token is still
    /// valid so the person can try another password.
    #[error("weak password: {0}")]
    WeakPassword(WeakPassword),

    /// 401 `invalid_credentials`: wrong address or password, deliberately not saying which.
    #[error("invalid credentials")]
    InvalidCredentials,

    /// 401 `not_signed_in`: no live session cookie (none sent, expired, or ended by a password
    /// change).
    #[error("not signed in")]
    NotSignedIn,

    /// 404 `not_found`: no such route or file.
    #[error("not found")]
    NotFound,

    /// 405 `method_not_allowed`: the route exists for another method.
    #[error("method not allowed")]
    MethodNotAllowed,

    /// 413 `payload_too_large`: the body is over the limit; nothing legitimate is that big.
    #[error("request body too large")]
    PayloadTooLarge,

    /// 415 `unsupported_media_type`: the body is neither JSON nor a URL-encoded form (or not
    /// UTF-8).
    #[error("unsupported content type")]
    UnsupportedMediaType,

    /// 429 `rate_limited`, with `Retry-After` in whole seconds.
    #[error("rate limited for {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },

    /// 403 `forbidden_origin`: a browser posted from another website (`Sec-Fetch-Site:
    /// cross-site`, or an `Origin` that is not ours nor allowed). Nothing was done.
    #[error("cross-site request refused")]
    ForbiddenOrigin,

    /// 408 `request_timeout`: the request took longer than the configured limit.
    #[error("request timed out")]
    RequestTimeout,

    /// 503 `unavailable`, with `Retry-After`: the server is saturated (every password hash
    /// thread busy, the recovery backlog full, or the global recovery limit reached). The same
    /// answer for every account; nothing was done.
    #[error("unavailable for {retry_after_secs} s")]
    Unavailable { retry_after_secs: u64 },

    /// 500 `internal_error`: a bug or an unavailable database. The cause is logged here and
    /// never sent: it may hold paths, SQL or personal data.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidEmail | Self::InvalidRequest(_) | Self::InvalidToken => {
                StatusCode::BAD_REQUEST
            }
            Self::InvalidCredentials | Self::NotSignedIn => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::ExpiredToken | Self::UsedToken => StatusCode::GONE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::WeakPassword(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::ForbiddenOrigin => StatusCode::FORBIDDEN,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidEmail => ErrorCode::InvalidEmail.as_str(),
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidToken => ErrorCode::InvalidToken.as_str(),
            Self::ExpiredToken => ErrorCode::ExpiredToken.as_str(),
            Self::UsedToken => ErrorCode::UsedToken.as_str(),
            Self::WeakPassword(_) => ErrorCode::WeakPassword.as_str(),
            Self::InvalidCredentials => ErrorCode::InvalidCredentials.as_str(),
            Self::NotSignedIn => "not_signed_in",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => ErrorCode::RateLimited.as_str(),
            Self::ForbiddenOrigin => "forbidden_origin",
            Self::RequestTimeout => "request_timeout",
            Self::Unavailable { .. } => "unavailable",
            Self::Internal(_) => "internal_error",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::InvalidEmail => {
                "Enter an email address in the correct format, like name@example.com.".to_owned()
            }
            Self::InvalidRequest(detail) => format!("The request could not be read: {detail}."),
            Self::InvalidToken => "This password reset link is not valid. Request a new link.".to_owned(),
            Self::ExpiredToken => "This password reset link has expired. Request a new link.".to_owned(),
            Self::UsedToken => {
                "This password reset link has already been used. Request a new link if you need to \
                 reset your password again."
                    .to_owned()
            }
            Self::WeakPassword(weak) => weak.message(),
            Self::InvalidCredentials => "The email address or password is not correct.".to_owned(),
            Self::NotSignedIn => "You are not signed in. Sign in again.".to_owned(),
            Self::NotFound => "There is nothing at this address.".to_owned(),
            Self::MethodNotAllowed => "This address does not accept this HTTP method.".to_owned(),
            Self::PayloadTooLarge => "The request is too large.".to_owned(),
            Self::UnsupportedMediaType => {
                "Send the request as application/x-www-form-urlencoded or application/json, in UTF-8."
                    .to_owned()
            }
            Self::RateLimited { .. } => "Too many attempts. Wait a few minutes and try again.".to_owned(),
            Self::ForbiddenOrigin => {
                "This request came from another website and was refused.".to_owned()
            }
            Self::RequestTimeout => "The request took too long. Try again.".to_owned(),
            Self::Unavailable { .. } => {
                "We are very busy right now. Wait a moment and try again.".to_owned()
            }
            Self::Internal(_) => "Something went wrong on our side. Try again later.".to_owned(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(cause) = &self {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let mut body = json!({ "error": self.code(), "message": self.message() });
        if let Self::WeakPassword(weak) = &self {
            body["reasons"] = json!(weak.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>());
        }
        let mut response = (self.status(), Json(body)).into_response();
        if let Self::RateLimited { retry_after_secs } | Self::Unavailable { retry_after_secs } =
            self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::WeakReason;

    async fn body_of(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn internal_errors_do_not_leak_their_cause() {
        let (status, body) = body_of(ApiError::Internal(anyhow::anyhow!(
            "SELECT secret FROM users"
        )))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"], "internal_error");
        assert!(!body.to_string().contains("SELECT"));
    }

    #[tokio::test]
    async fn weak_password_lists_reasons() {
        let weak = WeakPassword {
            reasons: vec![WeakReason::TooShort, WeakReason::ContainsEmail],
            min_chars: 8,
        };
        let (status, body) = body_of(ApiError::WeakPassword(weak)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "weak_password");
        assert_eq!(body["reasons"], json!(["too_short", "contains_email"]));
        assert!(body["message"].as_str().unwrap().ends_with('.'));
    }

    #[test]
    fn unavailable_sets_retry_after() {
        let response = ApiError::Unavailable {
            retry_after_secs: 2,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
    }

    #[test]
    fn rate_limited_sets_retry_after() {
        let response = ApiError::RateLimited {
            retry_after_secs: 42,
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
