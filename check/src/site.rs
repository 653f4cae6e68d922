//! The pages and their files as served: each page and its `?lang=` copies, the not-found page,
//! the types and caching of what they load, `config.json`, and the headers that keep a reset
//! link's token to the page (`Referrer-Policy`, HSTS).

use futures_util::{stream, StreamExt};
use reclaim_contract::assets::has_content_hash;
use reclaim_contract::locale::{BUILT_IN, DEFAULT_LOCALE, LANG_PARAM};
use url::Url;

use crate::cache_control::{duration_words, CacheControl};
use crate::deployment::{self, Deployment};
use crate::html;
use crate::report::Report;
use crate::visitor::{path_of, Answer, Kind, Visitor};

/// The pages, relative to the site: the top, the request page, the reset page.
pub const PAGES: [&str; 3] = ["", "recover", "reset"];

/// A path no build has, for the not-found page.
const MISSING: &str = "reclaim-check-no-such-page";

/// How many `?lang=` copies are asked for at once.
const LANGUAGE_FETCHES_AT_ONCE: usize = 4;

/// Six months: HSTS shorter than this is forgotten between a person's visits.
const HSTS_MINIMUM: u64 = 15_552_000;

/// Loads each page; the answers of those that are the pages, the request page first. Empty
/// when the site cannot be read at all.
pub async fn pages(visitor: &Visitor, report: &mut Report) -> Vec<Answer> {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for page in ["recover", "", "reset"] {
        let url = visitor.url(page);
        let path = path_of(&url);
        match visitor.get(&url, Kind::Document).await {
            Err(error) => problems.push(format!("{path} could not be loaded ({error})")),
            Ok(answer) => match page_problem(&answer) {
                Some(problem) => problems.push(format!("{path} {problem}")),
                None => answers.push(answer),
            },
        }
    }
    if problems.is_empty() {
        report.ok("page", "/, /recover, /reset", "the pages, as text/html");
    } else {
        report.fail(
            "page",
            "pages",
            problems.join("; "),
            "serve dist/ as it was built: /recover and /reset are their folders' index.html, \
             served in place with the query kept (deploy/README.md has recipes)",
        );
    }
    answers
}

/// What is wrong with a page's answer, if anything.
fn page_problem(answer: &Answer) -> Option<String> {
    if (300..400).contains(&answer.status) {
        return Some(format!(
            "redirects ({}) to {:?}: some hops lose the link's ?token=",
            answer.status,
            answer.header("location")
        ));
    }
    if answer.status != 200 {
        return Some(format!("answers {}", answer.status));
    }
    if answer.media_type() != "text/html" {
        return Some(format!(
            "is served as {:?}, not text/html",
            answer.media_type()
        ));
    }
    if html::loads(&answer.text()).app.is_none() {
        return Some("is not a page of the Reclaim build (no <meta name=reclaim-app>)".into());
    }
    None
}

/// A path the build does not have: the not-found page, with status 404.
pub async fn not_found(visitor: &Visitor, report: &mut Report) {
    let url = visitor.url(MISSING);
    let answer = match visitor.get(&url, Kind::Document).await {
        Ok(answer) => answer,
        Err(error) => {
            report.fail(
                "not-found",
                path_of(&url),
                format!("could not be loaded ({error})"),
                "check that the host is up",
            );
            return;
        }
    };
    let html = answer.media_type() == "text/html";
    match (answer.status, html) {
        (404, true) => report.ok(
            "not-found",
            "a missing path",
            "the not-found page, with status 404",
        ),
        (200, true) => report.warn(
            "not-found",
            "a missing path",
            "answers 200 with a page: people see the not-found view once the app runs, but \
             link checkers and crawlers see a page",
            "answer unknown paths with 404.html and status 404 (deploy/ has recipes)",
        ),
        (status, _) => report.warn(
            "not-found",
            "a missing path",
            format!(
                "answers {status} as {:?}, not the pages' 404.html",
                answer.media_type()
            ),
            "answer unknown paths with 404.html and status 404 (deploy/ has recipes)",
        ),
    }
}

