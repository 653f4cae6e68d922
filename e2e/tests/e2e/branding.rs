//! A deployer's brand, set as docs/branding.md says, in a copy of the build, without rebuilding it:
//! its colours and corners already on the first paint (the prerendered page, before the app
//! runs) in both schemes, its logo in the header, the name still there when the logo is
//! missing, and `reclaim-check` agreeing. Screenshots at 320 and 1280 px, light and dark.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context, Result};
use reclaim_e2e::{eventually, run_with_dist, Browser};
use serde_json::{json, Value};
use url::Url;

use crate::first_paint::open_with_the_wasm_held_back;
use crate::pages::copy_dir;
use crate::*;

/// The example of docs/branding.md: its first css block.
fn documented_example() -> Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/branding.md");
    let section = std::fs::read_to_string(&path).context("reading docs/branding.md")?;
    let (_, block) = section
        .split_once("```css\n")
        .context("docs/branding.md has no css example")?;
    let (css, _) = block.split_once("```").context("an unclosed css block")?;
    Ok(css.to_owned())
}

/// The example's logo file, its name and its accent colours as computed styles give them.
const LOGO_FILE: &str = "larkspur.svg";
const LOGO: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">\
    <circle cx=\"16\" cy=\"16\" r=\"15\" fill=\"#0f766e\"/>\
    <path d=\"M9 17l5 5 9-11\" stroke=\"#fff\" stroke-width=\"3\" fill=\"none\"/></svg>";
const NAME: &str = "Larkspur";
const ACCENT_LIGHT: &str = "rgb(15, 118, 110)";
const ACCENT_DARK: &str = "rgb(94, 234, 212)";

/// A copy of the build branded as a deployer would: docs/branding.md's lines added to `brand.css`,
/// the logo beside it, the name in `config.json`.
fn branded_copy(dir: &Path) -> Result<PathBuf> {
    let branded = dir.join("dist");
    copy_dir(&reclaim_e2e::dist_dir()?, &branded)?;
    let shipped = std::fs::read_to_string(branded.join("brand.css"))?;
    let brand = format!("{shipped}\n{}", documented_example()?);
    ensure!(
        brand.contains(&format!("url(/{LOGO_FILE})")),
        "docs/branding.md's example names no /{LOGO_FILE}"
    );
    std::fs::write(branded.join("brand.css"), brand)?;
    rebrand(&branded)?;
    std::fs::write(branded.join(LOGO_FILE), LOGO)?;
    let path = branded.join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    config["app_name"] = json!(NAME);
    std::fs::write(path, config.to_string())?;
    Ok(branded)
}

