use leptos::{prelude::*, task::spawn_local};
use reclaim_contract::{
    backend::{DeadLink, LinkSecret},
    link::RECOVER_PAGE_PATH,
};

use super::{
    code_reset::{CodeOutcome, CodeReset},
    done::PasswordChanged,
    new_password::{NewPassword, NewPasswordForm, Submission},
};
use crate::{
    api::{ApiError, PasswordReset},
    components::{FormAlert, FormController, PageHeading, Sentence},
    deployment::use_deployment,
    domain::{masked_address, EmailAddress},
    effect::effect,
    i18n::{use_i18n, Counted, Message, Text},
    start_up::handoff::use_opened,
};

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Choosing the new password (and, without a secret in the link, typing the code from
    /// the email).
    Form,
    /// The API refused the link or code, and said what of it, as far as it tells. `typed` when
    /// it was a code the person entered rather than a link they opened.
    Dead { dead: DeadLink, typed: bool },
    /// A new link is on its way to the address the page knew.
    SentAgain(EmailAddress),
    /// The password was changed.
    Done(PasswordReset),
    /// The link is for something else (verifying an email address): nothing is sent.
    NotAReset,
}

/// `/reset?token=…` (or `#token=…`, or a backend's own reset link): sets a new password with
/// the link's secret. Without one, the person enters the code from the email instead (a mail
/// app cut the link, or the mail is on another device), with the address it was mailed to
/// where the backend mails short codes. A link the API refuses says what is wrong with it, as
/// far as the backend tells, and what to do next, keeping what was typed.
#[component]
pub fn ResetPage() -> impl IntoView {
    let deployment = use_deployment();
    let opened = use_opened();
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Form);
    let asks_code = RwSignal::new(false);
    // The link is not one the backend issued (most likely cut short): the code from the same
    // mail is asked for instead.
    let incomplete = RwSignal::new(false);
    // Whose password the link resets, when the API says: shown masked, and where a new link
    // goes when this one cannot be used.
    let account = RwSignal::new(None::<EmailAddress>);
    let fields = NewPassword::new();
    let form = FormController::new();
    // The link the page was opened with, as the deployment's backend reads it: the secret stays
    // where the address keeps it (`start_up::handoff`), read from there when it is sent.
    let link = move || {
        let backend = deployment.backend()?;
        Some(opened.with_value(|opened| opened.link(&backend)))
    };
    // What a refused link means for the page: a link cut short asks for the code instead (what
    // was typed stays), anything else is said as it is.
    let refused = move |dead: DeadLink| match dead {
        DeadLink::Malformed => {
            incomplete.set(true);
            asks_code.set(true);
        }
        dead => step.set(Step::Dead { dead, typed: false }),
    };

    // What the link asks of the page, once the deployment says how its backend reads links:
    // the code form without a secret; the link checked where the API can, so a used or expired
    // link says so before a password is typed.
    let read_link = move || {
        let Some(link) = untrack(link) else { return };
        match &link.secret {
            LinkSecret::Missing => asks_code.set(true),
            LinkSecret::NotAReset => step.set(Step::NotAReset),
            LinkSecret::Refused => step.set(Step::Dead {
                dead: DeadLink::Unknown,
                typed: false,
            }),
            LinkSecret::Present(secret) => {
                let Some(Ok(client)) = deployment.client(i18n.locale_untracked()) else {
                    return;
                };
                let secret = secret.clone();
                spawn_local(async move {
                    match client.check_link(&link, &secret).await {
                        Ok(address) => account
                            .set(address.and_then(|address| EmailAddress::parse(&address).ok())),
                        Err(ApiError::InvalidLink(dead)) if step.get_untracked() == Step::Form => {
                            refused(dead)
                        }
                        // Anything else is left for the submit to report.
                        Err(_) => {}
                    }
                });
            }
        }
    };
    // The page is rendered once the deployment is there (see `App`), and then starts in the
    // state the link asks for: no form is built only to be replaced. Without it (it was slow,
    // or this is the prerender, where effects never run), once it arrives.
    if deployment.is_loaded_untracked() {
        read_link();
    } else {
        let mut read = false;
        effect(move || {
            if !read && deployment.is_loaded() {
                read = true;
                read_link();
            }
        });
    }

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
                Ok(reset) => {
                    fields.clear();
                    step.set(Step::Done(reset));
                }
                Err(ApiError::WeakPassword { reasons, message }) => {
                    fields.refuse_password(&password, &reasons, message.as_deref())
                }
                Err(ApiError::InvalidLink(dead)) => refused(dead),
                Err(_) => refused(DeadLink::Unknown),
            },
        );
    });
    let on_code_end = Callback::new(move |outcome| {
        step.set(match outcome {
            CodeOutcome::Done(reset) => Step::Done(reset),
            CodeOutcome::Spent(dead) => Step::Dead { dead, typed: true },
        })
    });
    // A new link, to the address the page knows, from where the person is.
    let send_new_link = Callback::new(move |address: EmailAddress| {
        let to = address.clone();
        form.send(
            move |client| async move { client.send_recovery_email(&to, None).await },
            move |answer| {
                if answer.is_ok() {
                    step.set(Step::SentAgain(address));
                }
            },
        );
    });

    let lead = move || {
        let min_chars = deployment.config().min_password_length as u64;
        i18n.render(&Message::counted(Counted::ResetLead, min_chars))
    };
    move || {
        match step.get() {
        Step::Form => view! {
            {move || match incomplete.get() {
                false => view! { <PageHeading text=Text::ResetHeading /> }.into_any(),
                true => view! {
                    <PageHeading text=Text::IncompleteHeading focus=true />
                    <p class="lead" id="incomplete">{i18n.show(Text::IncompleteLead)}</p>
                }
                .into_any(),
            }}
            {move || account.get().map(|address| view! {
                <Sentence text=Text::ResetAccount address=masked_address(address.as_str()) id="account" />
            })}
            {move || match asks_code.get() {
                true => view! { <CodeReset address=None fields form on_end=on_code_end /> }.into_any(),
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
        Step::Dead { dead, typed } => view! {
            <DeadLinkState dead typed address=account.get_untracked() form send_new_link />
        }
        .into_any(),
        Step::SentAgain(address) => view! {
            <PageHeading text=Text::SentHeading focus=true />
            <Sentence text=Text::SentLead address=masked_address(address.as_str()) id="confirmation" class="lead" />
            <p>{i18n.show(Text::SentNote)}</p>
        }
        .into_any(),
        Step::Done(reset) => {
            let continue_to = untrack(link).and_then(|link| link.continue_to);
            view! { <PasswordChanged continue_to sessions_ended=reset.sessions_ended /> }.into_any()
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

/// A link or code that cannot be used, said as the backend told it: already used ("if that
/// wasn't you…"), expired (with how long links last, where the deployment says), or unknown;
/// with one next step: a new link to the address the page knows, else the request page.
#[component]
fn DeadLinkState(
    dead: DeadLink,
    /// It was a code the person typed rather than a link they opened.
    typed: bool,
    /// The account's address, where the page knows it.
    address: Option<EmailAddress>,
    form: FormController,
    send_new_link: Callback<EmailAddress>,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    let heading = match (dead, typed) {
        (DeadLink::Used, _) => Text::UsedHeading,
        (DeadLink::Expired, _) => Text::ExpiredHeading,
        (DeadLink::TooManyTries, _) => Text::CodeSpentHeading,
        (_, true) => Text::InvalidCodeHeading,
        (_, false) => Text::InvalidLinkHeading,
    };
    let lead = move || match dead {
        DeadLink::Used => i18n.text(Text::UsedLead),
        DeadLink::TooManyTries => i18n.text(Text::CodeSpentLead),
        DeadLink::Expired => match deployment.config().link_lifetime_minutes {
            Some(minutes) => {
                let lifetime = match minutes {
                    m if m >= 60 && m % 60 == 0 => Message::counted(Counted::LifetimeHours, m / 60),
                    m => Message::counted(Counted::LifetimeMinutes, m),
                };
                let lifetime = i18n.render(&lifetime);
                i18n.render(&Message::text(Text::ExpiredLead).with("lifetime", lifetime))
            }
            None => i18n.text(Text::InvalidLead),
        },
        _ => i18n.text(Text::InvalidLead),
    };
    let next = match address {
        Some(address) => {
            let masked = masked_address(address.as_str());
            let label =
                move || i18n.render(&Message::text(Text::SendNewLinkTo).with("address", &masked));
            view! {
                <FormAlert form />
                <p><button id="send-new-link" type="button" class="button"
                    class:button-busy=move || form.is_busy()
                    aria-disabled=move || form.is_busy().then_some("true")
                    on:click=move |_| send_new_link.run(address.clone())>
                    <bdi>{label}</bdi>
                </button></p>
            }
            .into_any()
        }
        None => view! { <p><NewLinkLink button=true /></p> }.into_any(),
    };
    view! {
        <PageHeading text=heading focus=true />
        <p class="lead" id="dead-link">{lead}</p>
        {next}
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