/// `config.json` and the backend's description, read through the one seam
/// ([`deployment::read`]); `None` when they do not describe a deployment the pages can run.
pub async fn deployment(visitor: &Visitor, report: &mut Report) -> Option<Deployment> {
    // Where the pages fetch them: from the root, whatever page they are on.
    let config = match served_json(visitor, "/config.json", report).await {
        Ok(config) => config,
        Err(()) => return None,
    };
    let backend = deployment::backend_name(config.as_deref());
    let description = served_json(visitor, &format!("/backends/{backend}.json"), report)
        .await
        .ok()
        .flatten();
    match deployment::read(config.as_deref(), description.as_deref(), &visitor.site) {
        Ok(deployment) => {
            let source = if config.is_some() {
                "config.json"
            } else {
                "no config.json (every default)"
            };
            report.ok(
                "config",
                source,
                format!(
                    "the {} backend, its API at {}",
                    deployment.backend,
                    deployment.api_base.as_str().trim_end_matches('/')
                ),
            );
            Some(deployment)
        }
        Err(problem) => {
            report.fail(
                "config",
                "config.json",
                format!("{problem}: the pages show a configuration error and send nothing"),
                "correct dist/config.json (the README's \"Deploying the pages\" lists every key)",
            );
            None
        }
    }
}

/// The text of a JSON file the app fetches: `Ok(None)` when the site has none (a 404, or a
/// host answering every path with its index page, which the pages read as missing too).
async fn served_json(
    visitor: &Visitor,
    path: &str,
    report: &mut Report,
) -> Result<Option<String>, ()> {
    let url = visitor.url(path);
    let subject = path.to_owned();
    let answer = match visitor.get(&url, Kind::Fetch).await {
        Ok(answer) => answer,
        Err(error) => {
            report.fail(
                "config",
                subject,
                format!("could not be loaded ({error})"),
                "check that the host serves it",
            );
            return Err(());
        }
    };
    match answer.status {
        404 | 410 => Ok(None),
        200 if answer.media_type() == "text/html" => {
            if path == "/config.json" {
                report.warn(
                    "config",
                    subject,
                    "answers with an HTML page: the pages read that as no config.json and use \
                     every default",
                    "if you meant to configure the pages, put config.json beside index.html",
                );
            }
            Ok(None)
        }
        200 => {
            revalidated(&answer, report);
            Ok(Some(answer.text()))
        }
        status => {
            report.fail(
                "config",
                subject,
                format!("answers {status}: the pages cannot read their configuration"),
                "serve the file as the build wrote it",
            );
            Err(())
        }
    }
}

/// A file edited after the build (`config.json`, `brand.css`) must be asked for again before
/// each use, or an edit reaches people only when their copy expires.
pub fn revalidated(answer: &Answer, report: &mut Report) {
    let cache = CacheControl::parse(answer.header_values("cache-control"));
    let path = answer.path();
    if cache.revalidated() {
        report.ok(
            "revalidated",
            path,
            format!("{}: an edit reaches people at once", cache.describe()),
        );
    } else {
        report.fail(
            "revalidated",
            path,
            format!(
                "{}: you edit it after the build, and people keep the old one until it expires",
                cache.describe()
            ),
            "send `Cache-Control: no-cache` for it, as deploy/ does",
        );
    }
}

