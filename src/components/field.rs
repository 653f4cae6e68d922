use leptos::{html::Input, prelude::*};

use crate::i18n::{use_i18n, Message, Text};

/// One field's state in one bundle: what is typed, the error about it, and its element.
#[derive(Clone, Copy)]
pub struct Field {
    /// The typed value; it survives every error.
    pub value: RwSignal<String>,
    /// An error kept with the value it is about: shown only while that value is still in the
    /// field (once the person edits it, the error has been seen and is being fixed).
    error: RwSignal<Option<(String, Message)>>,
    input: NodeRef<Input>,
}

impl Field {
    pub fn new() -> Self {
        Field {
            value: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            input: NodeRef::new(),
        }
    }

    /// What is typed now, as the field holds it. Untracked: for handlers. Read from the
    /// element itself when it is there: a browser's autofill or a password manager may fill a
    /// field without the `input` event that would have told the app.
    pub fn typed(&self) -> String {
        match self.input.get_untracked() {
            Some(input) => {
                let now = input.value();
                if self.value.with_untracked(|held| *held != now) {
                    self.value.set(now.clone());
                }
                now
            }
            None => self.value.get_untracked(),
        }
    }

    /// Says `message` at the field about what is typed now; `None` clears it.
    pub fn say(&self, message: Option<Message>) {
        self.error
            .set(message.map(|message| (self.typed(), message)));
    }

    /// Says `message` at the field and moves focus there.
    pub fn refuse(&self, message: Message) {
        self.say(Some(message));
        self.focus();
    }

    pub fn has_error(&self) -> bool {
        self.error.with_untracked(Option::is_some)
    }

    /// Empties the field and its error (nothing of a password or a code stays behind).
    pub fn clear(&self) {
        self.value.set(String::new());
        self.error.set(None);
    }

    /// The error to show now. Tracked.
    fn shown_error(&self) -> Option<Message> {
        let value = self.value;
        self.error
            .get()
            .and_then(|(about, message)| value.with(|now| *now == about).then_some(message))
    }

    /// Moves focus to the input once it is in the document (it may be rendered in the same
    /// tick as the error that calls for it).
    pub fn focus(&self) {
        let input = self.input;
        request_animation_frame(move || {
            // The page may have gone by the next frame (a fast answer, a test ending).
            if let Some(Some(input)) = input.try_get_untracked() {
                let _ = input.focus();
            }
        });
    }
}

impl Default for Field {
    fn default() -> Self {
        Self::new()
    }
}

/// A labelled input with an optional hint and an error tied to it, in the GOV.UK pattern:
/// label, hint, error, then the input.
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
    /// The field's value, error and element.
    field: Field,
    /// An extra class for the input (`input-code`: capitals as typed).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let error = move || field.shown_error();
    let invalid = move || field.shown_error().is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let ids: Vec<&str> = [
                hint.map(|_| hint_id.as_str()),
                invalid().then_some(error_id.as_str()),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let value = field.value;
    view! {
        <div class="field" class:field-invalid=invalid>
            <label class="label" for=id>{i18n.show(label)}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id>{i18n.show(text)}</p> })}
            {move || error().map(|message| view! {
                <p class="field-error" id=error_id.clone()>
                    <span class="visually-hidden">{i18n.show(Text::ErrorPrefix)}" "</span>
                    {move || i18n.render(&message)}
                </p>
            })}
            <input
                class=if class.is_empty() { "input".to_owned() } else { format!("input {class}") }
                id=id
                name=id
                type=move || input_type.get()
                autocomplete=autocomplete
                // Mobile keyboards must not "correct" an address, a password or a code, and in
                // a right-to-left page these stay left to right.
                autocapitalize="none"
                dir="ltr"
                spellcheck="false"
                aria-invalid=move || invalid().then_some("true")
                aria-describedby=described_by
                prop:value=value
                on:input=move |ev| value.set(event_target_value(&ev))
                node_ref=field.input
            />
        </div>
    }
}
