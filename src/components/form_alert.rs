use leptos::{html::Div, prelude::*};

/// An error that belongs to the whole form, not one field (rate limit, server
/// down, no connection). `role="alert"` makes screen readers read it at once,
/// and focus moves to it: the button that was pressed may just have been disabled.
#[component]
pub fn FormAlert(
    /// The message; nothing is rendered while it is `None`.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    let alert = NodeRef::<Div>::new();
    Effect::new(move |_| {
        if let (Some(alert), Some(_)) = (alert.get(), message.get()) {
            let _ = alert.focus();
        }
    });
    move || {
        message.get().map(|text| {
            view! {
                <div id="form-error" class="alert" role="alert" tabindex="-1" node_ref=alert>
                    <p>{text}</p>
                </div>
            }
        })
    }
}