/// Each page in each language the deployment offers, asked for with `?lang=<tag>`: the build's
/// copy in that language, so the mailed link paints in the reader's language.
pub async fn languages(visitor: &Visitor, deployment: Option<&Deployment>, report: &mut Report) {
    let offered: Vec<&str> = match deployment.map(|d| &d.locales) {
        Some(locales) => BUILT_IN
            .iter()
            .copied()
            .filter(|tag| locales.iter().any(|l| l.eq_ignore_ascii_case(tag)))
            .collect(),
        None => BUILT_IN.to_vec(),
    };
    let tags: Vec<&str> = offered
        .into_iter()
        .filter(|tag| *tag != DEFAULT_LOCALE)
        .collect();
    if tags.is_empty() {
        return;
    }
    // Owned tags: with borrowed ones in the closure below, rustc cannot see that the check's
    // future is Send (rust-lang/rust#102211).
    let copies: Vec<(String, Url)> = tags
        .iter()
        .flat_map(|tag| {
            PAGES.map(|page| {
                (
                    tag.to_string(),
                    visitor.url(&format!("{page}?{LANG_PARAM}={tag}")),
                )
            })
        })
        .collect();
    let count = copies.len();
    // A few at once: 43 languages of 3 pages each take a moment even from far away, and each
    // answer is read to its verdict and dropped, so memory holds only the ones in flight.
    let wrong: Vec<String> = stream::iter(copies)
        .map(|(tag, url)| copy_problem(visitor, tag, url))
        .buffered(LANGUAGE_FETCHES_AT_ONCE)
        .filter_map(std::future::ready)
        .collect()
        .await;
    let subject = format!("?{LANG_PARAM}= copies");
    if wrong.is_empty() {
        report.ok(
            "language",
            subject,
            format!("{count} pages in {}, each in its language", tags.join(", ")),
        );
        return;
    }
    let shown: Vec<&str> = wrong.iter().take(3).map(String::as_str).collect();
    let more = if wrong.len() > 3 {
        format!(" (and {} more)", wrong.len() - 3)
    } else {
        String::new()
    };
    report.fail(
        "language",
        subject,
        format!(
            "{} of {count} pages asked for in a language come otherwise: {}{more}. A person \
             opening a mailed link sees another language until the app has loaded",
            wrong.len(),
            shown.join("; ")
        ),
        "serve dist/<tag>/… for ?lang=<tag>: deploy/nginx/reclaim.conf's $reclaim_lang_dir map, \
         or the lang= lines of deploy/static/_redirects on Netlify",
    );
}

/// What is wrong with the `?lang=` copy at `url`, which should be in `tag`, if anything.
async fn copy_problem(visitor: &Visitor, tag: String, url: Url) -> Option<String> {
    let path = path_of(&url);
    let answer = match visitor.get(&url, Kind::Document).await {
        Ok(answer) => answer,
        Err(error) => return Some(format!("{path} could not be loaded ({error})")),
    };
    if let Some(problem) = page_problem(&answer) {
        return Some(format!("{path} {problem}"));
    }
    let lang = html::document_language(&answer.text()).unwrap_or_default();
    (!lang.eq_ignore_ascii_case(&tag)).then(|| format!("{path} is <html lang={lang}>"))
}

/// HTML must be asked for again on every visit: a kept page names assets a later deploy
/// deleted, and then nothing starts.
pub fn html_caching(pages: &[Answer], report: &mut Report) {
    let mut kept = Vec::new();
    for page in pages {
        let cache = CacheControl::parse(page.header_values("cache-control"));
        if !cache.revalidated() {
            kept.push(format!("{} ({})", page.path(), cache.describe()));
        }
    }
    if kept.is_empty() {
        report.ok("html-cache", "pages", "revalidated on every visit");
    } else {
        report.fail(
            "html-cache",
            "pages",
            format!(
                "{}: a browser keeps a page that names this build's files, and after your next \
                 deploy it loads files that are gone",
                kept.join(", ")
            ),
            "send `Cache-Control: no-store` (or no-cache) with HTML, as deploy/ does",
        );
    }
}

/// `Referrer-Policy: no-referrer` on every page: nothing the page loads or links to may learn
/// its address, which holds the reset token.
pub fn referrer_policy(pages: &[Answer], report: &mut Report) {
    let mut wrong = Vec::new();
    for page in pages {
        // Browsers use the last value they know in a list.
        let values = page.header_values("referrer-policy").join(",");
        let policy = values.split(',').map(str::trim).rfind(|v| !v.is_empty());
        if !policy.is_some_and(|p| p.eq_ignore_ascii_case("no-referrer")) {
            wrong.push(format!("{} ({})", page.path(), policy.unwrap_or("none")));
        }
    }
    if wrong.is_empty() {
        report.ok("referrer-policy", "pages", "Referrer-Policy: no-referrer");
    } else {
        report.fail(
            "referrer-policy",
            "pages",
            format!(
                "Referrer-Policy is not no-referrer on {}: the address of a reset page, token \
                 and all, can travel in a Referer header",
                wrong.join(", ")
            ),
            "send `Referrer-Policy: no-referrer`, as deploy/ does",
        );
    }
}

