use leptos::{ev::SubmitEvent, html::Input, prelude::*, task::spawn_local};

use crate::{
    api::ApiError,
    backend,
    components::{
        focus_field, use_announcer, FormAlert, FormController, InputField, PageHeading,
        SubmitButton,
    },
    domain::{
        code_error_message, masked_address, LinkToken, PasswordRules, ResetToken,
        MAX_PASSWORD_CHARS,
    },
    token_store::TokenStore,
    use_settings,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Choosing the new password (and, without a token in the link, typing
    /// the code from the email).
    Form,
    /// The API refused the token: unknown, used or expired. `typed` when it
    /// was a code the person entered rather than a link they opened.
    Invalid { typed: bool },
    /// The password was changed.
    Done,
    /// The link is for something else (verifying an email address): nothing is sent.
    NotAReset,
}

/// `/reset?token=…` (or `#token=…`, or a backend's own reset link): sets a new
/// password with the emailed token. Without a token in the link, the person
/// enters the code from the email instead (a mail app cut the link, or the
/// mail is on another device).
#[component]
pub fn ResetPage() -> impl IntoView {
    let settings = use_settings();
    let announcer = use_announcer();
    let step = RwSignal::new(Step::Form);
    let token = TokenStore::new();
    let needs_code = RwSignal::new(false);
    // Whose password the link resets (masked), when the API says.
    let account = RwSignal::new(None::<String>);

    // After the first render (which must stay free of browser calls so it can
    // be prerendered), take the token and clear it from the address bar. A
    // submit that comes first takes it itself.
    Effect::new(move |_| match token.token() {
        LinkToken::Missing => needs_code.set(true),
        LinkToken::NotAReset => step.set(Step::NotAReset),
        LinkToken::Present(link_token) => spawn_local(async move {
            // Checked before a password is typed, where the API can: a used or
            // expired link says so at once. Any other failure is left for the
            // submit to report.
            let Ok(client) = settings.client().await else {
                return;
            };
            match client.check_link(&link_token).await {
                Ok(address) => account.set(address.as_deref().map(masked_address)),
                Err(ApiError::InvalidLink) => {
                    if step.get_untracked() == Step::Form {
                        step.set(Step::Invalid { typed: false });
                    }
                }
                Err(_) => {}
            }
        }),
    });

    let request_new_link = || {
        view! { <p><a id="request-new-link" class="button" href="/recover">"Request a new link"</a></p> }
    };
    let invalid = move |typed: bool| {
        view! {
            <PageHeading
                text=if typed { "This code is invalid or has expired" } else { "This link is invalid or has expired" }
                focus=true
            />
            <p class="lead">"Reset links and codes work once and expire after a short time. Your password has not been changed."</p>
            {request_new_link()}
        }
    };
    let done = move || {
        announcer.say("Your password has been changed.");
        view! {
            <PageHeading text="Your password has been changed" focus=true />
            <p class="lead">"You can now sign in with your new password. For your safety, you have been signed out on every device."</p>
            // rel=external: a full page load, not a page of this app. A link
            // that named where to go next (an http(s) URL) offers that instead.
            {match token.link().continue_to {
                Some(url) => view! {
                    <p><a id="continue" class="button" rel="external" href=url>"Continue"</a></p>
                }.into_any(),
                None => view! {
                    <p><a id="sign-in" class="button" rel="external" href=move || settings.config().sign_in_url>"Sign in"</a></p>
                }.into_any(),
            }}
        }
    };
    let not_a_reset = move || {
        view! {
            <PageHeading text="This link is not for this page" focus=true />
            <p class="lead">"This site handles password resets only. Nothing was sent and nothing about your account has changed."</p>
            <p>"To verify or change your email address, open the link on the site or app that sent it, or ask its support team. To reset your password, request a new link."</p>
            {request_new_link()}
        }
    };

    move || match step.get() {
        Step::Form => view! { <NewPasswordForm step token needs_code account /> }.into_any(),
        Step::Invalid { typed } => invalid(typed).into_any(),
        Step::Done => done().into_any(),
        Step::NotAReset => not_a_reset().into_any(),
    }
}

/// An error kept with the value it is about, shown only while that value is
/// still in its field: once the person edits it, the live rules take over.
type FieldError = RwSignal<Option<(String, String)>>;

fn shown_error(error: FieldError, field: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|(about, message)| field.with(|now| *now == about).then_some(message))
    })
}

