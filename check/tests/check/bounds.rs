//! No site can make the check hang or fill its memory: a compression bomb is read to the limit
//! and no further, a body that never ends is cut off, and files on another origin are
//! reported, never fetched.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reclaim_contract::locale::BUILT_IN;
use serde_json::Value;
use url::Url;

use crate::host::{Answer, Host};
use crate::site::{shipped_brand, shipped_config, write_site};

/// What the check's process may hold at its peak, in KiB.
const MEMORY_LIMIT_KIB: u64 = 64 * 1024;

/// 256 MiB of zeros as gzip (about 250 KB) and as brotli (about 50 KB).
fn bombs() -> &'static (Vec<u8>, Vec<u8>) {
    static BOMBS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    BOMBS.get_or_init(|| {
        let zeros = vec![0; 1 << 20];
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 1 << 16, 1, 22);
            for _ in 0..256 {
                gzip.write_all(&zeros).unwrap();
                writer.write_all(&zeros).unwrap();
            }
        }
        (gzip.finish().unwrap(), brotli)
    })
}

fn bomb(content_type: &'static str, encoding: &'static str) -> Answer {
    let (gzip, brotli) = bombs();
    Answer::Body {
        headers: vec![
            ("content-type", content_type),
            ("content-encoding", encoding),
            ("cache-control", "public, max-age=31536000, immutable"),
        ],
        body: if encoding == "br" { brotli } else { gzip }.clone(),
    }
}

/// The real binary's exit status, its `--json` report, and the peak of its resident memory in
/// KiB: wait4's rusage, which the kernel keeps for the whole life of the process (measuring
/// from outside, by polling /proc, could miss a peak just before the exit).
#[expect(
    clippy::zombie_processes,
    reason = "wait4 reaps the child, for its rusage"
)]
fn check_measured(site: &str) -> (Option<i32>, Value, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reclaim-check"))
        .args([site, "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain integers, for which all zeros is a value; `pid` is this test's
    // own child, not yet waited for (std's `Child` waits only when asked), so wait4 reaps it
    // and fills `usage` and `status`, which outlive the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let report = serde_json::from_slice(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&stdout)));
    // Linux counts ru_maxrss in KiB.
    (code, report, u64::try_from(usage.ru_maxrss).unwrap())
}

/// The failures of a JSON report, as `check subject: message`.
fn failures(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            format!(
                "{} {}: {}",
                f["check"].as_str().unwrap(),
                f["subject"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

fn assert_says(failures: &[String], start: &str, says: &str) {
    assert!(
        failures
            .iter()
            .any(|f| f.starts_with(start) && f.contains(says)),
        "no failure {start:?} saying {says:?} in {failures:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bombs_and_files_elsewhere_are_reported_in_little_memory() {
    // Another origin, counting what asks it for anything.
    let other = tempfile::tempdir().unwrap();
    let elsewhere = Host::serve(other.path()).await;
    // A brand whose logo is elsewhere, and a request page that links a stylesheet elsewhere.
    let dist = tempfile::tempdir().unwrap();
    let brand = format!(
        "{}\n:root {{ --brand-logo: url({}/logo.svg); }}\n",
        shipped_brand(),
        elsewhere.url
    );
    write_site(dist.path(), &shipped_config(), &brand);
    let request_page = dist.path().join("recover/index.html");
    let html = std::fs::read_to_string(&request_page).unwrap().replace(
        "<body>",
        &format!(
            "<link rel=stylesheet href={}/theme.css><body>",
            elsewhere.url
        ),
    );
    std::fs::write(&request_page, html).unwrap();

    let host = Host::serve(dist.path()).await;
    host.answer(
        "/reclaim-0123456789abcdef_bg.wasm",
        bomb("application/wasm", "gzip"),
    );
    host.answer(
        "/reclaim-0123456789abcdef.js",
        bomb("text/javascript", "br"),
    );
    // Every `?lang=` copy a bomb too: a few are read at once.
    for tag in BUILT_IN {
        for page in ["/", "/recover", "/reset"] {
            host.answer(&format!("{page}?lang={tag}"), bomb("text/html", "gzip"));
        }
    }

    let site = host.url.clone();
    let (code, report, peak_kib) = tokio::task::spawn_blocking(move || check_measured(&site))
        .await
        .unwrap();
    eprintln!("the check's peak resident memory: {peak_kib} KiB");
    assert!(
        peak_kib < MEMORY_LIMIT_KIB,
        "the check held {peak_kib} KiB at its peak"
    );
    assert_eq!(code, Some(1), "{report:#}");
    let failures = failures(&report);
    let too_big = "grows past 4 MiB once decompressed, and the check read no further";
    assert_says(
        &failures,
        "asset-type /reclaim-0123456789abcdef_bg.wasm: could not be loaded (its gzip body",
        too_big,
    );
    assert_says(
        &failures,
        "asset-type /reclaim-0123456789abcdef.js: could not be loaded (its br body",
        too_big,
    );
    assert_says(&failures, "language ?lang= copies: ", too_big);
    assert_says(
        &failures,
        &format!("asset-origin {}/theme.css: ", elsewhere.url),
        "names it on another origin",
    );
    assert_says(
        &failures,
        &format!("logo {}/logo.svg: ", elsewhere.url),
        "img-src of the Content-Security-Policy does not allow it",
    );
    assert_eq!(
        elsewhere.requests(),
        0,
        "the check fetched from another origin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_ends_is_cut_off() {
    let dist = tempfile::tempdir().unwrap();
    write_site(dist.path(), &shipped_config(), &shipped_brand());
    let host = Host::serve(dist.path()).await;
    host.answer("/reclaim-0123456789abcdef_bg.wasm", Answer::Stalled);
    let started = Instant::now();
    let report =
        reclaim_check::check(&Url::parse(&host.url).unwrap(), Duration::from_secs(1)).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let failed: Vec<String> = report
        .failures()
        .map(|f| format!("{} {}: {}", f.check, f.subject, f.message))
        .collect();
    assert_eq!(failed.len(), 1, "{}", report.to_text());
    assert!(
        failed[0].starts_with(
            "asset-type /reclaim-0123456789abcdef_bg.wasm: could not be loaded (no whole answer within 1 s)"
        ),
        "{}",
        failed[0]
    );
}
