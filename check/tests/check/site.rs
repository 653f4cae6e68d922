//! A small site shaped like the build: every page in every built-in language, each with its own
//! policy first in its head, the files they load, the shipped brand, config and backends.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reclaim_contract::locale::{BUILT_IN, DEFAULT_LOCALE};
use reclaim_contract::policy::page_policy;
use sha2::{Digest, Sha256};

/// The repository's root, where the shipped files are.
fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A page as the build writes it: in `lang`, its own policy naming its one inline script, the
/// main stylesheet, `brand.css`, and the app named in its `<meta name=reclaim-app>`.
pub fn page(lang: &str) -> String {
    let script = "start()";
    let policy = page_policy(&[&STANDARD.encode(Sha256::digest(script))], &[]);
    format!(
        "<!doctype html><html lang={lang}><head><meta charset=utf-8>\
         <meta name=referrer content=no-referrer>\
         <meta http-equiv=Content-Security-Policy content=\"{policy}\">\
         <link rel=stylesheet href=/main-0123456789abcdef.css><link rel=stylesheet href=/brand.css>\
         <meta name=reclaim-app data-glue=/reclaim-0123456789abcdef.js \
         data-wasm=/reclaim-0123456789abcdef_bg.wasm><script type=module>{script}</script>\
         </head><body><h1>Forgot your password?</h1></body></html>"
    )
}

/// Writes the site into `dist`, with `config` as its config.json.
pub fn write_site(dist: &Path, config: &str) {
    for tag in BUILT_IN {
        let folder = if tag == DEFAULT_LOCALE {
            dist.to_owned()
        } else {
            dist.join(tag)
        };
        for route in ["", "recover", "reset"] {
            std::fs::create_dir_all(folder.join(route)).unwrap();
            std::fs::write(folder.join(route).join("index.html"), page(tag)).unwrap();
        }
        std::fs::write(folder.join("404.html"), page(tag)).unwrap();
    }
    std::fs::write(dist.join("main-0123456789abcdef.css"), "body{margin:0}").unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dist.join("reclaim-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::copy(repository().join("style/brand.css"), dist.join("brand.css")).unwrap();
    std::fs::write(dist.join("config.json"), config).unwrap();
    // The backends' descriptions, as the build copies them beside config.json.
    std::fs::create_dir_all(dist.join("backends")).unwrap();
    for description in std::fs::read_dir(repository().join("contract/backends")).unwrap() {
        let description = description.unwrap().path();
        std::fs::copy(
            &description,
            dist.join("backends").join(description.file_name().unwrap()),
        )
        .unwrap();
    }
}

/// The config.json the build ships.
pub fn shipped_config() -> String {
    std::fs::read_to_string(repository().join("config.json")).unwrap()
}
