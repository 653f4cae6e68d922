//! `reclaim-server check` as a deployer or CI runs it: the real binary against the reference
//! server serving a small site shaped like the build, its exit status the verdict, its report in
//! sentences or JSON. (The end-to-end tests run it against the real build, nginx, and broken
//! deployments.)

use std::path::Path;
use std::process::{Command, Output};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reclaim_contract::locale::{BUILT_IN, DEFAULT_LOCALE};
use reclaim_contract::policy::page_policy;
use serde_json::Value;
use sha2::{Digest, Sha256};

use reclaim_testkit::TestServer;

/// A page as the build writes it: in `lang`, its own policy first, loading the main
/// stylesheet, `brand.css`, and the app named in its `<meta name=reclaim-app>`, started by one
/// inline script.
fn page(lang: &str) -> String {
    let script = STANDARD.encode(Sha256::digest(b"start()"));
    let policy = page_policy(&[&script], &[]);
    format!(
        "<!doctype html><html lang={lang}><head><meta charset=utf-8>\
         <meta http-equiv=Content-Security-Policy content=\"{policy}\">\
         <link rel=stylesheet href=/main-0123456789abcdef.css><link rel=stylesheet href=/brand.css>\
         <meta name=reclaim-app data-glue=/reclaim-0123456789abcdef.js \
         data-wasm=/reclaim-0123456789abcdef_bg.wasm><script type=module>start()</script>\
         </head><body><h1>Forgot your password?</h1></body></html>"
    )
}

/// Every page in every built-in language, the files they load, the shipped brand and config,
/// and the description of the backend it names.
fn write_site(dist: &Path) {
    for tag in BUILT_IN {
        let folder = if tag == DEFAULT_LOCALE {
            dist.to_owned()
        } else {
            dist.join(tag)
        };
        for route in ["", "recover", "reset"] {
            std::fs::create_dir_all(folder.join(route)).unwrap();
            std::fs::write(folder.join(route).join("index.html"), page(tag)).unwrap();
        }
        std::fs::write(folder.join("404.html"), page(tag)).unwrap();
    }
    std::fs::write(dist.join("main-0123456789abcdef.css"), "body{margin:0}").unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    let brand = Path::new(env!("CARGO_MANIFEST_DIR")).join("../style/brand.css");
    std::fs::copy(brand, dist.join("brand.css")).unwrap();
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config.json");
    std::fs::copy(config, dist.join("config.json")).unwrap();
    // The backends' descriptions, as the build copies them beside config.json.
    let backends = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract/backends");
    std::fs::create_dir_all(dist.join("backends")).unwrap();
    for description in std::fs::read_dir(backends).unwrap() {
        let description = description.unwrap().path();
        std::fs::copy(
            &description,
            dist.join("backends").join(description.file_name().unwrap()),
        )
        .unwrap();
    }
}

/// Runs the real binary's `check` with `args`, off the runtime the server answers on.
async fn check(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_reclaim-server"))
            .arg("check")
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_exits_0_only_when_everything_holds() {
    let builder = TestServer::builder();
    let dist = builder.dir().join("dist");
    write_site(&dist);
    let app = builder.flag("--dist", dist.display()).start().await;

    // As built: every check holds (a missing path answers with the app, a warning).
    let output = check(&[&app.url]).await;
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("0 problems"), "{text}");
    assert!(!text.contains("FAIL"), "{text}");

    // A config.json the pages cannot read: exit 1, and the JSON says which check and why.
    std::fs::write(dist.join("config.json"), "{ \"backend\": ").unwrap();
    let output = check(&[&app.url, "--json"]).await;
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
async fn check_of_an_address_nobody_answers_fails_in_words() {
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
