//! The secret a reset link (or the code typed from its mail) carries.

use std::fmt;

use reclaim_contract::link::CodeError;

use crate::i18n::{Message, Text};

/// The secret from the emailed link or typed from the mail. It is only ever held in memory and
/// sent to the reset endpoint: `Debug` is redacted so it cannot end up in a log or a panic
/// message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    /// The secret as the link or the person gave it: the API decides whether it is valid.
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let token = ResetToken::new("s3cr3t".into());
        assert!(!format!("{token:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", Some(token)).contains("s3cr3t"));
    }

    #[test]
    fn each_code_error_has_its_words() {
        assert_eq!(
            code_error_message(CodeError::Empty).to_string(),
            "Enter the reset code from the email"
        );
        assert!(code_error_message(CodeError::Malformed)
            .to_string()
            .contains("no spaces"));
    }
}
