//! Careless deployment is refused or made safe: no public listener without https, owner-only
//! files, HSTS on https, the token kept out of logs on request, a request time limit.

use reqwest::StatusCode;

use crate::helpers::*;

#[test]
fn refuses_to_start_on_a_public_address_without_https() {
    for flags in [
        &["--addr", "0.0.0.0:0"][..],
        &[
            "--addr",
            "0.0.0.0:0",
            "--public-url",
            "http://reclaim.example.com",
        ],
        &["--addr", "[::]:0", "--public-url", "http://0.0.0.0:8080"],
    ] {
        let (status, stderr) = run_serve(flags).expect("serve should exit at once");
        assert!(!status.success(), "{flags:?}");
        assert!(stderr.contains("--public-url"), "{flags:?}: {stderr}");
    }
    // With the https address people open, it starts (and is stopped here).
    let started = run_serve(&[
        "--addr",
        "0.0.0.0:0",
        "--public-url",
        "https://reclaim.example.com",
    ]);
    assert!(started.is_none(), "{started:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn database_wal_and_outbox_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestServer::start().await;
    app.request_reset_link(ALICE).await;
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let mut checked = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut path = app.database.as_os_str().to_owned();
        path.push(suffix);
        let path = std::path::PathBuf::from(path);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            checked.push(suffix);
        }
    }
    assert!(
        checked.contains(&"") && checked.contains(&"-wal"),
        "{checked:?}"
    );
    assert_eq!(mode(app.outbox.path()), 0o700);
    for entry in std::fs::read_dir(app.outbox.path()).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
}

#[tokio::test]
async fn hsts_only_on_https_deployments() {
    let https = TestServer::builder()
        .flag("--public-url", "https://reclaim.example.com")
        .start()
        .await;
    let response = https.get("/sign-in").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let api = https.request_recovery(ALICE).await;
    assert!(api.headers().contains_key("strict-transport-security"));
    let http = TestServer::start().await;
    assert!(!http
        .get("/sign-in")
        .await
        .headers()
        .contains_key("strict-transport-security"));
}

#[tokio::test]
async fn fragment_links_keep_the_token_out_of_requests() {
    let app = TestServer::builder()
        .flag("--link-style", "fragment")
        .start()
        .await;
    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    let mail = app.outbox.wait_for_one(MailKind::Reset, ALICE).await;
    // The language stays in the query (a static host serves the page in it); the token only
    // in the fragment.
    let prefix = format!("{}/reset?lang=en#token=", app.url);
    let link = mail
        .links()
        .into_iter()
        .find(|link| link.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no fragment link in {mail:?}"));
    assert!(
        !mail.body().contains("?token=") && !mail.body().contains("&token="),
        "{mail:?}"
    );
    let token = link.strip_prefix(&prefix).unwrap();
    assert_eq!(mail.token(), token);
    assert_eq!(
        app.reset_password(token, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_request_that_never_finishes_its_body_is_cut_off() {
    let app = TestServer::builder()
        .flag("--request-timeout-secs", "1")
        .start()
        .await;
    // Promises 100 bytes and sends 10: the handler waits for the rest until the limit.
    let response = raw_request(
        &app,
        b"POST /account/recovery HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=a%40",
    )
    .await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"request_timeout\""), "{response}");
}

#[tokio::test]
async fn shutdown_does_not_wait_for_a_request_that_never_ends() {
    use tokio::io::AsyncWriteExt;
    let app = TestServer::builder()
        .flags(&[
            "--shutdown-timeout-secs",
            "1",
            "--request-timeout-secs",
            "600",
        ])
        .start()
        .await;
    // A request whose body never comes: graceful shutdown alone would wait for it forever.
    let mut stalled = tokio::net::TcpStream::connect(app.url.strip_prefix("http://").unwrap())
        .await
        .unwrap();
    stalled
        .write_all(
            b"POST /account/recovery HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=",
        )
        .await
        .unwrap();
    // Let the server start on it.
    assert_eq!(app.request_recovery(ALICE).await.status(), StatusCode::OK);
    tokio::time::timeout(PATIENCE, app.shutdown())
        .await
        .expect("shutdown is bounded by --shutdown-timeout-secs");
}

#[cfg(unix)]
#[tokio::test]
async fn an_existing_outbox_folder_is_made_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let builder = TestServer::builder();
    let outbox = builder.dir().join("outbox");
    std::fs::create_dir(&outbox).unwrap();
    std::fs::set_permissions(&outbox, std::fs::Permissions::from_mode(0o755)).unwrap();
    let app = builder.start().await;
    let mode = std::fs::metadata(app.outbox.path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn a_trusted_proxy_range_wider_than_a_proxy_network_is_refused() {
    for too_wide in ["0.0.0.0/0", "10.0.0.0/7", "::/0", "2001:db8::/31"] {
        let (status, stderr) = run_serve(&["--trusted-proxy", too_wide])
            .unwrap_or_else(|| panic!("serve --trusted-proxy {too_wide} should exit at once"));
        assert!(!status.success(), "{too_wide}");
        assert!(
            stderr.contains(too_wide) && stderr.contains("X-Forwarded-For"),
            "{too_wide}: {stderr}"
        );
    }
}
