use leptos::{ev::SubmitEvent, html::Input, prelude::*};

use crate::{
    components::{
        focus_field, use_announcer, Countdown, FormAlert, FormController, InputField, PageHeading,
        SubmitButton,
    },
    domain::EmailAddress,
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
    let step = RwSignal::new(Step::Form { returned: false });
    let email = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
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
                        announcer.say(format!("We sent the link to {address} again."));
                    } else {
                        announcer.say("Check your email.");
                        step.set(Step::Sent(address));
                    }
                }
                // The server does not take the address: say so at the field,
                // back on the form, with what was typed still there.
                Err(error) => {
                    if matches!(step.get_untracked(), Step::Sent(_)) {
                        step.set(Step::Form { returned: false });
                    }
                    email_error.set(Some(error.to_string()));
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
                email_error.set(Some(error.to_string()));
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
            <PageHeading text="Forgot your password?" focus=returned />
            <p class="lead">"Enter the email address you use to sign in. We'll send you a link to choose a new password."</p>
            <FormAlert form />
            <form id="recovery-form" class="form" novalidate on:submit=on_submit>
                <InputField
                    id="email"
                    label="Email address"
                    input_type="email"
                    autocomplete="email"
                    value=email
                    error=email_error
                    input_ref=email_input
                />
                <SubmitButton id="send-link" label="Send reset link" busy_label="Sending…" form />
            </form>
        }
    };

    let sent = move |address: EmailAddress| {
        let busy = move || form.is_busy();
        view! {
            <PageHeading text="Check your email" focus=true />
            <p id="confirmation" class="lead">
                "If an account exists for "<strong>{address.to_string()}</strong>
                ", we've sent a link to reset its password."
            </p>
            <p>"The link works once and expires soon. If it has not arrived in a few minutes, check your spam folder."</p>
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
                            "Sending…".to_owned()
                        } else if resend_pause.is_running() {
                            format!("Send again in {} s", resend_pause.remaining())
                        } else {
                            "Send the link again".to_owned()
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
                    "Use a different email address"
                </button>
            </div>
        }
    };

    move || match step.get() {
        Step::Form { returned } => request_form(returned).into_any(),
        Step::Sent(address) => sent(address).into_any(),
    }
}
