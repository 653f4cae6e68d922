//! Pure rules of the product: what counts as an email address, an acceptable
//! new password, and a reset token. Plain Rust, tested natively.

pub mod email;
pub mod password;
pub mod token;

pub use email::{masked_address, EmailAddress, EmailError};
pub use password::{Confirmation, PasswordCheck, PasswordRules};
pub use reclaim_contract::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
pub use token::{code_error_message, ResetToken};
