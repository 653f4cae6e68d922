//! A small HTTP/1.1 client for what the tests check outside the browser: response headers,
//! and signing in with `/account/login`. Built on the hyper client fantoccini already uses.

use std::sync::OnceLock;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

pub use http::Method;

/// A whole response, body read.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The header's value, or `""` when it is missing (so a failed check prints what was there).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn client() -> &'static Client<HttpConnector, Full<Bytes>> {
    static CLIENT: OnceLock<Client<HttpConnector, Full<Bytes>>> = OnceLock::new();
    CLIENT.get_or_init(|| Client::builder(TokioExecutor::new()).build_http())
}

pub async fn request(
    method: http::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<HttpResponse> {
    let mut builder = http::Request::builder().method(method.clone()).uri(url);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder.body(Full::new(Bytes::from(body)))?;
    let response = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        client().request(request),
    )
    .await
    .with_context(|| format!("{method} {url}: no answer within 30 s"))?
    .with_context(|| format!("{method} {url}"))?;
    let (parts, body) = response.into_parts();
    let body = body.collect().await?.to_bytes().to_vec();
    Ok(HttpResponse {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    })
}

pub async fn get(url: &str) -> Result<HttpResponse> {
    request(http::Method::GET, url, &[], Vec::new()).await
}

/// POST an `application/x-www-form-urlencoded` body, as the pages and existing clients do.
pub async fn post_form(url: &str, fields: &[(&str, &str)]) -> Result<HttpResponse> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    request(
        http::Method::POST,
        url,
        &[("content-type", "application/x-www-form-urlencoded")],
        body.into_bytes(),
    )
    .await
}

fn form_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_encoding_keeps_the_bytes() {
        assert_eq!(super::form_encode("a b+c@d.é"), "a%20b%2Bc%40d.%C3%A9");
    }
}
