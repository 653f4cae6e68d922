//! Values that are valid by construction: parse once at the edge, then trust.

mod client;
mod email_address;
mod locale;
mod nfkc;
mod password;
mod reset_code;
mod return_address;
mod token;

pub use client::Client;
pub use email_address::EmailAddress;
pub use locale::Locale;
pub use nfkc::nfkc;
#[cfg(test)]
pub use password::WeakReason;
pub use password::{NewPassword, PasswordPolicy, WeakPassword};
pub use reset_code::{CodeHash, CodeKey, ResetCode};
pub use return_address::{ReturnAddress, ReturnOrigins};
pub use token::{SecretToken, TokenHash};
