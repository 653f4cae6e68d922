//! The password policy (NIST SP 800-63B §3.1.1.2, OWASP ASVS V2.1): length and a blocklist,
//! no composition rules. The blocklist includes context-specific words: the service's name and
//! the parts of the account's address.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use super::{nfkc, EmailAddress};

use reclaim_contract::password::{too_long_sentence, too_short_sentence};
pub use reclaim_contract::wire::WeakReason;
use reclaim_contract::{
    password_chars, MAX_PASSWORD_CHARS as MAX_CHARS, MIN_PASSWORD_CHARS as MIN_CHARS,
};
/// A local part shorter than this (`al@…`) is too likely to occur by chance to refuse on; the
/// same holds for the other parts of the address.
const MIN_LOCAL_PART_TO_MATCH: usize = 3;
/// The service's name, refused inside a password (NIST's "name of the service").
const APP_NAME: &str = "reclaim";

/// The blocklist, see `data/README.md` for where it comes from.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .collect()
});

/// A password that the policy accepts as a new password for one account.
///
/// Holding one means it passed [`NewPassword::parse`]. The client sends it byte-exact (the
/// contract); the server keeps it in Unicode NFKC, the form it hashes and compares logins in.
/// `Debug` never shows it.
pub struct NewPassword(String);

/// What a deployment may tune in the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Shortest accepted password in code points, 8 (the contract's) to 128.
    pub min_chars: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: MIN_CHARS,
        }
    }
}

/// Why the policy refused a password: one or more reasons, each with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakPassword {
    pub reasons: Vec<WeakReason>,
    /// The policy's minimum, for the too-short sentence.
    pub min_chars: usize,
}

/// The parts of an address a password must not contain, in lower case: the local part, its
/// pieces (`alice.smith` gives `alice` and `smith`), and the domain's labels but the last
/// (`mail.example` of `mail.example.com`), each of at least [`MIN_LOCAL_PART_TO_MATCH`]
/// characters.
fn address_parts(email: &EmailAddress) -> impl Iterator<Item = String> {
    let local = email.local_part().to_lowercase();
    let address = email.lookup_key();
    let domain = address.rsplit_once('@').map_or("", |(_, domain)| domain);
    let mut parts = vec![local.clone()];
    parts.extend(local.split(['.', '_', '-', '+']).map(str::to_owned));
    let labels: Vec<&str> = domain.split('.').collect();
    parts.extend(
        labels[..labels.len().saturating_sub(1)]
            .iter()
            .map(|l| (*l).to_owned()),
    );
    parts
        .into_iter()
        .filter(|part| part.chars().count() >= MIN_LOCAL_PART_TO_MATCH)
}

impl NewPassword {
    /// Applies the default policy to `candidate` as the new password of the account `email`.
    pub fn parse(candidate: String, email: &EmailAddress) -> Result<Self, WeakPassword> {
        Self::parse_with(candidate, email, PasswordPolicy::default())
    }

