//! The pieces the pages are built from: a field with its label, hint and error; the forms'
//! shared submit logic, alert and buttons; the password checklist; a sentence with an address
//! in it; the page heading; the live region; a countdown; the language switcher; and the parts
//! of the first render that wait for a task of their own.

mod announcer;
mod checklist;
mod countdown;
mod deferred;
mod field;
mod form;
mod heading;
pub mod language_switcher;
mod sentence;

pub use announcer::{provide_announcer, use_announcer, Announcer, LiveRegion};
pub use checklist::PasswordChecklist;
pub use countdown::Countdown;
pub use deferred::{Deferred, Rendering};
pub use field::{Field, InputField};
pub use form::{FormAlert, FormController, SendAgainButton, SubmitButton};
pub use heading::PageHeading;
pub use sentence::Sentence;
