//! [`ReturnAddress`]: where a person goes back to after the reset (the recovery request's
//! `continue`), kept only when its origin is one the server allows ([`ReturnOrigins`], from
//! `--continue-origin`). The rule is the pages' own (`reclaim_contract::link`): an https
//! address, or http on this machine, whose origin is on the list as it is written.

use reclaim_contract::link::{is_safe_destination, origin_of, query_value, web_url};

/// Longest return address kept, percent-encoded as the link carries it: no page a person goes
/// back to needs more, and the link must stay on one line of the mail (998 octets).
pub const MAX_ENCODED_LEN: usize = 512;

/// An absolute address on an allowed origin, to carry through the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnAddress(String);

impl ReturnAddress {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The origins return addresses may lead to (`https://app.example.com`, or http on this
/// machine), each as a browser serialises it. Empty: no return address is ever kept.
#[derive(Debug, Clone, Default)]
pub struct ReturnOrigins(Vec<String>);

impl ReturnOrigins {
    /// `origins` as `--continue-origin` checked them.
    pub fn new(origins: impl IntoIterator<Item = String>) -> Self {
        Self(origins.into_iter().collect())
    }

    /// `url` (surrounding spaces dropped) as a return address, when it is one the pages would
    /// send a person to, on one of these origins, and not too long; else `None`, and the mail
    /// goes out without it.
    pub fn allow(&self, url: &str) -> Option<ReturnAddress> {
        let url = web_url(url.trim()).filter(|url| is_safe_destination(url))?;
        let origin = origin_of(url);
        let listed = self
            .0
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(origin));
        (listed && query_value(url).len() <= MAX_ENCODED_LEN).then(|| ReturnAddress(url.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> ReturnOrigins {
        ReturnOrigins::new([
            "https://app.example.com".to_owned(),
            "http://127.0.0.1:3000".to_owned(),
        ])
    }

    #[test]
    fn an_address_on_an_allowed_origin_is_kept_as_it_was_sent() {
        for kept in [
            "https://app.example.com",
            "https://app.example.com/",
            "https://app.example.com/home?tab=a&b=%20c#top",
            "HTTPS://APP.EXAMPLE.COM/Home",
            " https://app.example.com/x\n",
            "http://127.0.0.1:3000/welcome",
            "https://app.example.com/caf\u{e9}",
        ] {
            assert_eq!(
                origins().allow(kept).as_ref().map(ReturnAddress::as_str),
                Some(kept.trim()),
                "{kept:?}"
            );
        }
    }

    #[test]
    fn anything_else_is_dropped() {
        for dropped in [
            "",
            "/home",
            "//app.example.com/home",
            "javascript:alert(1)",
            "https://evil.example/",
            "https://app.example.com.evil.example/",
            "https://evil.example/?https://app.example.com",
            "https://user@app.example.com/",
            "https://app.example.com:8443/",
            "http://app.example.com/",
            "http://127.0.0.1:3001/",
            "http://127.0.0.1:3000.evil.example/",
            "https://app.example.com/a b",
            "https://app.example.com/\u{0}",
        ] {
            assert_eq!(origins().allow(dropped), None, "{dropped:?}");
        }
        assert_eq!(
            ReturnOrigins::default().allow("https://app.example.com/"),
            None
        );
    }

    #[test]
    fn a_return_address_too_long_for_the_mail_is_dropped() {
        let prefix = query_value("https://app.example.com/").len();
        let fits = format!(
            "https://app.example.com/{}",
            "a".repeat(MAX_ENCODED_LEN - prefix)
        );
        assert_eq!(query_value(&fits).len(), MAX_ENCODED_LEN);
        assert!(origins().allow(&fits).is_some());
        assert!(origins().allow(&format!("{fits}a")).is_none());
        // Counted as the link carries it: each `/` is three characters there.
        let slashes = format!("https://app.example.com/{}", "/".repeat(170));
        assert!(origins().allow(&slashes).is_none());
    }
}
