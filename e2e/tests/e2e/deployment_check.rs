//! `reclaim-check` against real deployments of the build: the reference server and the
//! shipped nginx recipe pass it (their tests call [`assert_check_holds`]), and each of six
//! deliberate mistakes, made in nginx as a deployer would make it, is caught by its own check
//! and only by it.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{ensure, Result};
use url::Url;

use crate::block_on;
use crate::pages::copy_dir;
use crate::static_hosting::{site_config, Nginx};

/// Runs the check on `origin` and fails, with its whole report, unless every check holds, with
/// no warning but from the checks `tolerated`.
pub async fn assert_check_holds(origin: &str, tolerated: &[&str]) -> Result<()> {
    let report = reclaim_check::check(&Url::parse(origin)?, reclaim_check::DEFAULT_TIMEOUT).await;
    let quiet = report.warnings().all(|w| tolerated.contains(&w.check));
    ensure!(
        report.holds() && quiet,
        "reclaim-check {origin}:\n{}",
        report.to_text()
    );
    Ok(())
}

/// How a deployment was broken: what is changed in the build's copy, and in nginx's file.
struct Mistake {
    /// The one check that must fail, and a few words its message must hold.
    check: &'static str,
    says: &'static str,
    /// Applied to the build's copy (`dist`), with the fake API's origin.
    build: fn(&Path, &str) -> Result<()>,
    /// Applied to the shipped site configuration, with the fake API's origin.
    site: fn(String, &str) -> String,
    /// `Access-Control-Allow-Origin` of the fake API on another origin.
    api_allows: Option<&'static str>,
}

fn unchanged_build(_: &Path, _: &str) -> Result<()> {
    Ok(())
}

fn unchanged_site(site: String, _: &str) -> String {
    site
}

/// The pages configured for an API on another origin (`api_base`).
fn api_elsewhere(dist: &Path, api: &str) -> Result<()> {
    let path = dist.join("config.json");
    let mut config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    config["api_base"] = serde_json::Value::String(api.to_owned());
    std::fs::write(path, config.to_string())?;
    Ok(())
}

/// The shipped host policy with the API's origin added to its connect-src, as deploy/README.md
/// says.
fn csp_with_api(site: String, api: &str) -> String {
    site.replacen(
        "connect-src 'self';",
        &format!("connect-src 'self' {api};"),
        1,
    )
}

const MISTAKES: [Mistake; 6] = [
    Mistake {
        check: "csp-connect",
        says: "connect-src does not allow http://127.0.0.1:",
        build: api_elsewhere,
        site: unchanged_site,
        api_allows: Some("$http_origin"),
    },
    Mistake {
        check: "cors",
        says: "allows https://elsewhere.example: browsers block",
        build: api_elsewhere,
        site: csp_with_api,
        api_allows: Some("https://elsewhere.example"),
    },
    Mistake {
        check: "html-cache",
        says: "kept for 1 year without asking",
        build: unchanged_build,
        site: |site, _| {
            site.replacen(
                "\"~^text/html\"  \"no-store\";",
                "\"~^text/html\"  \"public, max-age=31536000\";",
                1,
            )
        },
        api_allows: None,
    },
    Mistake {
        check: "asset-type",
        says: "is served as \"application/octet-stream\"",
        build: unchanged_build,
        // An old mime.types without wasm, and no location that adds it.
        site: |site, _| {
            let site = site.replacen(
                "    location ~ \\.wasm$ {\n        types { application/wasm wasm; }\n",
                "    location ~ \\.wasm$ {\n",
                1,
            );
            site.replacen(
                "    charset utf-8;\n",
                "    charset utf-8;\n    types { text/html html; text/css css; \
                 text/javascript js; application/json json; image/svg+xml svg; }\n",
                1,
            )
        },
        api_allows: None,
    },
    Mistake {
        check: "contrast",
        says: "button labels: --brand-accent-text (#ffffff) on --brand-accent (#7ea6f0)",
        build: |dist, _| {
            let path = dist.join("brand.css");
            let css = std::fs::read_to_string(&path)?;
            let changed = css.replacen("--brand-accent: #1d4ed8;", "--brand-accent: #7ea6f0;", 1);
            ensure!(
                changed != css,
                "brand.css has no --brand-accent: #1d4ed8 to change"
            );
            std::fs::write(path, changed)?;
            // Into the pages, as a deployer puts an edited brand.
            crate::branding::rebrand(dist)
        },
        site: unchanged_site,
        api_allows: None,
    },
    Mistake {
        check: "config",
        says: "config.json is not valid JSON",
        build: |dist, _| Ok(std::fs::write(dist.join("config.json"), "{ \"backend\": ")?),
        site: unchanged_site,
        api_allows: None,
    },
];

/// Each mistake in its own nginx (started in milliseconds, no reference server needed: the
/// check never posts), with a second server block standing for an API on another origin.
#[test]
fn check_catches_each_broken_deployment() {
    block_on(each_mistake());
}

async fn each_mistake() -> Result<()> {
    let dist = reclaim_e2e::dist_dir()?;
    let work = tempfile::Builder::new()
        .prefix("reclaim-check-")
        .tempdir()?;
    let mut problems = Vec::new();
    for (index, mistake) in MISTAKES.iter().enumerate() {
        let root = work.path().join(format!("{}-{index}", mistake.check));
        let [port, api_port] = reclaim_e2e::free_ports()?;
        let api = format!("http://127.0.0.1:{api_port}");
        let build = root.join("dist");
        copy_dir(&dist, &build)?;
        (mistake.build)(&build, &api)?;
        // The reference server's address: never called, the check only reads.
        let nginx_dir = root.join("nginx");
        let mut site = (mistake.site)(site_config(port, &build, "127.0.0.1:9", &nginx_dir)?, &api);
        if let Some(allowed) = mistake.api_allows {
            site.push_str(&fake_api(api_port, allowed));
        }
        let mut nginx = Nginx::start(&nginx_dir, port, &site)?;
        nginx.wait_ready().await?;
        let report =
            reclaim_check::check(&Url::parse(&nginx.origin)?, reclaim_check::DEFAULT_TIMEOUT).await;
        drop(nginx);
        // One check may fail on several things (two colour pairs): each check once.
        let failed: BTreeSet<&str> = report.failures().map(|f| f.check).collect();
        let said = report
            .failures()
            .any(|f| f.check == mistake.check && f.message.contains(mistake.says));
        if failed != BTreeSet::from([mistake.check]) || !said {
            problems.push(format!(
                "{}: expected only {} to fail, saying {:?}; got {failed:?}:\n{}",
                mistake.check,
                mistake.check,
                mistake.says,
                report.to_text()
            ));
        }
    }
    ensure!(problems.is_empty(), "{}", problems.join("\n\n"));
    Ok(())
}

/// A server block answering every CORS preflight as an API on another origin would, allowing
/// `allowed` (`$http_origin` echoes the asking origin).
fn fake_api(port: u16, allowed: &str) -> String {
    format!(
        "\nserver {{\n\
         \x20   listen 127.0.0.1:{port};\n\
         \x20   location / {{\n\
         \x20       add_header Access-Control-Allow-Origin \"{allowed}\" always;\n\
         \x20       add_header Access-Control-Allow-Methods \"POST\" always;\n\
         \x20       add_header Access-Control-Allow-Headers \"content-type, accept-language\" always;\n\
         \x20       return 204;\n\
         \x20   }}\n\
         }}\n"
    )
}
