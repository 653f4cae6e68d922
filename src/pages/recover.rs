use leptos::{ev::SubmitEvent, html::Input, prelude::*};

use crate::{
    api::ApiError,
    components::{
        focus_field, use_announcer, Countdown, FormAlert, FormProblem, InputField, PageHeading,
        Pending, SubmitButton,
    },
    domain::EmailAddress,
    use_settings,
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
    let settings = use_settings();
    let announcer = use_announcer();
    let step = RwSignal::new(Step::Form { returned: false });
    let email = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let problem = FormProblem::new();
    let resend_pause = Countdown::new();
    let email_input = NodeRef::<Input>::new();

    let pending = Pending::new();
    let send = move |address: EmailAddress| {
        pending.run(async move {
            let outcome = match settings.client().await {
                Ok(client) => client.send_recovery_email(&address).await,
                Err(error) => Err(error),
            };
            match outcome {
                Ok(()) => {
                    let again = matches!(step.get_untracked(), Step::Sent(_));
                    problem.clear();
                    resend_pause.start(RESEND_AFTER_SECS);
                    if again {
                        announcer.say(format!("We sent the link to {address} again."));
                    } else {
                        announcer.say("Check your email.");
                        step.set(Step::Sent(address));
                    }
                }
                // The server does not take the address: say so at the field,
                // back on the form, with what was typed still there.
                Err(error @ ApiError::InvalidEmail { .. }) => {
                    if matches!(step.get_untracked(), Step::Sent(_)) {
                        step.set(Step::Form { returned: false });
                    }
                    email_error.set(Some(error.to_string()));
                    focus_field(email_input);
                }
                Err(error) => problem.report(&error),
            }
        })
    };
    let busy = Signal::derive(move || pending.is_busy());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        // A second click while sending, or during a rate limit, sends nothing.
        if busy.get_untracked() || problem.must_wait() {
            return;
        }
        problem.clear();
        match EmailAddress::parse(&email.get_untracked()) {
            Ok(address) => {
                email_error.set(None);
                send(address);
            }
            Err(error) => {
                email_error.set(Some(error.to_string()));
                focus_field(email_input);
            }
        }
    };

    let send_again = move |_| {
        if let Step::Sent(address) = step.get_untracked() {
            if !busy.get_untracked() && !resend_pause.is_running() && !problem.must_wait() {
                problem.clear();
                send(address);
            }
        }
    };

    let form = move |returned: bool| {
        view! {
            <PageHeading text="Forgot your password?" focus=returned />
            <p class="lead">"Enter the email address you use to sign in. We'll send you a link to choose a new password."</p>
            <FormAlert message=problem.message() />
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
                <SubmitButton
                    id="send-link"
                    label="Send reset link"
                    busy_label="Sending…"
                    busy=busy
                    disabled=Signal::derive(move || problem.must_wait())
                />
                {move || problem.must_wait().then(|| view! {
                    <p class="hint" aria-hidden="true">
                        {move || format!("You can try again in {} s.", problem.seconds_left())}
                    </p>
                })}
            </form>
        }
    };

    let sent = move |address: EmailAddress| {
        view! {
            <PageHeading text="Check your email" focus=true />
            <p id="confirmation" class="lead">
                "If an account exists for "<strong>{address.to_string()}</strong>
                ", we've sent a link to reset its password."
            </p>
            <p>"The link works once and expires soon. If it has not arrived in a few minutes, check your spam folder."</p>
            <FormAlert message=problem.message() />
            <div class="actions">
                <button
                    id="send-again"
                    type="button"
                    class="button button-secondary"
                    class:button-busy=move || busy.get()
                    aria-disabled=move || busy.get().then_some("true")
                    disabled=move || resend_pause.is_running() || problem.must_wait()
                    on:click=send_again
                >
                    {move || {
                        if busy.get() {
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
                        problem.clear();
                        step.set(Step::Form { returned: true });
                    }
                >
                    "Use a different email address"
                </button>
            </div>
        }
    };

    move || match step.get() {
        Step::Form { returned } => form(returned).into_any(),
        Step::Sent(address) => sent(address).into_any(),
    }
}
