//! Writes the table of the built-in translations, one `include_str!` per locale of the
//! contract's list (`reclaim_contract::locale::LOCALES`), which the browser tests serve as the
//! build does (`tests/support`). The list is the one place a language is added.

use reclaim_contract::locale::{include_table, DEFAULT_LOCALE};
use std::{env, fs, path::Path};

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/i18n/builtin");
    println!("cargo:rerun-if-changed={}", folder.display());
    let table = format!(
        "/// Each built-in locale's translation but English's (compiled in), as the build serves\n\
         /// it at `/i18n/<tag>.json`.\n\
         pub const BUILT_IN_FILES: &[(&str, &str)] = &[\n{}];\n",
        include_table(&folder, Some(DEFAULT_LOCALE)),
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("built_in_files.rs");
    fs::write(out, table).unwrap();
}
