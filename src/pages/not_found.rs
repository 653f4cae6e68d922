use leptos::prelude::*;

use crate::components::PageHeading;

/// Any path that is not a page of ours.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <PageHeading text="Page not found" />
        <p>"If you typed the address, check it is correct. If you pasted it from an email, make sure you copied the whole link."</p>
        <p><a href="/recover">"Request a password reset link"</a></p>
    }
}
