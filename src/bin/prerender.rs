//! Writes each page's first state into the build, so it paints before the wasm
//! arrives. Run by trunk's post-build hook (see `Trunk.toml`) with the staging
//! folder as its argument, after trunk has written and minified `index.html`:
//!
//! - each route gets its HTML file (`index.html`, `recover/index.html`,
//!   `reset/index.html`, and `404.html` for hosts that serve one), with the
//!   page rendered by the same components the app runs, under `<div id="app">`
//!   where the app takes over (see `takeover.rs`);
//! - and so does each built-in locale's copy, under `<tag>/` (`ar/reset/index.html`), which a
//!   host serves for `?lang=<tag>` (see `deploy/`), so a reader who opens the emailed link
//!   (it carries `&lang=`) sees the first paint in their language;
//! - trunk's inline bootstrap script, which names this build's files, becomes the page's own
//!   first script (`src/start_up/bootstrap.js`, with the contract's constants written in and
//!   minified), the same in every build (the names move to a `<meta>`); each page names its
//!   hash in its own Content-Security-Policy (a `<meta>` before it), so no host needs to know
//!   it;
//! - each built-in locale gets an empty `locales/<tag>.json` for the deployer's own sentences.

use std::{
    fs,
    io::Write,
    path::Path,
    process::{Command, Stdio},
};

use base64::Engine;
use leptos::prelude::*;
use reclaim::{
    components::language_switcher::masthead,
    i18n::{native::built_in_catalog, Catalog, Text, BUILT_IN_PATH, OVERRIDES_PATH},
    start_up::handoff,
    App, APP_ELEMENT_ID,
};
use reclaim_contract::{
    assets::{wasm_of_page, wasm_preload_header},
    backend::DESCRIPTIONS_PATH,
    config::{CONFIG_PATH, DEFAULT_BACKEND},
    link::{RECOVER_PAGE_PATH, RESET_PAGE_PATH},
    locale::{is_right_to_left, BUILT_IN, DEFAULT_LOCALE, LANG_PARAM},
    policy,
};
use sha2::{Digest, Sha256};

/// Each page, by the path it is rendered for, and the files it is written to, relative to the
/// build folder.
const PAGES: [(&str, &[&str]); 3] = [
    (RECOVER_PAGE_PATH, &["index.html", "recover/index.html"]),
    (RESET_PAGE_PATH, &["reset/index.html"]),
    ("/404", &["404.html"]),
];

/// The page's first script, before the build writes its constants in.
const BOOTSTRAP: &str = include_str!("../start_up/bootstrap.js");

fn main() {
    let Some(dist) = std::env::args().nth(1) else {
        fail("usage: prerender <trunk staging folder>")
    };
    let dist = Path::new(&dist);
    let template = fs::read_to_string(dist.join("index.html"))
        .unwrap_or_else(|e| fail(&format!("reading {}/index.html: {e}", dist.display())));
    let template = finished(&template, &bootstrap(), dist);
    for locale in BUILT_IN {
        let catalog = built_in_catalog(locale).unwrap_or_else(|e| fail(&e));
        let folder = match locale {
            DEFAULT_LOCALE => dist.to_owned(),
            other => dist.join(other),
        };
        write_pages(&folder, &template, &catalog);
        write_empty_overrides(dist, locale);
    }
    write_static_host_files(dist, &template);
}

/// The files Netlify and Cloudflare Pages read from the folder they publish: the headers as
/// `deploy/static/_headers` has them with [`wasm_preload_rules`] after them, and the routes of
/// `deploy/static/_redirects` with a rule for each page in each built-in locale but English in
/// place of its marked line. `template`: a finished page, which names this build's wasm.
fn write_static_host_files(dist: &Path, template: &str) {
    let rules: String = BUILT_IN
        .iter()
        .filter(|tag| **tag != DEFAULT_LOCALE)
        .flat_map(|tag| {
            [
                ("/", "index.html"),
                ("/recover", "recover/index.html"),
                ("/recover/", "recover/index.html"),
                ("/reset", "reset/index.html"),
                ("/reset/", "reset/index.html"),
            ]
            .map(|(from, file)| {
                format!("{from:<10} {LANG_PARAM}={tag:<8} /{tag}/{file:<20} 200!\n")
            })
        })
        .collect();
    let redirects = STATIC_HOST_REDIRECTS.replacen(LANG_RULES, &format!("\n{rules}"), 1);
    if redirects == STATIC_HOST_REDIRECTS {
        fail("deploy/static/_redirects has no line `{lang rules}` for the language rules");
    }
    let wasm = wasm_of_page(template)
        .unwrap_or_else(|| fail("the finished page names no wasm (data-wasm=)"));
    let headers = format!(
        "{STATIC_HOST_HEADERS}{}",
        wasm_preload_rules(STATIC_HOST_HEADERS, wasm)
    );
    for (name, text) in [("_headers", &headers), ("_redirects", &redirects)] {
        let path = dist.join(name);
        fs::write(&path, text)
            .unwrap_or_else(|e| fail(&format!("writing {}: {e}", path.display())));
    }
}

