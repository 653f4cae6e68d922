use leptos::{ev::SubmitEvent, html::Input, prelude::*};

use crate::{
    api::ApiError,
    components::{
        focus_field, FormAlert, FormProblem, InputField, PageHeading, Pending, SubmitButton,
    },
    domain::EmailAddress,
    use_settings,
};

/// `/sign-in`: a minimal sign-in against the reference server's
/// `/account/login`, so that someone running the reference setup can see the
/// new password work. Deployments point `sign_in_url` at their own sign-in.
#[component]
pub fn SignInPage() -> impl IntoView {
    let settings = use_settings();
    let signed_in = RwSignal::new(false);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let email_error = RwSignal::new(None::<String>);
    let password_error = RwSignal::new(None::<String>);
    let problem = FormProblem::new();
    let email_input = NodeRef::<Input>::new();
    let password_input = NodeRef::<Input>::new();

    let pending = Pending::new();
    let sign_in = move |address: EmailAddress, secret: String| {
        pending.run(async move {
            let outcome = match settings.client().await {
                Ok(client) => client.sign_in(&address, &secret).await,
                Err(error) => Err(error),
            };
            match outcome {
                Ok(()) => {
                    password.set(String::new());
                    signed_in.set(true);
                }
                Err(error @ ApiError::InvalidCredentials) => {
                    password_error.set(Some(error.to_string()));
                    focus_field(password_input);
                }
                Err(error) => problem.report(&error),
            }
        })
    };
    let busy = Signal::derive(move || pending.is_busy());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || problem.must_wait() {
            return;
        }
        problem.clear();
        let address = EmailAddress::parse(&email.get_untracked());
        let secret = password.get_untracked();
        email_error.set(address.as_ref().err().map(ToString::to_string));
        password_error.set(secret.is_empty().then(|| "Enter your password".to_owned()));
        match address {
            Err(_) => focus_field(email_input),
            Ok(_) if secret.is_empty() => focus_field(password_input),
            Ok(address) => sign_in(address, secret),
        }
    };

    move || {
        if signed_in.get() {
            view! {
                <PageHeading text="You're signed in" focus=true />
                <p class="lead">"Your new password works."</p>
            }
            .into_any()
        } else {
            view! {
                <PageHeading text="Sign in" />
                <FormAlert message=problem.message() />
                <form id="sign-in-form" class="form" novalidate on:submit=on_submit>
                    <InputField id="sign-in-email" label="Email address" input_type="email" autocomplete="email"
                        value=email error=email_error input_ref=email_input />
                    <InputField id="sign-in-password" label="Password" input_type="password"
                        autocomplete="current-password" value=password error=password_error input_ref=password_input />
                    <SubmitButton id="sign-in-submit" label="Sign in" busy_label="Signing in…" busy />
                </form>
                <p><a href="/recover">"Forgot your password?"</a></p>
            }
            .into_any()
        }
    }
}
