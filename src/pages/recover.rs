use leptos::{ev::SubmitEvent, prelude::*};

use super::{
    code_reset::{CodeOutcome, CodeReset},
    done::PasswordChanged,
};
use crate::{
    api::{CodeSession, PasswordReset},
    components::{
        use_announcer, Countdown, Field, FormAlert, FormController, InputField, PageHeading,
        SendAgainButton, Sentence, SubmitButton,
    },
    deployment::use_deployment,
    domain::EmailAddress,
    i18n::{use_i18n, Message, Text},
    start_up::handoff::use_opened,
};

/// The id of the form that asks for a link.
pub const RECOVERY_FORM: &str = "recovery-form";

/// Pause before "Send again" works: enough for a mail to arrive, short enough not to strand
/// someone whose mail was lost.
const RESEND_AFTER_SECS: u64 = 30;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Asking for the address. `returned` is set when the person came back from the
    /// confirmation, so focus goes to the heading.
    Form {
        returned: bool,
    },
    /// A link (and a code) may be on its way to this address.
    Sent(EmailAddress),
    /// Typing the code from the mail, in this same tab.
    Code(EmailAddress),
    /// The code can no longer be used: a new one must be sent.
    Spent(EmailAddress),
    Done(PasswordReset),
}

/// `/recover`: asks for an email address and sends a reset link, then offers to type the code
/// from that mail and choose the password right here. Every step reads the same whether or not
/// an account exists for the address.
#[component]
pub fn RecoverPage() -> impl IntoView {
    let announcer = use_announcer();
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Form { returned: false });
    let deployment = use_deployment();
    let opened = use_opened();
    // Where the person goes back to after the reset: the address's `?continue=`, when the
    // deployment allows its origin (anything else is dropped, and the sign-in link offered).
    let return_to = move || {
        let asked = opened.with_value(|opened| opened.return_address().map(str::to_owned))?;
        deployment.config().continue_to(&asked)
    };
    let email = Field::new();
    let form = FormController::new();
    let resend_pause = Countdown::new();
    // What the backend's answer gives the code reset in this tab (a session), in memory only.
    let session = StoredValue::new(CodeSession::default());

    let send = move |address: EmailAddress| {
        let to = address.clone();
        form.send(
            move |client| async move {
                let return_to = untrack(return_to);
                client.send_recovery_email(&to, return_to.as_deref()).await
            },
            move |answer| match (
                answer.map(|given| session.set_value(given)),
                step.get_untracked(),
            ) {
                (Ok(()), Step::Form { .. }) => {
                    resend_pause.start(RESEND_AFTER_SECS);
                    announcer.say(i18n.text_untracked(Text::AnnounceSent));
                    step.set(Step::Sent(address));
                }
                (Ok(()), now) => {
                    resend_pause.start(RESEND_AFTER_SECS);
                    let again = Message::text(Text::AnnounceSentAgain).with("address", &address);
                    announcer.say(i18n.render_untracked(&again));
                    if matches!(now, Step::Spent(_)) {
                        step.set(Step::Code(address));
                    }
                }
                // The API does not take the address: said at the field, back on the form, with
                // what was typed still there.
                (Err(error), now) => {
                    if !matches!(now, Step::Form { .. }) {
                        step.set(Step::Form { returned: false });
                    }
                    email.refuse(error.message());
                }
            },
        )
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.can_send() {
            return;
        }
        match EmailAddress::parse(&email.typed()) {
            Ok(address) => {
                email.say(None);
                send(address);
            }
            Err(error) => {
                form.clear();
                email.refuse(error.message());
            }
        }
    };
    let to = Callback::new(move |next: Step| {
        form.clear();
        match next {
            // "Send again" from wherever the person is, to the address they gave.
            Step::Sent(address) => send(address),
            next => step.set(next),
        }
    });

    move || {
        match step.get() {
        Step::Form { returned } => view! {
            <PageHeading text=Text::RecoverHeading focus=returned />
            <p class="lead">{i18n.show(Text::RecoverLead)}</p>
            <FormAlert form />
            // A native send (the app stopped) puts the address in a body, not in an address.
            <form id=RECOVERY_FORM class="form" method="post" action="?" novalidate on:submit=on_submit>
                <InputField id="email" label=Text::EmailLabel input_type="email" autocomplete="email" field=email />
                <SubmitButton id="send-link" label=Text::SendLink busy_label=Text::Sending form />
            </form>
        }
        .into_any(),
        Step::Done(reset) => view! {
            <PasswordChanged continue_to=untrack(return_to) sessions_ended=reset.sessions_ended />
        }
        .into_any(),
        after => view! { <AfterSending step=after form resend_pause session to /> }.into_any(),
    }
    }
}

/// What follows the request, for one address: "Check your email", typing its code, or a code
/// that can no longer be used; each can send again or start over with another address.
#[component]
fn AfterSending(
    step: Step,
    form: FormController,
    resend_pause: Countdown,
    session: StoredValue<CodeSession>,
    to: Callback<Step>,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    let (Step::Sent(address) | Step::Code(address) | Step::Spent(address)) = step.clone() else {
        return ().into_any();
    };
    let (again, resend_label) = (
        address.clone(),
        if matches!(step, Step::Sent(_)) {
            Text::SendAgain
        } else {
            Text::SendNewCode
        },
    );
    let code_address = address.clone();
    let on_end = Callback::new(move |outcome| {
        to.run(match outcome {
            CodeOutcome::Done(reset) => Step::Done(reset),
            CodeOutcome::Spent(_) => Step::Spent(code_address.clone()),
        })
    });
    let shown = match step {
        Step::Sent(_) => view! {
            <PageHeading text=Text::SentHeading focus=true />
            <Sentence text=Text::SentLead address=address.to_string() id="confirmation" class="lead" />
            <p>{i18n.show(Text::SentNote)}</p>
            <FormAlert form />
            {move || deployment.takes_codes().then(|| {
                let address = address.clone();
                view! {
                    <p><button id="enter-code" type="button" class="button" on:click=move |_| to.run(Step::Code(address.clone()))>
                        {i18n.show(Text::EnterCode)}
                    </button></p>
                }
            })}
        }
        .into_any(),
        Step::Code(_) => view! {
            <PageHeading text=Text::CodeHeading focus=true />
            <CodeReset address=Some(address) form session on_end />
        }
        .into_any(),
        _ => view! {
            <PageHeading text=Text::CodeSpentHeading focus=true />
            <p class="lead">{i18n.show(Text::CodeSpentLead)}</p>
            <FormAlert form />
        }
        .into_any(),
    };
    view! {
        {shown}
        <div class="actions">
            <SendAgainButton form pause=resend_pause label=resend_label on_send=Callback::new(move |()| to.run(Step::Sent(again.clone()))) />
            <button id="use-different-address" type="button" class="button button-link" on:click=move |_| to.run(Step::Form { returned: true })>
                {i18n.show(Text::UseDifferentAddress)}
            </button>
        </div>
    }
    .into_any()
}
