//! One module per page: each reads its state, picks what to show and composes components; the
//! rules live in `domain`, the API's client in `api`. The new-password form serves every page that
//! sets a password.

mod code_reset;
mod config_problem;
mod done;
mod new_password;
mod not_found;
mod recover;
mod reset;

pub use config_problem::ConfigProblem;
pub use not_found::NotFoundPage;
pub use recover::RecoverPage;
pub use reset::ResetPage;
