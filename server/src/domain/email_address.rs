//! An email address that has been parsed, so holding one means it is usable.

use std::fmt;

/// The longest address SMTP can carry in a path (RFC 5321 §4.5.3.1.3, 256 minus the brackets).
const MAX_LEN: usize = 254;
/// RFC 5321 §4.5.3.1.1.
const MAX_LOCAL_PART_LEN: usize = 64;

/// A syntactically valid email address, as typed by a person (surrounding whitespace removed).
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
    /// Parses what a person typed into an email field.
    ///
    /// Leading and trailing whitespace is removed (phones add a trailing space after
    /// autocompletion). The rules are the practical subset of RFC 5322 that mail systems accept:
    /// a dot-atom local part of at most 64 bytes, and a domain name with at least two labels
    /// (`name@localhost` and IP literals are refused, as every sign-up form does). The result
    /// is also accepted by the mail library, so a parsed address can always be mailed.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let address = input.trim();
        if address.is_empty() {
            return Err(InvalidEmail::Empty);
        }
        if address.len() > MAX_LEN {
            return Err(InvalidEmail::TooLong);
        }
        // The domain cannot contain '@', so the last one separates the parts; an '@' left in
        // the local part is then refused below (it would need quoting).
        let (local, domain) = address.rsplit_once('@').ok_or(InvalidEmail::MissingParts)?;
        if local.is_empty() || domain.is_empty() {
            return Err(InvalidEmail::MissingParts);
        }
        if !is_valid_local_part(local) {
            return Err(InvalidEmail::InvalidLocalPart);
        }
        if !is_valid_domain(domain) {
            return Err(InvalidEmail::InvalidDomain);
        }
        lettre::Address::new(local, domain).map_err(|error| match error {
            lettre::address::AddressError::InvalidUser => InvalidEmail::InvalidLocalPart,
            _ => InvalidEmail::InvalidDomain,
        })?;
        Ok(Self(address.to_owned()))
    }

    /// The address as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The key accounts are looked up by: the whole address in lower case.
    ///
    /// Strictly the local part is case-sensitive, but no mainstream provider treats it so, and
    /// people type `Alice@Example.com` as often as `alice@example.com`.
    pub fn lookup_key(&self) -> String {
        self.0.to_lowercase()
    }
}

fn is_valid_local_part(local: &str) -> bool {
    local.len() <= MAX_LOCAL_PART_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(is_local_part_char)
}

/// RFC 5322 `atext` plus the dot, and any non-ASCII letter (RFC 6531 internationalised mail).
fn is_local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~.".contains(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c == '-' || c.is_alphanumeric())
        })
        // A top-level domain is never all digits; this refuses `name@127.0.0.1`.
        && !labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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

    #[test]
    fn accepts_ordinary_addresses() {
        for input in [
            "alice@example.com",
            "Alice.Smith+recovery@mail.example.co.uk",
            "o'brien@example.ie",
            "x@example.com",
            "user_name-1@sub-domain.example.org",
            "jörg@bücher.example",
        ] {
            let parsed = EmailAddress::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(parsed.as_str(), input);
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        let parsed = EmailAddress::parse("  alice@example.com \n").unwrap();
        assert_eq!(parsed.as_str(), "alice@example.com");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        let cases = [
            ("", InvalidEmail::Empty),
            ("   ", InvalidEmail::Empty),
            ("alice", InvalidEmail::MissingParts),
            ("alice@", InvalidEmail::MissingParts),
            ("@example.com", InvalidEmail::MissingParts),
            ("alice@localhost", InvalidEmail::InvalidDomain),
            ("alice@example..com", InvalidEmail::InvalidDomain),
            ("alice@-example.com", InvalidEmail::InvalidDomain),
            ("alice@example.com.", InvalidEmail::InvalidDomain),
            ("alice@127.0.0.1", InvalidEmail::InvalidDomain),
            ("alice@exa mple.com", InvalidEmail::InvalidDomain),
            ("al ice@example.com", InvalidEmail::InvalidLocalPart),
            ("alice@bob@example.com", InvalidEmail::InvalidLocalPart),
            (".alice@example.com", InvalidEmail::InvalidLocalPart),
            ("alice.@example.com", InvalidEmail::InvalidLocalPart),
            ("al..ice@example.com", InvalidEmail::InvalidLocalPart),
            ("\"alice\"@example.com", InvalidEmail::InvalidLocalPart),
            (
                "alice\r\nBcc: eve@example.com",
                InvalidEmail::InvalidLocalPart,
            ),
            ("<alice@example.com>", InvalidEmail::InvalidLocalPart),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "{input:?}");
        }
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
    fn lookup_key_ignores_case_and_local_part_is_kept() {
        let parsed = EmailAddress::parse("Alice@Example.COM").unwrap();
        assert_eq!(parsed.lookup_key(), "alice@example.com");
        assert_eq!(parsed.local_part(), "Alice");
        assert_eq!(parsed.to_string(), "Alice@Example.COM");
    }

    #[test]
    fn debug_does_not_show_the_local_part() {
        let parsed = EmailAddress::parse("secret.person@example.com").unwrap();
        assert_eq!(format!("{parsed:?}"), "EmailAddress(…@example.com)");
    }

    /// Property: whatever `parse` accepts, the mail library accepts too, and parsing is
    /// idempotent. Inputs are generated deterministically from a small alphabet of the
    /// characters that matter, so the test needs no extra crate.
    #[test]
    fn accepted_addresses_round_trip_and_are_mailable() {
        let alphabet: Vec<char> = "ab.@-_+ é1\"<".chars().collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = 3 + (seed % 14) as usize;
            let input: String = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            if let Ok(parsed) = EmailAddress::parse(&input) {
                accepted += 1;
                assert_eq!(EmailAddress::parse(parsed.as_str()).as_ref(), Ok(&parsed));
                assert!(
                    parsed.as_str().parse::<lettre::Address>().is_ok(),
                    "{input:?}"
                );
                assert_eq!(parsed.as_str().matches('@').count(), 1, "{input:?}");
            }
        }
        assert!(accepted > 0, "the generator never produced a valid address");
    }
}
