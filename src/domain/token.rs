//! The reset token carried by the emailed link.

use std::fmt;

use reclaim_contract::link::{self, CodeError};

use crate::i18n::{Message, Text};

#[cfg(test)]
use crate::backend::read_link;

/// The secret from the emailed link. It is only ever held in memory and sent
/// to the reset endpoint: `Debug` is redacted so it cannot end up in a log or
/// a panic message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    /// The code a person typed or pasted (the code itself, or the whole link
    /// from the email), checked before anything is sent.
    pub fn from_typed(input: &str) -> Result<Self, CodeError> {
        link::code_from_typed(input).map(Self)
    }

    /// The code a link carried, as the link carried it: the API decides
    /// whether it is valid.
    pub fn from_link(code: String) -> Self {
        Self(code)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What the person reads at the code field.
pub fn code_error_message(error: CodeError) -> Message {
    Message::text(match error {
        CodeError::Empty => Text::CodeEmpty,
        CodeError::Malformed => Text::CodeMalformed,
        CodeError::LinkWithoutCode => Text::CodeLinkWithoutCode,
    })
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

/// What the link the person opened carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkToken {
    /// No token at all (a truncated or hand-typed link).
    Missing,
    Present(ResetToken),
    /// A link for something other than a password reset (verifying or
    /// changing an email address): these pages do not handle it.
    NotAReset,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_from_link(query: &str, fragment: &str) -> LinkToken {
        read_link(query, fragment).token
    }

    #[test]
    fn a_link_with_a_token_is_present_and_one_without_is_missing() {
        assert_eq!(
            token_from_link("token=abc", ""),
            LinkToken::Present(ResetToken("abc".into()))
        );
        assert_eq!(token_from_link("lang=fr", "top"), LinkToken::Missing);
    }

    #[test]
    fn a_typed_code_or_pasted_link_becomes_the_token() {
        assert_eq!(ResetToken::from_typed(" abc \n").unwrap().expose(), "abc");
        assert_eq!(
            ResetToken::from_typed("https://id.example.com/reset?token=abc")
                .unwrap()
                .expose(),
            "abc"
        );
        assert_eq!(ResetToken::from_typed("a b"), Err(CodeError::Malformed));
        assert_eq!(
            code_error_message(CodeError::Empty).to_string(),
            "Enter the reset code from the email"
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let LinkToken::Present(t) = token_from_link("token=s3cr3t", "") else {
            panic!()
        };
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", LinkToken::Present(t)).contains("s3cr3t"));
    }
}
