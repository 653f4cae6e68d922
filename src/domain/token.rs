//! The reset token carried by the emailed link.

use std::fmt;

/// The secret from the emailed link. It is only ever held in memory and sent
/// to the reset endpoint: `Debug` is redacted so it cannot end up in a log or
/// a panic message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

/// What the link the person opened carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkToken {
    /// No token at all (a truncated or hand-typed link).
    Missing,
    Present(ResetToken),
}

/// Longest token accepted from a link; anything longer is not a token we issued
/// and would only be an oversized request.
const MAX_TOKEN_LEN: usize = 1024;

/// Finds the token in the link's query (`?token=…`) or, failing that, its
/// fragment (`#token=…`, which never reaches a server or its logs). Both are
/// given without their leading `?` / `#`.
///
/// The token is otherwise left alone: the API decides whether it is valid, so a
/// deployer's own token format (hex, JWT-like) works unchanged.
pub fn token_from_link(query: &str, fragment: &str) -> LinkToken {
    param(query, "token")
        .or_else(|| param(fragment, "token"))
        .filter(|token| !token.is_empty() && token.len() <= MAX_TOKEN_LEN)
        .map_or(LinkToken::Missing, |token| {
            LinkToken::Present(ResetToken(token))
        })
}

/// The address to show once the token is taken out: the same path, and any
/// other parameters kept in order.
pub fn address_without_token(path: &str, query: &str, fragment: &str) -> String {
    let mut address = path.to_owned();
    let query = without_param(query, "token");
    if !query.is_empty() {
        address.push('?');
        address.push_str(&query);
    }
    let fragment = without_param(fragment, "token");
    if !fragment.is_empty() {
        address.push('#');
        address.push_str(&fragment);
    }
    address
}

fn pairs(encoded: &str) -> impl Iterator<Item = (&str, &str)> {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// The first value of `name`, percent-decoded (`+` is a space in this encoding).
fn param(encoded: &str, name: &str) -> Option<String> {
    pairs(encoded)
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value).trim().to_owned())
}

fn without_param(encoded: &str, name: &str) -> String {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some(name))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    decoded.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                _ => decoded.push(b'%'),
            },
            byte => decoded.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(query: &str, fragment: &str) -> Option<String> {
        match token_from_link(query, fragment) {
            LinkToken::Present(t) => Some(t.expose().to_owned()),
            LinkToken::Missing => None,
        }
    }

    #[test]
    fn reads_the_query() {
        assert_eq!(
            token("token=abc_DEF-123", "").as_deref(),
            Some("abc_DEF-123")
        );
        assert_eq!(token("utm=x&token=abc", "").as_deref(), Some("abc"));
    }

    #[test]
    fn reads_the_fragment_when_the_query_has_none() {
        assert_eq!(token("", "token=frag").as_deref(), Some("frag"));
        assert_eq!(token("utm=1", "token=frag").as_deref(), Some("frag"));
        assert_eq!(token("token=query", "token=frag").as_deref(), Some("query"));
    }

    #[test]
    fn decodes_percent_escapes_and_drops_stray_spaces() {
        assert_eq!(token("token=a%2Db%5Fc", "").as_deref(), Some("a-b_c"));
        assert_eq!(token("token=%20abc%0A", "").as_deref(), Some("abc"));
        assert_eq!(token("token=50%", "").as_deref(), Some("50%"));
        assert_eq!(token("token=%zz", "").as_deref(), Some("%zz"));
    }

    #[test]
    fn missing_or_empty_is_missing() {
        assert_eq!(token("", ""), None);
        assert_eq!(token("token=", ""), None);
        assert_eq!(token("token", ""), None);
        assert_eq!(token("tokens=abc", "xtoken=abc"), None);
        assert_eq!(token(&format!("token={}", "a".repeat(1025)), ""), None);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let LinkToken::Present(t) = token_from_link("token=s3cr3t", "") else {
            panic!()
        };
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", LinkToken::Present(t)).contains("s3cr3t"));
    }

    #[test]
    fn address_bar_keeps_everything_but_the_token() {
        assert_eq!(address_without_token("/reset", "token=abc", ""), "/reset");
        assert_eq!(address_without_token("/reset", "", "token=abc"), "/reset");
        assert_eq!(
            address_without_token("/reset", "lang=fr&token=abc&x=1", ""),
            "/reset?lang=fr&x=1"
        );
        assert_eq!(
            address_without_token("/app/reset", "token", "top"),
            "/app/reset#top"
        );
    }
}
