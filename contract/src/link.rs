//! The emailed link, `{public_url}/reset?token=<token>&lang=<locale>` (the pages also accept
//! `#token=`, which never reaches a server or its logs), with `&continue=<url>` when the person
//! asked from somewhere to go back to, and the code a person types or pastes instead of
//! opening it.

use crate::locale::LANG_PARAM;

/// The page that asks for a reset link.
pub const RECOVER_PAGE_PATH: &str = "/recover";
/// The page the emailed link opens.
pub const RESET_PAGE_PATH: &str = "/reset";
/// The link's query (or fragment) parameter that carries the token.
pub const TOKEN_PARAM: &str = "token";
/// The link's query parameter that carries the return address: where the person goes after
/// the reset (the request's `continue` field, when the server allows its origin).
pub const CONTINUE_PARAM: &str = "continue";
/// Longest token accepted: anything longer is not a token any API issued, only an oversized
/// request.
pub const MAX_TOKEN_LEN: usize = 1024;

/// The link mailed for `token`, opening the reset page in `locale` (a BCP 47 tag such as
/// `pt-BR`: the language the mail is written in, so the page speaks it too even when the
/// browser prefers another), and carrying `continue_to`, the return address, when there is
/// one. `public_url` is the pages' origin (and optional path prefix) from configuration,
/// without a trailing slash. Tokens are base64url (the contract) and tags are letters, digits
/// and `-`, so neither needs escaping; the return address is percent-encoded.
pub fn reset_link(
    public_url: &str,
    token: &str,
    locale: &str,
    continue_to: Option<&str>,
) -> String {
    format!(
        "{public_url}{RESET_PAGE_PATH}?{TOKEN_PARAM}={token}&{LANG_PARAM}={locale}{}",
        continue_param(continue_to)
    )
}

/// The same link with the token in the fragment (`/reset?lang=ar&continue=…#token=…`): a
/// fragment never reaches a server or a proxy's log. The language and the return address stay
/// in the query, so a static host can serve the page prerendered in the language; neither is
/// secret. The pages read both.
pub fn reset_fragment_link(
    public_url: &str,
    token: &str,
    locale: &str,
    continue_to: Option<&str>,
) -> String {
    format!(
        "{}{}#{TOKEN_PARAM}={token}",
        reset_page_url(public_url, locale),
        continue_param(continue_to)
    )
}

/// `&continue=<url, percent-encoded>`, or nothing without a return address.
fn continue_param(continue_to: Option<&str>) -> String {
    continue_to.map_or_else(String::new, |url| {
        format!("&{CONTINUE_PARAM}={}", query_value(url))
    })
}

/// `value` percent-encoded as a query value (or a path segment): every byte but the unreserved
/// characters (letters, digits, `-._~`), so that a `/`, `?`, `&`, `#` or `%` in it stays
/// inside the value.
pub fn query_value(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                encoded.push(byte as char)
            }
            _ => {
                encoded.push('%');
                encoded.push(HEX[usize::from(byte >> 4)] as char);
                encoded.push(HEX[usize::from(byte & 15)] as char);
            }
        }
    }
    encoded
}

/// The reset page itself in `locale` (`/reset?lang=ar`), where the code from the email can be
/// typed when the link will not open.
pub fn reset_page_url(public_url: &str, locale: &str) -> String {
    format!("{public_url}{RESET_PAGE_PATH}?{LANG_PARAM}={locale}")
}

/// Checks a base URL that links or API calls are built on (the server's public URL, the pages'
/// `api_base`): an absolute `http(s)` origin with an optional path prefix, no query, fragment
/// or spaces. Returns it without a trailing slash, so `{base}/reset` never has a double slash.
pub fn base_url(input: &str) -> Option<&str> {
    let rest = input
        .strip_prefix("https://")
        .or_else(|| input.strip_prefix("http://"))?;
    let has_host = !rest.is_empty() && !rest.starts_with('/');
    (has_host && !input.contains(['?', '#', ' '])).then(|| input.trim_end_matches('/'))
}

/// The token in a link's query (`?token=…`) or, failing that, its fragment (`#token=…`), both
/// given without their leading `?` / `#`. Percent-decoded, surrounding whitespace dropped;
/// `None` when absent, empty or longer than [`MAX_TOKEN_LEN`].
///
/// The token is otherwise left alone: the API decides whether it is valid, so a deployer's
/// own token format (hex, JWT-like) works unchanged.
pub fn token_from_link(query: &str, fragment: &str) -> Option<String> {
    param(query, TOKEN_PARAM)
        .or_else(|| param(fragment, TOKEN_PARAM))
        .filter(|token| !token.is_empty() && token.len() <= MAX_TOKEN_LEN)
}

