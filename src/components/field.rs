use leptos::{html::Input, prelude::*};

use crate::i18n::{use_i18n, Message, Text};

/// A labelled input with an optional hint and an error tied to it, in the
/// GOV.UK pattern: label, hint, error, then the input.
#[component]
pub fn InputField(
    /// The input's id; its hint and error get `{id}-hint` and `{id}-error`.
    id: &'static str,
    /// The visible label.
    label: Text,
    /// Help shown under the label.
    #[prop(optional)]
    hint: Option<Text>,
    /// `email`, `password` or `text` (the password fields switch on "Show").
    #[prop(into)]
    input_type: Signal<&'static str>,
    /// The `autocomplete` token, e.g. `email` or `new-password`.
    autocomplete: &'static str,
    /// The typed value; it survives every error.
    value: RwSignal<String>,
    /// The message to show at the field, if any.
    #[prop(into)]
    error: Signal<Option<Message>>,
    /// Lets the page move focus to the field (to the first error).
    input_ref: NodeRef<Input>,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint.map(|_| hint_id.as_str()),
                error.with(Option::is_some).then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label class="label" for=id>{i18n.show(label)}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id>{i18n.show(text)}</p> })}
            {move || error.get().map(|message| view! {
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">{i18n.show(Text::ErrorPrefix)}" "</span>
                    {move || i18n.render(&message)}
                </p>
            })}
            <input
                class="input"
                id=id
                name=id
                type=move || input_type.get()
                autocomplete=autocomplete
                // Mobile keyboards must not "correct" an address, a password
                // or a code, and in a right-to-left page these stay left to right.
                autocapitalize="none"
                dir="ltr"
                spellcheck="false"
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=described_by
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
                node_ref=input_ref
            />
        </div>
    }
}

/// Moves focus to an input once it is in the document (it may be rendered in
/// the same tick as the error that calls for it).
pub fn focus_field(input: NodeRef<Input>) {
    request_animation_frame(move || {
        // The page may have gone by the next frame (a fast answer, a test ending).
        if let Some(Some(input)) = input.try_get_untracked() {
            let _ = input.focus();
        }
    });
}
