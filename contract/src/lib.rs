//! The one place the pages and the reference server learn the rules they must agree on. The
//! wire contract (`contract/CONTRACT.md`) in code: what an email address is, how long a password may be,
//! the endpoints' paths and field names, the error codes and 422 reasons, the shape of the
//! emailed link, and how a reader's language is chosen. Both sides depend on this crate, so a
//! rule changed here changes for both.
//!
//! Plain Rust with no dependencies: it is compiled into every visitor's wasm.

pub mod email;
pub mod link;
pub mod locale;
pub mod password;
pub mod wire;

pub use email::{check_email, EmailSyntaxError};
pub use password::{password_chars, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