/// `sh deploy/rebrand.sh <dist>`, as docs/branding.md tells a deployer to run after editing
/// `brand.css`.
pub(crate) fn rebrand(dist: &Path) -> Result<()> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/rebrand.sh");
    let output = std::process::Command::new("sh")
        .arg(&script)
        .arg(dist)
        .output()
        .context("running deploy/rebrand.sh")?;
    ensure!(
        output.status.success(),
        "deploy/rebrand.sh failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

/// A computed style of the first element matching `css` (or of its `::before`).
async fn style(
    browser: &Browser,
    css: &str,
    pseudo: Option<&str>,
    property: &str,
) -> Result<String> {
    let value = browser
        .js(
            "const e = document.querySelector(arguments[0]);\
             return e ? getComputedStyle(e, arguments[1])[arguments[2]] : null;",
            vec![json!(css), json!(pseudo), json!(property)],
        )
        .await?;
    value
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no {css}"))
}

/// The status the page's request for `file` got (a resource the stylesheet asked for).
async fn status_of(browser: &Browser, file: &str) -> Result<u64> {
    eventually(format!("the page to load {file}"), || async {
        let status = browser
            .js(
                "const entry = performance.getEntriesByType('resource')\
                   .find(e => e.name.endsWith('/' + arguments[0]));\
                 return entry ? entry.responseStatus : null;",
                vec![json!(file)],
            )
            .await?;
        Ok(status.as_u64())
    })
    .await
}

/// The app's name in the header, as a person sees it: its text, and the box that text takes.
async fn visible_name(browser: &Browser) -> Result<(String, f64)> {
    let seen = browser
        .js(
            "const name = document.querySelector('.app-name');\
             const range = document.createRange(); range.selectNodeContents(name);\
             return [name.innerText.trim(), range.getBoundingClientRect().width];",
            vec![],
        )
        .await?;
    Ok((
        seen[0].as_str().unwrap_or_default().to_owned(),
        seen[1].as_f64().unwrap_or_default(),
    ))
}

#[test]
fn a_brand_without_a_rebuild() {
    let dir = tempfile::Builder::new()
        .prefix("reclaim-brand-")
        .tempdir()
        .expect("a temporary folder");
    let branded = branded_copy(dir.path()).unwrap_or_else(|e| panic!("branding a copy: {e:#}"));
    let brand_css = branded.join("brand.css");
    run_with_dist(
        "a_brand_without_a_rebuild",
        &branded,
        &[],
        move |env| async move {
            let browser = env.browser().await?;

            // The first paint: the prerendered page, the wasm held back, already in the brand.
            open_with_the_wasm_held_back(&browser, &env.url("/recover"), REQUEST).await?;
            ensure!(
                browser.exists("#app[data-prerendered]").await?,
                "the app ran: this is not the first paint"
            );
            for (scheme, accent) in [("light", ACCENT_LIGHT), ("dark", ACCENT_DARK)] {
                browser.color_scheme(scheme).await?;
                let button = style(&browser, "#send-link", None, "backgroundColor").await?;
                ensure!(
                button == accent,
                "before the app runs, in the {scheme} scheme, the button is {button}, not the brand's {accent}"
            );
            }
            browser.color_scheme("light").await?;
            let corner = style(&browser, "#send-link", None, "borderTopLeftRadius").await?;
            ensure!(
                corner == "12px",
                "the button's corners are {corner}, not the brand's 0.75rem"
            );
            let logo = style(&browser, ".app-name", Some("::before"), "backgroundImage").await?;
            let logo_width = style(&browser, ".app-name", Some("::before"), "width").await?;
            ensure!(
                logo.contains(LOGO_FILE) && logo_width == "32px",
                "before the app runs, the header's logo is {logo} at {logo_width} wide"
            );

            // The app running: the logo loaded, the name beside it, nothing for axe to find.
            browser
                .devtools("Network.setBlockedURLs", json!({ "urls": [] }))
                .await?;
            browser.goto("/recover").await?;
            browser.wait_heading(REQUEST).await?;
            let status = status_of(&browser, LOGO_FILE).await?;
            ensure!(status == 200, "the logo answered {status}");
            let (name, width) = visible_name(&browser).await?;
            ensure!(
                name == NAME && width > 0.0,
                "the header shows {name:?} ({width} px wide)"
            );
            browser.axe("branded").await?;
            browser
                .screenshots_at(
                    "request",
                    &[
                        (320, "light"),
                        (1280, "light"),
                        (320, "dark"),
                        (1280, "dark"),
                    ],
                )
                .await?;
            crate::deployment_check::assert_check_holds(&env.server().url, &["not-found"]).await?;

            // The logo gone (a typo in brand.css): the name still there, and the check says why.
            let css = std::fs::read_to_string(&brand_css)?;
            std::fs::write(
                &brand_css,
                css.replace(&format!("url(/{LOGO_FILE})"), "url(/no-such-logo.svg)"),
            )?;
            rebrand(brand_css.parent().context("brand.css's folder")?)?;
            browser.goto("/recover").await?;
            browser.wait_heading(REQUEST).await?;
            let status = status_of(&browser, "no-such-logo.svg").await?;
            ensure!(status == 404, "the missing logo answered {status}");
            let (name, width) = visible_name(&browser).await?;
            ensure!(
                name == NAME && width > 0.0,
                "with the logo missing the header shows {name:?} ({width} px wide)"
            );
            browser
                .screenshots_at("missing-logo", &[(320, "light"), (1280, "dark")])
                .await?;
            let report = reclaim_check::check(
                &Url::parse(&env.server().url)?,
                reclaim_check::DEFAULT_TIMEOUT,
            )
            .await;
            let failed: Vec<&str> = report.failures().map(|f| f.check).collect();
            ensure!(
                failed == ["logo"],
                "with the logo missing, the check fails {failed:?}:\n{}",
                report.to_text()
            );
            Ok(())
        },
    );
    drop(dir);
}

/// The build and deploy/rebrand.sh write the brand into the pages the same way
/// (`contract::brand::as_carried`, and its awk copy in the script): run over the build as
/// shipped, the script changes no byte of any page, so a deployer's first rebrand changes only
/// what they edited.
#[test]
fn rebranding_the_build_as_shipped_changes_nothing() {
    let dir = tempfile::Builder::new()
        .prefix("reclaim-rebrand-")
        .tempdir()
        .expect("a temporary folder");
    let dist = reclaim_e2e::dist_dir().expect("the built pages");
    let copy = dir.path().join("dist");
    copy_dir(&dist, &copy).expect("copying the build");
    rebrand(&copy).expect("rebranding the copy");
    let pages = html_files(&dist);
    for page in &pages {
        let relative = page.strip_prefix(&dist).unwrap();
        let built = std::fs::read(page).unwrap();
        let rebranded = std::fs::read(copy.join(relative)).unwrap();
        assert!(
            built == rebranded,
            "deploy/rebrand.sh changed {} of the build as shipped: its brand or its hash is not \
             the one the build wrote (contract/src/brand.rs and the script's awk must agree)",
            relative.display()
        );
    }
    assert!(pages.len() > 100, "only {} pages in the build", pages.len());
}

/// Every `.html` file under `dir`.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reading the build") {
        let path = entry.expect("reading the build").path();
        if path.is_dir() {
            files.extend(html_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "html") {
            files.push(path);
        }
    }
    files
}
