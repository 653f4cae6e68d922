use leptos::prelude::*;

use crate::{
    components::{use_announcer, PageHeading},
    deployment::use_deployment,
    i18n::{use_i18n, Text},
};

/// The password is changed: on to where the person came from (the return address the link or
/// the request page carried, when the deployment lists its origin), else to sign in. It
/// promises that other devices were signed out only when the backend did so.
#[component]
pub fn PasswordChanged(
    /// Where the person goes back to, if the link or the request page said.
    #[prop(default = None)]
    continue_to: Option<String>,
    /// Whether the reset ended the account's other sessions, as far as the backend says.
    #[prop(default = None)]
    sessions_ended: Option<bool>,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    use_announcer().say(i18n.text_untracked(Text::AnnounceDone));
    let onward = continue_to.and_then(|url| deployment.config().continue_to(&url));
    view! {
        <PageHeading text=Text::DoneHeading focus=true />
        <p class="lead" id="done-lead">{i18n.show(match sessions_ended {
            Some(true) => Text::DoneLead,
            Some(false) => Text::DoneLeadSessionsKept,
            None => Text::DoneLeadPlain,
        })}</p>
        // rel=external: a full page load, not a page of this app.
        {match onward {
            Some(url) => view! { <p><a id="continue" class="button" rel="external" href=url>{i18n.show(Text::Continue)}</a></p> }.into_any(),
            None => view! { <p><a id="sign-in" class="button" rel="external" href=move || deployment.config().sign_in_url>{i18n.show(Text::SignIn)}</a></p> }.into_any(),
        }}
    }
}
