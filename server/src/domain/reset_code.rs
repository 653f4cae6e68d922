//! The short code mailed with each reset link (`reclaim_contract::reset_code`: 8 characters of
//! 28, shown `XXXX-XXXX`), the key it is hashed with, and the hash it is stored as.
//!
//! 28^8 is about 3.8 × 10^11: guessing one code online is hopeless with a few tries, but a
//! plain hash of it would be reversed offline in hours. So the stored hash is keyed
//! (HMAC-SHA256 under [`CodeKey`], a secret kept outside the database): a copy of the database
//! alone does not give a live code away. The address the code was mailed to is hashed with it,
//! so a code only ever works for that address.

use std::fmt;

use hmac::{Hmac, Mac};
use reclaim_contract::reset_code::{grouped, normalise, ALPHABET, CODE_LEN};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::EmailAddress;

/// A reset code, in the contract's canonical form (8 capitals and digits of its alphabet).
///
/// A [`SecretString`], so `Debug` and logs never show it; [`ResetCode::grouped`] makes the one
/// use that shows it (the mail) visible.
#[derive(Debug)]
pub struct ResetCode(SecretString);

/// The server's secret key for hashing reset codes (32 bytes from the CSPRNG). `Debug` shows
/// nothing of it.
#[derive(Clone)]
pub struct CodeKey([u8; KEY_BYTES]);

/// HMAC-SHA256 of the address's lookup key and the code, under [`CodeKey`]: what the database
/// keeps of a code.
#[derive(Clone, Copy)]
pub struct CodeHash(pub [u8; 32]);

/// The length of a [`CodeKey`]: SHA-256's output, the least key HMAC-SHA256 should have.
pub const KEY_BYTES: usize = 32;

impl ResetCode {
    /// A fresh code from the operating system's CSPRNG, every character equally likely.
    pub fn generate() -> Self {
        let mut code = String::with_capacity(CODE_LEN);
        let mut bytes = [0u8; 2 * CODE_LEN];
        while code.len() < CODE_LEN {
            // getrandom only fails when the OS has no entropy source at all.
            getrandom::fill(&mut bytes).expect("the operating system's random source failed");
            draw(&bytes, &mut code);
        }
        Self(code.into())
    }

    /// The code in what a person typed, by the contract's rule (`normalise`: case, spaces and
    /// dashes do not matter). `None` when it cannot be a code.
    pub fn parse(typed: &str) -> Option<Self> {
        normalise(typed).map(|code| Self(code.into()))
    }

    /// `XXXX-XXXX`, as the mail shows it.
    pub fn grouped(&self) -> String {
        grouped(self.0.expose_secret())
    }

    /// The hash to store for `address`, or to look a typed code up with.
    pub fn hash(&self, key: &CodeKey, address: &EmailAddress) -> CodeHash {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key.0).expect("HMAC takes a key of any size");
        mac.update(address.lookup_key().as_bytes());
        // An address never holds a NUL, so the two parts cannot run into each other.
        mac.update(&[0]);
        mac.update(self.0.expose_secret().as_bytes());
        CodeHash(mac.finalize().into_bytes().into())
    }
}

/// Appends to `code`, up to [`CODE_LEN`], one character of the alphabet per random byte below
/// the largest multiple of the alphabet's size (252 for 28): the bytes above it are dropped, so
/// that `byte % 28` favours no character.
fn draw(random: &[u8], code: &mut String) {
    let alphabet = ALPHABET.as_bytes();
    let fair = 256 / alphabet.len() * alphabet.len();
    for &byte in random.iter().filter(|&&byte| usize::from(byte) < fair) {
        if code.len() == CODE_LEN {
            return;
        }
        code.push(alphabet[usize::from(byte) % alphabet.len()] as char);
    }
}

impl CodeKey {
    /// A fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut key = [0u8; KEY_BYTES];
        getrandom::fill(&mut key).expect("the operating system's random source failed");
        Self(key)
    }

    /// The key as stored: 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// A key from [`CodeKey::to_hex`]'s form (surrounding whitespace allowed); `None` for
    /// anything else.
    pub fn from_hex(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.len() != 2 * KEY_BYTES || !text.is_ascii() {
            return None;
        }
        let mut key = [0u8; KEY_BYTES];
        for (byte, pair) in key.iter_mut().zip(text.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        Some(Self(key))
    }
}

impl CodeHash {
    /// Whether the two are the same hash, in time that does not depend on where they differ.
    pub fn matches(&self, other: &CodeHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeKey(…)")
    }
}

