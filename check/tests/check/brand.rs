//! The brand the pages carry is the one measured; an edit to brand.css not yet put into the
//! pages is said.

use std::time::Duration;

use reclaim_check::{Report, Status};
use url::Url;

use crate::host::Host;
use crate::site::{shipped_brand, shipped_config, write_site};

/// The findings of `check` other than `ok`, as `status check subject: message`.
fn said(report: &Report, check: &str) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.check == check && f.status != Status::Ok)
        .map(|f| format!("{:?} {}: {}", f.status, f.subject, f.message))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_brand_in_the_pages_is_measured_and_an_edit_left_out_of_them_is_said() {
    let dist = tempfile::tempdir().unwrap();
    write_site(dist.path(), &shipped_config(), &shipped_brand());
    let host = Host::serve(dist.path()).await;
    let site = Url::parse(&host.url).unwrap();
    let check = || reclaim_check::check(&site, Duration::from_secs(10));
    let report = check().await;
    assert!(said(&report, "brand").is_empty(), "{}", report.to_text());
    assert!(said(&report, "contrast").is_empty(), "{}", report.to_text());

    // A pale accent in brand.css, not yet put into the pages: they still show the brand before.
    let pale = shipped_brand().replacen("--brand-accent: #1d4ed8;", "--brand-accent: #7ea6f0;", 1);
    assert_ne!(pale, shipped_brand());
    std::fs::write(dist.path().join("brand.css"), &pale).unwrap();
    let report = check().await;
    assert_eq!(
        said(&report, "brand"),
        ["Warn /brand.css: is not the brand the pages carry: an edit not yet put into the pages, \
          which still show the brand before it"]
    );
    assert!(said(&report, "contrast").is_empty(), "{}", report.to_text());

    // Put into the pages, as deploy/rebrand.sh does: now it is what people see, and measured.
    write_site(dist.path(), &shipped_config(), &pale);
    let report = check().await;
    assert!(said(&report, "brand").is_empty(), "{}", report.to_text());
    let contrast = said(&report, "contrast");
    assert!(
        contrast.iter().any(|c| c.starts_with(
            "Fail light scheme: button labels: --brand-accent-text (#ffffff) on --brand-accent \
             (#7ea6f0)"
        )),
        "{contrast:#?}"
    );
    assert!(!report.holds());
}
