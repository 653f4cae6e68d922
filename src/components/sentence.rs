use leptos::prelude::*;

use crate::i18n::{texts::around, use_i18n, Text};

/// A sentence with an email address in it ("If an account exists for {address}, …"): the
/// address in its own element, read left to right whatever the page's direction, the words
/// around it in the reader's language.
#[component]
pub fn Sentence(
    /// The sentence, with an `{address}` placeholder.
    text: Text,
    /// The address to put in it.
    address: String,
    /// The paragraph's id, if tests or styles need one.
    #[prop(optional)]
    id: &'static str,
    /// The paragraph's class (`lead`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let part = move |after: bool| {
        let (before, rest) = around(&i18n.text(text), "address");
        if after {
            rest
        } else {
            before
        }
    };
    view! {
        <p id=(!id.is_empty()).then_some(id) class=(!class.is_empty()).then_some(class)>
            {move || part(false)}
            <strong dir="ltr">{address}</strong>
            {move || part(true)}
        </p>
    }
}
