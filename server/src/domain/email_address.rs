//! An email address that has been parsed, so holding one means it is usable.

use std::fmt;

use reclaim_contract::email::MAX_EMAIL_LEN as MAX_LEN;
use reclaim_contract::{check_email, EmailSyntaxError};

use super::nfkc;

/// A syntactically valid email address, as typed by a person in NFKC (surrounding whitespace
/// removed).
///
/// Parse, don't validate: the only way to get one is [`EmailAddress::parse`], so a handler or
/// the mailer that receives an `EmailAddress` never checks it again. Whether anybody reads mail
/// there is not knowable and not checked.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

/// Why a string is not an [`EmailAddress`]. The variants exist for tests and logs; clients only
/// see `invalid_email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEmail {
    #[error("the address is empty")]
    Empty,
    #[error("the address is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("the address has no @ or nothing before or after it")]
    MissingParts,
    #[error("the part before the @ is not valid")]
    InvalidLocalPart,
    #[error("the part after the @ is not a domain name like example.com")]
    InvalidDomain,
}

impl EmailAddress {
    /// Parses what a person typed into an email field: its NFKC form, judged by the contract's
    /// email syntax ([`check_email`]), the very check the pages make before sending, so an
    /// address the page lets through is never refused here as malformed. NFKC comes first so
    /// that every form of an address reaches its account: `é` typed as `e` and a combining
    /// accent, or full-width letters from an input method, are refused by the syntax but are
    /// the same address. The NFKC form is the one kept, since it is the one judged (a
    /// full-width `＠` is no `@` to the mail library). Leading and trailing whitespace is
    /// removed (phones add a trailing space after autocompletion). Every address it accepts is
    /// also one the mail library can send to (a property test below holds it to that).
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        check_email(&nfkc(input))
            .map(|address| Self(address.to_owned()))
            .map_err(|error| match error {
                EmailSyntaxError::Empty => InvalidEmail::Empty,
                EmailSyntaxError::TooLong => InvalidEmail::TooLong,
                EmailSyntaxError::MissingParts => InvalidEmail::MissingParts,
                EmailSyntaxError::InvalidLocalPart => InvalidEmail::InvalidLocalPart,
                EmailSyntaxError::InvalidDomain => InvalidEmail::InvalidDomain,
            })
    }

    /// The address as typed, in NFKC (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The key accounts are looked up by: the whole address in NFKC, in lower case.
    ///
    /// Strictly the local part is case-sensitive, but no mainstream provider treats it so, and
    /// people type `Alice@Example.com` as often as `alice@example.com`. NFKC makes the forms
    /// that keyboards and input methods produce for the same text one (`ﬁ` and `fi`,
    /// full-width and plain letters); the address is in NFKC from [`Self::parse`] on. Mail
    /// goes to the address as registered, in its case.
    pub fn lookup_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Debug for EmailAddress {
    // Addresses are personal data: a stray `{:?}` in a log line shows only the domain.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.rsplit_once('@').map_or("", |(_, domain)| domain);
        write!(f, "EmailAddress(…@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::string::string_regex;

    /// The syntax itself is the contract's, tested there; here, that each of its refusals keeps
    /// its own reason (for tests and logs) and that what passes is kept as typed, trimmed.
    #[test]
    fn the_contracts_syntax_with_the_reasons_kept() {
        let cases = [
            ("   ", InvalidEmail::Empty),
            ("alice@", InvalidEmail::MissingParts),
            ("alice@localhost", InvalidEmail::InvalidDomain),
            ("alice@bob@example.com", InvalidEmail::InvalidLocalPart),
            (
                "alice\r\nBcc: eve@example.com",
                InvalidEmail::InvalidLocalPart,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "{input:?}");
        }
        let parsed = EmailAddress::parse("  jörg@bücher.example \n").unwrap();
        assert_eq!(parsed.as_str(), "jörg@bücher.example");
    }

    #[test]
    fn refuses_overlong_parts() {
        let local = "a".repeat(65);
        assert_eq!(
            EmailAddress::parse(&format!("{local}@example.com")),
            Err(InvalidEmail::InvalidLocalPart)
        );
        let domain = format!("{}.com", vec!["b".repeat(60); 5].join("."));
        assert_eq!(
            EmailAddress::parse(&format!("a@{domain}")),
            Err(InvalidEmail::TooLong)
        );
    }

    #[test]
    fn lookup_key_ignores_case_and_compatibility_forms_and_the_case_is_kept() {
        let parsed = EmailAddress::parse("Alice@Example.COM").unwrap();
        assert_eq!(parsed.lookup_key(), "alice@example.com");
        assert_eq!(parsed.local_part(), "Alice");
        assert_eq!(parsed.as_str(), "Alice@Example.COM");
        let compatible = EmailAddress::parse("\u{FB01}ona@ＥＸＡＭＰＬＥ.com").unwrap();
        assert_eq!(compatible.lookup_key(), "fiona@example.com");
        assert_eq!(compatible.as_str(), "fiona@EXAMPLE.com");
    }

    /// Forms the syntax alone would refuse (a combining accent is no letter, a full-width `＠`
    /// or `．` no separator) are judged in NFKC, and are the address they stand for.
    #[test]
    fn any_unicode_form_of_an_address_is_that_address() {
        let precomposed = EmailAddress::parse("jos\u{E9}@example.com").unwrap();
        for typed in [
            "jose\u{301}@example.com",
            "ｊｏｓé＠ｅｘａｍｐｌｅ．ｃｏｍ",
            " JOSE\u{301}@Example.com\u{3000}",
        ] {
            let parsed = EmailAddress::parse(typed).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
            assert_eq!(parsed.lookup_key(), precomposed.lookup_key(), "{typed:?}");
        }
        assert_eq!(
            EmailAddress::parse("jose\u{301}@example.com")
                .unwrap()
                .as_str(),
            "jos\u{E9}@example.com"
        );
        // NFKC can refuse too: full-width digits are an all-digit top-level domain.
        assert_eq!(
            EmailAddress::parse("alice@example.１２３"),
            Err(InvalidEmail::InvalidDomain)
        );
    }

    #[test]
    fn debug_does_not_show_the_local_part() {
        let parsed = EmailAddress::parse("secret.person@example.com").unwrap();
        assert_eq!(format!("{parsed:?}"), "EmailAddress(…@example.com)");
    }

    /// Characters that matter to the syntax, from both sides' old rule sets: atext, the
    /// specials, whitespace and control characters, non-ASCII letters and symbols; and forms
    /// that NFKC changes: a combining accent, full-width `＠`, `．`, `ａ` and `１`, a ligature,
    /// and `⑴`, a number that becomes `(1)`.
    const ALPHABET: &str = "[ab1.@\\-_+'!#é用🔑 \"<>(),;:\\[\\]\t\r\n\u{0}\u{301}＠．ａ１ﬁ⑴]";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Whatever `parse` accepts, the mail library accepts too, and parsing is idempotent.
        #[test]
        fn accepted_addresses_round_trip_and_are_mailable(
            input in string_regex(&format!("{ALPHABET}{{1,12}}@{ALPHABET}{{1,12}}")).unwrap()
        ) {
            if let Ok(parsed) = EmailAddress::parse(&input) {
                let again = EmailAddress::parse(parsed.as_str());
                prop_assert_eq!(again.as_ref(), Ok(&parsed));
                prop_assert!(parsed.as_str().parse::<lettre::Address>().is_ok(), "{:?}", input);
            }
        }

        /// The page's check, given the address in NFKC, accepts exactly what the server
        /// accepts as typed: once the pages normalise as the server does, nobody is told
        /// "check your email" by the page for an address the server then refuses, or refused
        /// by the page for one the server would take.
        #[test]
        fn the_page_and_the_server_accept_the_same_addresses(
            input in prop_oneof![
                // Mostly well-formed: `local@label.label`, with the odd wrong character.
                string_regex(&format!("{ALPHABET}{{1,10}}@[ab1é🔑_\\- ]{{1,6}}\\.[ab1é\\-]{{1,6}}")).unwrap(),
                string_regex(&format!("{ALPHABET}{{0,12}}@?{ALPHABET}{{0,12}}")).unwrap(),
            ]
        ) {
            let page = reclaim::domain::EmailAddress::parse(&nfkc(&input));
            let server = EmailAddress::parse(&input);
            prop_assert_eq!(page.is_ok(), server.is_ok(), "{:?}", input);
            if let (Ok(page), Ok(server)) = (page, server) {
                prop_assert_eq!(page.as_str(), server.as_str());
            }
        }
    }
}
