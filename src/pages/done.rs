use leptos::prelude::*;

use crate::{
    components::{use_announcer, PageHeading},
    deployment::use_deployment,
    i18n::{use_i18n, Text},
};

/// The password is changed: on to sign in, or where the link said to continue when the
/// deployment lists that place.
#[component]
pub fn PasswordChanged(
    /// Where the opened link said to continue, if it did.
    #[prop(default = None)]
    continue_to: Option<String>,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    use_announcer().say(i18n.text_untracked(Text::AnnounceDone));
    let onward = continue_to.and_then(|url| deployment.config().continue_to(&url));
    view! {
        <PageHeading text=Text::DoneHeading focus=true />
        <p class="lead">{i18n.show(Text::DoneLead)}</p>
        // rel=external: a full page load, not a page of this app.
        {match onward {
            Some(url) => view! { <p><a id="continue" class="button" rel="external" href=url>{i18n.show(Text::Continue)}</a></p> }.into_any(),
            None => view! { <p><a id="sign-in" class="button" rel="external" href=move || deployment.config().sign_in_url>{i18n.show(Text::SignIn)}</a></p> }.into_any(),
        }}
    }
}
