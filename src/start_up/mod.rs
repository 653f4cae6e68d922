//! The app's start over the page prerendered at build time. The prerendered page paints
//! before the wasm arrives (its inline script has already fetched what the start needs, see
//! `http::deploy_file`); the app renders the same page once the configuration and the reader's
//! language are known (in tasks short enough never to keep the page from answering a tap), and
//! then takes over ([`takeover`]), keeping what the person typed meanwhile and sending what
//! they sent (or reading the answer to it, where the page's script has sent it already:
//! `send_ahead.js`, beside this module).

#[cfg(feature = "csr")]
pub mod takeover;

use std::time::Duration;

use leptos::prelude::*;
use reclaim_contract::locale::is_right_to_left;

use crate::{browser, effect::effect, i18n::I18n, settings::Settings};

/// The longest the pages wait for the configuration and the language before showing the page
/// with the defaults (and switching when they arrive). Until then the prerendered page stays,
/// and a send made meanwhile waits, its button busy.
const LONGEST_WAIT: Duration = Duration::from_secs(3);

/// Starts the app for `route`: over the prerendered page if there is one, once the app is
/// ready; otherwise at once into an empty body (a development build without the prerender).
#[cfg(feature = "csr")]
pub fn start(route: crate::route::Route) {
    use crate::{app::App, APP_ELEMENT_ID};
    use leptos::mount::mount_to;
    use wasm_bindgen::JsCast;

    let fresh = document().create_element("div").expect("a div");
    fresh.set_id(APP_ELEMENT_ID);
    let Some(prerendered) = document().get_element_by_id(APP_ELEMENT_ID) else {
        let _ = document().body().expect("a body").append_child(&fresh);
        mount_to(fresh.unchecked_into(), move || view! { <App route /> }).forget();
        return;
    };
    mount_to(fresh.clone().unchecked_into(), move || {
        // Set by the app once its page is rendered, in the reader's language.
        let ready = RwSignal::new(false);
        let mut swapped = false;
        effect(move || {
            if ready.get() && !swapped {
                takeover::take_over(&prerendered, &fresh);
                swapped = true;
            }
        });
        view! { <App route ready /> }
    })
    .forget();
}

/// Where the start is: whether the page may be shown, and the parts of it still to render
/// (see [`Later`]), which the takeover waits for.
#[derive(Clone, Copy)]
pub struct StartUp {
    /// Set once the page is rendered, all its parts, and takes over the prerendered one; `None`
    /// without a prerendered page (tests, a development build), where nothing waits.
    ready: Option<RwSignal<bool>>,
    /// Parts not rendered yet.
    pending: RwSignal<usize>,
    /// The page itself is rendered (a prerender renders it at once).
    shown: RwSignal<bool>,
}

impl StartUp {
    pub fn provide(ready: Option<RwSignal<bool>>) -> Self {
        let start_up = StartUp {
            ready,
            pending: RwSignal::new(0),
            shown: RwSignal::new(cfg!(feature = "ssr")),
        };
        provide_context(start_up);
        start_up
    }

    /// Loads the settings and shows the page once they (and the language) are there, or after
    /// [`LONGEST_WAIT`] with the defaults: rendered once, in the reader's language, in a task of
    /// its own rather than with the rest of the start, so no single task keeps the page from
    /// answering a tap for long. Effects never run in a prerender: nothing loads there.
    pub fn begin(self, settings: Settings, i18n: I18n) {
        let mut started = false;
        effect(move || {
            if !started {
                started = true;
                settings.load();
                browser::after(LONGEST_WAIT, move || self.show());
            }
            // Not before the language is known: the prerendered page already has its own.
            if settings.is_loaded() {
                let locale = i18n.locale();
                browser::set_document_language(&locale, is_right_to_left(&locale));
                // Only once: rendering it again (after a switch of language) would lose what
                // was typed.
                if !self.shown.get_untracked() {
                    in_own_task(move || self.show());
                }
            }
            // Once the page has been rendered, all its parts, the app may take over: a task
            // later, even with a send waiting, as the renders that showing the page set off
            // have run by then (within this task, the page may still be empty).
            let rendered = self.shown.get() && self.pending.get() == 0;
            if let Some(ready) = self
                .ready
                .filter(|ready| rendered && !ready.get_untracked())
            {
                browser::after(Duration::ZERO, move || {
                    if self.pending.try_get_untracked() == Some(0) {
                        ready.try_set(true);
                    }
                });
            }
        });
    }

    /// Whether the page is rendered yet. Tracked.
    pub fn is_shown(&self) -> bool {
        self.shown.get()
    }

    /// Shows the page unless it is shown already (or the app has gone).
    fn show(&self) {
        if self.shown.try_get_untracked() == Some(false) {
            self.shown.set(true);
        }
    }

    /// Whether parts of the page wait for a task of their own ([`Later`]): while the app starts
    /// over the prerendered page, unless a send is waiting on the start (see [`in_own_task`]).
    fn defers(&self) -> bool {
        self.ready.is_some_and(|ready| !ready.get_untracked()) && !browser::send_waiting()
    }
}

/// Renders its children a task after the rest of the page while the app starts over the
/// prerendered page (which stays on screen until both parts are ready): two shorter tasks
/// rather than one long one that would keep the page from answering a tap. Once the app runs,
/// in a prerender, and when a send is waiting (see [`in_own_task`]), at once.
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

/// Runs `f` in a task of its own, so that no single task of the start keeps the page from
/// answering a tap for long; but at once when a person has already sent the form before the
/// app ran (the page's script holds the send, its button busy): then the send itself waits on
/// the start, every task boundary puts a frame before it (about 20 ms each on a slow phone),
/// and the person, waiting, has nothing left to tap.
pub fn in_own_task(f: impl FnOnce() + 'static) {
    if browser::send_waiting() {
        f();
    } else {
        browser::after(Duration::ZERO, f);
    }
}
