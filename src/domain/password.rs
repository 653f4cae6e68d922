//! The rules a new password is checked against before it is sent.
//!
//! NIST SP 800-63B: length is what matters, counted in Unicode code points;
//! no composition rules. The server also refuses common passwords: it is the
//! authority, these checks only save a round trip.

use reclaim_contract::{password_chars, wire::WeakReason, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

use crate::i18n::{Counted, Message, Text};

/// The length limits in force: the minimum comes from the deployment's
/// configuration, the maximum is the contract's [`MAX_PASSWORD_CHARS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordRules {
    pub min_chars: usize,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self {
            min_chars: MIN_PASSWORD_CHARS,
        }
    }
}

/// How the confirmation field relates to the new password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    Empty,
    Matches,
    Differs,
}

/// The state of the two password fields against the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordCheck {
    /// Length of the new password in code points (8 emoji are 8, not 32 bytes).
    pub chars: usize,
    pub rules: PasswordRules,
    pub confirmation: Confirmation,
}

impl PasswordRules {
    pub fn check(&self, password: &str, confirmation: &str) -> PasswordCheck {
        let confirmation = if confirmation.is_empty() {
            Confirmation::Empty
        } else if confirmation == password {
            // Byte-exact: no trimming, case folding or normalisation.
            Confirmation::Matches
        } else {
            Confirmation::Differs
        };
        PasswordCheck {
            chars: password_chars(password),
            rules: *self,
            confirmation,
        }
    }
}

impl PasswordCheck {
    pub fn long_enough(&self) -> bool {
        self.chars >= self.rules.min_chars
    }

    pub fn short_enough(&self) -> bool {
        self.chars <= MAX_PASSWORD_CHARS
    }

    pub fn matches(&self) -> bool {
        self.confirmation == Confirmation::Matches
    }

    /// Whether the form may be sent.
    pub fn is_acceptable(&self) -> bool {
        self.long_enough() && self.short_enough() && self.matches()
    }

    /// The message shown at the new-password field, if any.
    pub fn password_error(&self) -> Option<Message> {
        if self.chars == 0 {
            Some(Text::PasswordEmpty.into())
        } else if !self.long_enough() {
            Some(self.too_short(0))
        } else if !self.short_enough() {
            Some(self.too_long(MAX_PASSWORD_CHARS))
        } else {
            None
        }
    }

    /// The message shown at the confirmation field, if any.
    pub fn confirmation_error(&self) -> Option<Message> {
        match self.confirmation {
            Confirmation::Empty => Some(Text::ConfirmationEmpty.into()),
            Confirmation::Differs => Some(Text::PasswordsDiffer.into()),
            Confirmation::Matches => None,
        }
    }

    /// Why the API refused this password, in the page's words where the
    /// contract's `reasons` name a rule the pages know; else the API's own
    /// sentence, else a general one. A length the API refused though it meets
    /// the pages' rules says the bound the refusal proves (a backend's minimum
    /// may be above `min_password_length`), never a bound the password meets.
    pub fn refusal(&self, reasons: &[WeakReason], message: Option<&str>) -> Message {
        match reasons.first() {
            Some(WeakReason::TooShort) => self.too_short(self.chars + 1),
            Some(WeakReason::TooLong) => self.too_long(self.chars.saturating_sub(1)),
            Some(WeakReason::Common) => Text::PasswordCommon.into(),
            Some(WeakReason::ContainsEmail) => Text::PasswordContainsEmail.into(),
            None => message.map_or(Text::PasswordCommon.into(), Message::verbatim),
        }
    }

    /// "At least …": the pages' minimum, or more when `at_least` says so.
    fn too_short(&self, at_least: usize) -> Message {
        let count = self.rules.min_chars.max(at_least);
        Message::counted(Counted::PasswordTooShort, count as u64)
    }

    /// "At most …": the contract's maximum, or less when `at_most` says so.
    fn too_long(&self, at_most: usize) -> Message {
        let count = MAX_PASSWORD_CHARS.min(at_most);
        Message::counted(Counted::PasswordTooLong, count as u64).with("now", self.chars)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str) -> PasswordCheck {
        PasswordRules::default().check(password, password)
    }

