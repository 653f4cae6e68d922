//! Replacing the prerendered page with the app's: the same page, rendered fresh, swapped in
//! in one step, keeping every field's text, the focus and the caret, and sending what the
//! person sent before the app ran. Rendering fresh rather than hydrating means a page that
//! differs from its markup (a host that serves `/index.html` for an unknown path) simply shows
//! the right page: nothing can mismatch.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlFormElement, HtmlInputElement};

use super::handoff::HeldForm;

/// Replaces `prerendered` with `fresh` (the same page, rendered by the app), keeping every
/// field's text, the focus and the caret; then submits `held`, the form a person sent before
/// the app ran, as they did.
pub fn take_over(prerendered: &Element, fresh: &Element, held: Option<&HeldForm>) {
    for typed in inputs(prerendered) {
        let value = typed.value();
        if value.is_empty() || typed.id().is_empty() {
            continue;
        }
        if let Some(field) = input_by_id(fresh, &typed.id()) {
            field.set_value(&value);
            // Tells the app, as typing would, so its state holds the text.
            let init = EventInit::new();
            init.set_bubbles(true);
            if let Ok(event) = Event::new_with_event_init_dict("input", &init) {
                let _ = field.dispatch_event(&event);
            }
        }
    }

    let focused = document()
        .active_element()
        .filter(|element| prerendered.contains(Some(element)) && !element.id().is_empty());
    // Only text-like inputs have a caret to keep (`type=email` has no selection API).
    let caret = focused
        .as_ref()
        .and_then(|element| element.dyn_ref::<HtmlInputElement>())
        .and_then(|input| {
            let start = input.selection_start().ok()??;
            let end = input.selection_end().ok()??;
            Some((start, end, input.selection_direction().ok()?))
        });

    let _ = prerendered.replace_with_with_node_1(fresh);

    if let Some(element) = focused.and_then(|focused| element_by_id(fresh, &focused.id())) {
        if let Some(element) = element.dyn_ref::<HtmlElement>() {
            let _ = element.focus();
        }
        if let (Some(input), Some((start, end, direction))) =
            (element.dyn_ref::<HtmlInputElement>(), caret)
        {
            let _ = input.set_selection_range_with_direction(
                start,
                end,
                direction.as_deref().unwrap_or("none"),
            );
        }
    }

    // The page's script held the submit back with its button busy and its fields read-only,
    // so the fields now hold what was typed then; the app's own handler sends it, once, and the
    // page reads as for any submit.
    if let Some(form) = held
        .and_then(|HeldForm(id)| element_by_id(fresh, id))
        .and_then(|form| form.dyn_into::<HtmlFormElement>().ok())
    {
        let _ = form.request_submit();
    }
}

fn inputs(root: &Element) -> Vec<HtmlInputElement> {
    let Ok(list) = root.query_selector_all("input") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlInputElement>().ok())
        .collect()
}

fn element_by_id(root: &Element, id: &str) -> Option<Element> {
    // Ids here are the pages' own (`email`, `new-password`): plain words, no escaping needed.
    root.query_selector(&format!("#{id}")).ok().flatten()
}

fn input_by_id(root: &Element, id: &str) -> Option<HtmlInputElement> {
    element_by_id(root, id)?.dyn_into().ok()
}
