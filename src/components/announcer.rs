use std::time::Duration;

use leptos::prelude::*;

use crate::browser;

/// Announces outcomes to screen-reader users through one polite live region.
#[derive(Clone, Copy)]
pub struct Announcer(RwSignal<String>);

impl Announcer {
    /// Announces `message`. The region is emptied first so that the same
    /// message twice (say, "Link sent" after "Send again") is read twice.
    pub fn say(&self, message: impl Into<String>) {
        let (region, message) = (self.0, message.into());
        region.set(String::new());
        browser::after(Duration::from_millis(100), move || region.set(message));
    }
}

pub fn provide_announcer() -> Announcer {
    let announcer = Announcer(RwSignal::new(String::new()));
    provide_context(announcer);
    announcer
}

pub fn use_announcer() -> Announcer {
    expect_context::<Announcer>()
}

/// The live region itself: rendered once, empty at first, so that assistive
/// technology is already watching it when the first message arrives.
#[component]
pub fn LiveRegion() -> impl IntoView {
    let Announcer(message) = use_announcer();
    view! {
        <p id="announcer" class="visually-hidden" role="status" aria-live="polite">
            {move || message.get()}
        </p>
    }
}
