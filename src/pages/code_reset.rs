use leptos::prelude::*;
use reclaim_contract::backend::{DeadLink, EnteredCode, OpenedLink};

use super::new_password::{NewPassword, NewPasswordForm, Submission};
use crate::{
    api::{ApiError, CodeSession, PasswordReset},
    components::{FormAlert, FormController, Sentence},
    deployment::use_deployment,
    domain::EmailAddress,
    i18n::{use_i18n, Text},
};

/// Wrong codes a page accepts before it asks for a new one: the server spends every live code
/// of the address after the last, so one more could only fail again.
const TRIES: u8 = reclaim_contract::reset_code::WRONG_TRIES;

/// Where a code reset ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The password was changed.
    Done(PasswordReset),
    /// The code cannot work any more (too many wrong tries, or a pasted link that is used or
    /// expired): a new one must be asked for.
    Spent(DeadLink),
}

/// Choosing the new password with the code from the mail, typed (or the whole link pasted):
/// on `/recover` right after asking (the address is the one just typed, in memory), on `/reset`
/// without a link (then the address is asked too, where the backend mails short codes). A wrong
/// code is said at its field and can be corrected in place until the tries run out.
#[component]
pub fn CodeReset(
    /// The address the code was mailed to, when the page knows it.
    address: Option<EmailAddress>,
    form: FormController,
    /// What the request in this tab got from its answer (a session the code goes with).
    #[prop(default = StoredValue::new(CodeSession::default()))]
    session: StoredValue<CodeSession>,
    on_end: Callback<CodeOutcome>,
    /// The new-password fields, when the page has them already (what was typed in them stays).
    #[prop(optional)]
    fields: Option<NewPassword>,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    let fields = fields.unwrap_or_else(NewPassword::new);
    let wrong = StoredValue::new(0u8);
    let has_address = address.is_some();
    let username = address.as_ref().map(ToString::to_string);
    // Right after asking, no link was cut short: the hint says only where the code is.
    let code_hint = if has_address {
        Text::CodeHintSent
    } else {
        Text::CodeHint
    };
    let lead_address = address.clone();
    let asks_address = Signal::derive(move || !has_address && deployment.takes_codes());

    let on_submit = Callback::new(
        move |Submission {
                  code,
                  address: typed,
                  password,
              }: Submission| {
            let Some(code) = code else { return };
            let email = typed.or_else(|| address.clone());
            let is_short = matches!(code, EnteredCode::Short(_));
            let sent = password.clone();
            form.send(
                move |client| async move {
                    match (code, email) {
                        (EnteredCode::Short(code), Some(email)) => {
                            client
                                .reset_with_code(&email, &code, &sent, &session.get_value())
                                .await
                        }
                        (EnteredCode::Secret(secret), _) => {
                            client
                                .reset_password(&OpenedLink::default(), &secret, &sent)
                                .await
                        }
                        // Not reached: the form asks for the address a short code needs.
                        (EnteredCode::Short(_), None) => {
                            Err(ApiError::InvalidLink(DeadLink::Malformed))
                        }
                    }
                },
                move |answer| match answer {
                    Ok(reset) => {
                        fields.clear();
                        on_end.run(CodeOutcome::Done(reset));
                    }
                    Err(ApiError::WeakPassword { reasons, message }) => {
                        fields.refuse_password(&password, &reasons, message.as_deref())
                    }
                    // The backend counts the tries too, and may stop sooner.
                    Err(ApiError::InvalidLink(DeadLink::TooManyTries)) => {
                        on_end.run(CodeOutcome::Spent(DeadLink::TooManyTries))
                    }
                    // The same answer for a wrong, expired or spent code, and for an address with no
                    // account: nothing here tells them apart, and nothing should.
                    Err(_) if is_short && wrong.get_value() + 1 < TRIES => {
                        wrong.update_value(|wrong| *wrong += 1);
                        fields.code.refuse(Text::CodeWrong.into());
                    }
                    Err(ApiError::InvalidLink(dead)) if !is_short => {
                        on_end.run(CodeOutcome::Spent(dead))
                    }
                    Err(_) => on_end.run(CodeOutcome::Spent(DeadLink::TooManyTries)),
                },
            );
        },
    );

    let lead = move || {
        match &lead_address {
        Some(address) => view! { <Sentence text=Text::CodeLead address=address.to_string() id="code-lead" class="lead" /> }.into_any(),
        None if asks_address.get() => view! { <p class="lead">{i18n.show(Text::ResetLeadWithAddress)}</p> }.into_any(),
        // Kept shorter than the prerendered lead it replaces: a larger block appearing once the
        // app runs would become the page's largest paint.
        None => view! { <p class="lead">{i18n.show(Text::ResetLeadWithCode)}</p> }.into_any(),
    }
    };
    view! {
        {lead}
        <FormAlert form />
        <NewPasswordForm fields form asks_code=true asks_address username code_hint
            short_code=Signal::derive(move || deployment.takes_codes()) on_submit />
    }
}
