//! The recovery contract (`contract/CONTRACT.md`): the reference server's API,
//! and any deployer's API that speaks it. The default backend.

use gloo_net::http::Response;
use reclaim_contract::wire::{self, ErrorCode, WeakReason};

use crate::{
    api::{self, parse_retry_after, ApiError},
    browser,
    config::Config,
    domain::{EmailAddress, ResetToken},
};

/// An error body in the contract's shape (`{"error": "…", "message": "…",
/// "reasons": […]}`), as far as it is one: anything else (a proxy's HTML page,
/// an empty 500) simply has nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorBody {
    pub error: Option<String>,
    pub message: Option<String>,
    /// The 422 `reasons` the contract names; others are left out.
    pub reasons: Vec<WeakReason>,
}

impl ErrorBody {
    /// The API's own sentence, needed only when its code is not one the pages
    /// word themselves, in the reader's language.
    fn message_unless(self, known: bool) -> Option<String> {
        self.message.filter(|_| !known)
    }
}

/// What a status from `POST /account/recovery` means. 404 is success: an API
/// that reveals which accounts exist must not have that amplified by the UI.
pub fn recovery_outcome(
    status: u16,
    retry_after: Option<&str>,
    body: ErrorBody,
) -> Result<(), ApiError> {
    match status {
        200..=299 | 404 => Ok(()),
        400 => {
            let known = body.error.as_deref() == Some(ErrorCode::InvalidEmail.as_str());
            Err(ApiError::InvalidEmail {
                message: body.message_unless(known),
            })
        }
        other => Err(common_error(other, retry_after)),
    }
}

/// What a status from `POST /account/reset-password` means.
pub fn reset_outcome(
    status: u16,
    retry_after: Option<&str>,
    body: ErrorBody,
) -> Result<(), ApiError> {
    match status {
        200..=299 => Ok(()),
        400 | 401 | 403 | 404 | 410 => Err(ApiError::InvalidLink),
        422 => {
            let reasons = body.reasons.clone();
            Err(ApiError::WeakPassword {
                message: body.message_unless(!reasons.is_empty()),
                reasons,
            })
        }
        other => Err(common_error(other, retry_after)),
    }
}

fn common_error(status: u16, retry_after: Option<&str>) -> ApiError {
    match status {
        429 => ApiError::RateLimited {
            retry_after: parse_retry_after(retry_after),
        },
        other => ApiError::Server { status: other },
    }
}

/// Speaks the contract to the API named by the configuration.
#[derive(Clone, Debug)]
pub struct ContractClient {
    config: Config,
    page_origin: String,
    language: String,
}

impl ContractClient {
    /// Only call this in event handlers or effects: it reads the page's origin.
    pub fn new(config: Config, language: String) -> Self {
        Self {
            config,
            page_origin: browser::origin(),
            language,
        }
    }

    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<(), ApiError> {
        let url = self
            .config
            .endpoint(&self.page_origin, &self.config.request_path);
        let response = self
            .post(&url, &[(wire::EMAIL_FIELD, email.as_str())])
            .await?;
        let (status, retry_after, body) = read(response).await;
        recovery_outcome(status, retry_after.as_deref(), body)
    }

    pub async fn reset_password(
        &self,
        token: &ResetToken,
        new_password: &str,
    ) -> Result<(), ApiError> {
        let url = self
            .config
            .endpoint(&self.page_origin, &self.config.reset_path);
        let response = self
            .post(
                &url,
                &[
                    (wire::TOKEN_FIELD, token.expose()),
                    (wire::NEW_PASSWORD_FIELD, new_password),
                ],
            )
            .await?;
        let (status, retry_after, body) = read(response).await;
        reset_outcome(status, retry_after.as_deref(), body)
    }

    async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Result<Response, ApiError> {
        api::post(url, &[], self.config.encoding, &self.language, fields).await
    }
}

