use leptos::{ev::SubmitEvent, html::Input, prelude::*};

use crate::{
    api::ApiError,
    components::{
        focus_field, use_announcer, FormAlert, FormProblem, InputField, PageHeading, Pending,
        SubmitButton,
    },
    domain::{LinkToken, PasswordRules, ResetToken, MAX_PASSWORD_CHARS},
    token_store::TokenStore,
    use_settings,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Choosing the new password.
    Form,
    /// The link carried no token.
    Incomplete,
    /// The API refused the token: unknown, used or expired.
    InvalidLink,
    /// The password was changed.
    Done,
}

/// `/reset?token=…` (or `#token=…`): sets a new password with the emailed token.
#[component]
pub fn ResetPage() -> impl IntoView {
    let settings = use_settings();
    let announcer = use_announcer();
    let step = RwSignal::new(Step::Form);
    let token = TokenStore::new();

    // After the first render (which must stay free of browser calls so it can
    // be prerendered), take the token and clear it from the address bar. A
    // submit that comes first takes it itself.
    Effect::new(move |_| {
        if token.token() == LinkToken::Missing {
            step.set(Step::Incomplete);
        }
    });

    let form = move || view! { <NewPasswordForm step token /> };
    let incomplete = || {
        view! {
            <PageHeading text="This link is incomplete" />
            <p class="lead">"The link you opened has no reset code in it. Email apps sometimes cut long links in two."</p>
            <p>"Open the link from the email again, or copy the whole link into your browser. If that does not work, ask for a new link."</p>
            <p><a id="request-new-link" class="button" href="/recover">"Request a new link"</a></p>
        }
    };
    let invalid = || {
        view! {
            <PageHeading text="This link is invalid or has expired" focus=true />
            <p class="lead">"Reset links work once and expire after a short time. Your password has not been changed."</p>
            <p><a id="request-new-link" class="button" href="/recover">"Request a new link"</a></p>
        }
    };
    let done = move || {
        announcer.say("Your password has been changed.");
        view! {
            <PageHeading text="Your password has been changed" focus=true />
            <p class="lead">"You can now sign in with your new password. For your safety, you have been signed out on every device."</p>
            // rel=external: a full page load, not a route of this app.
            <p><a id="sign-in" class="button" rel="external" href=move || settings.config().sign_in_url>"Sign in"</a></p>
        }
    };

    move || match step.get() {
        Step::Form => form().into_any(),
        Step::Incomplete => incomplete().into_any(),
        Step::InvalidLink => invalid().into_any(),
        Step::Done => done().into_any(),
    }
}

/// The two password fields, the rules as they are met, and the submission.
#[component]
fn NewPasswordForm(
    /// The page's state, moved on by the API's answer.
    step: RwSignal<Step>,
    /// The token taken from the link.
    token: TokenStore,
) -> impl IntoView {
    let settings = use_settings();
    let announcer = use_announcer();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    // Each error is kept with the value it is about and shown only while that
    // value is still in the field: once the person edits it, the live rules
    // below take over.
    let password_error = RwSignal::new(None::<(String, String)>);
    let confirmation_error = RwSignal::new(None::<(String, String)>);
    let shown_error = |error: RwSignal<Option<(String, String)>>, field: RwSignal<String>| {
        Signal::derive(move || {
            error
                .get()
                .and_then(|(about, message)| field.with(|now| *now == about).then_some(message))
        })
    };
    let problem = FormProblem::new();
    let password_input = NodeRef::<Input>::new();
    let confirmation_input = NodeRef::<Input>::new();

    let rules = Memo::new(move |_| PasswordRules {
        min_chars: settings.config().min_password_length,
    });
    let check = Memo::new(move |_| rules.get().check(&password.get(), &confirmation.get()));

    let pending = Pending::new();
    let reset = move |token: ResetToken, new_password: String| {
        pending.run(async move {
            let outcome = match settings.client().await {
                Ok(client) => client.reset_password(&token, &new_password).await,
                Err(error) => Err(error),
            };
            match outcome {
                Ok(()) => {
                    // Nothing of the password stays behind in the page.
                    password.set(String::new());
                    confirmation.set(String::new());
                    step.set(Step::Done);
                }
                Err(ApiError::InvalidLink) => step.set(Step::InvalidLink),
                Err(error @ ApiError::WeakPassword { .. }) => {
                    password_error.set(Some((new_password, error.to_string())));
                    focus_field(password_input);
                }
                Err(error) => problem.report(&error),
            }
        })
    };
    let busy = Signal::derive(move || pending.is_busy());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || problem.must_wait() {
            return;
        }
        problem.clear();
        let check = check.get_untracked();
        password_error.set(
            check
                .password_error()
                .map(|m| (password.get_untracked(), m)),
        );
        confirmation_error.set(
            check
                .confirmation_error()
                .map(|m| (confirmation.get_untracked(), m)),
        );
        if check.password_error().is_some() {
            focus_field(password_input);
        } else if check.confirmation_error().is_some() {
            focus_field(confirmation_input);
        } else {
            match token.token() {
                LinkToken::Present(token) => reset(token, password.get_untracked()),
                LinkToken::Missing => step.set(Step::Incomplete),
            }
        }
    };

    let toggle_shown = move |_| {
        let now_shown = !shown.get_untracked();
        shown.set(now_shown);
        announcer.say(if now_shown {
            "Your passwords are shown."
        } else {
            "Your passwords are hidden."
        });
    };
    let input_type = Signal::derive(move || if shown.get() { "text" } else { "password" });
    let min_chars = move || rules.get().min_chars;

    view! {
        <PageHeading text="Choose a new password" />
        <p class="lead">"Use at least " {min_chars} " characters. A few unrelated words make a password that is long, strong and easy to remember."</p>
        <FormAlert message=problem.message() />
        <form id="reset-form" class="form" novalidate on:submit=on_submit>
            <InputField
                id="new-password"
                label="New password"
                input_type
                autocomplete="new-password"
                value=password
                error=shown_error(password_error, password)
                input_ref=password_input
            />
            <InputField
                id="confirm-password"
                label="Confirm new password"
                input_type
                autocomplete="new-password"
                value=confirmation
                error=shown_error(confirmation_error, confirmation)
                input_ref=confirmation_input
            />
            <button
                id="show-passwords"
                type="button"
                class="button button-secondary toggle"
                aria-pressed=move || shown.get().to_string()
                aria-controls="new-password confirm-password"
                on:click=toggle_shown
            >
                "Show passwords"
            </button>
            <ul id="password-rules" class="rules" aria-label="Password rules">
                <Rule met=Signal::derive(move || check.get().long_enough())>
                    "At least " {min_chars} " characters"
                </Rule>
                {move || (!check.get().short_enough()).then(|| view! {
                    <Rule met=Signal::derive(|| false)>
                        {move || format!("No more than {} characters (now {})", MAX_PASSWORD_CHARS, check.get().chars)}
                    </Rule>
                })}
                <Rule met=Signal::derive(move || check.get().matches())>"Both passwords match"</Rule>
            </ul>
            <SubmitButton
                id="set-password"
                label="Set new password"
                busy_label="Saving…"
                busy
                disabled=Signal::derive(move || problem.must_wait())
            />
        </form>
    }
}

/// One line of the live checklist under the password fields.
#[component]
fn Rule(
    /// Whether the rule holds for what is typed now.
    met: Signal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <li class="rule" class:rule-met=move || met.get()>
            {children()}
            <span class="visually-hidden">{move || if met.get() { " (done)" } else { " (not yet)" }}</span>
        </li>
    }
}
