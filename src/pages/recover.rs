use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    components::{
        use_announcer, Countdown, Field, FormAlert, FormController, InputField, PageHeading,
        SendAgainButton, Sentence, SubmitButton,
    },
    domain::EmailAddress,
    i18n::{use_i18n, Message, Text},
};

/// Pause before "Send again" works: enough for a mail to arrive, short enough not to strand
/// someone whose mail was lost.
const RESEND_AFTER_SECS: u64 = 30;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Asking for the address. `returned` is set when the person came back from the
    /// confirmation, so focus goes to the heading.
    Form { returned: bool },
    /// A link may be on its way to this address.
    Sent(EmailAddress),
}

/// `/recover`: asks for an email address and sends a reset link. The answer is the same
/// whether or not an account exists for the address.
#[component]
pub fn RecoverPage() -> impl IntoView {
    let announcer = use_announcer();
    let i18n = use_i18n();
    let step = RwSignal::new(Step::Form { returned: false });
    let email = Field::new();
    let form = FormController::new();
    let resend_pause = Countdown::new();

    let send = move |address: EmailAddress| {
        let to = address.clone();
        form.send(
            move |client| async move { client.send_recovery_email(&to).await },
            move |answer| match (answer, step.get_untracked()) {
                (Ok(()), Step::Sent(_)) => {
                    resend_pause.start(RESEND_AFTER_SECS);
                    let again = Message::text(Text::AnnounceSentAgain).with("address", &address);
                    announcer.say(i18n.render_untracked(&again));
                }
                (Ok(()), Step::Form { .. }) => {
                    resend_pause.start(RESEND_AFTER_SECS);
                    announcer.say(i18n.text_untracked(Text::AnnounceSent));
                    step.set(Step::Sent(address));
                }
                // The API does not take the address: said at the field, back on the form, with
                // what was typed still there.
                (Err(error), sent) => {
                    if matches!(sent, Step::Sent(_)) {
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
    let send_again = Callback::new(move |()| {
        if let Step::Sent(address) = step.get_untracked() {
            send(address);
        }
    });
    let use_another = Callback::new(move |()| {
        form.clear();
        step.set(Step::Form { returned: true });
    });

    move || {
        match step.get() {
        Step::Form { returned } => view! {
            <PageHeading text=Text::RecoverHeading focus=returned />
            <p class="lead">{i18n.show(Text::RecoverLead)}</p>
            <FormAlert form />
            <form id="recovery-form" class="form" novalidate on:submit=on_submit>
                <InputField id="email" label=Text::EmailLabel input_type="email" autocomplete="email" field=email />
                <SubmitButton id="send-link" label=Text::SendLink busy_label=Text::Sending form />
            </form>
        }
        .into_any(),
        Step::Sent(address) => view! { <Sent address form resend_pause send_again use_another /> }.into_any(),
    }
    }
}

/// "Check your email": the same words whether or not an account exists.
#[component]
fn Sent(
    address: EmailAddress,
    form: FormController,
    resend_pause: Countdown,
    send_again: Callback<()>,
    use_another: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading text=Text::SentHeading focus=true />
        <Sentence text=Text::SentLead address=address.to_string() id="confirmation" class="lead" />
        <p>{i18n.show(Text::SentNote)}</p>
        <FormAlert form />
        <div class="actions">
            <SendAgainButton form pause=resend_pause on_send=send_again />
            <button id="use-different-address" type="button" class="button button-link" on:click=move |_| use_another.run(())>
                {i18n.show(Text::UseDifferentAddress)}
            </button>
        </div>
    }
}