/// The reset code (when the link had none), the two password fields, the
/// rules as they are met, and the submission.
#[component]
fn NewPasswordForm(
    /// The page's state, moved on by the API's answer.
    step: RwSignal<Step>,
    /// The token taken from the link.
    token: TokenStore,
    /// The link had no token: the person types the code from the email.
    needs_code: RwSignal<bool>,
    /// The account being reset, partly masked, once the API has said.
    account: RwSignal<Option<String>>,
) -> impl IntoView {
    let settings = use_settings();
    let announcer = use_announcer();
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let shown = RwSignal::new(false);
    let code_error: FieldError = RwSignal::new(None);
    let password_error: FieldError = RwSignal::new(None);
    let confirmation_error: FieldError = RwSignal::new(None);
    let form = FormController::new();
    let code_input = NodeRef::<Input>::new();
    let password_input = NodeRef::<Input>::new();
    let confirmation_input = NodeRef::<Input>::new();

    let rules = Memo::new(move |_| PasswordRules {
        min_chars: settings.config().min_password_length,
    });
    let check = Memo::new(move |_| rules.get().check(&password.get(), &confirmation.get()));

    let reset = move |reset_token: ResetToken, new_password: String, typed: bool| {
        let sent_password = new_password.clone();
        form.send(
            move |client| async move { client.reset_password(&reset_token, &sent_password).await },
            move |answer| match answer {
                Ok(()) => {
                    // Nothing of the password or the code stays behind in the page.
                    code.set(String::new());
                    password.set(String::new());
                    confirmation.set(String::new());
                    step.set(Step::Done);
                }
                Err(error @ ApiError::WeakPassword { .. }) => {
                    password_error.set(Some((new_password, error.to_string())));
                    focus_field(password_input);
                }
                Err(_) => step.set(Step::Invalid { typed }),
            },
        )
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.can_send() {
            return;
        }
        form.clear();
        // The link's token, or else the typed code, checked before anything is sent.
        let reset_token = match token.token() {
            LinkToken::Present(from_link) => Ok(from_link),
            // Not reached: such a link shows its own page instead of the form.
            LinkToken::NotAReset => return,
            LinkToken::Missing => {
                needs_code.set(true);
                backend::code_from_typed(&code.get_untracked())
            }
        };
        let typed = needs_code.get_untracked();
        code_error.set(
            reset_token
                .as_ref()
                .err()
                .map(|error| (code.get_untracked(), code_error_message(*error).to_owned())),
        );
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
        let first_error = [
            (code_error, code_input),
            (password_error, password_input),
            (confirmation_error, confirmation_input),
        ]
        .into_iter()
        .find(|(error, _)| error.with_untracked(Option::is_some));
        match (first_error, reset_token) {
            (Some((_, input)), _) => focus_field(input),
            (None, Ok(reset_token)) => reset(reset_token, password.get_untracked(), typed),
            (None, Err(_)) => {}
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
        {move || account.get().map(|address| view! {
            <p id="account">"For the account "<strong>{address}</strong></p>
        })}
        {move || if needs_code.get() {
            view! {
                // Kept shorter than the prerendered lead it replaces: a larger block
                // appearing once the app runs would become the page's largest paint.
                <p class="lead">"Enter the code from the email, then choose a new password."</p>
            }.into_any()
        } else {
            view! {
                <p class="lead">"Use at least " {min_chars} " characters. A few unrelated words make a password that is long, strong and easy to remember."</p>
            }.into_any()
        }}
        <FormAlert form />
        <form id="reset-form" class="form" novalidate on:submit=on_submit>
            {move || needs_code.get().then(|| view! {
                <InputField
                    id="reset-code"
                    label="Reset code"
                    hint="It is on its own line in the email, under the link. A link cut short brings you here; pasting the whole link works too."
                    input_type="text"
                    autocomplete="one-time-code"
                    value=code
                    error=shown_error(code_error, code)
                    input_ref=code_input
                />
            })}
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
            <SubmitButton id="set-password" label="Set new password" busy_label="Saving…" form />
        </form>
        {move || needs_code.get().then(|| view! {
            <p id="no-code">"No email, or the code has expired? "<a id="request-new-link" href="/recover">"Request a new link"</a></p>
        })}
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
