use leptos::prelude::*;

/// A form's submit button that shows progress while a request is in flight.
#[component]
pub fn SubmitButton(
    id: &'static str,
    /// The label at rest.
    label: &'static str,
    /// The label while `busy`.
    busy_label: &'static str,
    /// A request is in flight. The button stays focusable (`aria-disabled`,
    /// not `disabled`, so keyboard focus is not thrown to the page), and the
    /// page ignores the click.
    #[prop(into)]
    busy: Signal<bool>,
    /// Truly disabled, e.g. while a rate limit lasts.
    #[prop(into, optional)]
    disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            id=id
            type="submit"
            class="button"
            class:button-busy=move || busy.get()
            aria-disabled=move || busy.get().then_some("true")
            disabled=move || disabled.get()
        >
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}
