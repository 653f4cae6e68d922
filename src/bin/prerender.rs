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
//! - trunk's inline bootstrap script, which names this build's files, becomes one
//!   that is the same in every build (the names move to a `<meta>`), so any host
//!   can serve the pages with a fixed Content-Security-Policy naming its hash; it
//!   takes the link's secret out of the address bar, keeps a submit made before
//!   the app runs, and starts every fetch the app waits on (see [`BOOTSTRAP`]).

use std::{fs, path::Path};

use leptos::prelude::*;
use reclaim::{
    i18n::{native::built_in_catalog, Catalog},
    App, Route, APP_ELEMENT_ID,
};
use reclaim_contract::locale::{is_right_to_left, BUILT_IN, DEFAULT_LOCALE};

/// The files each page is written to, relative to the build folder.
const PAGES: [(Route, &[&str]); 3] = [
    (Route::Recover, &["index.html", "recover/index.html"]),
    (Route::Reset, &["reset/index.html"]),
    (Route::NotFound, &["404.html"]),
];

fn main() {
    let Some(dist) = std::env::args().nth(1) else {
        fail("usage: prerender <trunk staging folder>")
    };
    let dist = Path::new(&dist);
    let template = fs::read_to_string(dist.join("index.html"))
        .unwrap_or_else(|e| fail(&format!("reading {}/index.html: {e}", dist.display())));
    let template = constant_bootstrap(&template, &held_form_sender(dist));
    for locale in BUILT_IN {
        let catalog = built_in_catalog(locale).unwrap_or_else(|e| fail(&e));
        let folder = match locale {
            DEFAULT_LOCALE => dist.to_owned(),
            other => dist.join(other),
        };
        write_pages(&folder, &template, &catalog);
    }
}

