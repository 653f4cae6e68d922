//! `reclaim-check <URL> [--json]`: loads a deployed site of the Reclaim pages as a browser would
//! and says, in plain words with the fix, whether the pages will work there: each page and
//! `?lang=` copy, the types and caching of their files, `config.json`, the Content-Security-Policy,
//! the API's CORS, `Referrer-Policy`, HSTS, and the brand's contrast. It only reads: `GET`s, and
//! CORS preflights (`OPTIONS`) for the API, never a `POST` that could send a mail. It works
//! against any backend the pages speak, and needs nothing of the reference server.
//!
//! Every fetch is bounded ([`visitor`]): 4 MiB of a body on the wire and again decompressed, a
//! time limit, and only the site's own origin and its API's.
//!
//! The parsers (Cache-Control, CSP, colours, brand.css, HTML) are plain functions with their
//! tests beside them; `config.json` and the backend's description are read in one place,
//! [`deployment::read`].

mod appearance;
mod brand;
mod cache_control;
mod colour;
mod content_policy;
mod cors;
mod deployment;
mod html;
mod policy;
mod report;
mod site;
mod visitor;

use std::time::Duration;

use clap::Parser;
use url::Url;

pub use report::{Finding, Report, Status};
use visitor::Visitor;
pub use visitor::DEFAULT_TIMEOUT;

/// The command line of `reclaim-check` (and of its alias, `reclaim-server check`).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "reclaim-check",
    version,
    about = "Load a deployed site of the Reclaim pages as a browser would and say, with the fix, \
             whatever would keep the pages from working there. Only reads (and sends CORS \
             preflights): nothing is changed. Exits 0 only when everything holds."
)]
pub struct CheckArgs {
    /// The site's address, e.g. https://reset.example.com (its root is checked).
    #[arg(value_parser = parse_site)]
    pub url: Url,

    /// Print the findings as JSON (`{"ok": …, "findings": […]}`) instead of sentences.
    #[arg(long)]
    pub json: bool,

    /// Longest a fetch may take, from connecting to the last byte of its body, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// Runs the check and prints its report; the process's exit status: 0 only when everything
/// holds.
pub async fn run(args: &CheckArgs) -> i32 {
    let report = check(&args.url, Duration::from_secs(args.timeout)).await;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    if report.holds() {
        0
    } else {
        1
    }
}

/// Everything the check finds about the site at `site` (its root: the build is served there),
/// each fetch given `timeout`.
pub async fn check(site: &Url, timeout: Duration) -> Report {
    let site = &site.join("/").unwrap_or_else(|_| site.clone());
    let mut report = Report::new(site);
    let mut visitor = match Visitor::new(site, timeout) {
        Ok(visitor) => visitor,
        Err(error) => {
            report.fail("page", site.as_str(), error.to_string(), "report this");
            return report;
        }
    };
    let pages = site::pages(&visitor, &mut report).await;
    let Some(request_page) = pages.first() else {
        return report;
    };
    let deployment = site::deployment(&visitor, &mut report).await;
    if let Some(deployment) = &deployment {
        visitor.allow_api(&deployment.api_base);
    }
    site::not_found(&visitor, &mut report).await;
    site::languages(&visitor, deployment.as_ref(), &mut report).await;
    site::html_caching(&pages, &mut report);
    site::assets(&visitor, request_page, &mut report).await;
    content_policy::check(&pages, deployment.as_ref(), &mut report);
    if let Some(deployment) = &deployment {
        cors::preflights(&visitor, deployment, &mut report).await;
    }
    site::referrer_policy(&pages, &mut report);
    site::hsts(site, &pages, &mut report);
    appearance::brand(&visitor, request_page, &mut report).await;
    report
}

/// An http(s) address with a host, by the contract's rule for base addresses.
fn parse_site(input: &str) -> Result<Url, String> {
    let base = reclaim_contract::link::base_url(input).ok_or(
        "must be an http:// or https:// address with a host, like https://reset.example.com",
    )?;
    Url::parse(base).map_err(|e| e.to_string())
}
