//! The server's outbox: one RFC 5322 `.eml` file per message, named
//! `<unix millis>-<sequence>-<kind>-<recipient>.eml` (see `server/src/mail/mod.rs`), so the name
//! tells what a message is, for whom, and in which order the server sent it. A reset mail
//! carries a link ([`Mail::reset_link`], [`Mail::token`]) and a short code to type
//! ([`Mail::reset_code`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use mailparse::{MailAddr, MailHeaderMap};
use reclaim_contract::link::CONTINUE_PARAM;
use reclaim_contract::locale::LANG_PARAM;
use reclaim_contract::{link, reset_code};

use crate::eventually;

/// Which message it is: the middle of the outbox file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Reset,
    PasswordChanged,
}

impl MailKind {
    fn slug(self) -> &'static str {
        match self {
            MailKind::Reset => "reset",
            MailKind::PasswordChanged => "password-changed",
        }
    }
}

/// A folder the server writes its mail into.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Every message in the outbox now, oldest first. Files still being written (the server
    /// writes a hidden temporary file and renames it) are left for the next look.
    pub fn mails(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".eml") && !name.starts_with('.'))
            .collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|name| {
                let raw = std::fs::read(self.dir.join(&name)).ok()?;
                Some(Mail::parse(&raw).named(name))
            })
            .collect()
    }

    /// The messages of `kind` for `recipient` now, oldest first.
    pub fn mails_of(&self, kind: MailKind, recipient: &str) -> Vec<Mail> {
        let suffix = format!("-{}-{}.eml", kind.slug(), recipient.to_lowercase());
        self.mails()
            .into_iter()
            .filter(|mail| {
                mail.file_name
                    .as_deref()
                    .is_some_and(|n| n.ends_with(&suffix))
            })
            .collect()
    }

    /// Every message addressed to `email` now (any kind), oldest first.
    pub fn mails_to(&self, email: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|mail| mail.is_to(email))
            .collect()
    }

    /// Waits until at least `count` messages of `kind` for `recipient` are in the outbox, and
    /// returns them, oldest first.
    pub async fn wait_for(&self, kind: MailKind, recipient: &str, count: usize) -> Vec<Mail> {
        let what = format!("{count} {} mail(s) to {recipient}", kind.slug());
        let found = eventually(&what, || async {
            let mails = self.mails_of(kind, recipient);
            Ok((mails.len() >= count).then_some(mails))
        })
        .await;
        found.unwrap_or_else(|e| {
            let all: Vec<_> = self
                .mails()
                .into_iter()
                .filter_map(|m| m.file_name)
                .collect();
            panic!("{e}; the outbox holds {all:?}")
        })
    }

    /// The newest message of `kind` for `recipient`, waiting for the first one.
    pub async fn wait_for_one(&self, kind: MailKind, recipient: &str) -> Mail {
        self.wait_for(kind, recipient, 1).await.pop().unwrap()
    }

    /// Waits until every message the server sent before `later` is in the outbox too.
    ///
    /// The server hands requests to its worker in order, but delivers each message in a task
    /// of its own, so a later message can land first. Once `later` has landed and no sequence
    /// number before it is missing, whatever was going to be sent before it has been: a test
    /// may then assert that something was *not* sent.
    pub async fn wait_for_all_before(&self, later: &Mail) {
        let last = later.sequence().expect("a message from the outbox");
        eventually(format!("the mail sent before {later:?}"), || async {
            let present: HashSet<u64> = self.mails().iter().filter_map(Mail::sequence).collect();
            Ok((0..last).all(|n| present.contains(&n)).then_some(()))
        })
        .await
        .unwrap()
    }
}

/// One message as a mail client would see it.
#[derive(Clone)]
pub struct Mail {
    /// The outbox file name, when it came from the outbox.
    pub file_name: Option<String>,
    /// The message as sent, headers and all.
    pub raw: String,
    headers: Vec<(String, String)>,
    to: Vec<String>,
    /// The text parts, decoded, one after another.
    text: String,
}

impl std::fmt::Debug for Mail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.file_name {
            Some(name) => write!(f, "{name}:\n{}", self.raw),
            None => f.write_str(&self.raw),
        }
    }
}

