//! Writes the table of the mails' words, one `include_str!` per locale of the contract's list
//! (`reclaim_contract::locale::LOCALES`): the list is the one place a language is added, and a
//! locale without its `src/mail/locales/<tag>.json` fails the build, naming the file.

use reclaim_contract::locale::include_table;
use std::{env, fs, path::Path};

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/mail/locales");
    println!("cargo:rerun-if-changed={}", folder.display());
    let table = format!(
        "/// Each built-in locale's mail texts, in the contract's order.\n\
         pub const MAIL_FILES: [(&str, &str); reclaim_contract::locale::BUILT_IN.len()] = [\n{}];\n",
        include_table(&folder, None),
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("mail_files.rs");
    fs::write(out, table).unwrap();
}