/// Rules that make every page's response ask for the wasm (`wasm`, this build's name) in a
/// `Link` header, as the page's own `<link rel=preload>` does: the browser then asks for it as
/// the response arrives, rather than once the page's first bytes are parsed (the request left
/// about 65 ms sooner with the CPU 4× slower: docs/performance.md). The pages are the paths
/// `headers` (the recipe) never lets a cache keep: they name the current build's files.
fn wasm_preload_rules(headers: &str, wasm: &str) -> String {
    let mut rules = String::from(
        "\n# Written by the build (src/bin/prerender.rs): each page asks for this build's wasm in\n\
         # its response, as its <head> does, only sooner.\n",
    );
    let mut path = "";
    for line in headers.lines() {
        if !line.starts_with([' ', '#']) && !line.trim().is_empty() {
            path = line.trim();
        } else if line.trim() == "Cache-Control: no-store" {
            rules.push_str(&format!("{path}\n  Link: {}\n", wasm_preload_header(wasm)));
        }
    }
    rules
}

/// The static hosts' recipes, as `deploy/static/` has them.
const STATIC_HOST_HEADERS: &str = include_str!("../../deploy/static/_headers");
const STATIC_HOST_REDIRECTS: &str = include_str!("../../deploy/static/_redirects");
/// The line of `_redirects` the language rules replace.
const LANG_RULES: &str = "\n{lang rules}\n";

/// An empty `locales/<tag>.json` for the deployer to fill: the pages always ask for it, and a
/// missing file would put a 404 in every visitor's console.
fn write_empty_overrides(dist: &Path, locale: &str) {
    let path = dist
        .join(&OVERRIDES_PATH[1..])
        .join(format!("{locale}.json"));
    if let Some(folder) = path.parent() {
        fs::create_dir_all(folder)
            .unwrap_or_else(|e| fail(&format!("creating {}: {e}", folder.display())));
    }
    fs::write(&path, "{}\n").unwrap_or_else(|e| fail(&format!("writing {}: {e}", path.display())));
}

fn write_pages(folder: &Path, template: &str, catalog: &Catalog) {
    for (path, files) in PAGES {
        let page = page_html(template, path, catalog);
        for file in files {
            let path = folder.join(file);
            if let Some(folder) = path.parent() {
                fs::create_dir_all(folder)
                    .unwrap_or_else(|e| fail(&format!("creating {}: {e}", folder.display())));
            }
            fs::write(&path, &page)
                .unwrap_or_else(|e| fail(&format!("writing {}: {e}", path.display())));
        }
    }
}

/// The template with the first render of the page at `path` in `catalog`'s language as its
/// body, its heading as the title, and the language's `lang` and `dir` on `<html>`.
fn page_html(template: &str, path: &str, catalog: &Catalog) -> String {
    let locale = catalog.locale().to_owned();
    let label = catalog.text(Text::LanguageLabel).to_owned();
    let catalog = catalog.clone();
    let body = without_comments(&Owner::new().with(|| {
        handoff::provide_prerendered(path);
        view! { <App catalog /> }.to_html()
    }));
    let heading = between(&body, "<h1", "</h1>")
        .and_then(|h1| h1.split_once('>'))
        .map(|(_, text)| text.to_owned())
        .unwrap_or_else(|| fail(&format!("{path} renders no <h1>")));
    let page = replace_between(template, "<title>", "</title>", &heading);
    let dir = if is_right_to_left(&locale) {
        "rtl"
    } else {
        "ltr"
    };
    let page = replace_between(&page, "<html", ">", &format!(" lang={locale} dir={dir}"));
    // The header is the page's own, outside the part the app takes over.
    let header = masthead(&locale, &BUILT_IN, &label);
    let body = format!("{header}<div id={APP_ELEMENT_ID} data-prerendered>{body}</div>");
    replace_between(&page, "<body>", "</body>", &body)
}

