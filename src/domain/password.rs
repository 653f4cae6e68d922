//! The rules a new password is checked against before it is sent.
//!
//! NIST SP 800-63B: length is what matters, counted in Unicode code points;
//! no composition rules. The server also refuses common passwords: it is the
//! authority, these checks only save a round trip.

use reclaim_contract::{
    password::{too_long_sentence, too_short_sentence},
    password_chars, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};

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
    pub fn password_error(&self) -> Option<String> {
        if self.chars == 0 {
            Some("Enter a new password".into())
        } else if !self.long_enough() {
            Some(too_short_sentence(self.rules.min_chars))
        } else if !self.short_enough() {
            Some(format!("{} (it has {})", too_long_sentence(), self.chars))
        } else {
            None
        }
    }

    /// The message shown at the confirmation field, if any.
    pub fn confirmation_error(&self) -> Option<String> {
        match self.confirmation {
            Confirmation::Empty => Some("Enter your new password again".into()),
            Confirmation::Differs => Some("The passwords do not match".into()),
            Confirmation::Matches => None,
        }
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
            too_long.password_error().unwrap(),
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
            short.password_error().unwrap(),
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
    fn messages_for_each_field() {
        let rules = PasswordRules::default();
        let empty = rules.check("", "");
        assert_eq!(empty.password_error().unwrap(), "Enter a new password");
        assert_eq!(
            empty.confirmation_error().unwrap(),
            "Enter your new password again"
        );
        let differs = rules.check("longenough", "longenougj");
        assert_eq!(differs.password_error(), None);
        assert_eq!(
            differs.confirmation_error().unwrap(),
            "The passwords do not match"
        );
    }
}
