use leptos::prelude::*;

use super::FormController;
use crate::i18n::{use_i18n, Text};

/// A form's submit button: shows progress while a request is in flight, is
/// disabled while a rate limit lasts, and says beneath it when trying again
/// will work.
#[component]
pub fn SubmitButton(
    id: &'static str,
    /// The label at rest.
    label: Text,
    /// The label while a request is in flight.
    busy_label: Text,
    /// The form it sends.
    form: FormController,
) -> impl IntoView {
    // While busy the button stays focusable (`aria-disabled`, not `disabled`,
    // so keyboard focus is not thrown to the page), and the form ignores the
    // click; during a rate limit it is truly disabled.
    let i18n = use_i18n();
    let busy = move || form.is_busy();
    // In the page prerendered at build time the button is disabled until the
    // app takes over: a disabled default button stops Enter from submitting
    // the form as a GET that would put what was typed in the address bar.
    let before_app = cfg!(feature = "ssr");
    view! {
        <button
            id=id
            type="submit"
            class="button"
            class:button-busy=busy
            aria-disabled=move || busy().then_some("true")
            disabled=move || before_app || form.must_wait()
        >
            {move || i18n.text(if busy() { busy_label } else { label })}
        </button>
        {before_app.then(|| view! {
            <noscript><p class="hint">{i18n.show(Text::NeedsJavascript)}</p></noscript>
        })}
        // The alert above already said it; the ticking seconds would be noise
        // to a screen reader.
        {move || form.wait_hint().map(|hint| view! { <p class="hint" aria-hidden="true">{move || i18n.render(&hint)}</p> })}
    }
}