    /// Applies `policy` to `candidate` as the new password of the account `email`.
    ///
    /// Everything is judged on the NFKC form, the one that is hashed: length in Unicode code
    /// points of it (so 8 emoji are 8 characters, and four `e` + combining acute are the four
    /// characters `éééé`, not eight), and the blocklists in lower case of it, so `ｐａｓｓｗｏｒｄ`
    /// is as common as `password`. A too-long password is refused without checking anything
    /// else. Every broken rule is reported.
    pub fn parse_with(
        candidate: String,
        email: &EmailAddress,
        policy: PasswordPolicy,
    ) -> Result<Self, WeakPassword> {
        let normalised = nfkc(&candidate);
        let length = password_chars(&normalised);
        if length > MAX_CHARS {
            return Err(WeakPassword {
                reasons: vec![WeakReason::TooLong],
                min_chars: policy.min_chars,
            });
        }
        let mut reasons = Vec::new();
        if length < policy.min_chars {
            reasons.push(WeakReason::TooShort);
        }
        let lowered = normalised.to_lowercase();
        // The service's name is as guessable as the most common passwords.
        if COMMON_PASSWORDS.contains(lowered.as_str()) || lowered.contains(APP_NAME) {
            reasons.push(WeakReason::Common);
        }
        if address_parts(email).any(|part| lowered.contains(&part)) {
            reasons.push(WeakReason::ContainsEmail);
        }
        if reasons.is_empty() {
            Ok(Self(normalised))
        } else {
            Err(WeakPassword {
                reasons,
                min_chars: policy.min_chars,
            })
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
                WeakReason::TooShort => format!("{}.", too_short_sentence(self.min_chars)),
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
    fn kept_as_sent_apart_from_nfkc() {
        let candidate = "  Ünïcode spaces  ";
        let parsed = NewPassword::parse(candidate.to_owned(), &alice()).unwrap();
        assert_eq!(parsed.expose(), candidate);
        assert_eq!(format!("{parsed:?}"), "NewPassword(<redacted>)");
        let composed = NewPassword::parse("\u{FB01}ne cafe\u{301} walnut".to_owned(), &alice());
        assert_eq!(composed.unwrap().expose(), "fine café walnut");
    }

    #[test]
    fn the_app_name_and_the_address_parts_are_refused() {
        assert_eq!(reasons("my Reclaim passphrase"), vec![WeakReason::Common]);
        assert_eq!(reasons("ｐａｓｓｗｏｒｄ"), vec![WeakReason::Common]);
        assert_eq!(
            reasons("walnut example galaxy"),
            vec![WeakReason::ContainsEmail]
        );
        let smith = EmailAddress::parse("alice.smith@mail.example.com").unwrap();
        for refused in [
            "smith forever 2024",
            "mail walnut galaxy",
            "walnut-alice-galaxy",
        ] {
            assert!(
                NewPassword::parse(refused.to_owned(), &smith).is_err(),
                "{refused}"
            );
        }
        // The top-level domain alone is not part of anyone's identity.
        assert!(NewPassword::parse("walnut galaxy.com".to_owned(), &smith).is_ok());
    }

    #[test]
    fn the_minimum_can_be_raised() {
        let policy = PasswordPolicy { min_chars: 15 };
        let short = NewPassword::parse_with("walnut galaxy".to_owned(), &alice(), policy);
        let weak = short.unwrap_err();
        assert_eq!(weak.reasons, vec![WeakReason::TooShort]);
        assert!(weak.message().contains("15"), "{}", weak.message());
        assert!(
            NewPassword::parse_with("walnut galaxy hinge".to_owned(), &alice(), policy).is_ok()
        );
    }

    #[test]
    fn message_is_a_sentence_per_reason() {
        let weak = WeakPassword {
            reasons: vec![WeakReason::TooShort, WeakReason::Common],
            min_chars: 8,
        };
        assert_eq!(
            weak.message(),
            "Your password must be at least 8 characters long. \
             This password is too common and easy to guess. Choose a different one."
        );
    }

    #[test]
    fn length_is_counted_after_nfkc() {
        // Eight code points as typed, four after NFKC: as short as `éééé`.
        assert_eq!(reasons(&"e\u{301}".repeat(4)), vec![WeakReason::TooShort]);
        assert_eq!(reasons(&"e\u{301}".repeat(8)), vec![]);
        // One code point as typed, two after NFKC.
        assert_eq!(reasons(&"\u{FB01}".repeat(4)), vec![]);
    }

    proptest::proptest! {
        /// The page's length check and the server's agree on the form the server hashes: what
        /// the page lets through in NFKC is never refused by the server as too short or too
        /// long, and the other way round. (Typed text that NFKC leaves alone, which is most of
        /// it, agrees as typed.)
        #[test]
        fn the_page_and_the_server_count_length_alike(candidate in "[a é🔑\u{301}\u{FB01}]{0,140}") {
            let normalised = nfkc(&candidate);
            let page = reclaim::domain::PasswordRules::default().check(&normalised, &normalised);
            let server_refuses_length = match NewPassword::parse(candidate.clone(), &alice()) {
                Ok(_) => false,
                Err(weak) => weak.reasons.iter().any(|r| matches!(r, WeakReason::TooShort | WeakReason::TooLong)),
            };
            proptest::prop_assert_eq!(page.is_acceptable(), !server_refuses_length);
        }
    }
}
