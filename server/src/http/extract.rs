//! [`ApiBody`]: reads a request body as form fields or JSON, by its content type, and turns
//! every failure into an [`ApiError`]. [`MailLocale`]: the language to write a request's mail in.
//!
//! Hand-written on purpose: axum's `Form` and `Json` answer in plain text, and the usual form
//! decoder (serde_urlencoded over form_urlencoded) replaces invalid UTF-8 silently, which
//! would change a password instead of refusing it.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use percent_encoding::percent_decode;
use serde::de::value::MapDeserializer;
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};

use super::ApiError;
use crate::domain::Locale;

/// The built-in locale that best serves the request's `Accept-Language` (the pages send the
/// tag they show), English when none does or the header is absent or unreadable. Never fails.
#[derive(Debug, Clone, Copy)]
pub struct MailLocale(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for MailLocale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Ok(Self(Locale::from_accept_language(header)))
    }
}

/// Bodies are a few short fields; anything larger than this is refused with 413 unread.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The fields of a request body, from `application/x-www-form-urlencoded` (the default of
/// existing clients) or `application/json`, each optionally with `charset=utf-8`.
///
/// Text is taken byte-exact (no trimming or normalisation) and must be valid UTF-8: the
/// usual form decoders silently replace broken bytes, which would change a password.
/// A duplicated or missing field is a 400, unknown fields are ignored.
#[derive(Debug)]
pub struct ApiBody<T>(pub T);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Form,
    Json,
}

impl<S, T> FromRequest<S> for ApiBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let encoding = encoding(request.headers())?;
        let body =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection {
                    BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => {
                        ApiError::PayloadTooLarge
                    }
                    _ => ApiError::InvalidRequest("the body could not be received".to_owned()),
                })?;
        let fields = match encoding {
            Encoding::Form => decode_form(&body)?,
            Encoding::Json => decode_json(&body)?,
        };
        Ok(Self(fields))
    }
}

fn encoding(headers: &HeaderMap) -> Result<Encoding, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .ok_or(ApiError::UnsupportedMediaType)?;
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let encoding = if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        Encoding::Form
    } else if essence.eq_ignore_ascii_case("application/json") {
        Encoding::Json
    } else {
        return Err(ApiError::UnsupportedMediaType);
    };
    for parameter in parts {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        let value = value.trim().trim_matches('"');
        if name.trim().eq_ignore_ascii_case("charset")
            && !value.eq_ignore_ascii_case("utf-8")
            && !value.eq_ignore_ascii_case("utf8")
        {
            return Err(ApiError::UnsupportedMediaType);
        }
    }
    Ok(encoding)
}

fn decode_form<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut pairs = Vec::new();
    for pair in body
        .split(|byte| *byte == b'&')
        .filter(|pair| !pair.is_empty())
    {
        let (name, value) = match pair.iter().position(|byte| *byte == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &[][..]),
        };
        pairs.push((
            decode_form_component(name)?,
            FormValue(decode_form_component(value)?),
        ));
    }
    T::deserialize(MapDeserializer::<_, serde::de::value::Error>::new(
        pairs.into_iter(),
    ))
    // These messages only ever name fields ("missing field `email`"), never values.
    .map_err(|error| ApiError::InvalidRequest(error.to_string()))
}

/// A form field's value: a string, and `Some` string to an optional field (a form has no null:
/// a field is there or not), so that optional fields read from forms as from JSON.
struct FormValue(String);

impl IntoDeserializer<'_, serde::de::value::Error> for FormValue {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for FormValue {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// `+` is a space and `%XX` a byte (WHATWG form decoding); the bytes must then be UTF-8.
fn decode_form_component(raw: &[u8]) -> Result<String, ApiError> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&byte| if byte == b'+' { b' ' } else { byte })
        .collect();
    String::from_utf8(percent_decode(&spaced).collect())
        .map_err(|_| ApiError::InvalidRequest("a form field is not valid UTF-8".to_owned()))
}

fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Derived structs also accept a JSON array, field by field in order: refuse that shape.
    if body
        .iter()
        .find(|byte| !byte.is_ascii_whitespace())
        .is_some_and(|byte| *byte == b'[')
    {
        return Err(ApiError::InvalidRequest(
            "the body must be a JSON object of strings".to_owned(),
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let result =
        T::deserialize(&mut deserializer).and_then(|fields| deserializer.end().map(|()| fields));
    result.map_err(|error| {
        let detail = match error.classify() {
            serde_json::error::Category::Data => {
                let message = error.to_string();
                // Type errors quote the offending value, which may be a password: keep only
                // the messages that name a field.
                if message.starts_with("missing field") || message.starts_with("duplicate field") {
                    message
                        .split(" at line")
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                } else {
                    "the body must be a JSON object of strings".to_owned()
                }
            }
            _ => "the body is not valid JSON in UTF-8".to_owned(),
        };
        ApiError::InvalidRequest(detail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use secrecy::ExposeSecret;
    // The endpoints' own body types: the extractor is tested with what it really decodes.
    use crate::http::account::{LoginBody, RecoveryBody, ResetPasswordBody};

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        headers
    }

    #[test]
    fn content_types() {
        assert_eq!(
            encoding(&headers("application/x-www-form-urlencoded")).unwrap(),
            Encoding::Form
        );
        assert_eq!(
            encoding(&headers("application/x-www-form-urlencoded; charset=utf-8")).unwrap(),
            Encoding::Form
        );
        assert_eq!(
            encoding(&headers("Application/JSON;charset=\"UTF-8\"")).unwrap(),
            Encoding::Json
        );
        for refused in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
            "",
        ] {
            assert!(
                matches!(
                    encoding(&headers(refused)),
                    Err(ApiError::UnsupportedMediaType)
                ),
                "{refused}"
            );
        }
        assert!(matches!(
            encoding(&HeaderMap::new()),
            Err(ApiError::UnsupportedMediaType)
        ));
    }

    #[test]
    fn form_decoding_is_byte_exact() {
        let parsed: ResetPasswordBody =
            decode_form(b"token=abc&new_password=+%20caf%C3%A9+%2B%26%3D+").unwrap();
        assert_eq!(parsed.token.unwrap().expose_secret(), "abc");
        assert!(parsed.email.is_none() && parsed.code.is_none());
        assert_eq!(parsed.new_password.expose_secret(), "  café +&= ");
        let parsed: ResetPasswordBody =
            decode_form(b"email=a%40example.com&code=kq7m+xw3p&new_password=x").unwrap();
        assert_eq!(parsed.email.as_deref(), Some("a@example.com"));
        assert_eq!(parsed.code.unwrap().expose_secret(), "kq7m xw3p");
        assert!(parsed.token.is_none());
        let parsed: RecoveryBody = decode_form(b"email=alice%40example.com&extra=1").unwrap();
        assert_eq!(parsed.email, "alice@example.com");
        assert_eq!(parsed.continue_to, None);
        let parsed: RecoveryBody =
            decode_form(b"email=a%40example.com&continue=https%3A%2F%2Fapp.example.com%2F%3Fa%3D1")
                .unwrap();
        assert_eq!(
            parsed.continue_to.as_deref(),
            Some("https://app.example.com/?a=1")
        );
    }

    #[test]
    fn form_refuses_broken_utf8_duplicates_and_missing_fields() {
        let broken = decode_form::<RecoveryBody>(b"email=%FF%FEalice");
        assert!(matches!(broken, Err(ApiError::InvalidRequest(m)) if m.contains("UTF-8")));
        let duplicated =
            decode_form::<RecoveryBody>(b"email=a%40example.com&email=b%40example.com");
        assert!(
            matches!(duplicated, Err(ApiError::InvalidRequest(m)) if m.contains("duplicate field `email`"))
        );
        let missing = decode_form::<RecoveryBody>(b"");
        assert!(
            matches!(missing, Err(ApiError::InvalidRequest(m)) if m.contains("missing field `email`"))
        );
    }

    #[test]
    fn json_refuses_bad_bodies_without_echoing_values() {
        let parsed: RecoveryBody = decode_json(br#"{"email":"alice@example.com"}"#).unwrap();
        assert_eq!(parsed.email, "alice@example.com");
        let parsed: RecoveryBody =
            decode_json(br#"{"email":"a@example.com","continue":"https://app.example.com/"}"#)
                .unwrap();
        assert_eq!(
            parsed.continue_to.as_deref(),
            Some("https://app.example.com/")
        );
        let parsed: RecoveryBody =
            decode_json(br#"{"email":"a@example.com","continue":null}"#).unwrap();
        assert_eq!(parsed.continue_to, None);
        let duplicated = decode_json::<RecoveryBody>(br#"{"email":"a","email":"b"}"#);
        assert!(
            matches!(duplicated, Err(ApiError::InvalidRequest(m)) if m == "duplicate field `email`")
        );
        let wrong_type = decode_json::<LoginBody>(br#"{"email":"a","password":["hunter2"]}"#);
        assert!(matches!(wrong_type, Err(ApiError::InvalidRequest(m)) if !m.contains("hunter2")));
        for broken in [
            &b""[..],
            b"{",
            b"{\"email\":\"\xff\"}",
            b"{\"email\":\"a\"} trailing",
            b" [\"a@example.com\"]",
        ] {
            assert!(matches!(
                decode_json::<RecoveryBody>(broken),
                Err(ApiError::InvalidRequest(_))
            ));
        }
    }
}
