use std::{future::Future, pin::Pin};

use leptos::{html::Div, prelude::*, task::spawn_local};

use super::Countdown;
use crate::{
    api::{ApiError, RecoveryClient},
    deployment::{use_deployment, Deployment},
    effect::effect,
    i18n::{use_i18n, Counted, I18n, Message, Text},
};

/// What every form of the pages shares: one request at a time (busy while it is in flight, a
/// second submit meanwhile sends nothing), the problems that belong to the whole form rather
/// than one field (rate limit, server down, no connection), and the wait a rate limit imposes
/// before anything may be sent again. Each page keeps only its fields and what an answer means
/// to it.
#[derive(Clone, Copy)]
pub struct FormController {
    deployment: Deployment,
    i18n: I18n,
    busy: RwSignal<bool>,
    message: RwSignal<Option<Message>>,
    wait: Countdown,
    /// A send made before the deployment had loaded (rare: the page is shown once it has, or
    /// after a few seconds without it), sent as soon as it has.
    waiting: StoredValue<Option<Job>, LocalStorage>,
}

/// A request to send with the client, which returns the form-wide error its answer gave, if any.
type Job = Box<dyn FnOnce(RecoveryClient) -> Pin<Box<dyn Future<Output = Option<ApiError>>>>>;
/// A request as `send` boxes it, so that `answered` is built once per kind of answer.
type BoxedRequest<T> =
    Box<dyn FnOnce(RecoveryClient) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>>>;

impl FormController {
    /// Only call this while rendering a page: it takes the deployment from context.
    pub fn new() -> Self {
        let form = Self {
            deployment: use_deployment(),
            i18n: use_i18n(),
            busy: RwSignal::new(false),
            message: RwSignal::new(None),
            wait: Countdown::new(),
            waiting: StoredValue::new_local(None),
        };
        effect(move || {
            if form.deployment.is_loaded() {
                if let Some(job) = form.waiting.try_update_value(Option::take).flatten() {
                    form.start(job);
                }
            }
        });
        form
    }

    /// Whether something may be sent now: nothing in flight, no rate limit. A submit that
    /// comes while this is false sends nothing.
    pub fn can_send(&self) -> bool {
        !self.busy.get_untracked() && !self.wait.is_running()
    }

