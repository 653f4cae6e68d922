use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    components::{
        use_announcer, Field, FormController, InputField, PasswordChecklist, SubmitButton,
    },
    domain::{code_error_message, PasswordRules, ResetToken},
    i18n::{use_i18n, Text},
    settings::{use_settings, Settings},
    start_up::Later,
};
use reclaim_contract::wire::WeakReason;

/// The new-password form's fields: the code from the mail (asked only when the page has no
/// secret of its own), and the new password twice.
#[derive(Clone, Copy)]
pub struct NewPassword {
    pub code: Field,
    pub password: Field,
    pub confirmation: Field,
    settings: Settings,
}

impl NewPassword {
    /// Only call this while rendering a page: it takes the settings from context.
    pub fn new() -> Self {
        NewPassword {
            code: Field::new(),
            password: Field::new(),
            confirmation: Field::new(),
            settings: use_settings(),
        }
    }

    fn rules(&self) -> PasswordRules {
        PasswordRules {
            min_chars: self.settings.config().min_password_length,
        }
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

/// What a valid new-password form sends: the code typed (when asked), and the password.
pub struct Submission {
    pub code: Option<ResetToken>,
    pub password: String,
}

/// The new password, typed twice, with the rules ticked as they are met, a "Show passwords"
/// toggle, and the code field first when `asks_code`. Nothing reaches `on_submit` until every
/// field holds; the first that does not is said at its field and focused.
#[component]
pub fn NewPasswordForm(
    fields: NewPassword,
    /// Busy state, form-wide errors, rate limits.
    form: FormController,
    /// Show the code field (the page has no secret from a link).
    #[prop(into)]
    asks_code: Signal<bool>,
    on_submit: Callback<Submission>,
) -> impl IntoView {
    let announcer = use_announcer();
    let i18n = use_i18n();
    let NewPassword {
        code,
        password,
        confirmation,
        settings,
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
            .then(|| settings.secret_from_typed(&code.typed()));
        code.say(
            typed
                .as_ref()
                .and_then(|typed| typed.as_ref().err())
                .map(|e| code_error_message(*e)),
        );
        let check = check.get_untracked();
        password.say(check.password_error());
        confirmation.say(check.confirmation_error());
        match [code, password, confirmation]
            .into_iter()
            .find(Field::has_error)
        {
            Some(field) => field.focus(),
            None => on_submit.run(Submission {
                code: typed.and_then(Result::ok),
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
        <form id="reset-form" class="form" novalidate on:submit=submit>
            {move || asks_code.get().then(|| view! {
                <InputField id="reset-code" label=Text::CodeLabel hint=Text::CodeHint input_type="text"
                    autocomplete="one-time-code" field=code />
            })}
            <InputField id="new-password" label=Text::NewPasswordLabel input_type autocomplete="new-password" field=password />
            <InputField id="confirm-password" label=Text::ConfirmPasswordLabel input_type autocomplete="new-password" field=confirmation />
            // The rest of the form, a task later while the app starts.
            <Later>
                <button id="show-passwords" type="button" class="button button-secondary toggle"
                    aria-pressed=move || shown.get().to_string()
                    aria-controls="new-password confirm-password"
                    on:click=toggle_shown
                >
                    {i18n.show(Text::ShowPasswords)}
                </button>
                <PasswordChecklist check />
                <SubmitButton id="set-password" label=Text::SetPassword busy_label=Text::Saving form />
            </Later>
        </form>
    }
}
