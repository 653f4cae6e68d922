//! The pieces the pages are built from: a field with its label, hint and error; the forms'
//! shared submit logic, alert and buttons; the password checklist; a sentence with an address
//! in it; the page heading; the live region; a countdown.

mod announcer;
mod checklist;
mod countdown;
mod field;
mod form;
mod heading;
mod sentence;

pub use announcer::{provide_announcer, use_announcer, Announcer, LiveRegion};
pub use checklist::PasswordChecklist;
pub use countdown::Countdown;
pub use field::{Field, InputField};
pub use form::{FormAlert, FormController, SendAgainButton, SubmitButton};
pub use heading::PageHeading;
pub use sentence::Sentence;