impl Mail {
    /// Parses a whole RFC 5322 message. Panics if it is not one.
    pub fn parse(raw: &[u8]) -> Self {
        let parsed = mailparse::parse_mail(raw)
            .unwrap_or_else(|e| panic!("not a mail ({e}):\n{}", String::from_utf8_lossy(raw)));
        let to = parsed
            .headers
            .get_first_header("To")
            .and_then(|header| mailparse::addrparse_header(header).ok())
            .map(|list| {
                list.iter()
                    .flat_map(|address| match address {
                        MailAddr::Single(single) => vec![single.addr.to_lowercase()],
                        MailAddr::Group(group) => {
                            group.addrs.iter().map(|a| a.addr.to_lowercase()).collect()
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let headers = parsed
            .headers
            .iter()
            .map(|header| (header.get_key(), header.get_value()))
            .collect();
        let text = text_of(&parsed);
        Self {
            file_name: None,
            raw: String::from_utf8_lossy(raw).into_owned(),
            headers,
            to,
            text,
        }
    }

    fn named(mut self, file_name: String) -> Self {
        self.file_name = Some(file_name);
        self
    }

    /// The value of a top-level header, decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.clone())
    }

    /// The text a person reads: every text part, decoded.
    pub fn body(&self) -> &str {
        &self.text
    }

    /// Whether `email` is among the `To:` addresses (case does not matter).
    pub fn is_to(&self, email: &str) -> bool {
        self.to
            .iter()
            .any(|address| address.eq_ignore_ascii_case(email))
    }

    /// Every URL in the text, as written.
    pub fn links(&self) -> Vec<String> {
        let mut finder = linkify::LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]);
        finder
            .links(&self.text)
            .map(|link| link.as_str().to_owned())
            .collect()
    }

    /// The reset link (`…/reset?token=…&lang=…`, or `…/reset?lang=…#token=…`). Panics if there
    /// is none.
    pub fn reset_link(&self) -> String {
        self.links()
            .into_iter()
            .find(|link| link.contains("/reset?") && token_of(link).is_some())
            .unwrap_or_else(|| panic!("no reset link in {self:?}"))
    }

    /// The token of the reset link, read as the pages read it (query, else fragment).
    pub fn token(&self) -> String {
        token_of(&self.reset_link()).expect("the reset link has a token")
    }

    /// The short code as the mail shows it (`XXXX-XXXX`, alone on its line), for a person to
    /// type. Panics if there is none.
    pub fn reset_code(&self) -> String {
        self.text
            .lines()
            .map(str::trim)
            .find(|line| is_grouped_code(line))
            .unwrap_or_else(|| panic!("no code line in {self:?}"))
            .to_owned()
    }

    /// The `lang` of the reset link: the language the page opens in.
    pub fn link_lang(&self) -> Option<String> {
        let link = self.reset_link();
        let (query, _) = query_and_fragment(&link);
        link::param(query, LANG_PARAM)
    }

    /// The `continue` of the reset link, decoded: where the success page sends the person.
    pub fn link_continue(&self) -> Option<String> {
        let link = self.reset_link();
        let (query, _) = query_and_fragment(&link);
        link::param(query, CONTINUE_PARAM)
    }

    /// The server's sequence number from the outbox file name.
    fn sequence(&self) -> Option<u64> {
        self.file_name.as_deref()?.split('-').nth(1)?.parse().ok()
    }
}

/// A link's query and fragment, without their `?` and `#`.
fn query_and_fragment(link: &str) -> (&str, &str) {
    let (before, fragment) = link.split_once('#').unwrap_or((link, ""));
    (
        before.split_once('?').map_or("", |(_, query)| query),
        fragment,
    )
}

/// Whether `line` is a code exactly as the mail groups it (`XXXX-XXXX`, the contract's
/// characters in capitals), not merely something the code field would accept.
fn is_grouped_code(line: &str) -> bool {
    reset_code::normalise(line).is_some_and(|code| reset_code::grouped(&code) == line)
}

fn token_of(link: &str) -> Option<String> {
    let (query, fragment) = query_and_fragment(link);
    link::token_from_link(query, fragment)
}

fn text_of(part: &mailparse::ParsedMail) -> String {
    if part.subparts.is_empty() {
        part.get_body().unwrap_or_default()
    } else {
        part.subparts
            .iter()
            .filter(|sub| sub.ctype.mimetype.starts_with("text/") || !sub.subparts.is_empty())
            .map(text_of)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_link_with_soft_breaks() {
        let mail = Mail::parse(
            b"From: Reclaim <no-reply@example.com>\r\n\
              To: Alice <Alice@Example.com>\r\n\
              Subject: Reset your password\r\n\
              Content-Type: text/plain; charset=utf-8\r\n\
              Content-Transfer-Encoding: quoted-printable\r\n\
              \r\n\
              Open this link:\r\n\
              http://127.0.0.1:4000/reset?token=3DAbc_def-=\r\n\
              GHI123_\r\n\
              It expires in 30 minutes.\r\n",
        );
        assert!(mail.is_to("alice@example.com"));
        assert_eq!(
            mail.header("subject").as_deref(),
            Some("Reset your password")
        );
        assert_eq!(
            mail.reset_link(),
            "http://127.0.0.1:4000/reset?token=Abc_def-GHI123_"
        );
        assert_eq!(mail.token(), "Abc_def-GHI123_");
    }

    #[test]
    fn multipart_with_base64_and_folded_to() {
        // "Link: https://reclaim.example/reset?token=tok_EN-1\n"
        let text = "TGluazogaHR0cHM6Ly9yZWNsYWltLmV4YW1wbGUvcmVzZXQ/dG9rZW49dG9rX0VOLTEK";
        let mail = Mail::parse(
            format!(
                "To: bob@example.com,\r\n\t\"Carol\" <carol@example.com>\r\n\
                 Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n\
                 preamble\r\n--b1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                 {text}\r\n--b1--\r\n"
            )
            .as_bytes(),
        );
        assert!(mail.is_to("bob@example.com") && mail.is_to("CAROL@example.com"));
        assert_eq!(
            mail.reset_link(),
            "https://reclaim.example/reset?token=tok_EN-1"
        );
    }

    #[test]
    fn a_link_ends_before_the_full_stop_after_it() {
        let mail = Mail::parse(
            b"To: dan@example.com\r\n\r\nOpen https://r.example/reset?token=a-b_c. Thanks.\r\n",
        );
        assert!(!mail.is_to("dan@example.org"));
        assert_eq!(mail.links(), ["https://r.example/reset?token=a-b_c"]);
    }

    #[test]
    fn the_token_and_the_language_of_both_link_styles() {
        for (link, token) in [
            ("https://r.example/reset?token=a-b_c&lang=ar", "a-b_c"),
            ("https://r.example/reset?lang=ja#token=d-e_f", "d-e_f"),
        ] {
            let mail = Mail::parse(format!("To: a@example.com\r\n\r\n{link}\r\n").as_bytes());
            assert_eq!(mail.reset_link(), link);
            assert_eq!(mail.token(), token);
        }
        let mail = Mail::parse(
            b"To: a@example.com\r\n\r\nGo to https://r.example/reset?lang=ar and enter:\r\n\r\nhttps://r.example/reset?token=t&lang=ar\r\n",
        );
        assert_eq!(mail.token(), "t");
        assert_eq!(mail.link_lang().as_deref(), Some("ar"));
        assert_eq!(mail.link_continue(), None);
    }

    #[test]
    fn the_return_address_of_both_link_styles() {
        for link in [
            "https://r.example/reset?token=t&lang=ar&continue=https%3A%2F%2Fapp.example%2Fa%3Fb%3D1",
            "https://r.example/reset?lang=ar&continue=https%3A%2F%2Fapp.example%2Fa%3Fb%3D1#token=t",
        ] {
            let mail = Mail::parse(format!("To: a@example.com\r\n\r\n{link}\r\n").as_bytes());
            assert_eq!(mail.reset_link(), link);
            assert_eq!(mail.token(), "t");
            assert_eq!(
                mail.link_continue().as_deref(),
                Some("https://app.example/a?b=1")
            );
        }
    }

    #[test]
    fn the_code_is_the_grouped_line_of_its_own() {
        let mail = Mail::parse(
            "To: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             أدخل هذا الرمز:\r\n\r\nKQ7M-XW3P\r\n\r\nNot ABCD-EFGH nor KQ7M-XW3P0.\r\n"
                .as_bytes(),
        );
        assert_eq!(mail.reset_code(), "KQ7M-XW3P");
        for line in [
            "KQ7M-XW3",
            "KQ7MXW3P",
            "KQ7M-XW3O",
            "kq7m-xw3p",
            "KQ7M-XW3P-",
        ] {
            assert!(!is_grouped_code(line), "{line}");
        }
    }

    #[test]
    fn the_sequence_number_comes_from_the_file_name() {
        let mail = Mail::parse(b"To: a@example.com\r\n\r\nHello.\r\n")
            .named("1764147600000-000042-password-changed-a@example.com.eml".into());
        assert_eq!(mail.sequence(), Some(42));
    }
}