/// The status, `Retry-After`, and what the error body says.
async fn read(response: Response) -> (u16, Option<String>, ErrorBody) {
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    // Only error bodies are read; one that fails to arrive just says nothing.
    let body = match status {
        400.. => response.text().await.unwrap_or_default(),
        _ => String::new(),
    };
    let error_body = ErrorBody {
        error: browser::json_text(&body, &[wire::ERROR_FIELD]),
        message: browser::json_text(&body, &[wire::MESSAGE_FIELD]),
        reasons: browser::json_strings(&body, wire::REASONS_FIELD)
            .iter()
            .filter_map(|reason| WeakReason::parse(reason))
            .collect(),
    };
    (status, retry_after, error_body)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn said(message: &str) -> ErrorBody {
        ErrorBody {
            message: Some(message.into()),
            ..ErrorBody::default()
        }
    }

    #[test]
    fn recovery_treats_404_like_200() {
        assert_eq!(recovery_outcome(200, None, ErrorBody::default()), Ok(()));
        assert_eq!(recovery_outcome(204, None, ErrorBody::default()), Ok(()));
        assert_eq!(recovery_outcome(404, None, said("No such account")), Ok(()));
    }

    #[test]
    fn recovery_400_carries_the_server_message_unless_the_code_is_the_contracts() {
        let contract = ErrorBody {
            error: Some("invalid_email".into()),
            ..said("Not an email address.")
        };
        assert_eq!(
            recovery_outcome(400, None, contract),
            Err(ApiError::InvalidEmail { message: None })
        );
        assert_eq!(
            recovery_outcome(400, None, said("That is not an address.")),
            Err(ApiError::InvalidEmail {
                message: Some("That is not an address.".into())
            })
        );
        let no_message = ApiError::InvalidEmail { message: None };
        assert!(no_message.to_string().contains("name@example.com"));
    }

    #[test]
    fn reset_link_statuses_all_mean_invalid_link() {
        for status in [400, 401, 403, 404, 410] {
            assert_eq!(
                reset_outcome(status, None, said("Used")),
                Err(ApiError::InvalidLink),
                "{status}"
            );
        }
    }

    #[test]
    fn reset_422_carries_the_reasons_or_else_the_policy_message() {
        let contract = ErrorBody {
            error: Some("weak_password".into()),
            reasons: vec![WeakReason::Common],
            ..said("This password is too common.")
        };
        assert_eq!(
            reset_outcome(422, None, contract),
            Err(ApiError::WeakPassword {
                reasons: vec![WeakReason::Common],
                message: None,
            })
        );
        assert_eq!(
            reset_outcome(422, None, said("Needs a digit.")),
            Err(ApiError::WeakPassword {
                reasons: vec![],
                message: Some("Needs a digit.".into())
            })
        );
        let no_message = reset_outcome(422, None, ErrorBody::default()).unwrap_err();
        assert!(no_message.to_string().contains("too easy to guess"));
    }

    #[test]
    fn rate_limits_read_retry_after_seconds() {
        assert_eq!(
            reset_outcome(429, Some("42"), ErrorBody::default()),
            Err(ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(42))
            })
        );
        assert_eq!(
            recovery_outcome(
                429,
                Some("Wed, 21 Oct 2026 07:28:00 GMT"),
                ErrorBody::default()
            ),
            Err(ApiError::RateLimited { retry_after: None })
        );
        assert_eq!(
            recovery_outcome(429, None, ErrorBody::default()),
            Err(ApiError::RateLimited { retry_after: None })
        );
    }

    #[test]
    fn server_failures_tolerate_any_body() {
        assert_eq!(
            recovery_outcome(502, None, ErrorBody::default()),
            Err(ApiError::Server { status: 502 })
        );
        assert_eq!(
            reset_outcome(500, None, said("boom")),
            Err(ApiError::Server { status: 500 })
        );
        assert_eq!(
            recovery_outcome(415, None, ErrorBody::default()),
            Err(ApiError::Server { status: 415 })
        );
    }
}
