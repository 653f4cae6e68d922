//! What the black-box tests share beyond the test kit (`reclaim-testkit`, which starts the
//! real server per test): raw requests, JSON error checks and a small trunk-like build.

use std::path::Path;

pub use reclaim_testkit::{
    eventually, form_encode, Mail, MailKind, TestServer, ALICE, ALICE_PASSWORD, PATIENCE,
};
use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};
use serde_json::Value;

pub const NEW_PASSWORD: &str = "a brand new passphrase";

/// A server that also serves a small trunk-like build from `--dist` (see [`write_dist`]), with
/// a file beside the build that must never be served.
pub async fn spawn_with_dist() -> TestServer {
    let builder = TestServer::builder();
    let dist = builder.dir().join("dist");
    write_dist(&dist);
    std::fs::write(builder.dir().join("secret.txt"), "top secret").unwrap();
    builder.flag("--dist", dist.display()).start().await
}

/// A reset token for alice, through the real flow.
pub async fn alice_token(app: &TestServer) -> String {
    let link = app.request_reset_link(ALICE).await;
    token_of(&link)
}

/// The token of a mailed link, read as the pages read it (`?token=`, else `#token=`, whatever
/// else the link carries, e.g. `&lang=`). Panics if there is none.
pub fn token_of(link: &str) -> String {
    let (before, fragment) = link.split_once('#').unwrap_or((link, ""));
    let query = before.split_once('?').map_or("", |(_, query)| query);
    reclaim_contract::link::token_from_link(query, fragment)
        .unwrap_or_else(|| panic!("no token in {link}"))
}

/// Sends bytes as they are (no URL normalisation, any framing) and reads the whole answer.
/// The request should say `Connection: close`.
pub async fn raw_request(app: &TestServer, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // The server may answer (413) before reading everything; a failed write is fine then.
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response)).await;
    String::from_utf8_lossy(&response).into_owned()
}

/// Status and parsed JSON body; panics if the body is not JSON.
pub async fn json_of(response: Response) -> (StatusCode, HeaderMap, Value) {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text:?}"));
    (status, headers, body)
}

/// Asserts the response is a JSON error with `code`, a message sentence and `status`.
pub async fn assert_error(response: Response, status: StatusCode, code: &str) -> Value {
    let (actual, headers, body) = json_of(response).await;
    assert_eq!(actual, status, "{body}");
    assert_eq!(headers["content-type"], "application/json", "{body}");
    assert_eq!(body["error"], code, "{body}");
    let message = body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message in {body}"));
    assert!(message.len() > 10 && message.ends_with('.'), "{body}");
    body
}

/// A small build like trunk's: an index with the inline loader script, hashed assets, a
/// route with its own index, and a wasm file large enough to be worth compressing.
pub fn write_dist(dist: &Path) {
    std::fs::create_dir_all(dist.join("recover")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(
        dist.join("recover/index.html"),
        "<!DOCTYPE html><title>Recover</title>\n",
    )
    .unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef.js"),
        "export default function init() {}\n".repeat(20),
    )
    .unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..20_000u32).map(|i| (i % 7) as u8))
        .collect();
    std::fs::write(dist.join("reclaim-0123456789abcdef_bg.wasm"), wasm).unwrap();
    std::fs::write(dist.join("robots.txt"), "User-agent: *\n").unwrap();
}

pub const INLINE_SCRIPT: &str =
    "\nimport init, * as bindings from '/reclaim-0123456789abcdef.js';\n\
    const wasm = await init({ module_or_path: '/reclaim-0123456789abcdef_bg.wasm' });\n\
    window.wasmBindings = bindings;\n";

pub const INDEX_HTML: &str = concat!(
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Reclaim</title>\n",
    "<link rel=\"modulepreload\" href=\"/reclaim-0123456789abcdef.js\" crossorigin=\"anonymous\">\n",
    "<script type=\"module\">",
    "\nimport init, * as bindings from '/reclaim-0123456789abcdef.js';\n",
    "const wasm = await init({ module_or_path: '/reclaim-0123456789abcdef_bg.wasm' });\n",
    "window.wasmBindings = bindings;\n",
    "</script>\n</head>\n<body><noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
);
