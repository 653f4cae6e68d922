//! `reclaim-server check` is `reclaim-check` (the crate `check/`, whose tests hold what it
//! checks), for those who have the server installed: the same arguments, the same verdicts.

use std::process::Command;

#[test]
fn check_is_reclaim_check() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = Command::new(env!("CARGO_BIN_EXE_reclaim-server"))
        .args([
            "check",
            &format!("http://127.0.0.1:{port}"),
            "--timeout",
            "5",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  pages: /recover could not be loaded"),
        "{text}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_reclaim-server"))
        .args(["check", "reset.example.com"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be an http:// or https://"));
}
