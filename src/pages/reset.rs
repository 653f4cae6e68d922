use leptos::{prelude::*, task::spawn_local};
use reclaim_contract::{backend::LinkSecret, link::RECOVER_PAGE_PATH};

use super::{
    code_reset::{CodeOutcome, CodeReset},
    done::PasswordChanged,
    new_password::{NewPassword, NewPasswordForm, Submission},
};
use crate::{
    api::ApiError,
    components::{FormAlert, FormController, PageHeading, Sentence},
    deployment::use_deployment,
    domain::masked_address,
    effect::effect,
    i18n::{use_i18n, Counted, Message, Text},
    start_up::handoff::use_opened,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Choosing the new password (and, without a secret in the link, typing the code from
    /// the email).
    Form,
    /// The API refused the link or code: unknown, used or expired. `typed` when it was a code
    /// the person entered rather than a link they opened.
    Invalid { typed: bool },
    /// The password was changed.
    Done,
    /// The link is for something else (verifying an email address): nothing is sent.
    NotAReset,
}

/// `/reset?token=…` (or `#token=…`, or a backend's own reset link): sets a new password with
/// the link's secret. Without one, the person enters the code from the email instead (a mail
/// app cut the link, or the mail is on another device), with the address it was mailed to
/// where the backend mails short codes.
#[component]
pub fn ResetPage() -> impl IntoView {
    let deployment = use_deployment();
    let opened = use_opened();
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Form);
    let asks_code = RwSignal::new(false);
    // Whose password the link resets (masked), when the API says.
    let account = RwSignal::new(None::<String>);
    let fields = NewPassword::new();
    let form = FormController::new();
    // The link the page was opened with, as the deployment's backend reads it: the secret stays
    // where the address keeps it (`start_up::handoff`), read from there when it is sent.
    let link = move || {
        let backend = deployment.backend()?;
        Some(opened.with_value(|opened| opened.link(&backend)))
    };

    // Once the deployment is there (the page's first render must stay free of browser calls
    // so it can be prerendered): the link checked where the API can, so a used or expired link
    // says so before a password is typed.
    let mut read = false;
    effect(move || {
        if read || !deployment.is_loaded() {
            return;
        }
        read = true;
        let Some(link) = untrack(link) else { return };
        match &link.secret {
            LinkSecret::Missing => asks_code.set(true),
            LinkSecret::NotAReset => step.set(Step::NotAReset),
            LinkSecret::Refused => step.set(Step::Invalid { typed: false }),
            LinkSecret::Present(secret) => {
                let Some(Ok(client)) = deployment.client(i18n.locale_untracked()) else {
                    return;
                };
                let secret = secret.clone();
                spawn_local(async move {
                    match client.check_link(&link, &secret).await {
                        Ok(address) => account.set(address.as_deref().map(masked_address)),
                        Err(ApiError::InvalidLink) if step.get_untracked() == Step::Form => {
                            step.set(Step::Invalid { typed: false })
                        }
                        // Anything else is left for the submit to report.
                        Err(_) => {}
                    }
                });
            }
        }
    });

    // With the link's secret; a typed code goes through `CodeReset`.
    let on_submit = Callback::new(move |Submission { password, .. }: Submission| {
        let Some(link) = untrack(link) else { return };
        let LinkSecret::Present(secret) = link.secret.clone() else {
            return;
        };
        let sent = password.clone();
        form.send(
            move |client| async move { client.reset_password(&link, &secret, &sent).await },
            move |answer| match answer {
                Ok(()) => {
                    fields.clear();
                    step.set(Step::Done);
                }
                Err(ApiError::WeakPassword { reasons, message }) => {
                    fields.refuse_password(&password, &reasons, message.as_deref())
                }
                Err(_) => step.set(Step::Invalid { typed: false }),
            },
        );
    });
    let on_code_end = Callback::new(move |outcome| {
        step.set(match outcome {
            CodeOutcome::Done => Step::Done,
            CodeOutcome::Spent => Step::Invalid { typed: true },
        })
    });

    let lead = move || {
        let min_chars = deployment.config().min_password_length as u64;
        i18n.render(&Message::counted(Counted::ResetLead, min_chars))
    };
    move || {
        match step.get() {
        Step::Form => view! {
            <PageHeading text=Text::ResetHeading />
            {move || account.get().map(|address| view! { <Sentence text=Text::ResetAccount address id="account" /> })}
            {move || match asks_code.get() {
                true => view! { <CodeReset address=None form on_end=on_code_end /> }.into_any(),
                false => view! {
                    <p class="lead">{lead}</p>
                    <FormAlert form />
                    <NewPasswordForm fields form asks_code=false on_submit />
                }
                .into_any(),
            }}
            {move || asks_code.get().then(|| view! {
                <p id="no-code">{i18n.show(Text::NoCode)}" "<NewLinkLink button=false /></p>
            })}
        }
        .into_any(),
        Step::Invalid { typed } => view! {
            <PageHeading text=if typed { Text::InvalidCodeHeading } else { Text::InvalidLinkHeading } focus=true />
            <p class="lead">{i18n.show(Text::InvalidLead)}</p>
            <p><NewLinkLink button=true /></p>
        }
        .into_any(),
        Step::Done => {
            let continue_to = untrack(link).and_then(|link| link.continue_to);
            view! { <PasswordChanged continue_to /> }.into_any()
        }
        Step::NotAReset => view! {
            <PageHeading text=Text::NotAResetHeading focus=true />
            <p class="lead">{i18n.show(Text::NotAResetLead)}</p>
            <p>{i18n.show(Text::NotAResetNote)}</p>
            <p><NewLinkLink button=true /></p>
        }
        .into_any(),
    }
    }
}

/// "Request a new link", to the request page in the reader's language.
#[component]
fn NewLinkLink(button: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a id="request-new-link" class=button.then_some("button") href=move || i18n.page_link(RECOVER_PAGE_PATH)>
            {i18n.show(Text::RequestNewLink)}
        </a>
    }
}
