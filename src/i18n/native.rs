//! Locale files read natively, for the build's prerender and the tests: the browser reads them
//! with its own JSON parser (`browser::locale_entries`), which costs the wasm nothing.

use std::path::{Path, PathBuf};

use super::{Catalog, Entry};

/// Where the built-in translations live in the repository.
pub fn built_in_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/i18n/builtin")
}

/// The entries of a locale file's text, or why it is not a locale file.
pub fn entries(text: &str) -> Result<Vec<(String, Entry)>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(fields) = value else {
        return Err("not a JSON object".into());
    };
    Ok(fields
        .into_iter()
        .map(|(key, value)| {
            let entry = match value {
                serde_json::Value::String(text) => Entry::Text(text),
                serde_json::Value::Object(forms) => {
                    let mut texts = Vec::new();
                    for (category, form) in forms {
                        match form {
                            serde_json::Value::String(text) => texts.push((category, text)),
                            _ => return (key, Entry::Other("an object of non-strings")),
                        }
                    }
                    Entry::Forms(texts)
                }
                _ => Entry::Other("neither a string nor an object"),
            };
            (key, entry)
        })
        .collect())
}

/// The built-in catalog of `locale` (English needs no file).
pub fn built_in_catalog(locale: &str) -> Result<Catalog, String> {
    if locale == reclaim_contract::locale::DEFAULT_LOCALE {
        return Ok(Catalog::english());
    }
    let file = built_in_folder().join(format!("{locale}.json"));
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let entries = entries(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    Catalog::from_files(locale, &[(&format!("i18n/{locale}.json"), entries)]).map_err(|e| e.0)
}
