//! Secret tokens (reset links, sessions) and the hashes they are stored as.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// 256 bits: twice the contract's minimum, so guessing stays hopeless even with many live tokens.
const TOKEN_BYTES: usize = 32;
/// The length of [`TOKEN_BYTES`] in unpadded base64url.
const ENCODED_LEN: usize = 43;

/// A secret handed to a person once (in a reset link or a cookie) and never stored.
///
/// Held as a [`SecretString`], so `Debug` shows no token and a log cannot leak one by accident;
/// [`SecretToken::expose`] makes each use visible.
#[derive(Debug)]
pub struct SecretToken(SecretString);

/// The SHA-256 of a token's text: what the database keeps. A database leak then yields no
/// usable link, and since the token has 256 bits of entropy a fast hash is enough (no salt or
/// slow hash needed, unlike passwords).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl SecretToken {
    /// A fresh token from the operating system's CSPRNG, base64url without padding.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        // getrandom only fails when the OS has no entropy source at all; nothing sensible
        // can continue then.
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        Self(URL_SAFE_NO_PAD.encode(bytes).into())
    }

    /// Reads a token that a client sent back. `None` when it cannot be one of ours (wrong
    /// length or alphabet), so obviously bogus input never reaches the database.
    pub fn parse(input: &str) -> Option<Self> {
        let well_formed = input.len() == ENCODED_LEN
            && URL_SAFE_NO_PAD
                .decode(input)
                .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES);
        well_formed.then(|| Self(input.into()))
    }

    /// The token's text, to put in a link or cookie.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// The hash to store or look up.
    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.expose().as_bytes()).into())
    }
}

impl fmt::Debug for TokenHash {
    // A prefix is enough to tell rows apart when debugging.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TokenHash({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_tokens_are_256_bit_base64url_without_padding() {
        let token = SecretToken::generate();
        let text = token.expose();
        assert_eq!(text.len(), ENCODED_LEN);
        assert!(
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{text}"
        );
        assert_eq!(URL_SAFE_NO_PAD.decode(text).unwrap().len(), 32);
    }

    #[test]
    fn debug_shows_no_token() {
        let token = SecretToken::generate();
        let debug = format!("{token:?}");
        assert!(!debug.contains(token.expose()), "{debug}");
    }

    #[test]
    fn generated_tokens_differ() {
        let tokens: HashSet<String> = (0..1000)
            .map(|_| SecretToken::generate().expose().to_owned())
            .collect();
        assert_eq!(tokens.len(), 1000);
    }

    #[test]
    fn hash_is_sha256_of_the_text() {
        let token = SecretToken::parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
        // sha256("A" * 43), computed with another tool.
        let expected = "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a";
        let hex: String = token.hash().0.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
        assert_eq!(token.hash(), token.hash());
        assert_ne!(token.hash(), SecretToken::generate().hash());
    }

    #[test]
    fn parse_round_trips_and_refuses_what_we_never_issue() {
        let token = SecretToken::generate();
        assert!(SecretToken::parse(token.expose()).is_some());
        let text = token.expose();
        for bad in [
            "",
            "short",
            &text[..42],
            &format!("{text}A"),
            &format!("{}=", &text[..42]),
            &format!("{}+", &text[..42]),
            &format!("{}/", &text[..42]),
            &format!("{} ", &text[..42]),
        ] {
            assert!(SecretToken::parse(bad).is_none(), "{bad:?}");
        }
    }
}
