use leptos::{ev::SubmitEvent, html::Input, prelude::*, task::spawn_local};

use crate::{
    api::ApiError,
    backend,
    components::{
        focus_field, use_announcer, FormAlert, FormController, InputField, Later, PageHeading,
        SubmitButton,
    },
    domain::{
        code_error_message, masked_address, LinkToken, PasswordRules, ResetToken,
        MAX_PASSWORD_CHARS,
    },
    i18n::{texts::around, use_i18n, Counted, Message, Text},
    token_store::TokenStore,
    use_settings,
};
use reclaim_contract::link::RECOVER_PAGE_PATH;

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
    let i18n = use_i18n();
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

    let request_new_link = move || {
        view! {
            <p>
                <a id="request-new-link" class="button" href=move || i18n.page_link(RECOVER_PAGE_PATH)>
                    {i18n.show(Text::RequestNewLink)}
                </a>
            </p>
        }
    };
    let invalid = move |typed: bool| {
        view! {
            <PageHeading
                text=if typed { Text::InvalidCodeHeading } else { Text::InvalidLinkHeading }
                focus=true
            />
            <p class="lead">{i18n.show(Text::InvalidLead)}</p>
            {request_new_link()}
        }
    };
    let done = move || {
        announcer.say(i18n.text_untracked(Text::AnnounceDone));
        view! {
            <PageHeading text=Text::DoneHeading focus=true />
            <p class="lead">{i18n.show(Text::DoneLead)}</p>
            // rel=external: a full page load, not a page of this app. A link
            // that named where to go next (an http(s) URL) offers that instead.
            {match token.link().continue_to {
                Some(url) => view! {
                    <p><a id="continue" class="button" rel="external" href=url>{i18n.show(Text::Continue)}</a></p>
                }.into_any(),
                None => view! {
                    <p><a id="sign-in" class="button" rel="external" href=move || settings.config().sign_in_url>{i18n.show(Text::SignIn)}</a></p>
                }.into_any(),
            }}
        }
    };
    let not_a_reset = move || {
        view! {
            <PageHeading text=Text::NotAResetHeading focus=true />
            <p class="lead">{i18n.show(Text::NotAResetLead)}</p>
            <p>{i18n.show(Text::NotAResetNote)}</p>
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
type FieldError = RwSignal<Option<(String, Message)>>;

fn shown_error(error: FieldError, field: RwSignal<String>) -> Signal<Option<Message>> {
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
    let i18n = use_i18n();
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
                Err(ApiError::WeakPassword { reasons, message }) => {
                    let refusal = rules
                        .get_untracked()
                        .check(&new_password, &new_password)
                        .refusal(&reasons, message.as_deref());
                    password_error.set(Some((new_password, refusal)));
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
                .map(|error| (code.get_untracked(), code_error_message(*error))),
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
        announcer.say(i18n.text_untracked(if now_shown {
            Text::AnnouncePasswordsShown
        } else {
            Text::AnnouncePasswordsHidden
        }));
    };
    let input_type = Signal::derive(move || if shown.get() { "text" } else { "password" });
    let min_chars = move || rules.get().min_chars as u64;
    let counted =
        move |counted: Counted, count: u64| i18n.render(&Message::counted(counted, count));

    view! {
        <PageHeading text=Text::ResetHeading />
        {move || account.get().map(|address| view! {
            <p id="account">
                {move || around(&i18n.text(Text::ResetAccount), "address").0}
                <strong dir="ltr">{address}</strong>
                {move || around(&i18n.text(Text::ResetAccount), "address").1}
            </p>
        })}
        // Kept shorter with a code than the prerendered lead it replaces: a larger
        // block appearing once the app runs would become the page's largest paint.
        <p class="lead">
            {move || if needs_code.get() {
                i18n.text(Text::ResetLeadWithCode)
            } else {
                counted(Counted::ResetLead, min_chars())
            }}
        </p>
        <FormAlert form />
        <form id="reset-form" class="form" novalidate on:submit=on_submit>
            {move || needs_code.get().then(|| view! {
                <InputField
                    id="reset-code"
                    label=Text::CodeLabel
                    hint=Text::CodeHint
                    input_type="text"
                    autocomplete="one-time-code"
                    value=code
                    error=shown_error(code_error, code)
                    input_ref=code_input
                />
            })}
            <InputField
                id="new-password"
                label=Text::NewPasswordLabel
                input_type
                autocomplete="new-password"
                value=password
                error=shown_error(password_error, password)
                input_ref=password_input
            />
            <InputField
                id="confirm-password"
                label=Text::ConfirmPasswordLabel
                input_type
                autocomplete="new-password"
                value=confirmation
                error=shown_error(confirmation_error, confirmation)
                input_ref=confirmation_input
            />
            // The rest of the form, a task later while the app starts.
            <Later>
            <button
                id="show-passwords"
                type="button"
                class="button button-secondary toggle"
                aria-pressed=move || shown.get().to_string()
                aria-controls="new-password confirm-password"
                on:click=toggle_shown
            >
                {i18n.show(Text::ShowPasswords)}
            </button>
            <ul id="password-rules" class="rules" aria-label=i18n.show(Text::PasswordRulesLabel)>
                <Rule met=Signal::derive(move || check.get().long_enough())>
                    {move || counted(Counted::RuleMinimum, min_chars())}
                </Rule>
                {move || (!check.get().short_enough()).then(|| view! {
                    <Rule met=Signal::derive(|| false)>
                        {move || i18n.render(
                            &Message::counted(Counted::RuleMaximum, MAX_PASSWORD_CHARS as u64)
                                .with("now", check.get().chars),
                        )}
                    </Rule>
                })}
                <Rule met=Signal::derive(move || check.get().matches())>{i18n.show(Text::RuleMatch)}</Rule>
            </ul>
            <SubmitButton id="set-password" label=Text::SetPassword busy_label=Text::Saving form />
            </Later>
        </form>
        {move || needs_code.get().then(|| view! {
            <p id="no-code">
                {i18n.show(Text::NoCode)}" "
                <a id="request-new-link" href=move || i18n.page_link(RECOVER_PAGE_PATH)>{i18n.show(Text::RequestNewLink)}</a>
            </p>
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
    let i18n = use_i18n();
    view! {
        <li class="rule" class:rule-met=move || met.get()>
            {children()}
            <span class="visually-hidden">
                " "{move || i18n.text(if met.get() { Text::RuleDone } else { Text::RuleNotYet })}
            </span>
        </li>
    }
}