/// The page's first script ([`BOOTSTRAP`]) as the pages carry it: the contract's constants
/// written in for its `__NAMES__`, then minified by terser (every visitor downloads it inline).
fn bootstrap() -> String {
    let string = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let built_in: Vec<String> = BUILT_IN.iter().map(|tag| string(tag)).collect();
    let constants = [
        ("__BUILT_IN__", format!("[{}]", built_in.join(","))),
        ("__DEFAULT_BACKEND__", string(DEFAULT_BACKEND)),
        ("__DEFAULT_LOCALE__", string(DEFAULT_LOCALE)),
        ("__LANG_PARAM__", string(LANG_PARAM)),
        ("__CONFIG_PATH__", string(CONFIG_PATH)),
        ("__DESCRIPTIONS_PATH__", string(DESCRIPTIONS_PATH)),
        ("__CATALOGS_PATH__", string(BUILT_IN_PATH)),
        ("__OVERRIDES_PATH__", string(OVERRIDES_PATH)),
    ];
    let mut source = BOOTSTRAP.to_owned();
    for (name, value) in constants {
        source = source.replace(name, &value);
    }
    if let Some(at) = source.find("= __") {
        let line = source[at..].lines().next().unwrap_or_default();
        fail(&format!(
            "src/start_up/bootstrap.js: a constant the build does not know: {line}"
        ));
    }
    minified(&source)
}

/// `source` through terser (from scripts/build-tools/, installed by scripts/setup.sh).
fn minified(source: &str) -> String {
    let mut terser = Command::new("terser")
        .args(["--compress", "--mangle"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            fail(&format!(
                "running terser (scripts/setup.sh installs it): {e}"
            ))
        });
    terser
        .stdin
        .take()
        .expect("terser's input")
        .write_all(source.as_bytes())
        .unwrap_or_else(|e| fail(&format!("writing to terser: {e}")));
    let output = terser
        .wait_with_output()
        .unwrap_or_else(|e| fail(&format!("terser: {e}")));
    if !output.status.success() {
        fail("terser could not minify src/start_up/bootstrap.js");
    }
    String::from_utf8(output.stdout)
        .unwrap_or_else(|_| fail("terser wrote no text"))
        .trim_end()
        .to_owned()
}

/// The page's own Content-Security-Policy (`reclaim_contract::policy`), naming `script`, its
/// one inline script, and `styles`, its inline stylesheets, by their hashes.
fn page_policy(script: &str, styles: &[&str]) -> String {
    let styles: Vec<String> = styles.iter().map(|style| sha256(style)).collect();
    let styles: Vec<&str> = styles.iter().map(String::as_str).collect();
    format!(
        "<meta http-equiv=Content-Security-Policy content=\"{}\">",
        policy::page_policy(&[&sha256(script)], &styles)
    )
}

/// What the page downloads before anything but itself: the wasm and its JS glue, about 110 KB
/// on a first visit, the one long download between the first paint and a working form. Started
/// by the HTML itself, so that the download runs while the page is parsed and painted rather
/// than after it. Their requests carry no Referer (the referrer policy comes first), and the
/// bootstrap's own `fetch` and `import` of the two files take these responses rather than
/// asking again (same URL, same CORS mode and credentials).
const APP_PRELOADS: &str =
    "<link rel=preload href={wasm} as=fetch type=application/wasm crossorigin>\
<link rel=modulepreload href={glue}>";