impl fmt::Debug for CodeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodeHash({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn alice() -> EmailAddress {
        EmailAddress::parse("alice@example.com").unwrap()
    }

    #[test]
    fn codes_are_eight_characters_of_the_alphabet_and_differ() {
        let codes: HashSet<String> = (0..1_000)
            .map(|_| ResetCode::generate().0.expose_secret().to_owned())
            .collect();
        assert_eq!(codes.len(), 1_000);
        for code in codes {
            assert_eq!(code.len(), CODE_LEN, "{code}");
            assert!(code.chars().all(|c| ALPHABET.contains(c)), "{code}");
        }
    }

    #[test]
    fn each_character_is_drawn_from_an_equal_share_of_the_bytes() {
        let mut code = String::new();
        draw(&[0, 27, 252, 253, 254, 255, 28, 251], &mut code);
        assert_eq!(
            code, "2Z2Z",
            "252 to 255 would favour the first four: dropped"
        );
        draw(&[1; 10], &mut code);
        assert_eq!(code, "2Z2Z3333", "never more than 8");
        // Over all 256 bytes: 9 each.
        let mut counts = [0; 28];
        for byte in 0..=255u8 {
            let mut one = String::new();
            draw(&[byte], &mut one);
            if let Some(letter) = one.chars().next() {
                counts[ALPHABET.find(letter).unwrap()] += 1;
            }
        }
        assert_eq!(counts, [9; 28]);
    }

    #[test]
    fn the_hash_binds_the_code_to_its_address_and_the_key() {
        let key = CodeKey::generate();
        let code = ResetCode::parse("KQ7M-XW3P").unwrap();
        let hash = code.hash(&key, &alice());
        // The address as the account is looked up: case and compatibility forms do not matter.
        let typed = EmailAddress::parse("Alice@Example.COM").unwrap();
        assert!(hash.matches(&ResetCode::parse("kq7mxw3p").unwrap().hash(&key, &typed)));
        let bob = EmailAddress::parse("bob@example.com").unwrap();
        assert!(!hash.matches(&code.hash(&key, &bob)));
        assert!(!hash.matches(&code.hash(&CodeKey::generate(), &alice())));
        let other = ResetCode::parse("KQ7M-XW3Q").unwrap();
        assert!(!hash.matches(&other.hash(&key, &alice())));
    }

    #[test]
    fn the_key_round_trips_through_hex_and_debug_shows_no_secret() {
        let key = CodeKey::generate();
        let hex = key.to_hex();
        assert_eq!(hex.len(), 64);
        let again = CodeKey::from_hex(&format!("{hex}\n")).unwrap();
        assert_eq!(again.0, key.0);
        for bad in [
            "",
            &hex[..62],
            &format!("{hex}00"),
            &hex.replace(&hex[..1], "g"),
        ] {
            assert!(CodeKey::from_hex(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{key:?}"), "CodeKey(…)");
        let code = ResetCode::generate();
        let debug = format!("{code:?}");
        assert!(!debug.contains(code.0.expose_secret()), "{debug}");
    }

    /// What people type: the alphabet in both cases, look-alikes, spaces, dashes of several
    /// kinds, full-width forms, and other letters.
    const TYPED: &str = "[2-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z0O1ILaeu \\-–\u{3000}ＫＱ７－_.é]";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// The server takes exactly what the contract's rule takes, as the same code: a code
        /// the pages let through (or check with `normalise`) is never read otherwise here.
        #[test]
        fn the_server_reads_a_typed_code_as_the_contract_does(
            typed in proptest::string::string_regex(&format!("{TYPED}{{0,14}}")).unwrap()
        ) {
            let key = CodeKey([7; KEY_BYTES]);
            let server = ResetCode::parse(&typed);
            let contract = normalise(&typed);
            prop_assert_eq!(server.is_some(), contract.is_some(), "{:?}", typed);
            if let (Some(server), Some(contract)) = (server, contract) {
                let canonical = ResetCode(contract.into());
                prop_assert!(server.hash(&key, &alice()).matches(&canonical.hash(&key, &alice())));
            }
        }

        /// What the mail shows of a generated code reads back as that code, in lower case and
        /// without the dash too.
        #[test]
        fn a_mailed_code_reads_back_however_it_is_typed(lower in any::<bool>(), dash in any::<bool>()) {
            let key = CodeKey::generate();
            let code = ResetCode::generate();
            let mut typed = code.grouped();
            if lower {
                typed = typed.to_lowercase();
            }
            if !dash {
                typed = typed.replace('-', " ");
            }
            let read = ResetCode::parse(&typed).expect("a mailed code reads back");
            prop_assert!(read.hash(&key, &alice()).matches(&code.hash(&key, &alice())));
        }
    }
}
