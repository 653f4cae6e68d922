use leptos::{html::Div, prelude::*};

use super::Countdown;
use crate::api::ApiError;

/// What went wrong with a form as a whole (shown by [`FormAlert`]), and the
/// wait a rate limit imposes before anything may be sent again.
#[derive(Clone, Copy)]
pub struct FormProblem {
    message: RwSignal<Option<String>>,
    wait: Countdown,
}

impl FormProblem {
    pub fn new() -> Self {
        Self {
            message: RwSignal::new(None),
            wait: Countdown::new(),
        }
    }

    /// Shows `error`; after a 429, starts the wait it asks for.
    pub fn report(&self, error: &ApiError) {
        if let Some(wait) = error.wait() {
            self.wait.start(wait.as_secs());
        }
        self.message.set(Some(error.to_string()));
    }

    pub fn clear(&self) {
        self.message.set(None);
    }

    /// A rate limit is in force: nothing may be sent. Tracked.
    pub fn must_wait(&self) -> bool {
        self.wait.is_running()
    }

    /// Seconds left of the rate limit's wait. Tracked.
    pub fn seconds_left(&self) -> u64 {
        self.wait.remaining()
    }

    /// The message for [`FormAlert`].
    pub fn message(&self) -> Signal<Option<String>> {
        self.message.into()
    }
}

impl Default for FormProblem {
    fn default() -> Self {
        Self::new()
    }
}

/// An error that belongs to the whole form, not one field (rate limit, server
/// down, no connection). `role="alert"` makes screen readers read it at once,
/// and focus moves to it: the button that was pressed may just have been disabled.
#[component]
pub fn FormAlert(
    /// The message; nothing is rendered while it is `None`.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    let alert = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let (Some(alert), Some(_)) = (alert.get(), message.get()) {
            let _ = alert.focus();
        }
    });
    move || {
        message.get().map(|text| {
            view! {
                <div id="form-error" class="alert" role="alert" tabindex="-1" node_ref=alert>
                    <p>{text}</p>
                </div>
            }
        })
    }
}