/// `Strict-Transport-Security` on an https site, so that nobody is ever sent to it over http.
pub fn hsts(site: &Url, pages: &[Answer], report: &mut Report) {
    if site.scheme() != "https" {
        let local = match site.host() {
            Some(url::Host::Domain(name)) => name == "localhost",
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        if local {
            report.ok(
                "hsts",
                "https",
                "a local address over http: HSTS is for https sites",
            );
        } else {
            report.warn(
                "hsts",
                "https",
                "the site is plain http: the pages, and the passwords typed into them, cross \
                 the network readable and changeable",
                "serve the pages over https (and redirect http to it), then check that address",
            );
        }
        return;
    }
    let Some(page) = pages.first() else { return };
    let header = page.header("strict-transport-security");
    let max_age = header.split(';').find_map(|directive| {
        let (name, value) = directive.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
    });
    match max_age {
        Some(age) if age >= HSTS_MINIMUM => report.ok(
            "hsts",
            page.path(),
            format!("Strict-Transport-Security for {}", duration_words(age)),
        ),
        Some(age) => report.warn(
            "hsts",
            page.path(),
            format!(
                "Strict-Transport-Security for only {}: browsers forget it between visits",
                duration_words(age)
            ),
            "send `Strict-Transport-Security: max-age=31536000`",
        ),
        None => report.fail(
            "hsts",
            page.path(),
            "no Strict-Transport-Security: a person who types the address or follows an http \
             link can be served a forged page before https begins",
            "send `Strict-Transport-Security: max-age=31536000` (deploy/nginx/reclaim.conf has \
             the line, commented out until the site is https only)",
        ),
    }
}

/// What the request page loads (the app's JS glue and wasm, and any stylesheet it links): each
/// with its type, and each name with a content hash kept for good.
pub async fn assets(visitor: &Visitor, page: &Answer, report: &mut Report) {
    let loads = html::loads(&page.text());
    let mut files: Vec<(String, Kind)> = loads
        .stylesheets
        .iter()
        .map(|href| (href.clone(), Kind::Stylesheet))
        .collect();
    if let Some((glue, wasm)) = loads.app {
        files.push((glue, Kind::Script));
        files.push((wasm, Kind::Fetch));
    }
    let mut types_wrong = Vec::new();
    let mut not_kept = Vec::new();
    let mut elsewhere = Vec::new();
    let mut hashed = 0;
    for (href, kind) in files {
        let Ok(url) = page.url.join(&href) else {
            continue;
        };
        if !visitor.fetches(&url) {
            elsewhere.push(url.to_string());
            continue;
        }
        let path = path_of(&url);
        let answer = match visitor.get(&url, kind).await {
            Ok(answer) if answer.status == 200 => answer,
            Ok(answer) => {
                types_wrong.push((path, format!("answers {}", answer.status), kind));
                continue;
            }
            Err(error) => {
                types_wrong.push((path, format!("could not be loaded ({error})"), kind));
                continue;
            }
        };
        let media_type = answer.media_type();
        let wasm = path.ends_with(".wasm");
        let right = match kind {
            Kind::Stylesheet => media_type == "text/css",
            Kind::Script => is_javascript(&media_type),
            _ if wasm => media_type == "application/wasm",
            _ => true,
        };
        if !right {
            types_wrong.push((path.clone(), format!("is served as {media_type:?}"), kind));
        }
        let name = url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or_default();
        if has_content_hash(name) {
            hashed += 1;
            let cache = CacheControl::parse(answer.header_values("cache-control"));
            if !cache.kept_for_good() {
                not_kept.push(format!("{path} ({})", cache.describe()));
            }
        } else {
            revalidated(&answer, report);
        }
    }
    if !elsewhere.is_empty() {
        report.fail(
            "asset-origin",
            elsewhere.join(", "),
            format!(
                "{} names {} on another origin: the page's own policy lets scripts and styles \
                 come from the site alone, so browsers refuse {}. Not fetched: the check loads \
                 nothing but the site and its API",
                page.path(),
                if elsewhere.len() == 1 { "it" } else { "them" },
                if elsewhere.len() == 1 { "it" } else { "them" },
            ),
            "serve the build's files from the site, as it was built: a host or CDN that \
             rewrites the pages to load them from elsewhere breaks them",
        );
    }
    if types_wrong.is_empty() {
        report.ok(
            "asset-type",
            "files",
            "the stylesheets as text/css, the app as JavaScript and application/wasm",
        );
    }
    for (path, problem, kind) in types_wrong {
        let (consequence, fix) = if path.ends_with(".wasm") {
            (
                "the browser cannot compile the app while it downloads, so the pages start \
                 later (and the console warns)",
                "serve .wasm as application/wasm (nginx: `types { application/wasm wasm; }` in \
                 a `location ~ \\.wasm$`, as deploy/nginx/reclaim.conf does)",
            )
        } else if kind == Kind::Script {
            (
                "the browser will not run it as a module, and the pages never start",
                "serve .js as text/javascript",
            )
        } else {
            (
                "the browser ignores the stylesheet, and the pages lose their layout or colours",
                "serve .css as text/css, and every file the build wrote",
            )
        };
        report.fail("asset-type", path, format!("{problem}: {consequence}"), fix);
    }
    if !not_kept.is_empty() {
        report.fail(
            "asset-cache",
            "hashed files",
            format!(
                "{}: their names change with their content, yet each visit asks for them again \
                 (about 100 KB)",
                not_kept.join(", ")
            ),
            "send `Cache-Control: public, max-age=31536000, immutable` for the build's hashed \
             .js, .wasm and .css, as deploy/ does",
        );
    } else if hashed > 0 {
        report.ok("asset-cache", "hashed files", "kept for a year, immutable");
    }
}

fn is_javascript(media_type: &str) -> bool {
    matches!(
        media_type,
        "text/javascript"
            | "application/javascript"
            | "application/x-javascript"
            | "text/ecmascript"
            | "application/ecmascript"
    )
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;
    use crate::report::Status;

    fn page(site: &str, hsts: Option<&str>) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(value) = hsts {
            headers.insert(
                "strict-transport-security",
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Answer {
            url: Url::parse(site).unwrap().join("recover").unwrap(),
            status: 200,
            headers,
            body: Vec::new(),
        }
    }

    fn hsts_finding(site: &str, header: Option<&str>) -> (Status, String) {
        let site = Url::parse(site).unwrap();
        let mut report = Report::new(&site);
        hsts(&site, &[page(site.as_str(), header)], &mut report);
        let finding = &report.findings[0];
        (finding.status, finding.message.clone())
    }

    #[test]
    fn hsts_is_asked_of_https_sites_only() {
        let (status, message) = hsts_finding("https://reset.example.com/", None);
        assert_eq!(status, Status::Fail, "{message}");
        assert!(message.starts_with("no Strict-Transport-Security"));
        let (status, message) = hsts_finding(
            "https://reset.example.com/",
            Some("max-age=31536000; includeSubDomains"),
        );
        assert_eq!(status, Status::Ok, "{message}");
        assert_eq!(message, "Strict-Transport-Security for 1 year");
        let (status, message) = hsts_finding("https://reset.example.com/", Some("max-age=\"300\""));
        assert_eq!(status, Status::Warn, "{message}");
        assert!(message.contains("only 5 minutes"), "{message}");
        assert_eq!(hsts_finding("http://127.0.0.1:8080/", None).0, Status::Ok);
        assert_eq!(hsts_finding("http://localhost:8080/", None).0, Status::Ok);
        assert_eq!(
            hsts_finding("http://reset.example.com/", None).0,
            Status::Warn
        );
    }

    #[test]
    fn referrer_policy_is_the_last_value_a_browser_knows() {
        let site = Url::parse("https://reset.example.com/").unwrap();
        let verdict = |values: &[&str]| {
            let mut answer = page(site.as_str(), None);
            for value in values {
                answer
                    .headers
                    .append("referrer-policy", HeaderValue::from_str(value).unwrap());
            }
            let mut report = Report::new(&site);
            referrer_policy(&[answer], &mut report);
            report.findings[0].status
        };
        assert_eq!(verdict(&["no-referrer"]), Status::Ok);
        assert_eq!(verdict(&["unsafe-url, no-referrer"]), Status::Ok);
        assert_eq!(verdict(&["no-referrer", "strict-origin"]), Status::Fail);
        assert_eq!(verdict(&[]), Status::Fail);
    }
}
