//! The email address a person asks a reset link for.

use std::fmt;

use reclaim_contract::{check_email, EmailSyntaxError};

use crate::i18n::{Message, Text};

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

impl EmailError {
    /// What the person reads at the field.
    pub fn message(self) -> Message {
        Message::text(match self {
            EmailError::Empty => Text::EmailEmpty,
            EmailError::Malformed => Text::EmailMalformed,
        })
    }
}

/// In English: for logs and tests.
impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.message().fmt(f)
    }
}

impl EmailAddress {
    /// Accepts what people actually type: surrounding spaces (often pasted) are
    /// dropped; the rest, in its compatibility form (NFKC, the form the server reads: `é` typed
    /// as `e` and a combining accent is `é`, full-width letters are letters), must pass the
    /// contract's email syntax, the very check the server makes, so an address accepted here
    /// is never refused there as malformed. Stricter than `type=email` (which accepts
    /// `name@localhost`).
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        match check_email(&nfkc(input)) {
            Ok(address) => Ok(Self(address.to_owned())),
            Err(EmailSyntaxError::Empty) => Err(EmailError::Empty),
            Err(_) => Err(EmailError::Malformed),
        }
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

/// `text` in Unicode's compatibility composition (NFKC): the browser's own in the pages, which
/// costs the wasm nothing, the `unicode-normalization` crate's natively.
fn nfkc(text: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::JsString::from(text)
            .normalize("NFKC")
            .as_string()
            .unwrap_or_else(|| text.to_owned())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use unicode_normalization::UnicodeNormalization;
        text.nfkc().collect()
    }
}

/// An account's address with most of its name hidden, `a•••@example.com`: enough
/// for the person to recognise which account a link resets, little for anyone
/// looking over their shoulder.
pub fn masked_address(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((name, domain)) if !name.is_empty() && !domain.is_empty() => {
            let first = name.chars().next().unwrap_or_default();
            format!("{first}\u{2022}\u{2022}\u{2022}@{domain}")
        }
        _ => "\u{2022}\u{2022}\u{2022}".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_address_without_surrounding_spaces() {
        assert_eq!(
            EmailAddress::parse("  alice@example.com\n")
                .unwrap()
                .as_str(),
            "alice@example.com"
        );
    }

    #[test]
    fn empty_input_asks_for_an_address_and_anything_else_wrong_is_malformed() {
        assert_eq!(EmailAddress::parse(""), Err(EmailError::Empty));
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        for bad in [
            "alice",
            "alice@example",
            "🔑@example.com",
            "a..b@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn any_unicode_form_of_an_address_is_read_as_its_compatibility_form() {
        for typed in [
            "jose\u{301}@example.com",
            "jos\u{e9}@example.com",
            "\u{ff4a}\u{ff4f}\u{ff53}\u{e9}@example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(typed).unwrap().as_str(),
                "jos\u{e9}@example.com",
                "{typed}"
            );
        }
    }

    #[test]
    fn messages_are_plain_and_blameless() {
        assert_eq!(EmailError::Empty.to_string(), "Enter your email address");
        assert!(EmailError::Malformed
            .to_string()
            .contains("name@example.com"));
    }

    #[test]
    fn masked_addresses_keep_the_first_letter_and_the_domain() {
        assert_eq!(
            masked_address("alice@example.com"),
            "a\u{2022}\u{2022}\u{2022}@example.com"
        );
        assert_eq!(
            masked_address("a@example.com"),
            "a\u{2022}\u{2022}\u{2022}@example.com"
        );
        assert_eq!(
            masked_address("\u{e9}lodie@exemple.fr"),
            "\u{e9}\u{2022}\u{2022}\u{2022}@exemple.fr"
        );
        assert_eq!(masked_address("no-at-sign"), "\u{2022}\u{2022}\u{2022}");
        assert_eq!(masked_address("@example.com"), "\u{2022}\u{2022}\u{2022}");
    }
}
