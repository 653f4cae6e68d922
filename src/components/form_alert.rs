use std::future::Future;

use leptos::{html::Div, prelude::*, task::spawn_local};

use super::Countdown;
use crate::{
    api::ApiError,
    backend::RecoveryClient,
    i18n::{use_i18n, Counted, Message},
    use_settings, Settings,
};

/// What both pages' forms share: one request at a time (busy while it is in
/// flight, a second submit meanwhile sends nothing), the problems that belong
/// to the whole form rather than one field (rate limit, server down, no
/// connection), and the wait a rate limit imposes before anything may be sent
/// again. Each page keeps only its fields and what an answer means to it.
#[derive(Clone, Copy)]
pub struct FormController {
    settings: Settings,
    busy: RwSignal<bool>,
    message: RwSignal<Option<Message>>,
    wait: Countdown,
}

impl FormController {
    /// Only call this while rendering a page: it takes the settings from context.
    pub fn new() -> Self {
        Self {
            settings: use_settings(),
            busy: RwSignal::new(false),
            message: RwSignal::new(None),
            wait: Countdown::new(),
        }
    }

    /// Whether something may be sent now: nothing in flight, no rate limit.
    /// A submit that comes while this is false sends nothing.
    pub fn can_send(&self) -> bool {
        !self.busy.get_untracked() && !self.wait.is_running()
    }

    /// Sends `request` with the configured API client, unless one is in flight
    /// or a rate limit lasts. Form-wide failures are shown here; `on_answer`
    /// gets success and the errors that mean something to the page.
    pub fn send<Fut>(
        &self,
        request: impl FnOnce(RecoveryClient) -> Fut + 'static,
        on_answer: impl FnOnce(Result<(), ApiError>) + 'static,
    ) where
        Fut: Future<Output = Result<(), ApiError>> + 'static,
    {
        if !self.can_send() {
            return;
        }
        self.clear();
        self.busy.set(true);
        let this = *self;
        spawn_local(async move {
            match this.settings.client().await {
                Ok(client) => match request(client).await {
                    Err(error) if error.is_form_wide() => this.report(&error),
                    answer => on_answer(answer),
                },
                // Not reached in practice: a broken configuration replaces the pages.
                Err(error) => this.message.set(Some(Message::verbatim(error.to_string()))),
            }
            this.busy.set(false);
        });
    }

    /// Shows `error`; after a 429, starts the wait it asks for.
    fn report(&self, error: &ApiError) {
        if let Some(wait) = error.wait() {
            self.wait.start(wait.as_secs());
        }
        self.message.set(Some(error.message()));
    }

    pub fn clear(&self) {
        self.message.set(None);
    }

    /// A request is in flight. Tracked.
    pub fn is_busy(&self) -> bool {
        self.busy.get()
    }

    /// A rate limit is in force: nothing may be sent. Tracked.
    pub fn must_wait(&self) -> bool {
        self.wait.is_running()
    }

    /// The form-wide message for [`FormAlert`].
    pub fn message(&self) -> Signal<Option<Message>> {
        self.message.into()
    }

    /// "You can try again in N seconds." while a rate limit lasts. Tracked.
    pub fn wait_hint(&self) -> Option<Message> {
        self.must_wait()
            .then(|| Message::counted(Counted::TryAgainIn, self.wait.remaining()))
    }
}

impl Default for FormController {
    fn default() -> Self {
        Self::new()
    }
}

/// An error that belongs to the whole form, not one field (rate limit, server
/// down, no connection). `role="alert"` makes screen readers read it at once,
/// and focus moves to it: the button that was pressed may just have been disabled.
#[component]
pub fn FormAlert(
    /// The form whose problems are shown; nothing is rendered while it has none.
    form: FormController,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = form.message();
    let alert = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let (Some(alert), Some(_)) = (alert.get(), message.get()) {
            let _ = alert.focus();
        }
    });
    move || {
        message.get().map(|message| {
            view! {
                <div id="form-error" class="alert" role="alert" tabindex="-1" node_ref=alert>
                    <p>{move || i18n.render(&message)}</p>
                </div>
            }
        })
    }
}
