//! The email address a person asks a reset link for.

use std::fmt;

/// An email address that passed the browser-side check. Parse, don't validate:
/// holding one means the check passed. The server stays the authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

/// Why the typed text is not an email address we can send to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    Malformed,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailError::Empty => "Enter your email address",
            EmailError::Malformed => {
                "Enter an email address in the correct format, like name@example.com"
            }
        })
    }
}

/// RFC 5321 limits: 64 octets of local part, 254 for a usable path.
const MAX_LOCAL_LEN: usize = 64;
const MAX_ADDRESS_LEN: usize = 254;
const MAX_LABEL_LEN: usize = 63;

impl EmailAddress {
    /// Accepts what people actually type: surrounding spaces (often pasted) are
    /// dropped; the rest must look like `local@domain.tld`. Deliberately looser
    /// than RFC 5322 (no quoted local parts, no IP literals) and stricter than
    /// `type=email` (which accepts `name@localhost`), like GOV.UK's check.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let address = input.trim();
        if address.is_empty() {
            return Err(EmailError::Empty);
        }
        if address.len() > MAX_ADDRESS_LEN {
            return Err(EmailError::Malformed);
        }
        let (local, domain) = address.split_once('@').ok_or(EmailError::Malformed)?;
        if !is_local_part(local) || !is_domain(domain) {
            return Err(EmailError::Malformed);
        }
        Ok(Self(address.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.len() <= MAX_LOCAL_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c))
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    // A dot is required: an address at a bare host name cannot receive mail
    // from the internet and is almost always a typo (`name@gmail`).
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL_LEN
                && !label.starts_with('-')
                && !label.ends_with('-')
                // Non-ASCII letters are allowed for internationalised domains.
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for ok in [
            "alice@example.com",
            "first.last+tag@mail.example.co.uk",
            "o'brien@example.ie",
            "x@b.io",
            "用户@例子.广告",
        ] {
            assert_eq!(EmailAddress::parse(ok).unwrap().as_str(), ok, "{ok}");
        }
    }

    #[test]
    fn drops_surrounding_spaces_from_a_paste() {
        assert_eq!(
            EmailAddress::parse("  alice@example.com\n")
                .unwrap()
                .as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn empty_input_asks_for_an_address() {
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Empty));
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn refuses_what_cannot_be_an_address() {
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "alice@example..com",
            "alice@.example.com",
            "alice@example.com.",
            "al ice@example.com",
            ".alice@example.com",
            "alice.@example.com",
            "a..b@example.com",
            "alice@-example.com",
            "alice@example.123",
            "alice@exa_mple.com",
            "<alice@example.com>",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_overlong_parts() {
        let local = "a".repeat(65);
        assert!(EmailAddress::parse(&format!("{local}@example.com")).is_err());
        let label = "a".repeat(64);
        assert!(EmailAddress::parse(&format!("a@{label}.com")).is_err());
        let long = format!("a@{}.com", ["abcdefghij"; 30].join("."));
        assert!(long.len() > 254);
        assert!(EmailAddress::parse(&long).is_err());
    }

    #[test]
    fn messages_are_plain_and_blameless() {
        assert_eq!(EmailError::Empty.to_string(), "Enter your email address");
        assert!(EmailError::Malformed
            .to_string()
            .contains("name@example.com"));
    }
}
