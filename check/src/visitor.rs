//! Requests as a browser makes them for the pages: the `Accept`, `Sec-Fetch-*` and `Origin`
//! headers of a navigation, a stylesheet, a module script, a `fetch()` or an image, compressed
//! answers accepted (and undone), redirects reported rather than followed. Only `GET`s and CORS preflights
//! (`OPTIONS`): nothing that could send a mail or change anything.

use std::time::Duration;

use std::io::Read;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CONTENT_ENCODING, ORIGIN,
    USER_AGENT,
};
use reqwest::Method;
use url::Url;

/// What a page asks for, which decides the headers a browser sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A person opening an address.
    Document,
    Stylesheet,
    /// The app's JS glue, imported as a module.
    Script,
    /// `fetch()` from the app: the wasm, `config.json`, a backend's description.
    Fetch,
    /// The logo, named by a stylesheet.
    Image,
}

/// An answer, its body read (decompressed).
#[derive(Debug, Clone)]
pub struct Answer {
    pub url: Url,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first value of `name`, or `""`.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// Every value of `name` (a header sent more than once counts each time).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect()
    }

    /// The media type without parameters, in lower case: `text/html`.
    pub fn media_type(&self) -> String {
        let content_type = self.header("content-type");
        content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The path (and query) asked for, to name it in a finding.
    pub fn path(&self) -> String {
        path_of(&self.url)
    }
}

/// `/recover?lang=ar` of a URL on the site.
pub fn path_of(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// A browser on the pages' origin.
pub struct Visitor {
    client: reqwest::Client,
    /// The root of the site, where the build's pages are.
    pub site: Url,
}

impl Visitor {
    pub fn new(site: &Url) -> Result<Visitor, reqwest::Error> {
        let mut defaults = HeaderMap::new();
        defaults.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!(
                "Mozilla/5.0 (compatible; reclaim-check/",
                env!("CARGO_PKG_VERSION"),
                ")"
            )),
        );
        defaults.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
        defaults.insert(
            ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        let client = reqwest::Client::builder()
            .default_headers(defaults)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(20))
            .build()?;
        // The build names its files from the root (`/main-….css`, `/config.json`): it is
        // served at the root of its origin, whatever address was given.
        let site = site.join("/").unwrap_or_else(|_| site.clone());
        Ok(Visitor { client, site })
    }

    /// The pages' origin, as a browser sends it in `Origin`.
    pub fn origin(&self) -> String {
        self.site.origin().ascii_serialization()
    }

    /// An address on the site: `recover`, `/config.json`, `recover?lang=ar`.
    pub fn url(&self, relative: &str) -> Url {
        self.site
            .join(relative)
            .unwrap_or_else(|_| self.site.clone())
    }

    /// `GET url` as the pages would ask for it; `Err` says why no answer came.
    pub async fn get(&self, url: &Url, kind: Kind) -> Result<Answer, String> {
        let same_site = if same_origin(url, &self.site) {
            "same-origin"
        } else {
            "cross-site"
        };
        let (accept, dest, mode, site) = match kind {
            Kind::Document => (
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "document",
                "navigate",
                "none",
            ),
            Kind::Stylesheet => ("text/css,*/*;q=0.1", "style", "no-cors", same_site),
            Kind::Script => ("*/*", "script", "cors", same_site),
            Kind::Fetch => ("*/*", "empty", "cors", same_site),
            Kind::Image => (
                "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
                "image",
                "no-cors",
                same_site,
            ),
        };
        let mut request = self
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .header("sec-fetch-dest", dest)
            .header("sec-fetch-mode", mode)
            .header("sec-fetch-site", site);
        if kind == Kind::Document {
            request = request
                .header("sec-fetch-user", "?1")
                .header("upgrade-insecure-requests", "1");
        }
        self.answer(url, request).await
    }

    /// The CORS preflight a browser sends before the pages' `POST` to `url` with `headers`
    /// (lower-case names).
    pub async fn preflight(
        &self,
        url: &Url,
        method: &str,
        headers: &[String],
    ) -> Result<Answer, String> {
        let mut names = headers.to_vec();
        names.sort();
        names.dedup();
        let request = self
            .client
            .request(Method::OPTIONS, url.clone())
            .header(ACCEPT, "*/*")
            .header(ORIGIN, self.origin())
            .header("access-control-request-method", method)
            .header("access-control-request-headers", names.join(","))
            .header("sec-fetch-dest", "empty")
            .header("sec-fetch-mode", "cors")
            .header("sec-fetch-site", "cross-site");
        self.answer(url, request).await
    }

    async fn answer(&self, url: &Url, request: reqwest::RequestBuilder) -> Result<Answer, String> {
        let response = request.send().await.map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| describe(&e))?;
        let encoding = headers
            .get(CONTENT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        let body = decompress(encoding, &body)
            .map_err(|e| format!("its {encoding} body does not decompress: {e}"))?;
        Ok(Answer {
            url: url.clone(),
            status,
            headers,
            body,
        })
    }
}

/// The body as sent before `Content-Encoding` (`gzip`, `deflate`, `br`, or none) was applied.
fn decompress(encoding: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    match encoding.trim().to_ascii_lowercase().as_str() {
        "" | "identity" => out.extend_from_slice(body),
        "gzip" | "x-gzip" => {
            flate2::read::GzDecoder::new(body).read_to_end(&mut out)?;
        }
        "deflate" => {
            flate2::read::ZlibDecoder::new(body).read_to_end(&mut out)?;
        }
        "br" => {
            brotli::Decompressor::new(body, 4096).read_to_end(&mut out)?;
        }
        other => return Err(std::io::Error::other(format!("{other} was not asked for"))),
    }
    Ok(out)
}

pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// reqwest's error with its causes, which say what actually failed (refused, DNS, TLS).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::decompress;

    #[test]
    fn each_encoding_a_browser_accepts_is_undone() {
        let text = b"<!doctype html><html lang=en>".repeat(20);
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gzip.write_all(&text).unwrap();
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&text).unwrap();
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 5, 22)
            .write_all(&text)
            .unwrap();
        for (encoding, body) in [
            ("", text.clone()),
            ("gzip", gzip.finish().unwrap()),
            ("deflate", zlib.finish().unwrap()),
            ("br", br),
        ] {
            assert_eq!(decompress(encoding, &body).unwrap(), text, "{encoding}");
        }
        assert!(decompress("zstd", b"x").is_err());
        assert!(decompress("gzip", b"not gzip").is_err());
    }
}
