//! The exit status is the verdict: 0 only when everything holds, 1 with the failures said, 2
//! for an address that is not one.

use std::process::{Command, Output};

use serde_json::Value;

use crate::host::Host;
use crate::site::{shipped_brand, shipped_config, write_site};

/// Runs the real binary with `args`, off the runtime the host answers on.
async fn check(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_reclaim-check"))
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exits_0_only_when_everything_holds() {
    let dist = tempfile::tempdir().unwrap();
    write_site(dist.path(), &shipped_config(), &shipped_brand());
    let host = Host::serve(dist.path()).await;

    // As built, on a host that does what deploy/ does: every check holds.
    let output = check(&[&host.url]).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("0 problems, 0 warnings"), "{text}");

    // A config.json the pages cannot read: exit 1, and the JSON says which check and why.
    std::fs::write(dist.path().join("config.json"), "{ \"backend\": ").unwrap();
    let output = check(&[&host.url, "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let failures: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert_eq!(failures.len(), 1, "{report:#}");
    assert_eq!(failures[0]["check"], "config");
    let message = failures[0]["message"].as_str().unwrap();
    assert!(
        message.contains("config.json is not valid JSON"),
        "{message}"
    );
    assert!(failures[0]["fix"].as_str().unwrap().contains("config.json"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_nobody_answers_fails_in_words() {
    // A port just freed: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = check(&[&format!("http://127.0.0.1:{port}")]).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL  pages: /recover could not be loaded"),
        "{text}"
    );

    let output = check(&["reset.example.com"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be an http:// or https://"));
}