/// The address to show once the token is taken out: the same path, and every other parameter
/// kept in order.
pub fn address_without_token(path: &str, query: &str, fragment: &str) -> String {
    let mut address = path.to_owned();
    let query = without_param(query, TOKEN_PARAM);
    if !query.is_empty() {
        address.push('?');
        address.push_str(&query);
    }
    let fragment = without_param(fragment, TOKEN_PARAM);
    if !fragment.is_empty() {
        address.push('#');
        address.push_str(&fragment);
    }
    address
}

/// Why what was typed into the reset-code field cannot be a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeError {
    /// Nothing but whitespace.
    Empty,
    /// A space inside, or far too long: not something copied from the email.
    Malformed,
    /// A link was pasted, but it carries no code (cut short by a mail app).
    LinkWithoutCode,
}

/// The reset code from what a person typed or pasted into the code field: the code itself, or
/// the whole link from the email (the code is taken out of it). Surrounding spaces and line
/// breaks are dropped; the code is otherwise opaque, since a deployer's API may use its own
/// format.
pub fn code_from_typed(input: &str) -> Result<String, CodeError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(CodeError::Empty);
    }
    if let Some(link) = pasted_link_parts(text) {
        let (query, fragment) = link;
        return token_from_link(query, fragment).ok_or(CodeError::LinkWithoutCode);
    }
    if text.chars().any(char::is_whitespace) || text.len() > MAX_TOKEN_LEN {
        return Err(CodeError::Malformed);
    }
    Ok(text.to_owned())
}

/// The query and fragment of `text` (trimmed) when it is a pasted link rather than a code: an
/// absolute http(s) URL, a path starting with `/`, or anything naming the reset page.
pub fn pasted_link_parts(text: &str) -> Option<(&str, &str)> {
    let is_link = text.starts_with("http://")
        || text.starts_with("https://")
        || text.starts_with('/')
        || text.contains(&format!("{RESET_PAGE_PATH}?"))
        || text.contains(&format!("{RESET_PAGE_PATH}#"));
    if !is_link {
        return None;
    }
    let (before_fragment, fragment) = text.split_once('#').unwrap_or((text, ""));
    let query = before_fragment
        .split_once('?')
        .map_or("", |(_, query)| query);
    Some((query, fragment))
}

/// `url` when it is an absolute http(s) URL with a host: anything else (`javascript:`, a
/// relative path, a stray scheme) must never become a link on the page.
pub fn web_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    let has_host = !rest.is_empty() && !rest.starts_with(['/', '\\', '?', '#']);
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    (has_host && clean).then_some(url)
}

/// The scheme and host (and port) of an http(s) URL: what it is before its path.
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

/// The parameters of a query string or fragment (without its `?` / `#`), each name and value
/// percent-decoded (`+` is a space in this encoding), in order.
pub fn params(encoded: &str) -> Vec<(String, String)> {
    pairs(encoded)
        .map(|(name, value)| (percent_decode(name), percent_decode(value)))
        .collect()
}

