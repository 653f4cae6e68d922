//! The recovery contract (`../shared/CONTRACT.md`): the reference server's API,
//! and any deployer's API that speaks it. The default backend.

use gloo_net::http::Response;
use reclaim_contract::wire;

use crate::{
    api::{self, parse_retry_after, ApiError},
    browser,
    config::Config,
    domain::{EmailAddress, ResetToken},
};

/// What a status from `POST /account/recovery` means. 404 is success: an API
/// that reveals which accounts exist must not have that amplified by the UI.
///
/// `message` is the error body's `message`, when the body was the contract's
/// JSON; anything else (a proxy's HTML page, an empty 500) simply has none.
pub fn recovery_outcome(
    status: u16,
    retry_after: Option<&str>,
    message: Option<String>,
) -> Result<(), ApiError> {
    match status {
        200..=299 | 404 => Ok(()),
        400 => Err(ApiError::InvalidEmail { message }),
        other => Err(common_error(other, retry_after)),
    }
}

/// What a status from `POST /account/reset-password` means.
pub fn reset_outcome(
    status: u16,
    retry_after: Option<&str>,
    message: Option<String>,
) -> Result<(), ApiError> {
    match status {
        200..=299 => Ok(()),
        400 | 401 | 403 | 404 | 410 => Err(ApiError::InvalidLink),
        422 => Err(ApiError::WeakPassword { message }),
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
}

impl ContractClient {
    /// Only call this in event handlers or effects: it reads the page's origin.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            page_origin: browser::origin(),
        }
    }

    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<(), ApiError> {
        let url = self
            .config
            .endpoint(&self.page_origin, &self.config.request_path);
        let response = self
            .post(&url, &[(wire::EMAIL_FIELD, email.as_str())])
            .await?;
        let (status, retry_after, message) = read(response).await;
        recovery_outcome(status, retry_after.as_deref(), message)
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
        let (status, retry_after, message) = read(response).await;
        reset_outcome(status, retry_after.as_deref(), message)
    }

    async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Result<Response, ApiError> {
        api::post(url, &[], self.config.encoding, fields).await
    }
}

/// The status, `Retry-After`, and the error body's `message` if it has one.
async fn read(response: Response) -> (u16, Option<String>, Option<String>) {
    let status = response.status();
    let retry_after = response.headers().get("Retry-After");
    // Only error bodies are read; one that fails to arrive just has no message.
    let message = if status >= 400 {
        response
            .text()
            .await
            .ok()
            .and_then(|body| browser::json_message(&body))
    } else {
        None
    };
    (status, retry_after, message)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn recovery_treats_404_like_200() {
        assert_eq!(recovery_outcome(200, None, None), Ok(()));
        assert_eq!(recovery_outcome(204, None, None), Ok(()));
        assert_eq!(
            recovery_outcome(404, None, Some("No such account".into())),
            Ok(())
        );
    }

    #[test]
    fn recovery_400_carries_the_server_message() {
        assert_eq!(
            recovery_outcome(400, None, Some("That is not an address.".into())),
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
                reset_outcome(status, None, Some("Used".into())),
                Err(ApiError::InvalidLink),
                "{status}"
            );
        }
    }

    #[test]
    fn reset_422_carries_the_policy_message() {
        assert_eq!(
            reset_outcome(422, None, Some("This password is too common.".into())),
            Err(ApiError::WeakPassword {
                message: Some("This password is too common.".into())
            })
        );
        let no_message = reset_outcome(422, None, None).unwrap_err();
        assert!(no_message.to_string().contains("too easy to guess"));
    }

    #[test]
    fn rate_limits_read_retry_after_seconds() {
        assert_eq!(
            reset_outcome(429, Some("42"), None),
            Err(ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(42))
            })
        );
        assert_eq!(
            recovery_outcome(429, Some("Wed, 21 Oct 2026 07:28:00 GMT"), None),
            Err(ApiError::RateLimited { retry_after: None })
        );
        assert_eq!(
            recovery_outcome(429, None, None),
            Err(ApiError::RateLimited { retry_after: None })
        );
    }

    #[test]
    fn server_failures_tolerate_any_body() {
        assert_eq!(
            recovery_outcome(502, None, None),
            Err(ApiError::Server { status: 502 })
        );
        assert_eq!(
            reset_outcome(500, None, Some("boom".into())),
            Err(ApiError::Server { status: 500 })
        );
        assert_eq!(
            recovery_outcome(415, None, None),
            Err(ApiError::Server { status: 415 })
        );
    }
}
