use leptos::{html::H1, prelude::*};

/// The heading that says what the current state of a page is for.
#[component]
pub fn PageHeading(
    /// Move focus here once rendered: set when an action (not the page load)
    /// led to this state, so screen-reader and keyboard users land on it.
    #[prop(optional)]
    focus: bool,
    children: Children,
) -> impl IntoView {
    let heading = NodeRef::<H1>::new();
    if focus {
        Effect::new(move |_| {
            if let Some(heading) = heading.get() {
                let _ = heading.focus();
            }
        });
    }
    view! {
        <h1 id="page-heading" class="heading" tabindex="-1" node_ref=heading>{children()}</h1>
    }
}
