//! The one seam that decides which recovery API speaks. The pages ask for a
//! [`RecoveryClient`] and read links through [`read_link`]; they never learn
//! which backend answered, nor its words.
//!
//! A new backend is one module here plus a value of `config.json`'s `backend`
//! (`config::BackendKind`): its client joins [`Speaker`], its link shape (if it
//! has its own) joins [`read_link`].

mod firebase;
mod reclaim;

use reclaim_contract::link::{
    address_without_token, pasted_link_parts, token_from_link, CodeError,
};

use crate::{
    api::ApiError,
    config::{BackendKind, Config, ConfigError},
    domain::{EmailAddress, LinkToken, ResetToken},
};

/// What the link the person opened carries, whatever backend mailed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetLink {
    pub token: LinkToken,
    /// Where the success page's "Continue" goes: an http(s) URL the link named.
    pub continue_to: Option<String>,
}

/// Reads the opened link's query and fragment (without their `?`/`#`): a
/// Firebase action link, or else the contract's `token=`.
pub fn read_link(query: &str, fragment: &str) -> ResetLink {
    firebase::read_action_link(query).unwrap_or_else(|| ResetLink {
        token: token_from_link(query, fragment).map_or(LinkToken::Missing, |token| {
            LinkToken::Present(ResetToken::from_link(token))
        }),
        continue_to: None,
    })
}

/// The code a person typed or pasted into the reset-code field: the code
/// itself, or a whole link from the email, of any backend's shape.
pub fn code_from_typed(input: &str) -> Result<ResetToken, CodeError> {
    if let Some((query, _)) = pasted_link_parts(input.trim()) {
        if let Some(link) = firebase::read_action_link(query) {
            return match link.token {
                LinkToken::Present(token) => Ok(token),
                _ => Err(CodeError::LinkWithoutCode),
            };
        }
    }
    ResetToken::from_typed(input)
}

/// The address to show once the link's secret is taken out of it.
pub fn address_without_secret(path: &str, query: &str, fragment: &str) -> String {
    address_without_token(path, &firebase::without_code(query), fragment)
}

/// Whether a link with this query belongs on the reset page even though it
/// opened the site's root (where a backend's emails may point).
pub fn opens_reset_page(query: &str) -> bool {
    firebase::is_action_link(query)
}

/// The configuration completed with what the opened address supplies (a
/// Firebase action link names its project's API key), or why it cannot work.
pub fn settle(config: Config, query: &str) -> Result<Config, ConfigError> {
    config.for_link(firebase::link_api_key(query))
}

/// Calls the configured recovery API.
#[derive(Clone, Debug)]
pub struct RecoveryClient(Speaker);

#[derive(Clone, Debug)]
enum Speaker {
    Reclaim(reclaim::ContractClient),
    Firebase(firebase::FirebaseClient),
}

impl RecoveryClient {
    /// Only call this in event handlers or effects: it may read the page's
    /// origin. `language` is the page's locale, which the API hears.
    pub fn new(config: Config, language: String) -> Self {
        RecoveryClient(match config.backend {
            BackendKind::Reclaim => {
                Speaker::Reclaim(reclaim::ContractClient::new(config, language))
            }
            BackendKind::Firebase => {
                Speaker::Firebase(firebase::FirebaseClient::new(&config, language))
            }
        })
    }

    /// Asks for a reset link to be mailed. `Ok` says nothing about whether the
    /// account exists, by design.
    pub async fn send_recovery_email(&self, email: &EmailAddress) -> Result<(), ApiError> {
        match &self.0 {
            Speaker::Reclaim(client) => client.send_recovery_email(email).await,
            Speaker::Firebase(client) => client.send_recovery_email(email).await,
        }
    }

    /// Checks the link before a password is chosen, and learns whose account it
    /// resets when the API says. An API that cannot check (the contract) answers
    /// `Ok(None)` without a request: its links are checked when used.
    pub async fn check_link(&self, token: &ResetToken) -> Result<Option<String>, ApiError> {
        match &self.0 {
            Speaker::Reclaim(_) => Ok(None),
            Speaker::Firebase(client) => client.check_link(token).await,
        }
    }

    /// Sets the new password. The password is sent exactly as typed.
    pub async fn reset_password(
        &self,
        token: &ResetToken,
        new_password: &str,
    ) -> Result<(), ApiError> {
        match &self.0 {
            Speaker::Reclaim(client) => client.reset_password(token, new_password).await,
            Speaker::Firebase(client) => client.reset_password(token, new_password).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn either_link_shape_is_read() {
        let contract = read_link("token=abc", "");
        assert_eq!(
            contract.token,
            LinkToken::Present(ResetToken::from_link("abc".into()))
        );
        assert_eq!(read_link("", "token=abc"), contract);
        let firebase = read_link("mode=resetPassword&oobCode=abc&apiKey=k", "");
        assert_eq!(firebase, contract);
        assert_eq!(read_link("", "").token, LinkToken::Missing);
        assert_eq!(
            read_link("mode=verifyEmail&oobCode=abc", "").token,
            LinkToken::NotAReset
        );
    }

    #[test]
    fn a_pasted_link_of_either_shape_gives_its_code() {
        for pasted in [
            "abc",
            " https://id.example.com/reset?token=abc\n",
            "https://id.example.com/reset?mode=resetPassword&oobCode=abc&apiKey=k&lang=en",
            "http://127.0.0.1:8081/?oobCode=abc#top",
        ] {
            assert_eq!(code_from_typed(pasted).unwrap().expose(), "abc", "{pasted}");
        }
        assert_eq!(
            code_from_typed("https://id.example.com/reset?mode=resetPassword&apiKey=k"),
            Err(CodeError::LinkWithoutCode)
        );
        assert_eq!(
            code_from_typed("https://id.example.com/?mode=verifyEmail&oobCode=abc"),
            Err(CodeError::LinkWithoutCode)
        );
        assert_eq!(code_from_typed("a b"), Err(CodeError::Malformed));
    }

    #[test]
    fn the_secret_leaves_the_address_and_the_rest_stays() {
        assert_eq!(
            address_without_secret("/reset", "token=abc&lang=fr", ""),
            "/reset?lang=fr"
        );
        assert_eq!(
            address_without_secret("/", "mode=resetPassword&oobCode=abc&apiKey=k&lang=en", ""),
            "/?mode=resetPassword&apiKey=k&lang=en"
        );
        assert_eq!(address_without_secret("/reset", "", "token=abc"), "/reset");
    }

    #[test]
    fn only_action_links_turn_the_root_into_the_reset_page() {
        assert!(opens_reset_page("mode=resetPassword&oobCode=abc"));
        assert!(opens_reset_page("mode=verifyEmail&oobCode=abc"));
        assert!(!opens_reset_page(""));
        assert!(!opens_reset_page("token=abc"));
    }

    #[test]
    fn settling_takes_the_links_key_for_firebase_only() {
        let firebase = Config {
            backend: BackendKind::Firebase,
            ..Config::default()
        };
        assert_eq!(
            settle(firebase.clone(), "mode=resetPassword&apiKey=AIza")
                .unwrap()
                .firebase_api_key
                .as_deref(),
            Some("AIza")
        );
        assert!(settle(firebase, "").is_err());
        assert_eq!(settle(Config::default(), "apiKey=x"), Ok(Config::default()));
    }
}
