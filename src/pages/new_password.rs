use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    components::{
        use_announcer, Deferred, Field, FormController, InputField, PasswordChecklist, SubmitButton,
    },
    deployment::{use_deployment, Deployment},
    domain::{code_error_message, EmailAddress, PasswordRules},
    i18n::{use_i18n, Text},
};
use reclaim_contract::{backend::EnteredCode, wire::WeakReason};

/// The id of the new-password form.
pub const RESET_FORM: &str = "reset-form";

/// The new-password form's fields: the address and the code from the mail (asked only when
/// the page has no secret of its own), and the new password twice.
#[derive(Clone, Copy)]
pub struct NewPassword {
    pub address: Field,
    pub code: Field,
    pub password: Field,
    pub confirmation: Field,
    deployment: Deployment,
}

impl NewPassword {
    /// Only call this while rendering a page: it takes the deployment from context.
    pub fn new() -> Self {
        NewPassword {
            address: Field::new(),
            code: Field::new(),
            password: Field::new(),
            confirmation: Field::new(),
            deployment: use_deployment(),
        }
    }

    fn rules(&self) -> PasswordRules {
        self.deployment.password_rules()
    }

    /// The API refused the password that was sent: why, at the password field, in the pages'
    /// words where they have them.
    pub fn refuse_password(&self, sent: &str, reasons: &[WeakReason], message: Option<&str>) {
        let refusal = self.rules().check(sent, sent).refusal(reasons, message);
        self.password.refuse(refusal);
    }

    /// Nothing of the password or the code stays behind in the page.
    pub fn clear(&self) {
        for field in [self.code, self.password, self.confirmation] {
            field.clear();
        }
    }
}

/// What a valid new-password form sends: the code typed (when asked), the address typed (when
/// asked, and the code is a short code that needs it), and the password.
pub struct Submission {
    pub code: Option<EnteredCode>,
    pub address: Option<EmailAddress>,
    pub password: String,
}

/// The new password, typed twice, with the rules ticked as they are met, a "Show passwords"
/// toggle, and the code field first when `asks_code` (the address before it when
/// `asks_address`). Nothing reaches `on_submit` until every field holds; the first that does
/// not is said at its field and focused.
#[component]
pub fn NewPasswordForm(
    fields: NewPassword,
    /// Busy state, form-wide errors, rate limits.
    form: FormController,
    /// Show the code field (the page has no secret from a link).
    #[prop(into)]
    asks_code: Signal<bool>,
    /// Show the address field (a short code is sent with the address it was mailed to).
    #[prop(into, optional)]
    asks_address: Signal<bool>,
    /// Whether the code is a short code (shown in capitals as typed), not a link's secret.
    #[prop(into, optional)]
    short_code: Signal<bool>,
    /// The help under the code's label.
    #[prop(default = Text::CodeHint)]
    code_hint: Text,
    /// The account's address when the page knows it without asking, for password managers to
    /// file the new password under.
    #[prop(default = None)]
    username: Option<String>,
    on_submit: Callback<Submission>,
) -> impl IntoView {
    let announcer = use_announcer();
    let i18n = use_i18n();
    let NewPassword {
        address,
        code,
        password,
        confirmation,
        deployment,
    } = fields;
    let shown = RwSignal::new(false);
    let check = Memo::new(move |_| {
        fields
            .rules()
            .check(&password.value.get(), &confirmation.value.get())
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.can_send() {
            return;
        }
        form.clear();
        let typed = asks_code
            .get_untracked()
            .then(|| deployment.entered_code(&code.typed()));
        code.say(
            typed
                .as_ref()
                .and_then(|typed| typed.as_ref().err())
                .map(|e| code_error_message(*e)),
        );
        // A short code goes with the address it was mailed to; a pasted link needs none.
        let needs_address =
            asks_address.get_untracked() && matches!(typed, Some(Ok(EnteredCode::Short(_))));
        let email = needs_address.then(|| EmailAddress::parse(&address.typed()));
        address.say(
            email
                .as_ref()
                .and_then(|email| email.as_ref().err())
                .map(|e| e.message()),
        );
        let check = check.get_untracked();
        password.say(check.password_error());
        confirmation.say(check.confirmation_error());
        match [address, code, password, confirmation]
            .into_iter()
            .find(Field::has_error)
        {
            Some(field) => field.focus(),
            None => on_submit.run(Submission {
                code: typed.and_then(Result::ok),
                address: email.and_then(Result::ok),
                password: password.typed(),
            }),
        }
    };
    let toggle_shown = move |_| {
        let now_shown = !shown.get_untracked();
        shown.set(now_shown);
        let said = if now_shown {
            Text::AnnouncePasswordsShown
        } else {
            Text::AnnouncePasswordsHidden
        };
        announcer.say(i18n.text_untracked(said));
    };
    let input_type = Signal::derive(move || if shown.get() { "text" } else { "password" });

    view! {
        // Should a form ever be sent natively (the app stopped after taking the page over, or
        // never ran): `post` puts what was typed in a body, never in an address, its history or
        // a log, and `?` sends it to this page without the query a link's secret came in.
        <form id=RESET_FORM class="form" method="post" action="?" novalidate on:submit=submit>
            {username.map(|username| view! { <input type="email" name="username" autocomplete="username" value=username hidden /> })}
            // `username`: a password manager files the new password under this address.
            {move || (asks_code.get() && asks_address.get()).then(|| view! {
                <InputField id="email" label=Text::EmailLabel input_type="email" autocomplete="username" field=address />
            })}
            {move || asks_code.get().then(|| view! {
                <InputField id="reset-code" label=Text::CodeLabel hint=code_hint input_type="text"
                    autocomplete="one-time-code" field=code class=if short_code.get() { "input-code" } else { "" } />
            })}
            <InputField id="new-password" label=Text::NewPasswordLabel input_type autocomplete="new-password" field=password />
            <InputField id="confirm-password" label=Text::ConfirmPasswordLabel input_type autocomplete="new-password" field=confirmation />
            // The rest of the form, a task later while the app starts.
            <Deferred>
                <button id="show-passwords" type="button" class="button button-secondary toggle"
                    aria-pressed=move || shown.get().to_string()
                    aria-controls="new-password confirm-password"
                    on:click=toggle_shown
                >
                    {i18n.show(Text::ShowPasswords)}
                </button>
                <PasswordChecklist check />
                <SubmitButton id="set-password" label=Text::SetPassword busy_label=Text::Saving form />
            </Deferred>
        </form>
    }
}
