//! Each fact the project keeps is listed once: the built-in locales in
//! `reclaim_contract::locale::LOCALES`, the shipped backends in
//! `reclaim_contract::backend::PRESETS`. Everything else that needs them (the build's pages, the
//! static hosts' routes, the server's mails, the tests' tables) reads those lists. This checks
//! the claim that stands on it, so that it cannot rot: adding a language is its page catalog,
//! its mail texts and one line; adding a backend is its description, its end-to-end host
//! program and one line.

#![cfg(not(target_arch = "wasm32"))]

use std::{
    fs,
    path::{Path, PathBuf},
};

use reclaim_contract::{backend::PRESETS, locale::LOCALES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every source file of the repository that could hold a list: code, scripts, recipes.
fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !["target", "dist", "node_modules", ".git"].contains(&name.as_str()) {
                    walk(&path, found);
                }
            } else if [
                ".rs",
                ".js",
                ".mjs",
                ".sh",
                ".py",
                ".toml",
                ".conf",
                "_redirects",
            ]
            .iter()
            .any(|ending| name.ends_with(ending))
            {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    walk(&root(), &mut found);
    found
}

/// A locale is its page catalog, its mail texts and its line in `LOCALES`: each line has both
/// files, and no other file lists the locales (a list a new language would have to join).
#[test]
fn adding_a_language_is_two_files_and_one_line() {
    for locale in LOCALES {
        for file in [
            format!("src/i18n/builtin/{}.json", locale.tag),
            format!("server/src/mail/locales/{}.json", locale.tag),
        ] {
            assert!(
                root().join(&file).is_file(),
                "{} is in contract/src/locale.rs's LOCALES but has no {file}",
                locale.tag
            );
        }
    }
    for folder in ["src/i18n/builtin", "server/src/mail/locales"] {
        for entry in fs::read_dir(root().join(folder)).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let tag = name.trim_end_matches(".json");
            assert!(
                LOCALES.iter().any(|locale| locale.tag == tag),
                "{folder}/{name} is no built-in locale: add its line to LOCALES in \
                 contract/src/locale.rs"
            );
        }
    }
    // A file naming most of the locales holds a list of them.
    let quoted: Vec<String> = LOCALES
        .iter()
        .map(|locale| format!("\"{}\"", locale.tag))
        .collect();
    for path in sources() {
        let relative = path.strip_prefix(root()).unwrap();
        if relative == Path::new("contract/src/locale.rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        let listed = quoted
            .iter()
            .filter(|tag| text.contains(tag.as_str()))
            .count();
        assert!(
            listed < LOCALES.len() / 2,
            "{} names {listed} of the built-in locales: read reclaim_contract::locale::LOCALES \
             instead, so that a new language is one line there",
            relative.display()
        );
    }
}

/// A shipped backend is its description, its end-to-end host program and its line in
/// `PRESETS`: each line has its description, and no other file lists the backends.
#[test]
fn adding_a_backend_is_its_description_its_host_and_one_line() {
    for (name, _) in PRESETS {
        assert!(
            root()
                .join(format!("contract/backends/{name}.json"))
                .is_file(),
            "{name} is in PRESETS but has no contract/backends/{name}.json"
        );
    }
    for entry in fs::read_dir(root().join("contract/backends"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            PRESETS
                .iter()
                .any(|(preset, _)| format!("{preset}.json") == name),
            "contract/backends/{name} is not in PRESETS (contract/src/backend/presets.rs)"
        );
    }
    // A file naming several descriptions' files holds a table of them.
    for path in sources() {
        let relative = path.strip_prefix(root()).unwrap();
        if relative == Path::new("contract/src/backend/presets.rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        let listed = PRESETS
            .iter()
            .filter(|(name, _)| text.contains(&format!("backends/{name}.json")))
            .count();
        assert!(
            listed < 3,
            "{} names {listed} of the shipped descriptions' files: read \
             reclaim_contract::backend::PRESETS instead",
            relative.display()
        );
    }
}
