//! The short code mailed with every reset link, for a person to type where the link will not
//! open: 8 characters from an alphabet without look-alikes, shown `XXXX-XXXX`, sent with the
//! address it was mailed to (`POST /account/reset-password` with `email`, `code`,
//! `new_password`). What a person types is read by [`normalise`]: the server's rule, which the
//! pages may also use to check a code before sending it.

/// The characters of a code: digits and capitals with no look-alikes (no `0`/`O`, no
/// `1`/`I`/`L`) and no vowels, so no code spells a word. 28 of them.
pub const ALPHABET: &str = "23456789BCDFGHJKMNPQRSTVWXYZ";

/// Characters in a code.
pub const CODE_LEN: usize = 8;

/// The mail shows a code in groups of this many, joined by [`SEPARATOR`]: `KQ7M-XW3P`.
pub const GROUP_LEN: usize = 4;

/// Between the groups of a code as mailed.
pub const SEPARATOR: char = '-';

/// Wrong codes a mailed code meets before it stops working (its link still works): the server
/// refuses it after that, so the pages ask for a new code rather than a sixth try.
pub const WRONG_TRIES: u8 = 5;

/// The code in what a person typed: letters in any case, with any spaces and dashes before,
/// between or after them (`kq7m xw3p`, ` KQ7M-XW3P `, `kq7mxw3p`), and the full-width forms a
/// Japanese or Chinese input method gives (`ＫＱ７Ｍ－ＸＷ３Ｐ`). `None` when what is left is not
/// [`CODE_LEN`] characters of [`ALPHABET`]: a look-alike such as `O` is never guessed at, it is
/// simply a wrong code.
pub fn normalise(typed: &str) -> Option<String> {
    let mut code = String::with_capacity(CODE_LEN);
    for typed in typed.chars().map(half_width) {
        if typed.is_whitespace() || is_dash(typed) {
            continue;
        }
        let letter = typed.to_ascii_uppercase();
        if code.len() == CODE_LEN || !ALPHABET.contains(letter) {
            return None;
        }
        code.push(letter);
    }
    (code.len() == CODE_LEN).then_some(code)
}

/// The code as the mail shows it, `XXXX-XXXX`. `code` is one [`normalise`] returned.
pub fn grouped(code: &str) -> String {
    let mut shown = String::with_capacity(CODE_LEN + CODE_LEN / GROUP_LEN);
    for (at, letter) in code.chars().enumerate() {
        if at > 0 && at % GROUP_LEN == 0 {
            shown.push(SEPARATOR);
        }
        shown.push(letter);
    }
    shown
}

/// The dashes a keyboard, a phone's autocorrection or a mail client may put in place of `-`.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}'
    )
}

/// The ASCII character a full-width form (U+FF01 to U+FF5E) stands for; others unchanged.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_alphabet_has_no_look_alikes_and_no_vowels() {
        assert_eq!(ALPHABET.len(), 28);
        for refused in "01OILAEU".chars() {
            assert!(!ALPHABET.contains(refused), "{refused}");
        }
        let mut letters: Vec<char> = ALPHABET.chars().collect();
        letters.dedup();
        assert_eq!(
            letters.len(),
            ALPHABET.len(),
            "each character once, in order"
        );
        assert!(letters.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn case_spaces_and_dashes_do_not_matter() {
        for typed in [
            "KQ7M-XW3P",
            "kq7m-xw3p",
            "kq7mxw3p",
            " Kq7m xW3p\n",
            "KQ7M – XW3P",
            "K Q 7 M X W 3 P",
            "ＫＱ７Ｍ－ＸＷ３Ｐ",
            "ｋｑ７ｍ\u{3000}ｘｗ３ｐ",
            "-KQ7MXW3P-",
        ] {
            assert_eq!(normalise(typed).as_deref(), Some("KQ7MXW3P"), "{typed:?}");
        }
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for typed in [
            "",
            "   ",
            "KQ7M-XW3",
            "KQ7M-XW3PP",
            "KQ7M-XW30",
            "KQ7M-XWOP",
            "KQ7M-XW1P",
            "KQ7M_XW3P",
            "KQ7M.XW3P",
            "KQ7M-XW3É",
            "https://id.example.com/reset?token=KQ7MXW3P",
        ] {
            assert_eq!(normalise(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn the_mail_shows_two_groups_of_four() {
        assert_eq!(grouped("KQ7MXW3P"), "KQ7M-XW3P");
    }

    proptest! {
        /// Every code, however a person types what the mail shows, reads back as itself.
        #[test]
        fn what_the_mail_shows_reads_back_however_it_is_typed(
            indices in proptest::collection::vec(0..ALPHABET.len(), CODE_LEN),
            lower in proptest::collection::vec(any::<bool>(), CODE_LEN),
            gaps in proptest::collection::vec("[ \\-\u{2013}\u{3000}]{0,2}", CODE_LEN + 1),
        ) {
            let code: String = indices.iter().map(|&i| ALPHABET.as_bytes()[i] as char).collect();
            prop_assert_eq!(normalise(&grouped(&code)), Some(code.clone()));
            let mut typed = gaps[0].clone();
            for ((letter, lower), gap) in code.chars().zip(&lower).zip(&gaps[1..]) {
                typed.push(if *lower { letter.to_ascii_lowercase() } else { letter });
                typed.push_str(gap);
            }
            prop_assert_eq!(normalise(&typed), Some(code));
        }
    }
}
