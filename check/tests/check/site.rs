//! A small site shaped like the build: every page in every built-in language, each carrying its
//! styles (the main one and the brand, `<style id=brand>`) and naming them and its one inline
//! script in its own policy, first in its head; the app's files, `brand.css`, `config.json` and
//! the backends' descriptions.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reclaim_contract::locale::{BUILT_IN, DEFAULT_LOCALE};
use reclaim_contract::policy::page_policy;
use sha2::{Digest, Sha256};

const SCRIPT: &str = "start()";
const MAIN_STYLE: &str = "body{margin:0}";

/// The repository's root, where the shipped files are.
fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn sha256(text: &str) -> String {
    STANDARD.encode(Sha256::digest(text))
}

/// A page as the build writes it, in `lang`, carrying `brand` as deploy/rebrand.sh puts it in.
fn page(lang: &str, brand: &str) -> String {
    let brand = reclaim_contract::brand::as_carried(brand);
    let policy = page_policy(&[&sha256(SCRIPT)], &[&sha256(MAIN_STYLE), &sha256(&brand)]);
    format!(
        "<!doctype html><html lang={lang}><meta charset=utf-8>\
         <meta name=referrer content=no-referrer>\
         <meta http-equiv=Content-Security-Policy content=\"{policy}\">\
         <link rel=modulepreload href=/reclaim-0123456789abcdef.js>\
         <meta name=reclaim-app data-glue=/reclaim-0123456789abcdef.js \
         data-wasm=/reclaim-0123456789abcdef_bg.wasm><script type=module>{SCRIPT}</script>\
         <style>{MAIN_STYLE}</style><style id=brand>{brand}</style>\
         <body><h1>Forgot your password?</h1>"
    )
}

/// Writes the site into `dist`, with `config` as its config.json and `brand` as its brand.css
/// and in its pages.
pub fn write_site(dist: &Path, config: &str, brand: &str) {
    for tag in BUILT_IN {
        let folder = if tag == DEFAULT_LOCALE {
            dist.to_owned()
        } else {
            dist.join(tag)
        };
        for route in ["", "recover", "reset"] {
            std::fs::create_dir_all(folder.join(route)).unwrap();
            std::fs::write(folder.join(route).join("index.html"), page(tag, brand)).unwrap();
        }
        std::fs::write(folder.join("404.html"), page(tag, brand)).unwrap();
    }
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
    std::fs::write(dist.join("brand.css"), brand).unwrap();
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

/// The brand.css the build ships.
pub fn shipped_brand() -> String {
    std::fs::read_to_string(repository().join("style/brand.css")).unwrap()
}