    #[test]
    fn counts_code_points_not_bytes() {
        let emoji = "🔑".repeat(8);
        assert_eq!(emoji.len(), 32);
        assert!(check(&emoji).is_acceptable());
        assert!(!check(&"🔑".repeat(7)).is_acceptable());
        // A combining sequence counts each code point: e + U+0301 is two.
        assert_eq!(check("e\u{301}").chars, 2);
    }

    #[test]
    fn length_bounds_are_inclusive() {
        assert!(!check("1234567").is_acceptable());
        assert!(check("12345678").is_acceptable());
        assert!(check(&"a".repeat(128)).is_acceptable());
        let too_long = check(&"a".repeat(129));
        assert!(!too_long.is_acceptable());
        assert_eq!(
            too_long.password_error().unwrap().to_string(),
            "Your password must be 128 characters or fewer (it has 129)"
        );
    }

    #[test]
    fn no_composition_rules() {
        for password in [
            "aaaaaaaa",
            "        ",
            "correct horse battery staple",
            "ALLCAPSONLY",
        ] {
            assert!(check(password).is_acceptable(), "{password:?}");
        }
    }

    #[test]
    fn configured_minimum_is_used() {
        let rules = PasswordRules { min_chars: 12 };
        let short = rules.check("elevenchars", "elevenchars");
        assert!(!short.is_acceptable());
        assert_eq!(
            short.password_error().unwrap().to_string(),
            "Your password must be at least 12 characters long"
        );
    }

    #[test]
    fn confirmation_is_compared_byte_exact() {
        let rules = PasswordRules::default();
        assert_eq!(
            rules.check("password1 ", "password1").confirmation,
            Confirmation::Differs
        );
        assert_eq!(
            rules.check("Password12", "password12").confirmation,
            Confirmation::Differs
        );
        // "é" precomposed vs decomposed look alike but are different bytes.
        assert_eq!(
            rules
                .check("caf\u{e9}-latte", "cafe\u{301}-latte")
                .confirmation,
            Confirmation::Differs
        );
        assert_eq!(
            rules.check("longenough", "").confirmation,
            Confirmation::Empty
        );
        assert_eq!(
            rules.check("longenough", "longenough").confirmation,
            Confirmation::Matches
        );
    }

    #[test]
    fn the_apis_reasons_are_worded_by_the_page() {
        let check = PasswordRules { min_chars: 12 }.check("short", "short");
        assert_eq!(
            check
                .refusal(&[WeakReason::TooShort], Some("Too short."))
                .to_string(),
            "Your password must be at least 12 characters long"
        );
        assert_eq!(
            check.refusal(&[WeakReason::Common, WeakReason::TooShort], None),
            Message::text(Text::PasswordCommon)
        );
        // A backend's limits may be tighter than the pages': its refusal of a length the pages
        // take proves the next length at least, and no more is said.
        let nine = PasswordRules::default().check("harbor-91", "harbor-91");
        assert_eq!(
            nine.refusal(&[WeakReason::TooShort], None).to_string(),
            "Your password must be at least 10 characters long"
        );
        let eighty = PasswordRules::default().check(&"a".repeat(80), &"a".repeat(80));
        assert_eq!(
            eighty.refusal(&[WeakReason::TooLong], None).to_string(),
            "Your password must be 79 characters or fewer (it has 80)"
        );
        // A reason the pages do not know: the API's sentence, as it wrote it.
        assert_eq!(
            check.refusal(&[], Some("Needs a digit.")),
            Message::verbatim("Needs a digit.")
        );
        assert_eq!(
            check.refusal(&[], None),
            Message::text(Text::PasswordCommon)
        );
    }

    #[test]
    fn messages_for_each_field() {
        let rules = PasswordRules::default();
        let empty = rules.check("", "");
        assert_eq!(
            empty.password_error().unwrap().to_string(),
            "Enter a new password"
        );
        assert_eq!(
            empty.confirmation_error().unwrap().to_string(),
            "Enter your new password again"
        );
        let differs = rules.check("longenough", "longenougj");
        assert_eq!(differs.password_error(), None);
        assert_eq!(
            differs.confirmation_error().unwrap().to_string(),
            "The passwords do not match"
        );
    }
}
