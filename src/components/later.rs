use std::time::Duration;

use leptos::prelude::*;

use crate::browser;

/// The app's start-up over a prerendered page: parts of a page rendered a task later (see
/// [`Later`]), which the takeover waits for.
#[derive(Clone, Copy)]
pub struct StartUp {
    /// Set once the page is rendered, all its parts, and takes over the prerendered one;
    /// `None` without a prerendered page (tests, a development build), where nothing waits.
    pub ready: Option<RwSignal<bool>>,
    /// Parts not rendered yet.
    pub pending: RwSignal<usize>,
}

impl StartUp {
    fn defers(&self) -> bool {
        self.ready.is_some_and(|ready| !ready.get_untracked())
    }
}

/// Renders its children a task after the rest of the page while the app starts over the
/// prerendered page (which stays on screen until both parts are ready): two shorter tasks
/// rather than one long one that would keep the page from answering a tap. Once the app runs,
/// and in a prerender, at once.
#[component]
pub fn Later(children: ChildrenFn) -> impl IntoView {
    let shown = RwSignal::new(true);
    if let Some(start_up) = use_context::<StartUp>().filter(StartUp::defers) {
        shown.set(false);
        start_up.pending.update(|pending| *pending += 1);
        browser::after(Duration::ZERO, move || {
            shown.try_set(true);
            start_up.pending.try_update(|pending| *pending -= 1);
        });
    }
    move || shown.get().then(|| children())
}
