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
    i18n::{native::built_in_catalog, Catalog, BUILT_IN_PATH, OVERRIDES_PATH},
    start_up::handoff,
    App, APP_ELEMENT_ID,
};
use reclaim_contract::{
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
    let template = with_bootstrap(&template, &bootstrap());
    for locale in BUILT_IN {
        let catalog = built_in_catalog(locale).unwrap_or_else(|e| fail(&e));
        let folder = match locale {
            DEFAULT_LOCALE => dist.to_owned(),
            other => dist.join(other),
        };
        write_pages(&folder, &template, &catalog);
        write_empty_overrides(dist, locale);
    }
    write_static_host_files(dist);
}

/// The files Netlify and Cloudflare Pages read from the folder they publish: the headers as
/// `deploy/static/_headers` has them, and the routes of `deploy/static/_redirects` with a rule
/// for each page in each built-in locale but English in place of its marked line.
fn write_static_host_files(dist: &Path) {
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
    for (name, text) in [
        ("_headers", STATIC_HOST_HEADERS),
        ("_redirects", &redirects),
    ] {
        let path = dist.join(name);
        fs::write(&path, text)
            .unwrap_or_else(|e| fail(&format!("writing {}: {e}", path.display())));
    }
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
    let body = format!("<div id={APP_ELEMENT_ID} data-prerendered>{body}</div>");
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

/// `source` through terser (from scripts/package.json, installed by scripts/setup.sh).
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
/// one inline script, by its hash.
fn page_policy(script: &str) -> String {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    format!(
        "<meta http-equiv=Content-Security-Policy content=\"{}\">",
        policy::page_policy(&[&hash], &[])
    )
}

/// What the page downloads before anything else, after the stylesheets' preloads (see
/// [`stylesheet_preloads`]): the wasm and its JS glue, about 110 KB on a first visit, the one
/// long download between the first paint and a working form. Started by the HTML itself, so
/// that the download runs while the page is parsed and painted rather than after it. Their
/// requests carry no Referer (the referrer policy comes first), and the bootstrap's own
/// `fetch` and `import` of the two files take these responses rather than asking again
/// (same URL, same CORS mode and credentials).
const APP_PRELOADS: &str =
    "<link rel=preload href={wasm} as=fetch type=application/wasm crossorigin>\
<link rel=modulepreload href={glue}>";

/// Replaces trunk's inline bootstrap `<script type=module>` (which names this build's files, so
/// its hash changes with every build) and its preload links with the page's policy,
/// [`APP_PRELOADS`] and `bootstrap`, first in the head after the referrer policy and the
/// stylesheets' preloads, so that the secret leaves the address bar before anything but those
/// downloads starts.
fn with_bootstrap(html: &str, bootstrap: &str) -> String {
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
    let Some(at) = html.find(REFERRER) else {
        fail("index.html has no <meta name=referrer content=no-referrer>")
    };
    let preloads =
        stylesheet_preloads(&html) + &APP_PRELOADS.replace("{wasm}", wasm).replace("{glue}", glue);
    let policy = page_policy(bootstrap);
    html.insert_str(
        at + REFERRER.len(),
        &format!(
            "{policy}{preloads}<meta name=reclaim-app data-glue={glue} data-wasm={wasm}>\
<script>{bootstrap}</script>"
        ),
    );
    html
}

/// A preload of each of the page's stylesheets (same address, same integrity, so the
/// stylesheet's own link takes it), to go before the bootstrap: the stylesheets' links must
/// stay after it (a script waits for the stylesheets above it, and the secret would wait in
/// the address bar), but their requests need not. Asked for first, these few KB are not held
/// up by the app's download that starts beside them, and the page paints as soon as it would
/// without it.
fn stylesheet_preloads(html: &str) -> String {
    let head = html.split("</head>").next().unwrap_or(html);
    head.split("<link ")
        .skip(1)
        .filter_map(|tag| tag.split_once('>').map(|(attributes, _)| attributes))
        .filter(|attributes| attributes.split(' ').any(|a| a == "rel=stylesheet"))
        .map(|attributes| {
            let kept: Vec<&str> = attributes
                .split(' ')
                .filter(|a| a.starts_with("href=") || a.starts_with("integrity="))
                .collect();
            format!("<link rel=preload as=style {}>", kept.join(" "))
        })
        .collect()
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
