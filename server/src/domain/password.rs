//! The password policy (NIST SP 800-63B §3.1.1.2, OWASP ASVS V2.1): length and a blocklist,
//! no composition rules.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use super::EmailAddress;

use reclaim_contract::password::{too_long_sentence, too_short_sentence};
pub use reclaim_contract::wire::WeakReason;
use reclaim_contract::{
    password_chars, MAX_PASSWORD_CHARS as MAX_CHARS, MIN_PASSWORD_CHARS as MIN_CHARS,
};
/// A local part shorter than this (`al@…`) is too likely to occur by chance to refuse on.
const MIN_LOCAL_PART_TO_MATCH: usize = 3;

/// The blocklist, see `data/README.md` for where it comes from.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .collect()
});

/// A password that the policy accepts as a new password for one account.
///
/// Holding one means it passed [`NewPassword::parse`]; it is kept byte-exact (no trimming,
/// case change or normalisation, as the contract requires). `Debug` never shows it.
pub struct NewPassword(String);

/// Why the policy refused a password: one or more reasons, each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakPassword {
    pub reasons: Vec<WeakReason>,
}

impl NewPassword {
    /// Applies the policy to `candidate` as the new password of the account `email`.
    ///
    /// Length is counted in Unicode code points (so 8 emoji are 8 characters). A too-long
    /// password is refused without checking anything else. Every other broken rule is reported.
    pub fn parse(candidate: String, email: &EmailAddress) -> Result<Self, WeakPassword> {
        let length = password_chars(&candidate);
        if length > MAX_CHARS {
            return Err(WeakPassword {
                reasons: vec![WeakReason::TooLong],
            });
        }
        let mut reasons = Vec::new();
        if length < MIN_CHARS {
            reasons.push(WeakReason::TooShort);
        }
        let lowered = candidate.to_lowercase();
        if COMMON_PASSWORDS.contains(lowered.as_str()) {
            reasons.push(WeakReason::Common);
        }
        let local_part = email.local_part().to_lowercase();
        if local_part.chars().count() >= MIN_LOCAL_PART_TO_MATCH && lowered.contains(&local_part) {
            reasons.push(WeakReason::ContainsEmail);
        }
        if reasons.is_empty() {
            Ok(Self(candidate))
        } else {
            Err(WeakPassword { reasons })
        }
    }

    /// The password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

impl WeakPassword {
    /// One or two sentences a person can act on, in the order of `reasons`.
    pub fn message(&self) -> String {
        self.reasons
            .iter()
            .map(|reason| match reason {
                WeakReason::TooShort => format!("{}.", too_short_sentence(MIN_CHARS)),
                WeakReason::TooLong => format!("{}.", too_long_sentence()),
                WeakReason::Common => {
                    "This password is too common and easy to guess. Choose a different one."
                        .to_owned()
                }
                WeakReason::ContainsEmail => {
                    "Your password must not contain your email address.".to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for WeakPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for WeakPassword {}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> EmailAddress {
        EmailAddress::parse("alice@example.com").unwrap()
    }

    fn reasons(candidate: &str) -> Vec<WeakReason> {
        match NewPassword::parse(candidate.to_owned(), &alice()) {
            Ok(_) => Vec::new(),
            Err(weak) => weak.reasons,
        }
    }

    #[test]
    fn counts_code_points_not_bytes() {
        assert_eq!(reasons(&"🔑".repeat(8)), vec![]);
        assert_eq!(reasons(&"🔑".repeat(7)), vec![WeakReason::TooShort]);
        assert_eq!(reasons("ëëëëëëë"), vec![WeakReason::TooShort]);
    }

    #[test]
    fn boundaries_8_and_128() {
        assert_eq!(reasons("vbnq-ztw"), vec![]);
        assert_eq!(reasons("vbnq-zt"), vec![WeakReason::TooShort]);
        let long = "correct horse battery staple ".repeat(5);
        assert_eq!(reasons(&long[..128]), vec![]);
        assert_eq!(reasons(&long[..129]), vec![WeakReason::TooLong]);
        assert_eq!(reasons(&"é".repeat(129)), vec![WeakReason::TooLong]);
    }

    #[test]
    fn no_composition_rules() {
        for candidate in [
            "lowercaseonlyletters",
            "ALLUPPERCASEWORDS",
            "9081726354657",
            "        x",
        ] {
            assert_eq!(reasons(candidate), vec![], "{candidate:?}");
        }
    }

    #[test]
    fn common_passwords_refused_case_insensitively() {
        assert!(COMMON_PASSWORDS.len() >= 10_000);
        assert_eq!(reasons("password"), vec![WeakReason::Common]);
        assert_eq!(reasons("PassWord1"), vec![WeakReason::Common]);
        assert_eq!(reasons("qwertyuiop"), vec![WeakReason::Common]);
        assert_eq!(
            reasons("1234"),
            vec![WeakReason::TooShort, WeakReason::Common]
        );
    }

    #[test]
    fn password_containing_the_local_part_is_refused() {
        assert_eq!(
            reasons("alice"),
            vec![WeakReason::TooShort, WeakReason::ContainsEmail]
        );
        assert_eq!(reasons("my-ALICE-secret"), vec![WeakReason::ContainsEmail]);
        assert_eq!(
            reasons("alice@example.com"),
            vec![WeakReason::ContainsEmail]
        );
        // Two-letter local parts would refuse too many good passwords.
        let al = EmailAddress::parse("al@example.com").unwrap();
        assert!(NewPassword::parse("walnut-galaxy".to_owned(), &al).is_ok());
    }

    #[test]
    fn kept_byte_exact() {
        let candidate = "  Ünïcode spaces  ";
        let parsed = NewPassword::parse(candidate.to_owned(), &alice()).unwrap();
        assert_eq!(parsed.expose(), candidate);
        assert_eq!(format!("{parsed:?}"), "NewPassword(<redacted>)");
    }

    #[test]
    fn message_is_a_sentence_per_reason() {
        let weak = WeakPassword {
            reasons: vec![WeakReason::TooShort, WeakReason::Common],
        };
        assert_eq!(
            weak.message(),
            "Your password must be at least 8 characters long. \
             This password is too common and easy to guess. Choose a different one."
        );
    }

    proptest::proptest! {
        /// The page's length check and the server's agree: what the page lets through is never
        /// refused by the server as too short or too long, and the other way round.
        #[test]
        fn the_page_and_the_server_count_length_alike(candidate in "[a é🔑\u{301}]{0,140}") {
            let page = reclaim::domain::PasswordRules::default().check(&candidate, &candidate);
            let server_refuses_length = match NewPassword::parse(candidate.clone(), &alice()) {
                Ok(_) => false,
                Err(weak) => weak.reasons.iter().any(|r| matches!(r, WeakReason::TooShort | WeakReason::TooLong)),
            };
            proptest::prop_assert_eq!(page.is_acceptable(), !server_refuses_length);
        }
    }
}
