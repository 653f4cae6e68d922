//! What the person reads at the code field when what they entered cannot be a code.

use reclaim_contract::link::CodeError;

use crate::i18n::{Message, Text};

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
