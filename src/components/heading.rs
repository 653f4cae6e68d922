use leptos::{html::H1, prelude::*};

use crate::{
    browser,
    deployment::use_deployment,
    effect::effect,
    i18n::{use_i18n, Text},
};

/// The heading that says what the current state of a page is for. It also
/// names the browser tab after itself ("Check your email – Reclaim"), so the
/// title always matches what the page shows.
#[component]
pub fn PageHeading(
    /// The heading's words.
    text: Text,
    /// Move focus here once rendered: set when an action (not the page load)
    /// led to this state, so screen-reader and keyboard users land on it.
    #[prop(optional)]
    focus: bool,
) -> impl IntoView {
    let deployment = use_deployment();
    let i18n = use_i18n();
    let heading = NodeRef::<H1>::new();
    // Re-runs when the configured app name or the language arrives; focuses only once.
    let mut focused = false;
    effect(move || {
        browser::set_title(&deployment.title(&i18n.text(text)));
        if let Some(heading) = heading.get().filter(|_| focus && !focused) {
            focused = heading.focus().is_ok();
        }
    });
    view! {
        <h1 id="page-heading" class="heading" tabindex="-1" node_ref=heading>{i18n.show(text)}</h1>
    }
}
