//! Password length limits (NIST SP 800-63B, OWASP ASVS): counted in Unicode code points, no
//! composition rules. The pages check them to save a round trip; the server is the authority
//! and also refuses common passwords.

/// Fewer code points than this is refused (the default; a deployment may ask for more).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// More code points than this is refused, never truncated: a truncated password would not be
/// the one the person typed.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A password's length in code points, so 8 emoji are 8, not 32 bytes, and `e` + U+0301 is 2.
/// The server counts it on the password's NFKC form, the one it hashes (where `e` + U+0301 is
/// `é`, 1); the pages on what was typed, which is the same for text NFKC leaves alone.
pub fn password_chars(password: &str) -> usize {
    password.chars().count()
}

/// The sentence for a password shorter than `min_chars`.
pub fn too_short_sentence(min_chars: usize) -> String {
    format!("Your password must be at least {min_chars} characters long")
}

/// The sentence for a password longer than [`MAX_PASSWORD_CHARS`].
pub fn too_long_sentence() -> String {
    format!("Your password must be {MAX_PASSWORD_CHARS} characters or fewer")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_code_points_not_bytes() {
        assert_eq!(password_chars(&"🔑".repeat(8)), 8);
        assert_eq!(password_chars("e\u{301}"), 2);
        assert_eq!(password_chars(""), 0);
    }
}
