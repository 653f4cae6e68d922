//! Serving the built pages with `--dist`: files, routes, 404s, headers and compression.

use std::io::Read;

use reclaim_contract::policy::HOST_POLICY;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn files_routes_and_fallback() {
    let app = spawn_with_dist().await;

    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status(), StatusCode::OK);
    assert_eq!(
        robots.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(robots.text().await.unwrap(), "User-agent: *\n");

    let wasm = app.get("/reclaim-0123456789abcdef_bg.wasm").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(wasm.bytes().await.unwrap().starts_with(b"\0asm"));

    let js = app.get("/reclaim-0123456789abcdef.js").await;
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );

    // A route with its own index.html gets it; any other extension-less path gets the app.
    let recover = app.get("/recover").await;
    assert_eq!(recover.status(), StatusCode::OK);
    assert!(recover
        .text()
        .await
        .unwrap()
        .contains("<title>Recover</title>"));
    assert!(app
        .get("/recover/")
        .await
        .text()
        .await
        .unwrap()
        .contains("<title>Recover</title>"));
    for path in ["/", "/reset?token=abc", "/some/deep/route", "/index.html"] {
        let page = app.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(
            page.headers()["content-type"],
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(page.text().await.unwrap(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn missing_files_with_an_extension_are_404_not_the_index() {
    let app = spawn_with_dist().await;
    for path in ["/config.json", "/x.js", "/recover/app.css", "/favicon.ico"] {
        assert_error(app.get(path).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    // The API keeps its JSON answers beside the pages.
    assert_error(
        app.get("/account/recovery").await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.post_form("/", "email=x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_path_cannot_leave_the_dist_folder() {
    let app = spawn_with_dist().await;
    // Raw requests: an HTTP client would normalise these paths before sending.
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/recover/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let response = raw_request(&app, request.as_bytes()).await;
        assert!(!response.contains("top secret"), "{path}: {response}");
        assert!(
            response.starts_with("HTTP/1.1 404") || response.starts_with("HTTP/1.1 400"),
            "{path}: {response}"
        );
    }
}

#[tokio::test]
async fn html_has_the_hosts_half_of_the_policy() {
    let app = spawn_with_dist().await;
    let page = app.get("/reset?token=abc").await;
    let headers = page.headers().clone();
    // The page names its own scripts and styles in its <meta> policy: the host names none.
    assert_eq!(headers["content-security-policy"], HOST_POLICY);
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
}

/// A prerendered build names its wasm in each page (`data-wasm=`): every page's response asks
/// for it in a `Link` header, as `dist/_headers` has the static hosts do, so the browser starts
/// that download before it has parsed the page. Nothing else carries it.
#[tokio::test]
async fn pages_of_a_prerendered_build_ask_for_its_wasm_in_their_response() {
    let builder = TestServer::builder();
    let dist = builder.dir().join("dist");
    write_dist(&dist);
    let wasm = "/reclaim-0123456789abcdef_bg.wasm";
    let page = format!(
        "<!DOCTYPE html><title>Recover</title><meta name=reclaim-app \
         data-glue=/reclaim-0123456789abcdef.js data-wasm={wasm}>\n"
    );
    std::fs::write(dist.join("index.html"), &page).unwrap();
    std::fs::write(dist.join("recover/index.html"), &page).unwrap();
    let app = builder.flag("--dist", dist.display()).start().await;

    let expected = reclaim_contract::assets::wasm_preload_header(wasm);
    for path in ["/", "/recover", "/reset?token=abc", "/some/deep/route"] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["link"], expected.as_str(), "{path}");
        // The preload leaves before the page's own referrer policy is read: the header's
        // keeps the address (a reset link's secret) out of its Referer.
        assert_eq!(
            response.headers()["referrer-policy"],
            "no-referrer",
            "{path}"
        );
    }
    for path in [wasm, "/robots.txt"] {
        assert!(
            app.get(path).await.headers().get("link").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn without_dist_there_are_no_pages() {
    let app = TestServer::start().await;
    assert_error(app.get("/").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.get("/reset").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_reference_sign_in_page_needs_no_dist_and_no_inline_script() {
    let app = TestServer::start().await;
    let page = app.get("/sign-in").await;
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("sha256-"),
        "{csp}"
    );
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<form id="sign-in-form" action="/account/login""#));
    assert!(html.contains(r#"<script type="module" src="/sign-in.js"></script>"#));
    // As the seed's sign-in screen carries its button: the way to the request page.
    assert!(html.contains(r#"<a href="/recover">Forgot your password?</a>"#));

    let script = app.get("/sign-in.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(script.text().await.unwrap().contains("fetch(form.action"));
    let styles = app.get("/sign-in.css").await;
    assert_eq!(styles.headers()["content-type"], "text/css; charset=utf-8");
}

async fn get_encoded(app: &TestServer, path: &str, accept: &str) -> (Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(format!("{}{path}", app.url))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    (encoding, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn gzip_and_brotli_when_the_client_accepts_them() {
    let app = spawn_with_dist().await;
    for path in [
        "/reclaim-0123456789abcdef_bg.wasm",
        "/",
        "/reclaim-0123456789abcdef.js",
    ] {
        let (encoding, plain) = get_encoded(&app, path, "identity").await;
        assert_eq!(encoding, None, "{path}");

        let (encoding, gzipped) = get_encoded(&app, path, "gzip").await;
        assert_eq!(encoding.as_deref(), Some("gzip"), "{path}");
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(gzipped.as_slice())
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain, "{path}");

        let (encoding, compressed) = get_encoded(&app, path, "br").await;
        assert_eq!(encoding.as_deref(), Some("br"), "{path}");
        let mut decompressed = Vec::new();
        brotli::Decompressor::new(compressed.as_slice(), 4096)
            .read_to_end(&mut decompressed)
            .unwrap();
        assert_eq!(decompressed, plain, "{path}");
        if path.ends_with(".wasm") {
            assert!(
                compressed.len() < plain.len() / 4,
                "wasm is compressed: {} of {}",
                compressed.len(),
                plain.len()
            );
        }
    }
}

/// A build with each locale's prerendered pages under `dist/<tag>/` (here Arabic in full,
/// Japanese with its top page only) beside the English ones at the root.
async fn spawn_with_localised_dist() -> TestServer {
    let builder = TestServer::builder();
    let dist = builder.dir().join("dist");
    write_dist(&dist);
    std::fs::create_dir_all(dist.join("reset")).unwrap();
    std::fs::write(dist.join("reset/index.html"), "<title>Reset en</title>").unwrap();
    std::fs::write(dist.join("404.html"), "<title>Not found en</title>").unwrap();
    for page in ["", "recover/", "reset/"] {
        std::fs::create_dir_all(dist.join("ar").join(page)).unwrap();
        let title = format!("<title>ar {}</title>", page.trim_end_matches('/'));
        std::fs::write(dist.join(format!("ar/{page}index.html")), title).unwrap();
    }
    std::fs::write(dist.join("ar/404.html"), "<title>ar 404</title>").unwrap();
    std::fs::create_dir_all(dist.join("ja")).unwrap();
    std::fs::write(dist.join("ja/index.html"), "<title>ja </title>").unwrap();
    builder.flag("--dist", dist.display()).start().await
}

#[tokio::test]
async fn lang_in_the_query_serves_the_page_prerendered_in_it() {
    let app = spawn_with_localised_dist().await;
    for (path, title) in [
        ("/?lang=ar", "<title>ar </title>"),
        ("/recover?lang=ar", "<title>ar recover</title>"),
        ("/recover/?lang=ar", "<title>ar recover</title>"),
        ("/reset?lang=ar", "<title>ar reset</title>"),
        ("/reset/?lang=ar", "<title>ar reset</title>"),
        // The mailed links, both styles: the token does not change the page.
        ("/reset?token=abc&lang=ar", "<title>ar reset</title>"),
        ("/reset?lang=ar#token=abc", "<title>ar reset</title>"),
        // Matched as the contract matches: any case, a regional variant.
        ("/reset?lang=AR", "<title>ar reset</title>"),
        ("/recover?lang=ar-EG", "<title>ar recover</title>"),
        ("/?lang=ja", "<title>ja </title>"),
        // A locale the build has no copy of this page in: the page, in English.
        ("/recover?lang=ja", "<title>Recover</title>"),
        ("/reset?lang=ja", "<title>Reset en</title>"),
        // A built-in locale the build did not write at all, an unknown one, none.
        ("/recover?lang=de", "<title>Recover</title>"),
        ("/recover?lang=ko", "<title>Recover</title>"),
        ("/recover?lang=../ar", "<title>Recover</title>"),
        ("/recover?lang=", "<title>Recover</title>"),
        ("/reset?token=abc", "<title>Reset en</title>"),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let headers = page.headers().clone();
        assert_eq!(
            headers["content-type"], "text/html; charset=utf-8",
            "{path}"
        );
        // The answer depends on the URL only (the query is part of every cache key), and
        // pages are never stored anyway.
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert!(headers.get("vary").is_none_or(|vary| {
            !vary
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-language")
        }));
        assert!(headers.contains_key("content-security-policy"), "{path}");
        let body = page.text().await.unwrap();
        assert!(body.contains(title), "{path}: {body}");
    }
    // The locale folders are served as themselves too, and assets are not affected.
    let direct = app.get("/ar/recover/").await.text().await.unwrap();
    assert!(direct.contains("<title>ar recover</title>"), "{direct}");
    let wasm = app.get("/reclaim-0123456789abcdef_bg.wasm?lang=ar").await;
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
}

#[tokio::test]
async fn a_request_for_a_localised_page_sends_the_same_headers_for_head() {
    let app = spawn_with_localised_dist().await;
    let head = app
        .send(app.client.head(app.url_for("/reset?lang=ar")))
        .await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "text/html; charset=utf-8");
    let length = head.headers()["content-length"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(length, "<title>ar reset</title>".len().to_string());
}
