//! Every built-in language's pages, checked in a few seconds.

use std::time::{Duration, Instant};

use reclaim_check::Status;
use reclaim_contract::locale::BUILT_IN;
use url::Url;

use crate::host::Host;
use crate::site::{shipped_brand, write_site};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_built_in_language_is_asked_for_a_few_at_once() {
    let dist = tempfile::tempdir().unwrap();
    // No `locales`: the pages offer every built-in language.
    write_site(dist.path(), r#"{ "backend": "reclaim" }"#, &shipped_brand());
    let host = Host::serve(dist.path()).await;
    let site = Url::parse(&host.url).unwrap();
    let started = Instant::now();
    // On a task of its own, as a server or a test harness runs it: the check is Send.
    let report =
        tokio::spawn(async move { reclaim_check::check(&site, Duration::from_secs(10)).await })
            .await
            .unwrap();
    let took = started.elapsed();
    let language = report
        .findings
        .iter()
        .find(|f| f.check == "language")
        .unwrap();
    assert_eq!(language.status, Status::Ok, "{}", report.to_text());
    let copies = (BUILT_IN.len() - 1) * 3;
    assert!(
        language.message.starts_with(&format!("{copies} pages in ")),
        "{}",
        language.message
    );
    assert!(took < Duration::from_secs(5), "the check took {took:?}");

    // One copy in the wrong language is named among them all.
    std::fs::copy(
        dist.path().join("index.html"),
        dist.path().join("ja/reset/index.html"),
    )
    .unwrap();
    let report =
        reclaim_check::check(&Url::parse(&host.url).unwrap(), Duration::from_secs(10)).await;
    let failed: Vec<&str> = report.failures().map(|f| f.message.as_str()).collect();
    assert_eq!(failed.len(), 1, "{}", report.to_text());
    assert!(
        failed[0].starts_with(&format!("1 of {copies} pages asked for in a language come otherwise: /reset?lang=ja is <html lang=en>")),
        "{}",
        failed[0]
    );
}
