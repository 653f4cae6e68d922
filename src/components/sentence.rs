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
    let parts = Memo::new(move |_| around(&i18n.text(text), "address"));
    view! {
        <p id=(!id.is_empty()).then_some(id) class=(!class.is_empty()).then_some(class)>
            {move || parts.get().0}
            <strong dir="ltr">{address}</strong>
            {move || parts.get().1}
        </p>
    }
}
