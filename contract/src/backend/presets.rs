//! The descriptions shipped beside `config.json` (`contract/backends/`, copied into the build's
//! `backends/`), by name: the one list of them. Adding a backend is its description, its
//! end-to-end host program (`e2e/src/backends/`) and one line here. Only tests and tools read
//! this table; the pages fetch the one description their deployment names.

pub const PRESETS: [(&str, &str); 7] = [
    ("reclaim", include_str!("../../backends/reclaim.json")),
    ("firebase", include_str!("../../backends/firebase.json")),
    ("allauth", include_str!("../../backends/allauth.json")),
    (
        "allauth-codes",
        include_str!("../../backends/allauth-codes.json"),
    ),
    (
        "better-auth",
        include_str!("../../backends/better-auth.json"),
    ),
    (
        "better-auth-codes",
        include_str!("../../backends/better-auth-codes.json"),
    ),
    ("pocketbase", include_str!("../../backends/pocketbase.json")),
];