/// The page template as every page carries it:
/// - trunk's inline bootstrap `<script type=module>` (which names this build's files, so its
///   hash changes with every build) and its preloads give way to the page's policy,
///   [`APP_PRELOADS`] and `bootstrap`, first in the head after the referrer policy, so that the
///   secret leaves the address bar before anything but the app's download starts;
/// - the stylesheets (trunk's hashed `main-<hash>.css`, and the deployer's `brand.css`) are
///   written into the page, `brand.css` as `<style id=brand>`: painting then waits for no other
///   file (on a slow line, another connection and round trip), and the brand is in the first
///   frame. `deploy/rebrand.sh` puts an edited `brand.css` into the built pages.
fn finished(html: &str, bootstrap: &str, dist: &Path) -> String {
    const OPEN: &str = "<script type=module>";
    const REFERRER: &str = "<meta content=no-referrer name=referrer>";
    let Some(script) = between(html, OPEN, "</script>") else {
        return html.to_owned(); // A template run through the hook twice.
    };
    let glue = between(script, "from '", "'")
        .unwrap_or_else(|| fail("the bootstrap script imports no glue"));
    let wasm = between(script, "module_or_path: '", "'")
        .unwrap_or_else(|| fail("the bootstrap script names no wasm"));
    let mut html = html.replacen(&format!("{OPEN}{script}</script>"), "", 1);
    // trunk's preloads of the glue and the wasm, last in the head: ours come first.
    for preload in [format!("href={glue} "), format!("href={wasm} ")] {
        if let Some(at) = html.find(&preload) {
            let start = html[..at].rfind("<link").unwrap_or(at);
            let end = at + html[at..].find('>').map_or(0, |i| i + 1);
            html.replace_range(start..end, "");
        }
    }
    let mut styles = Vec::new();
    for (href, id) in [("/main-", ""), ("/brand.css", " id=brand")] {
        let Some((link, file)) = stylesheet_link(&html, href) else {
            fail(&format!("index.html has no stylesheet {href}…"))
        };
        let path = dist.join(file.trim_start_matches('/'));
        let css = fs::read_to_string(&path)
            .unwrap_or_else(|e| fail(&format!("reading {}: {e}", path.display())));
        // The brand without the comments written for its deployer (see `contract::brand`).
        let css = if id.is_empty() {
            css.trim_end().to_owned()
        } else {
            reclaim_contract::brand::as_carried(&css)
        };
        if css.contains("</") {
            fail(&format!(
                "{}: a stylesheet may not contain `</`",
                path.display()
            ));
        }
        html = html.replacen(&link, &format!("<style{id}>{css}</style>"), 1);
        // trunk's hashed copy is in every page now, and nowhere else.
        if id.is_empty() {
            fs::remove_file(&path)
                .unwrap_or_else(|e| fail(&format!("removing {}: {e}", path.display())));
        }
        styles.push(css);
    }
    let Some(at) = html.find(REFERRER) else {
        fail("index.html has no <meta name=referrer content=no-referrer>")
    };
    let preloads = APP_PRELOADS.replace("{wasm}", wasm).replace("{glue}", glue);
    let styles: Vec<&str> = styles.iter().map(String::as_str).collect();
    let policy = page_policy(bootstrap, &styles);
    html.insert_str(
        at + REFERRER.len(),
        &format!(
            "{policy}{preloads}<meta name=reclaim-app data-glue={glue} data-wasm={wasm}>\
<script>{bootstrap}</script>"
        ),
    );
    html
}

/// The `<link rel=stylesheet>` whose `href` starts with `href`, and its whole `href`.
fn stylesheet_link(html: &str, href: &str) -> Option<(String, String)> {
    let head = html.split("</head>").next().unwrap_or(html);
    head.split("<link ")
        .skip(1)
        .filter_map(|tag| tag.split_once('>').map(|(attributes, _)| attributes))
        .filter(|attributes| attributes.split(' ').any(|a| a == "rel=stylesheet"))
        .find_map(|attributes| {
            let file = attributes
                .split(' ')
                .find_map(|a| a.strip_prefix("href="))?
                .trim_matches('"');
            file.starts_with(href)
                .then(|| (format!("<link {attributes}>"), file.to_owned()))
        })
}

/// The SHA-256 of `text`, in base64, as a Content-Security-Policy names it.
fn sha256(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = from + text[from..].find(end)?;
    Some(&text[from..to])
}

fn replace_between(text: &str, start: &str, end: &str, with: &str) -> String {
    let inner = between(text, start, end)
        .unwrap_or_else(|| fail(&format!("index.html has no {start}…{end}")));
    text.replacen(
        &format!("{start}{inner}{end}"),
        &format!("{start}{with}{end}"),
        1,
    )
}

/// Leptos marks dynamic parts with comments for hydration; a fresh render
/// takes over instead (see `takeover.rs`), so they are only bytes.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |i| i + 3)
        } else {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn fail(message: &str) -> ! {
    eprintln!("prerender: {message}");
    std::process::exit(1)
}
