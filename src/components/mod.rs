//! Small building blocks shared by the pages.

mod announcer;
mod countdown;
mod field;
mod form_alert;
mod heading;
mod later;
mod submit_button;

pub use announcer::{provide_announcer, use_announcer, Announcer, LiveRegion};
pub use countdown::Countdown;
pub use field::{focus_field, InputField};
pub use form_alert::{FormAlert, FormController};
pub use heading::PageHeading;
pub use later::{Later, StartUp};
pub use submit_button::SubmitButton;
