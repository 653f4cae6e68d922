//! Locale files read natively, for the build's prerender and the tests (the browser reads them
//! with its own JSON parser, which costs the wasm nothing); both go through [`super::entries`].

use std::path::{Path, PathBuf};

use super::{entries, Catalog};

/// Where the built-in translations live in the repository.
pub fn built_in_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/i18n/builtin")
}

/// The built-in catalog of `locale` (English needs no file).
pub fn built_in_catalog(locale: &str) -> Result<Catalog, String> {
    if locale == reclaim_contract::locale::DEFAULT_LOCALE {
        return Ok(Catalog::english());
    }
    let file = built_in_folder().join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let entries = reclaim_contract::json::parse(&text)
        .and_then(|json| entries(&json))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Catalog::from_files(locale, &[(&format!("i18n/{locale}.json"), entries)]).map_err(|e| e.0)
}
