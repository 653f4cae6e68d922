use leptos::prelude::*;
use reclaim_contract::link::RECOVER_PAGE_PATH;

use crate::{
    components::PageHeading,
    i18n::{use_i18n, Text},
};

/// Any path that is not a page of ours.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageHeading text=Text::NotFoundHeading />
        <p>{i18n.show(Text::NotFoundLead)}</p>
        <p><a href=move || i18n.page_link(RECOVER_PAGE_PATH)>{i18n.show(Text::NotFoundLink)}</a></p>
    }
}