/// Whether `url` may be a place the pages send a person: an `https:` address, an `http:` one on
/// this machine (development and tests), or a path on the pages' own site (`/sign-in`, never
/// `//host`, which a browser reads as another host). Anything else (`javascript:`, `data:`,
/// plain `http:` elsewhere, where a network could rewrite the page) is refused.
pub fn is_safe_destination(url: &str) -> bool {
    if let Some(path) = url.strip_prefix('/') {
        return !path.starts_with(['/', '\\'])
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    }
    let Some(url) = web_url(url) else {
        return false;
    };
    if url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    {
        return true;
    }
    // `http:` only to this machine: its host, up to the port, is a loopback name or address.
    let host = &origin_of(url)["http://".len()..];
    let host = host
        .rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()));
    let host = host.map_or(origin_of(url)["http://".len()..].as_ref(), |(host, _)| host);
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3
                && rest
                    .split('.')
                    .all(|n| !n.is_empty() && n.len() <= 3 && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

fn pairs(encoded: &str) -> impl Iterator<Item = (&str, &str)> {
    encoded
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
}

/// The first value of `name` in a query string (without its `?`), percent-decoded (`+` is a
/// space in this encoding) and trimmed. Other link shapes (a backend's own action links) are
/// read with it too.
pub fn param(encoded: &str, name: &str) -> Option<String> {
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

    /// A link's query and fragment, as the pages read them from the address bar.
    fn query_and_fragment(link: &str) -> (&str, &str) {
        let (before, fragment) = link.split_once('#').unwrap_or((link, ""));
        (before.split_once('?').map_or("", |(_, q)| q), fragment)
    }

    #[test]
    fn the_mailed_link_carries_the_token_and_the_language_in_the_query() {
        assert_eq!(
            reset_link("https://id.example.com/help", "abc_DEF-1", "pt-BR", None),
            "https://id.example.com/help/reset?token=abc_DEF-1&lang=pt-BR"
        );
        let link = reset_link("http://127.0.0.1:8080", "t0k", "ar", None);
        let (query, fragment) = query_and_fragment(&link);
        assert_eq!(token_from_link(query, fragment).as_deref(), Some("t0k"));
        assert_eq!(param(query, LANG_PARAM).as_deref(), Some("ar"));
    }

    #[test]
    fn the_fragment_link_keeps_the_language_in_the_query() {
        let link = reset_fragment_link("https://id.example.com", "t0k", "zh-Hans", None);
        assert_eq!(link, "https://id.example.com/reset?lang=zh-Hans#token=t0k");
        let (query, fragment) = query_and_fragment(&link);
        assert_eq!(token_from_link(query, fragment).as_deref(), Some("t0k"));
        assert_eq!(param(query, LANG_PARAM).as_deref(), Some("zh-Hans"));
        assert!(!query.contains(TOKEN_PARAM), "{link}");
    }

    #[test]
    fn the_return_address_rides_in_the_query_of_both_link_styles() {
        let back = "https://app.example.com/home?tab=a&b=c d#top";
        let link = reset_link("https://id.example.com", "t0k", "ar", Some(back));
        assert_eq!(
            link,
            "https://id.example.com/reset?token=t0k&lang=ar\
             &continue=https%3A%2F%2Fapp.example.com%2Fhome%3Ftab%3Da%26b%3Dc%20d%23top"
        );
        let fragment = reset_fragment_link("https://id.example.com", "t0k", "ar", Some(back));
        assert_eq!(
            fragment,
            "https://id.example.com/reset?lang=ar\
             &continue=https%3A%2F%2Fapp.example.com%2Fhome%3Ftab%3Da%26b%3Dc%20d%23top#token=t0k"
        );
        for link in [link, fragment] {
            let (query, fragment) = query_and_fragment(&link);
            assert_eq!(
                param(query, CONTINUE_PARAM).as_deref(),
                Some(back),
                "{link}"
            );
            assert_eq!(token_from_link(query, fragment).as_deref(), Some("t0k"));
            assert_eq!(param(query, LANG_PARAM).as_deref(), Some("ar"));
            // Once the token leaves the address bar, the return address stays for the page.
            let shown = address_without_token("/reset", query, fragment);
            assert!(shown.contains("continue=https%3A%2F%2F"), "{shown}");
        }
    }

    #[test]
    fn query_values_keep_only_the_unreserved_characters() {
        assert_eq!(query_value("aZ09-._~"), "aZ09-._~");
        assert_eq!(
            query_value("a/b?c&d=e#f%g h+é"),
            "a%2Fb%3Fc%26d%3De%23f%25g%20h%2B%C3%A9"
        );
    }

    #[test]
    fn the_reset_page_names_the_language_even_for_english() {
        assert_eq!(
            reset_page_url("https://id.example.com/help", "en"),
            "https://id.example.com/help/reset?lang=en"
        );
        assert_eq!(
            reset_page_url("http://127.0.0.1:8080", "ja"),
            "http://127.0.0.1:8080/reset?lang=ja"
        );
    }

    #[test]
    fn the_token_is_found_whatever_the_order_of_the_parameters() {
        for query in [
            "token=t0k&lang=ar",
            "lang=ar&token=t0k",
            "lang=ar&token=t0k&utm=x",
        ] {
            assert_eq!(
                token_from_link(query, "").as_deref(),
                Some("t0k"),
                "{query}"
            );
        }
        assert_eq!(
            token_from_link("lang=ar", "token=t0k").as_deref(),
            Some("t0k")
        );
        assert_eq!(token_from_link("lang=ar", ""), None);
        assert_eq!(
            address_without_token("/reset", "token=t0k&lang=ar", ""),
            "/reset?lang=ar"
        );
        assert_eq!(
            address_without_token("/reset", "lang=ar", "token=t0k"),
            "/reset?lang=ar"
        );
    }

    #[test]
    fn a_pasted_link_with_its_language_gives_its_code() {
        for link in [
            reset_link("https://id.example.com", "abc_DEF-123", "ar", None),
            reset_fragment_link("https://id.example.com", "abc_DEF-123", "ja", None),
            reset_link(
                "https://id.example.com",
                "abc_DEF-123",
                "ar",
                Some("https://app.example.com/?token=x"),
            ),
        ] {
            assert_eq!(
                code_from_typed(&link).as_deref(),
                Ok("abc_DEF-123"),
                "{link}"
            );
        }
        assert_eq!(
            code_from_typed(&reset_page_url("https://id.example.com", "de")),
            Err(CodeError::LinkWithoutCode)
        );
    }

    #[test]
    fn a_person_is_sent_only_to_https_this_machine_or_this_site() {
        for safe in [
            "https://app.example.com/home",
            "HTTPS://APP.EXAMPLE.COM",
            "http://127.0.0.1:8080/sign-in",
            "http://localhost/x",
            "http://[::1]:3000/",
            "/sign-in",
            "/sign-in?next=%2F",
        ] {
            assert!(is_safe_destination(safe), "{safe}");
        }
        for unsafe_ in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "http://app.example.com/",
            "http://127.0.0.1.evil.example/",
            "http://localhost.evil.example/",
            "http://user@evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "sign-in",
            "ftp://example.com/",
            "",
        ] {
            assert!(!is_safe_destination(unsafe_), "{unsafe_}");
        }
    }

    #[test]
    fn base_urls_are_http_origins_with_an_optional_prefix() {
        assert_eq!(
            base_url("https://id.example.com/"),
            Some("https://id.example.com")
        );
        assert_eq!(
            base_url("http://127.0.0.1:8080"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            base_url("https://example.com/app/"),
            Some("https://example.com/app")
        );
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://x/?a",
            "http:///x",
            "https://a b",
        ] {
            assert_eq!(base_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_the_query() {
        assert_eq!(
            token_from_link("token=abc_DEF-123", "").as_deref(),
            Some("abc_DEF-123")
        );
        assert_eq!(
            token_from_link("utm=x&token=abc", "").as_deref(),
            Some("abc")
        );
    }

    #[test]
    fn reads_the_fragment_when_the_query_has_none() {
        assert_eq!(token_from_link("", "token=frag").as_deref(), Some("frag"));
        assert_eq!(
            token_from_link("utm=1", "token=frag").as_deref(),
            Some("frag")
        );
        assert_eq!(
            token_from_link("token=query", "token=frag").as_deref(),
            Some("query")
        );
    }

    #[test]
    fn decodes_percent_escapes_and_drops_stray_spaces() {
        assert_eq!(
            token_from_link("token=a%2Db%5Fc", "").as_deref(),
            Some("a-b_c")
        );
        assert_eq!(
            token_from_link("token=%20abc%0A", "").as_deref(),
            Some("abc")
        );
        assert_eq!(token_from_link("token=50%", "").as_deref(), Some("50%"));
        assert_eq!(token_from_link("token=%zz", "").as_deref(), Some("%zz"));
    }

    #[test]
    fn missing_empty_or_oversized_is_none() {
        assert_eq!(token_from_link("", ""), None);
        assert_eq!(token_from_link("token=", ""), None);
        assert_eq!(token_from_link("token", ""), None);
        assert_eq!(token_from_link("tokens=abc", "xtoken=abc"), None);
        assert_eq!(
            token_from_link(&format!("token={}", "a".repeat(1025)), ""),
            None
        );
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

    #[test]
    fn a_typed_code_is_trimmed_and_otherwise_opaque() {
        assert_eq!(
            code_from_typed("  abc_DEF-123\n").as_deref(),
            Ok("abc_DEF-123")
        );
        assert_eq!(code_from_typed("\tA1.b2~C3 ").as_deref(), Ok("A1.b2~C3"));
        assert_eq!(code_from_typed(""), Err(CodeError::Empty));
        assert_eq!(code_from_typed(" \n "), Err(CodeError::Empty));
        assert_eq!(code_from_typed("abc def"), Err(CodeError::Malformed));
        assert_eq!(code_from_typed("abc\ndef"), Err(CodeError::Malformed));
        assert_eq!(
            code_from_typed(&"a".repeat(1025)),
            Err(CodeError::Malformed)
        );
    }

    #[test]
    fn a_pasted_link_gives_its_code() {
        for link in [
            "https://id.example.com/reset?token=abc_DEF-123",
            " https://id.example.com/reset?lang=fr&token=abc_DEF-123\n",
            "http://127.0.0.1:8080/reset#token=abc_DEF-123",
            "/reset?token=abc_DEF-123",
            "id.example.com/reset?token=abc_DEF-123",
        ] {
            assert_eq!(
                code_from_typed(link).as_deref(),
                Ok("abc_DEF-123"),
                "{link}"
            );
        }
        assert_eq!(
            code_from_typed("https://id.example.com/reset?tok"),
            Err(CodeError::LinkWithoutCode)
        );
        assert_eq!(
            code_from_typed("https://id.example.com/reset"),
            Err(CodeError::LinkWithoutCode)
        );
    }
}
