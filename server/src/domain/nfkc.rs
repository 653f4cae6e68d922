//! Unicode compatibility composition (NFKC): the one form passwords are hashed and compared in,
//! and address lookup keys are built from, so text typed on different keyboards or input
//! methods (`ﬁ` or `fi`, `é` as one code point or two, full-width letters) is the same text.

use unicode_normalization::UnicodeNormalization;

/// `text` in NFKC.
pub fn nfkc(text: &str) -> String {
    text.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatibility_forms_become_one() {
        assert_eq!(nfkc("\u{FB01}ne"), "fine");
        assert_eq!(nfkc("cafe\u{301}"), "café");
        assert_eq!(nfkc("ａｌｉｃｅ"), "alice");
        assert_eq!(nfkc("plain"), "plain");
    }
}
