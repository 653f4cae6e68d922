//! Pure rules of the product: what counts as an email address, an acceptable new password, and
//! a code entered from the mail. Plain Rust, tested natively.

pub mod code;
pub mod email;
pub mod password;

pub use code::code_error_message;
pub use email::{masked_address, EmailAddress, EmailError};
pub use password::{Confirmation, PasswordCheck, PasswordRules};
pub use reclaim_contract::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
