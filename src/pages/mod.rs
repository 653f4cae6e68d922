//! One module per page. Pages are thin: they read the URL, pick a state and
//! compose components; the rules live in `domain`, the HTTP in `api`.

mod not_found;
mod recover;
mod reset;

pub use not_found::NotFoundPage;
pub use recover::RecoverPage;
pub use reset::ResetPage;