    /// Sends `request` with the configured API client, unless one is in flight or a rate
    /// limit lasts. Form-wide failures are shown here; `on_answer` gets success and the errors
    /// that mean something to the page.
    pub fn send<T: 'static, Fut>(
        &self,
        request: impl FnOnce(RecoveryClient) -> Fut + 'static,
        on_answer: impl FnOnce(Result<T, ApiError>) + 'static,
    ) where
        Fut: Future<Output = Result<T, ApiError>> + 'static,
    {
        // Boxed here, so that only `answered` is built per kind of answer (a few), not per
        // page that sends (the closures differ at every one): every visitor downloads each copy.
        self.answered::<T>(
            Box::new(move |client| Box::pin(request(client))),
            Box::new(on_answer),
        );
    }

    fn answered<T: 'static>(
        &self,
        request: BoxedRequest<T>,
        on_answer: Box<dyn FnOnce(Result<T, ApiError>)>,
    ) {
        self.run(Box::new(move |client| {
            Box::pin(async move {
                match request(client).await {
                    Err(error) if error.is_form_wide() => Some(error),
                    answer => {
                        on_answer(answer);
                        None
                    }
                }
            })
        }));
    }

    /// Runs `job` with the configured client (it returns a form-wide error, if any), busy
    /// meanwhile, unless one is in flight or a rate limit lasts; once the deployment has
    /// loaded, if it has not yet.
    fn run(&self, job: Job) {
        if !self.can_send() {
            return;
        }
        self.clear();
        self.busy.set(true);
        if self.deployment.is_loaded_untracked() {
            self.start(job);
        } else {
            self.waiting.set_value(Some(job));
        }
    }

    fn start(&self, job: Job) {
        let this = *self;
        let client = self.deployment.client(self.i18n.locale_untracked());
        spawn_local(async move {
            match client {
                Some(Ok(client)) => {
                    if let Some(error) = job(client).await {
                        this.report(&error);
                    }
                }
                // Not reached in practice: a broken configuration replaces the pages.
                Some(Err(problem)) => this
                    .message
                    .set(Some(Message::verbatim(problem.to_string()))),
                None => {}
            }
            this.busy.try_set(false);
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

    /// "You can try again in N seconds." while a rate limit lasts. Tracked.
    fn wait_hint(&self) -> Option<Message> {
        self.must_wait()
            .then(|| Message::counted(Counted::TryAgainIn, self.wait.remaining()))
    }
}

impl Default for FormController {
    fn default() -> Self {
        Self::new()
    }
}

/// An error that belongs to the whole form, not one field (rate limit, server down, no
/// connection). `role="alert"` makes screen readers read it at once, and focus moves to it:
/// the button that was pressed may just have been disabled.
#[component]
pub fn FormAlert(
    /// The form whose problems are shown; nothing is rendered while it has none.
    form: FormController,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = form.message;
    let alert = NodeRef::<Div>::new();
    effect(move || {
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

/// A form's submit button: shows progress while a request is in flight, is disabled while a
/// rate limit lasts, and says beneath it when trying again will work.
#[component]
pub fn SubmitButton(
    id: &'static str,
    /// The label at rest.
    label: Text,
    /// The label while a request is in flight.
    busy_label: Text,
    /// The form it sends.
    form: FormController,
) -> impl IntoView {
    // While busy the button stays focusable (`aria-disabled`, not `disabled`, so keyboard
    // focus is not thrown to the page), and the form ignores the click; during a rate limit it
    // is truly disabled.
    let i18n = use_i18n();
    let busy = move || form.is_busy();
    // In the page prerendered at build time the button is disabled: a disabled default button
    // stops Enter from submitting the form as a GET that would put what was typed in the
    // address bar. The page's script enables it and, should it be pressed before the app runs,
    // shows the busy label it carries (see the prerender's bootstrap).
    let before_app = cfg!(feature = "ssr");
    view! {
        <button
            id=id
            type="submit"
            class="button"
            class:button-busy=busy
            aria-disabled=move || busy().then_some("true")
            disabled=move || before_app || form.must_wait()
            data-busy=before_app.then(|| i18n.text_untracked(busy_label))
        >
            {move || i18n.text(if busy() { busy_label } else { label })}
        </button>
        {before_app.then(|| view! {
            <noscript><p class="hint">{i18n.show(Text::NeedsJavascript)}</p></noscript>
        })}
        // The alert above already said it; the ticking seconds would be noise to a screen
        // reader.
        {move || form.wait_hint().map(|hint| view! { <p class="hint" aria-hidden="true">{move || i18n.render(&hint)}</p> })}
    }
}

/// "Send again" after something was sent: it waits `pause` seconds first (enough for a mail to
/// arrive, short enough not to strand someone whose mail was lost), then sends through the
/// same form, so a rate limit or a failure reads as on the first send.
#[component]
pub fn SendAgainButton(
    /// The form that sent the first time.
    form: FormController,
    /// The pause that is running, started by the page after each send.
    pause: Countdown,
    /// The label at rest ("Send the link again", "Send a new code").
    label: Text,
    /// Sends again.
    on_send: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = move || form.is_busy();
    view! {
        <button
            id="send-again"
            type="button"
            class="button button-secondary"
            class:button-busy=busy
            aria-disabled=move || busy().then_some("true")
            disabled=move || pause.is_running() || form.must_wait()
            on:click=move |_| {
                if !pause.is_running() {
                    on_send.run(());
                }
            }
        >
            {move || {
                if busy() {
                    i18n.text(Text::Sending)
                } else if pause.is_running() {
                    i18n.render(&Message::counted(Counted::SendAgainIn, pause.remaining()))
                } else {
                    i18n.text(label)
                }
            }}
        </button>
    }
}
