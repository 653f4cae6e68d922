//! How far the app's first render over the prerendered page has come: whether the page may be
//! shown yet, and the parts of it still to render in a task of their own ([`Deferred`]), which
//! the takeover waits for.

use std::time::Duration;

use leptos::prelude::*;

use crate::{browser, start_up::handoff::held_form};

/// How far the first render has come.
#[derive(Clone, Copy)]
pub struct Rendering {
    /// Set once the page is rendered, all its parts, and takes over the prerendered one; `None`
    /// without a prerendered page (tests, a development build), where nothing waits.
    ready: Option<RwSignal<bool>>,
    /// Parts not rendered yet.
    pending: RwSignal<usize>,
    /// The page itself is rendered (a prerender renders it at once).
    shown: RwSignal<bool>,
    /// A person sent a form before the app ran: it waits on this render.
    form_held: bool,
}

impl Rendering {
    pub fn provide(ready: Option<RwSignal<bool>>) -> Self {
        let rendering = Rendering {
            ready,
            pending: RwSignal::new(0),
            shown: RwSignal::new(cfg!(feature = "ssr")),
            form_held: held_form().is_some(),
        };
        provide_context(rendering);
        rendering
    }

    /// Whether the page is rendered yet. Tracked.
    pub fn is_shown(&self) -> bool {
        self.shown.get()
    }

    /// Shows the page unless it is shown already (or the app has gone), in a task of its own
    /// (see [`Rendering::in_own_task`]).
    pub fn show(self) {
        self.in_own_task(move || {
            if self.shown.try_get_untracked() == Some(false) {
                self.shown.set(true);
            }
        });
    }

    /// Once the page has been rendered, all its parts, says the app may take over. The takeover
    /// is an effect, so it runs after the renders that showing the page set off (within this
    /// task, the page may still be empty). With no form held, a task later, after the page's
    /// own first effects; with one held, at once (see [`Rendering::in_own_task`]). Call it from
    /// an effect.
    pub fn take_over_when_rendered(&self) {
        let rendered = self.shown.get() && self.pending.get() == 0;
        let this = *self;
        if let Some(ready) = self
            .ready
            .filter(|ready| rendered && !ready.get_untracked())
        {
            self.in_own_task(move || {
                if this.pending.try_get_untracked() == Some(0) {
                    ready.try_set(true);
                }
            });
        }
    }

    /// Runs `f` in a task of its own, so that no single task of the start keeps the page from
    /// answering a tap for long; but at once when a person has already sent a form before the app
    /// ran (the page's script holds it, its button busy): then the send itself waits on the
    /// start, a task boundary can put a frame before it (10-13 ms in traces at CPU 4×), and
    /// the person, waiting, has nothing left to tap.
    pub fn in_own_task(&self, f: impl FnOnce() + 'static) {
        self.in_own_task_boxed(Box::new(f));
    }

    // One copy for every caller's closure (see `browser::after`).
    fn in_own_task_boxed(&self, f: Box<dyn FnOnce()>) {
        if self.form_held {
            f();
        } else {
            browser::after_boxed(Duration::ZERO, f);
        }
    }

    /// Whether parts of the page wait for a task of their own ([`Deferred`]): while the app
    /// starts over the prerendered page, unless a form is held.
    fn defers(&self) -> bool {
        self.ready.is_some_and(|ready| !ready.get_untracked()) && !self.form_held
    }
}

/// Renders its children a task after the rest of the page while the app starts over the
/// prerendered page (which stays on screen until both parts are ready): two shorter tasks
/// rather than one long one that would keep the page from answering a tap. Once the app runs,
/// in a prerender, and when a form is held, at once.
#[component]
pub fn Deferred(children: ChildrenFn) -> impl IntoView {
    let shown = RwSignal::new(true);
    if let Some(rendering) = use_context::<Rendering>().filter(Rendering::defers) {
        shown.set(false);
        rendering.pending.update(|pending| *pending += 1);
        browser::after(Duration::ZERO, move || {
            shown.try_set(true);
            rendering.pending.try_update(|pending| *pending -= 1);
        });
    }
    move || shown.get().then(|| children())
}
