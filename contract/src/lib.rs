//! The one place the pages, the reference server and a deployment learn the rules they must
//! agree on. The wire contract (`contract/CONTRACT.md`) in code: what an email address is, how
//! long a password may be, the endpoints' paths and field names, the error codes and 422
//! reasons, the shape of the emailed link and of the short code mailed with it
//! ([`reset_code`]), and how a reader's language is chosen; and the deployment's own files:
//! `config.json` ([`config`]) and the description of each recovery backend the pages can speak
//! ([`backend`]; the shipped ones are `contract/backends/*.json`); and what every host of the
//! pages sends with them ([`policy`]) and keeps for good ([`assets`]). Both sides depend on this
//! crate, so a rule changed here changes for both.
//!
//! Plain Rust with no dependencies: it is compiled into every visitor's wasm.

pub mod assets;
pub mod backend;
pub mod brand;
pub mod config;
pub mod email;
pub mod json;
pub mod link;
pub mod locale;
pub mod password;
pub mod policy;
pub mod reset_code;
pub mod wire;

pub use email::{check_email, EmailSyntaxError};
pub use password::{password_chars, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
