//! Whatever a client sends, the answer is a 4xx with a JSON error body: never a 500, never
//! axum's plain-text rejections.

use reqwest::StatusCode;

use crate::helpers::*;

const ENDPOINTS: [&str; 3] = [
    "/account/recovery",
    "/account/reset-password",
    "/account/login",
];

async fn post_raw(
    app: &TestServer,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = app.client.post(format!("{}{path}", app.url)).body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn empty_bodies() {
    let app = TestServer::start().await;
    for path in ENDPOINTS {
        let form = post_raw(
            &app,
            path,
            Some("application/x-www-form-urlencoded"),
            Vec::new(),
        )
        .await;
        let body = assert_error(form, StatusCode::BAD_REQUEST, "invalid_request").await;
        assert!(
            body["message"].as_str().unwrap().contains("missing field"),
            "{body}"
        );
        let json = post_raw(&app, path, Some("application/json"), Vec::new()).await;
        assert_error(json, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
}

#[tokio::test]
async fn huge_bodies() {
    let app = TestServer::start().await;
    for path in ENDPOINTS {
        let mut body = b"email=".to_vec();
        body.extend(std::iter::repeat_n(b'a', 17 * 1024));
        let response = post_raw(&app, path, Some("application/x-www-form-urlencoded"), body).await;
        assert_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    }
}

#[tokio::test]
async fn huge_chunked_body_without_content_length() {
    let app = TestServer::start().await;
    let mut request =
        b"POST /account/recovery HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
        Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..40 {
        request.extend_from_slice(b"400\r\n");
        request.extend(std::iter::repeat_n(b'a', 0x400));
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let response = raw_request(&app, &request).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.contains("\"error\":\"payload_too_large\""),
        "{response}"
    );
}

#[tokio::test]
async fn wrong_or_missing_content_type() {
    let app = TestServer::start().await;
    for path in ENDPOINTS {
        for content_type in [
            Some("text/plain"),
            Some("multipart/form-data; boundary=x"),
            Some("application/json; charset=iso-8859-1"),
            None,
        ] {
            let response = post_raw(
                &app,
                path,
                content_type,
                b"email=alice%40example.com".to_vec(),
            )
            .await;
            assert_error(
                response,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
            )
            .await;
        }
    }
}

#[tokio::test]
async fn broken_utf8() {
    let app = TestServer::start().await;
    for path in ENDPOINTS {
        let form = post_raw(
            &app,
            path,
            Some("application/x-www-form-urlencoded"),
            b"email=%FF%FE&token=%C3&new_password=\xff\xfe&password=x".to_vec(),
        )
        .await;
        assert_error(form, StatusCode::BAD_REQUEST, "invalid_request").await;
        let json = post_raw(
            &app,
            path,
            Some("application/json"),
            b"{\"email\":\"\xff\"}".to_vec(),
        )
        .await;
        assert_error(json, StatusCode::BAD_REQUEST, "invalid_request").await;
    }
}

#[tokio::test]
async fn missing_and_duplicated_fields() {
    let app = TestServer::start().await;
    let cases = [
        (
            "/account/recovery",
            "mail=alice%40example.com",
            "missing field `email`",
        ),
        (
            "/account/recovery",
            "email=alice%40example.com&email=bob%40example.com",
            "duplicate field `email`",
        ),
        (
            "/account/reset-password",
            "token=abc",
            "missing field `new_password`",
        ),
        (
            "/account/reset-password",
            "token=a&token=b&new_password=x",
            "duplicate field `token`",
        ),
        (
            "/account/login",
            "email=alice%40example.com",
            "missing field `password`",
        ),
        (
            "/account/login",
            "email=a&password=b&password=c",
            "duplicate field `password`",
        ),
    ];
    for (path, body, detail) in cases {
        let response = post_raw(
            &app,
            path,
            Some("application/x-www-form-urlencoded"),
            body.as_bytes().to_vec(),
        )
        .await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
        assert!(
            error["message"].as_str().unwrap().contains(detail),
            "{path} {body}: {error}"
        );
    }
    let json = post_raw(
        &app,
        "/account/recovery",
        Some("application/json"),
        br#"{"email":1}"#.to_vec(),
    )
    .await;
    assert_error(json, StatusCode::BAD_REQUEST, "invalid_request").await;
    let json = post_raw(
        &app,
        "/account/recovery",
        Some("application/json"),
        br#"["alice@example.com"]"#.to_vec(),
    )
    .await;
    assert_error(json, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let app = TestServer::start().await;
    assert_error(app.get("/nope").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(app.get("/").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_error(
        app.post_form("/account/delete", "email=x").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for path in ENDPOINTS {
        assert_error(
            app.get(path).await,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
        let put = app
            .client
            .put(format!("{}{path}", app.url))
            .body("email=x")
            .send()
            .await
            .unwrap();
        assert_error(put, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn api_answers_carry_security_headers() {
    let app = TestServer::start().await;
    for response in [
        app.request_recovery(ALICE).await,
        app.get("/nope").await,
        app.request_recovery("x").await,
    ] {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["content-type"], "application/json");
    }
}