fn write_pages(folder: &Path, template: &str, catalog: &Catalog) {
    for (route, files) in PAGES {
        let page = page_html(template, route, catalog);
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

/// The template with `route`'s first render in `catalog`'s language as its body, its heading as
/// the title, and the language's `lang` and `dir` on `<html>`.
fn page_html(template: &str, route: Route, catalog: &Catalog) -> String {
    let locale = catalog.locale().to_owned();
    let catalog = catalog.clone();
    let body = without_comments(&Owner::new().with(|| view! { <App route catalog /> }.to_html()));
    let heading = between(&body, "<h1", "</h1>")
        .and_then(|h1| h1.split_once('>'))
        .map(|(_, text)| text.to_owned())
        .unwrap_or_else(|| fail(&format!("{route:?} renders no <h1>")));
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

/// The script that starts the app, the same in every build (the build's file names are in the
/// `<meta name=reclaim-app>` before it), so its hash in the Content-Security-Policy never
/// changes: `'sha256-m/gLUSrPBY5W56RXY4wtwa9m5u3kVpOqu8OzseQx57I='`, which `deploy/` and the README carry. Inline, first in the `<head>`
/// after the referrer policy and the preloads (the stylesheets', [`APP_PRELOADS`]), so that it
/// runs before anything else is requested or painted. It hands what it does to
/// the app in memory:
///
/// - the address's query and fragment (a reset link's secret) go from the address bar into
///   `reclaimOpened` at once, leaving the page and its `?lang=` (`browser::opened_address`);
/// - the prerendered submit buttons (disabled in the HTML, so that Enter cannot submit the form
///   as a GET with JavaScript off) are enabled, and a submit made before the app runs is taken:
///   the button shows it is busy (and the live region says so), the fields are read-only, and
///   the form's id waits in `reclaimSubmitted` for the app (`start_up::takeover`). Only the
///   first: a second tap sends nothing more. The app's own forms are not prerendered;
/// - such a form is sent at once, without waiting for the app, by the module
///   `src/start_up/send_ahead.js`, imported then (and only then: a visitor who waits for the
///   app never downloads it) and called once `config.json` and the backend's description are
///   in. It leaves the request in `reclaimAhead` for the app to take its answer
///   (`http::send`), or `null` when it left the form to the app;
/// - once the first frame is on screen (a `requestAnimationFrame` callback runs before a frame
///   is painted, so the second runs once the first has been shown), every other file the app's
///   start waits on is fetched at once, rather than each after the one before: `config.json`
///   then the description of the backend it names, and the catalog of the language the
///   address, the stored choice or the page itself names, left in `reclaimFetched` by path
///   (`browser::started_fetch`); and the app is started from the JS glue and the wasm, which
///   the page began to download before this script ran (see [`APP_PRELOADS`]). These files are
///   small and take one round trip each; fetched before the first frame they would only hold
///   up the stylesheets' requests.
const BOOTSTRAP: &str =
    "{const d=document,w=window,app=d.querySelector('meta[name=reclaim-app]').dataset,\
query=location.search,hash=location.hash,lang=new URLSearchParams(query).get('lang'),\
started=w.reclaimFetched={},get=path=>started[path]=fetch(path),\
prerendered=node=>node.closest('[data-prerendered]');\
let stored,described,sender;try{stored=localStorage.getItem('reclaim.locale')}catch{}\
if(query||hash){w.reclaimOpened=query+hash;\
history.replaceState(null,'',location.pathname+(lang?'?lang='+encodeURIComponent(lang):''))}\
const sendAhead=()=>{if(described&&sender)sender.then(module=>{const form=w.reclaimSubmitted;\
if(form&&!('reclaimAhead'in w))w.reclaimAhead=module.sendAhead(...described,form,query+hash,\
[lang,stored,...navigator.languages])}).catch(()=>{})};\
addEventListener('DOMContentLoaded',()=>{\
for(const button of d.querySelectorAll('[data-prerendered] [type=submit]'))button.disabled=false});\
addEventListener('submit',event=>{const form=event.target;if(!prerendered(form))return;\
event.preventDefault();if(w.reclaimSubmitted)return;w.reclaimSubmitted=form.id;\
for(const field of form.elements)field.readOnly=true;\
const button=form.querySelector('[type=submit]');button.classList.add('button-busy');\
button.setAttribute('aria-disabled','true');\
button.textContent=d.getElementById('announcer').textContent=button.dataset.busy;\
sender=import(app.ahead);sendAhead()},true);\
requestAnimationFrame(()=>requestAnimationFrame(()=>setTimeout(()=>{let config;\
get('/config.json').then(r=>r.ok?r.clone().json():{})\
.then(loaded=>get(`/backends/${(config=loaded).backend||'reclaim'}.json`))\
.then(r=>r.ok&&r.clone().json()).then(backend=>{described=[config,backend];sendAhead()}).catch(()=>{});\
const locale=lang||stored||d.documentElement.lang;\
if(locale!='en')get(`/i18n/${locale}.json`);get(`/locales/${locale}.json`);\
const wasm=fetch(app.wasm);import(app.glue).then(glue=>glue.default({module_or_path:wasm}))})))}";

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

/// The name of the module that sends a form held before the app ran (see [`BOOTSTRAP`]), which
/// `scripts/post-build.sh` wrote into the build folder named after its content, as trunk names
/// the app's files, so that a host may keep it for good.
fn held_form_sender(dist: &Path) -> String {
    let names = fs::read_dir(dist)
        .unwrap_or_else(|e| fail(&format!("reading {}: {e}", dist.display())))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok());
    let mut senders: Vec<String> = names
        .filter(|name| name.starts_with("send-ahead-") && name.ends_with(".js"))
        .collect();
    match senders.pop() {
        Some(name) if senders.is_empty() => format!("/{name}"),
        _ => fail("expected one send-ahead-<hash>.js in the build folder (scripts/post-build.sh)"),
    }
}

/// Replaces trunk's inline bootstrap `<script type=module>` (which names this build's files, so
/// its hash changes with every build) and its preload links with [`APP_PRELOADS`] and
/// [`BOOTSTRAP`], first in the head after the referrer policy and the stylesheets' preloads, so
/// that the secret leaves the address bar before anything but those downloads starts.
fn constant_bootstrap(html: &str, sender: &str) -> String {
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
    html.insert_str(
        at + REFERRER.len(),
        &format!(
            "{preloads}<meta name=reclaim-app data-glue={glue} data-wasm={wasm} data-ahead={sender}>\
<script>{BOOTSTRAP}</script>"
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
