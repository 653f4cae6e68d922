use leptos::{ev::SubmitEvent, html::Input, prelude::*};

use crate::{
    components::{
        focus_field, use_announcer, Countdown, FormAlert, FormController, InputField, PageHeading,
        SubmitButton,
    },
    domain::{EmailAddress, EmailError},
    i18n::{texts::around, use_i18n, Counted, Message, Text},
};

/// Pause before "Send again" works: enough for a mail to arrive, short enough
/// not to strand someone whose mail was lost.
const RESEND_AFTER_SECS: u64 = 30;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Asking for the address. `returned` is set when the person came back
    /// from the confirmation, so focus goes to the heading.
    Form { returned: bool },
    /// A link may be on its way to this address.
    Sent(EmailAddress),
}

/// `/recover`: asks for an email address and sends a reset link. The answer is
/// the same whether or not an account exists for the address.
#[component]
pub fn RecoverPage() -> impl IntoView {
    let announcer = use_announcer();
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Form { returned: false });
    let email = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<Message>);
    let form = FormController::new();
    let resend_pause = Countdown::new();
    let email_input = NodeRef::<Input>::new();

    let send = move |address: EmailAddress| {
        let to = address.clone();
        form.send(
            move |client| async move { client.send_recovery_email(&to).await },
            move |answer| match answer {
                Ok(()) => {
                    resend_pause.start(RESEND_AFTER_SECS);
                    if matches!(step.get_untracked(), Step::Sent(_)) {
                        let again =
                            Message::text(Text::AnnounceSentAgain).with("address", &address);
                        announcer.say(i18n.render_untracked(&again));
                    } else {
                        announcer.say(i18n.text_untracked(Text::AnnounceSent));
                        step.set(Step::Sent(address));
                    }
                }
                // The server does not take the address: say so at the field,
                // back on the form, with what was typed still there.
                Err(error) => {
                    if matches!(step.get_untracked(), Step::Sent(_)) {
                        step.set(Step::Form { returned: false });
                    }
                    email_error.set(Some(error.message()));
                    focus_field(email_input);
                }
            },
        )
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.can_send() {
            return;
        }
        match EmailAddress::parse(&email.get_untracked()) {
            Ok(address) => {
                email_error.set(None);
                send(address);
            }
            Err(error) => {
                form.clear();
                email_error.set(Some(EmailError::message(error)));
                focus_field(email_input);
            }
        }
    };

    let send_again = move |_| {
        if let Step::Sent(address) = step.get_untracked() {
            if !resend_pause.is_running() {
                send(address);
            }
        }
    };

    let request_form = move |returned: bool| {
        view! {
            <PageHeading text=Text::RecoverHeading focus=returned />
            <p class="lead">{i18n.show(Text::RecoverLead)}</p>
            <FormAlert form />
            <form id="recovery-form" class="form" novalidate on:submit=on_submit>
                <InputField
                    id="email"
                    label=Text::EmailLabel
                    input_type="email"
                    autocomplete="email"
                    value=email
                    error=email_error
                    input_ref=email_input
                />
                <SubmitButton id="send-link" label=Text::SendLink busy_label=Text::Sending form />
            </form>
        }
    };

    let sent = move |address: EmailAddress| {
        let busy = move || form.is_busy();
        view! {
            <PageHeading text=Text::SentHeading focus=true />
            <p id="confirmation" class="lead">
                {move || around(&i18n.text(Text::SentLead), "address").0}
                // An address reads left to right, whatever the page's direction.
                <strong dir="ltr">{address.to_string()}</strong>
                {move || around(&i18n.text(Text::SentLead), "address").1}
            </p>
            <p>{i18n.show(Text::SentNote)}</p>
            <FormAlert form />
            <div class="actions">
                <button
                    id="send-again"
                    type="button"
                    class="button button-secondary"
                    class:button-busy=busy
                    aria-disabled=move || busy().then_some("true")
                    disabled=move || resend_pause.is_running() || form.must_wait()
                    on:click=send_again
                >
                    {move || {
                        if busy() {
                            i18n.text(Text::Sending)
                        } else if resend_pause.is_running() {
                            i18n.render(&Message::counted(Counted::SendAgainIn, resend_pause.remaining()))
                        } else {
                            i18n.text(Text::SendAgain)
                        }
                    }}
                </button>
                <button
                    id="use-different-address"
                    type="button"
                    class="button button-link"
                    on:click=move |_| {
                        form.clear();
                        step.set(Step::Form { returned: true });
                    }
                >
                    {i18n.show(Text::UseDifferentAddress)}
                </button>
            </div>
        }
    };

    move || match step.get() {
        Step::Form { returned } => request_form(returned).into_any(),
        Step::Sent(address) => sent(address).into_any(),
    }
}
