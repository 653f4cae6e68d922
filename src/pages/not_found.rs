use leptos::prelude::*;

use crate::{components::PageHeading, use_settings};

/// Any path that is not a page of ours.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let settings = use_settings();
    Effect::new(move |_| crate::browser::set_title(&settings.title("Page not found")));
    view! {
        <PageHeading>"Page not found"</PageHeading>
        <p>"If you typed the address, check it is correct. If you pasted it from an email, make sure you copied the whole link."</p>
        <p><a href="/recover">"Request a password reset link"</a></p>
    }
}
