//! Behind a reverse proxy: only a `--trusted-proxy` peer's X-Forwarded-For (or Forwarded) names
//! the client; from anyone else the headers are ignored, as they were before the flag existed.

use reqwest::StatusCode;

use crate::helpers::*;

async fn recovery_via(app: &TestServer, header: (&str, &str)) -> StatusCode {
    let request = app
        .client
        .post(app.url_for("/account/recovery"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header(header.0, header.1)
        .body("email=nobody%40example.com");
    app.send(request).await.status()
}

fn two_per_ip() -> reclaim_testkit::Builder {
    TestServer::builder().flags(&[
        "--recovery-per-ip-limit",
        "2",
        "--recovery-per-email-limit",
        "0",
        "--recovery-per-email-daily-limit",
        "0",
    ])
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client() {
    let app = two_per_ip()
        .flag("--trusted-proxy", "127.0.0.1/32")
        .start()
        .await;
    let first = ("x-forwarded-for", "203.0.113.1");
    assert_eq!(recovery_via(&app, first).await, StatusCode::OK);
    assert_eq!(recovery_via(&app, first).await, StatusCode::OK);
    assert_eq!(
        recovery_via(&app, first).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy has its own limit.
    let second = ("x-forwarded-for", "203.0.113.2");
    assert_eq!(recovery_via(&app, second).await, StatusCode::OK);
    // What the client writes left of the proxy's entry changes nothing: the right-most
    // untrusted address is the one counted.
    let spoofed = ("x-forwarded-for", "198.51.100.9, 203.0.113.1");
    assert_eq!(
        recovery_via(&app, spoofed).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // RFC 7239's header, when there is no X-Forwarded-For.
    let forwarded = ("forwarded", "for=203.0.113.3;proto=https");
    assert_eq!(recovery_via(&app, forwarded).await, StatusCode::OK);
    assert_eq!(recovery_via(&app, forwarded).await, StatusCode::OK);
    assert_eq!(
        recovery_via(&app, forwarded).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn forwarding_headers_from_others_are_ignored() {
    // No --trusted-proxy, or one that is not the peer: every request is the peer's own.
    for app in [
        two_per_ip().start().await,
        two_per_ip()
            .flag("--trusted-proxy", "10.0.0.0/8")
            .start()
            .await,
    ] {
        assert_eq!(
            recovery_via(&app, ("x-forwarded-for", "203.0.113.1")).await,
            StatusCode::OK
        );
        assert_eq!(
            recovery_via(&app, ("x-forwarded-for", "203.0.113.2")).await,
            StatusCode::OK
        );
        assert_eq!(
            recovery_via(&app, ("x-forwarded-for", "203.0.113.3")).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
