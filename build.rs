//! Writes the table of the built-in translations, one `include_str!` per locale of the
//! contract's list (`reclaim_contract::locale::LOCALES`), which the browser tests serve as the
//! build does (`tests/support`). The list is the one place a language is added.

use std::{env, fmt::Write, fs, path::Path};

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/i18n/builtin");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut table = String::from(
        "/// Each built-in locale's translation but English's (compiled in), as the build serves\n\
         /// it at `/i18n/<tag>.json`.\n\
         pub const BUILT_IN_FILES: &[(&str, &str)] = &[\n",
    );
    for tag in reclaim_contract::locale::BUILT_IN {
        if tag == reclaim_contract::locale::DEFAULT_LOCALE {
            continue;
        }
        let file = folder.join(format!("{tag}.json"));
        writeln!(
            table,
            "    ({tag:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .unwrap();
    }
    table.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("built_in_files.rs");
    fs::write(out, table).unwrap();
}
