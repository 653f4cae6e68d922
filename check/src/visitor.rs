//! Requests as a browser makes them for the pages: the `Accept`, `Sec-Fetch-*` and `Origin`
//! headers of a navigation, a stylesheet, a module script, a `fetch()` or an image, compressed
//! answers accepted (and undone), redirects reported rather than followed. Only `GET`s and CORS
//! preflights (`OPTIONS`): nothing that could send a mail or change anything.
//!
//! Bounded, so that no site can make the check hang or fill the memory: each fetch has a time
//! limit and [`MAX_BODY_BYTES`] on the wire and again once decompressed, and only the site's
//! own origin and its API's are fetched. Anything else a site names is a
//! [`FetchError::Elsewhere`] for the caller to report, never a request.

use std::io::Read;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CONTENT_ENCODING, ORIGIN,
    USER_AGENT,
};
use reqwest::Method;
use url::{Origin, Url};

/// The most of a body the check reads, on the wire and again once decompressed: 4 MiB, twelve
/// times the app's wasm (about 340 KB, the largest file of the build) and a hundred times a page.
pub const MAX_BODY_BYTES: usize = 4 << 20;

/// How long a fetch may take, from connecting to its body's last byte, unless `--timeout` says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Why no answer came, or why it was not read to the end.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("no HTTP client: {0}")]
    Client(String),
    /// An address on neither the site's origin nor its API's: named by the site, never fetched.
    #[error("it is on another origin ({0}), and the check loads nothing but the site and its API")]
    Elsewhere(String),
    #[error("no whole answer within {} s", .0.as_secs())]
    TimedOut(Duration),
    #[error(
        "its body is over {} MiB, and the check read no further",
        MAX_BODY_BYTES >> 20
    )]
    TooLarge,
    /// A compression bomb, or a file that is not what the build wrote.
    #[error(
        "its {0} body grows past {mib} MiB once decompressed, and the check read no further",
        mib = MAX_BODY_BYTES >> 20
    )]
    TooLargeDecompressed(String),
    #[error("its {encoding} body does not decompress: {reason}")]
    Undecodable { encoding: String, reason: String },
    /// Refused, DNS, TLS: reqwest's words with their causes.
    #[error("{0}")]
    Unreachable(String),
}

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
    /// The API's origin, once `config.json` has named it: the one other origin fetched from.
    api: Option<Origin>,
    timeout: Duration,
}

impl Visitor {
    pub fn new(site: &Url, timeout: Duration) -> Result<Visitor, FetchError> {
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
            .connect_timeout(timeout)
            // From connecting to the body's last byte.
            .timeout(timeout)
            .build()
            .map_err(|e| FetchError::Client(describe(&e)))?;
        // The build names its files from the root (`/main-….css`, `/config.json`): it is
        // served at the root of its origin, whatever address was given.
        let site = site.join("/").unwrap_or_else(|_| site.clone());
        Ok(Visitor {
            client,
            site,
            api: None,
            timeout,
        })
    }

    /// Lets the check fetch from the API at `api` too (its preflights).
    pub fn allow_api(&mut self, api: &Url) {
        self.api = Some(api.origin());
    }

    /// Whether `url` is on the site's origin or the API's: the only ones the check fetches from.
    pub fn fetches(&self, url: &Url) -> bool {
        let origin = url.origin();
        origin == self.site.origin() || self.api.as_ref() == Some(&origin)
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

    /// `GET url` as the pages would ask for it.
    pub async fn get(&self, url: &Url, kind: Kind) -> Result<Answer, FetchError> {
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
    ) -> Result<Answer, FetchError> {
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

    /// Sends `request` if `url` is on an origin the check fetches from, and reads the answer's
    /// body within the limits.
    async fn answer(
        &self,
        url: &Url,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, FetchError> {
        if !self.fetches(url) {
            return Err(FetchError::Elsewhere(url.origin().ascii_serialization()));
        }
        let failed = |error: reqwest::Error| {
            if error.is_timeout() {
                FetchError::TimedOut(self.timeout)
            } else {
                FetchError::Unreachable(describe(&error))
            }
        };
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES as u64)
        {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        let encoding = headers
            .get(CONTENT_ENCODING)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Ok(Answer {
            url: url.clone(),
            status,
            body: decompress(encoding, body)?,
            headers,
        })
    }
}

/// The body as sent before `Content-Encoding` (`gzip`, `deflate`, `br`, or none) was applied,
/// read no further than [`MAX_BODY_BYTES`].
fn decompress(encoding: &str, body: Vec<u8>) -> Result<Vec<u8>, FetchError> {
    let encoding = encoding.trim().to_ascii_lowercase();
    let decoder: Box<dyn Read + '_> = match encoding.as_str() {
        "" | "identity" => return Ok(body),
        "gzip" | "x-gzip" => Box::new(flate2::read::GzDecoder::new(body.as_slice())),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(body.as_slice())),
        "br" => Box::new(brotli::Decompressor::new(body.as_slice(), 4096)),
        _ => {
            return Err(FetchError::Undecodable {
                reason: "the check did not ask for it".to_owned(),
                encoding,
            })
        }
    };
    let mut out = Vec::new();
    // One byte past the limit tells a body at the limit from one beyond it.
    decoder
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FetchError::Undecodable {
            encoding: encoding.clone(),
            reason: e.to_string(),
        })?;
    if out.len() > MAX_BODY_BYTES {
        return Err(FetchError::TooLargeDecompressed(encoding));
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

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(data).unwrap();
        gzip.finish().unwrap()
    }

    #[test]
    fn each_encoding_a_browser_accepts_is_undone() {
        let text = b"<!doctype html><html lang=en>".repeat(20);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(&text).unwrap();
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 5, 22)
            .write_all(&text)
            .unwrap();
        for (encoding, body) in [
            ("", text.clone()),
            ("gzip", gzip(&text)),
            ("deflate", zlib.finish().unwrap()),
            ("br", br),
        ] {
            assert_eq!(decompress(encoding, body).unwrap(), text, "{encoding}");
        }
        assert!(matches!(
            decompress("zstd", b"x".to_vec()),
            Err(FetchError::Undecodable { .. })
        ));
        assert!(matches!(
            decompress("gzip", b"not gzip".to_vec()),
            Err(FetchError::Undecodable { .. })
        ));
    }

    #[test]
    fn a_body_is_decompressed_up_to_the_limit_and_no_further() {
        let at_the_limit = vec![0; MAX_BODY_BYTES];
        assert_eq!(
            decompress("gzip", gzip(&at_the_limit)).unwrap().len(),
            MAX_BODY_BYTES
        );
        let beyond = vec![0; MAX_BODY_BYTES + 1];
        let error = decompress("gzip", gzip(&beyond)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "its gzip body grows past 4 MiB once decompressed, and the check read no further"
        );
    }

    #[test]
    fn only_the_site_and_its_api_are_fetched_from() {
        let site = Url::parse("https://reset.example.com/recover").unwrap();
        let mut visitor = Visitor::new(&site, DEFAULT_TIMEOUT).unwrap();
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(visitor.fetches(&url("https://reset.example.com/brand.css")));
        assert!(!visitor.fetches(&url("http://reset.example.com/brand.css")));
        assert!(!visitor.fetches(&url("https://api.example.com/account/recovery")));
        assert!(!visitor.fetches(&url("data:image/svg+xml,<svg/>")));
        visitor.allow_api(&url("https://api.example.com/v2/"));
        assert!(visitor.fetches(&url("https://api.example.com/account/recovery")));
        assert!(!visitor.fetches(&url("https://cdn.example.com/logo.svg")));
    }
}
