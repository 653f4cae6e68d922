//! The app's one kind of effect. Every `Effect::new` with a closure of its own is a copy of
//! Leptos's effect machinery in the wasm (1.2 to 2.2 KB each, measured with twiggy); behind a
//! boxed closure all of them share one. What an effect remembers between runs lives in its
//! closure.

use leptos::prelude::Effect;

/// Runs `run` once the component is mounted (never in a prerender) and again whenever a
/// signal it read changes.
pub fn effect(run: impl FnMut() + 'static) {
    shared(Box::new(run));
}

fn shared(mut run: Box<dyn FnMut()>) {
    Effect::new(move |_| run());
}
