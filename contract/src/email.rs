//! The email syntax both sides accept: the page checks with it before sending, the server
//! parses with it before doing anything, so an address the page lets through is never refused
//! by the server as malformed (and the other way round).

/// The longest address SMTP can carry in a path (RFC 5321 §4.5.3.1.3, 256 minus the brackets).
pub const MAX_EMAIL_LEN: usize = 254;
/// RFC 5321 §4.5.3.1.1.
pub const MAX_LOCAL_PART_LEN: usize = 64;
/// RFC 1035: a DNS label is at most 63 octets.
const MAX_LABEL_LEN: usize = 63;

/// Why a string is not an email address either side accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailSyntaxError {
    /// Nothing but whitespace.
    Empty,
    /// Longer than [`MAX_EMAIL_LEN`] bytes.
    TooLong,
    /// No `@`, or nothing before or after it.
    MissingParts,
    /// The part before the `@` is not a dot-atom of at most [`MAX_LOCAL_PART_LEN`] bytes.
    InvalidLocalPart,
    /// The part after the `@` is not a domain name like `example.com`.
    InvalidDomain,
}

/// Checks what a person typed into an email field and returns it without the surrounding
/// whitespace (phones add a trailing space after autocompletion; pastes bring line breaks).
///
/// The rules are the practical subset of RFC 5322 that mail systems accept: a dot-atom local
/// part (RFC 5322 `atext`, plus non-ASCII letters and digits for RFC 6531 internationalised
/// mail) and a domain name of at least two labels whose last is not all digits. Quoted local
/// parts, IP literals and bare host names (`name@localhost`, almost always a typo for
/// `name@gmail.com`) are refused, as every sign-up form does.
pub fn check_email(input: &str) -> Result<&str, EmailSyntaxError> {
    let address = input.trim();
    if address.is_empty() {
        return Err(EmailSyntaxError::Empty);
    }
    if address.len() > MAX_EMAIL_LEN {
        return Err(EmailSyntaxError::TooLong);
    }
    // A domain cannot contain '@', so the last one separates the parts; an '@' left in the
    // local part is then refused below (it would need quoting).
    let (local, domain) = address
        .rsplit_once('@')
        .ok_or(EmailSyntaxError::MissingParts)?;
    if local.is_empty() || domain.is_empty() {
        return Err(EmailSyntaxError::MissingParts);
    }
    if !is_local_part(local) {
        return Err(EmailSyntaxError::InvalidLocalPart);
    }
    if !is_domain(domain) {
        return Err(EmailSyntaxError::InvalidDomain);
    }
    Ok(address)
}

fn is_local_part(local: &str) -> bool {
    local.len() <= MAX_LOCAL_PART_LEN
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(is_local_part_char)
}

/// RFC 5322 `atext` plus the dot, and any non-ASCII letter or digit (RFC 6531).
fn is_local_part_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "!#$%&'*+-/=?^_`{|}~.".contains(c)
        || (!c.is_ascii() && c.is_alphanumeric())
}

fn is_domain(domain: &str) -> bool {
    let mut labels = domain.split('.').peekable();
    let mut count = 0;
    while let Some(label) = labels.next() {
        count += 1;
        let well_formed = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && !label.starts_with('-')
            && !label.ends_with('-')
            // Non-ASCII letters are allowed for internationalised domains.
            && label.chars().all(|c| c == '-' || c.is_alphanumeric());
        // A top-level domain is never all digits: this refuses `name@127.0.0.1`.
        let numeric_tld = labels.peek().is_none() && label.chars().all(|c| c.is_ascii_digit());
        if !well_formed || numeric_tld {
            return false;
        }
    }
    count >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_ordinary_addresses() {
        for input in [
            "alice@example.com",
            "Alice.Smith+recovery@mail.example.co.uk",
            "o'brien@example.ie",
            "x@b.io",
            "user_name-1@sub-domain.example.org",
            "jörg@bücher.example",
            "用户@例子.广告",
        ] {
            assert_eq!(check_email(input), Ok(input), "{input}");
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(
            check_email("  alice@example.com \n"),
            Ok("alice@example.com")
        );
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        use EmailSyntaxError::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("alice", MissingParts),
            ("alice@", MissingParts),
            ("@example.com", MissingParts),
            ("alice@localhost", InvalidDomain),
            ("alice@example", InvalidDomain),
            ("alice@example..com", InvalidDomain),
            ("alice@.example.com", InvalidDomain),
            ("alice@-example.com", InvalidDomain),
            ("alice@example.com.", InvalidDomain),
            ("alice@127.0.0.1", InvalidDomain),
            ("alice@example.123", InvalidDomain),
            ("alice@exa_mple.com", InvalidDomain),
            ("alice@exa mple.com", InvalidDomain),
            ("al ice@example.com", InvalidLocalPart),
            ("alice@bob@example.com", InvalidLocalPart),
            (".alice@example.com", InvalidLocalPart),
            ("alice.@example.com", InvalidLocalPart),
            ("al..ice@example.com", InvalidLocalPart),
            ("\"alice\"@example.com", InvalidLocalPart),
            ("alice\r\nBcc: eve@example.com", InvalidLocalPart),
            ("<alice@example.com>", InvalidLocalPart),
            // Symbols are not letters: the page used to let this through and the server refused it.
            ("🔑@example.com", InvalidLocalPart),
        ];
        for (input, expected) in cases {
            assert_eq!(check_email(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn refuses_overlong_parts() {
        let local = "a".repeat(MAX_LOCAL_PART_LEN + 1);
        assert_eq!(
            check_email(&format!("{local}@example.com")),
            Err(EmailSyntaxError::InvalidLocalPart)
        );
        let label = "a".repeat(MAX_LABEL_LEN + 1);
        assert_eq!(
            check_email(&format!("a@{label}.com")),
            Err(EmailSyntaxError::InvalidDomain)
        );
        let domain = format!("{}.com", vec!["b".repeat(60); 5].join("."));
        assert_eq!(
            check_email(&format!("a@{domain}")),
            Err(EmailSyntaxError::TooLong)
        );
    }

    proptest! {
        /// Checking is idempotent, and what passes has exactly one `@` with no whitespace.
        #[test]
        fn accepted_addresses_are_stable(input in "[ab.@\\-_+ é1\"<🔑]{0,16}") {
            if let Ok(address) = check_email(&input) {
                prop_assert_eq!(check_email(address), Ok(address));
                prop_assert_eq!(address.matches('@').count(), 1);
                prop_assert!(!address.chars().any(char::is_whitespace));
            }
        }
    }
}
