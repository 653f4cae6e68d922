//! The app's frame: the deployment and the reader's language, loaded, then the page for the
//! address, and nothing else (the header around it is the build's: see
//! `components::language_switcher`).

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

use crate::{
    components::{language_switcher, provide_announcer, LiveRegion, Rendering},
    deployment::{self, Deployment},
    effect::effect,
    i18n::{Catalog, I18n},
    language::Language,
    pages::{ConfigProblem, NotFoundPage, RecoverPage, ResetPage},
    route::Route,
    start_up::handoff::{started_fetches, use_opened},
};

/// The longest the pages wait for the deployment and the language before showing the page with
/// the defaults (and switching when they arrive). Until then the prerendered page stays, and a
/// send made meanwhile waits, its button busy.
const LONGEST_WAIT: Duration = Duration::from_secs(3);

/// The whole app, for the address `start_up::handoff` provides: the reader's language, the
/// deployment, the live region, and the page.
#[component]
pub fn App(
    /// The language of the first render: a prerender names it; in the browser the reader's
    /// is loaded with the deployment.
    #[prop(optional)]
    catalog: Option<Catalog>,
    /// Set once the page has been rendered with the deployment and in the reader's language: it
    /// then takes over the prerendered one (see `start_up`).
    #[prop(optional)]
    ready: Option<RwSignal<bool>>,
) -> impl IntoView {
    let opened = use_opened();
    let started = started_fetches();
    let i18n = I18n::provide(catalog.unwrap_or_default());
    let deployment = Deployment::provide();
    let language = Language::provide(i18n, deployment, opened, started);
    provide_announcer();
    let rendering = Rendering::provide(ready);

    // Effects never run in a prerender: nothing loads there.
    let mut begun = false;
    effect(move || {
        if !begun {
            begun = true;
            // A task after the mount: the mount and reading the deployment and the language
            // are then two tasks, each short enough for the page to answer a tap between them.
            rendering.in_own_task(move || {
                spawn_local(async move {
                    let loaded = deployment::load(started).await.and_then(|loaded| {
                        opened.with_value(|opened| opened.completes(&loaded.api))?;
                        Ok(loaded)
                    });
                    // Even a broken config.json gets its problem page in the reader's language.
                    let config = match &loaded {
                        Ok(loaded) => loaded.config.clone(),
                        Err(_) => Default::default(),
                    };
                    let locale = language.choose(&config);
                    let language_loaded = language.load(&locale).await;
                    deployment.set(language_loaded.and(loaded));
                })
            });
            crate::browser::after(LONGEST_WAIT, move || rendering.show());
        }
        // Only once: rendering it again (after a switch of language) would lose what was typed.
        if deployment.is_loaded() && !rendering.is_shown() {
            rendering.show();
        }
        rendering.take_over_when_rendered();
    });

    // The page's header (its name, the language switcher) is the build's; the app keeps it in
    // step with the deployment and the language.
    language_switcher::follow();
    // Memos: a switch of language, which changes neither, must not render the page again.
    let problem = Memo::new(move |_| deployment.problem());
    let route = Memo::new(move |_| {
        let backend = deployment.backend();
        opened.with_value(|opened| opened.route(backend.as_ref()))
    });
    let page = move || {
        rendering.is_shown().then(|| match problem.get() {
            Some(problem) => view! { <ConfigProblem problem /> }.into_any(),
            None => match route.get() {
                Route::Recover => view! { <RecoverPage /> }.into_any(),
                Route::Reset => view! { <ResetPage /> }.into_any(),
                Route::NotFound => view! { <NotFoundPage /> }.into_any(),
            },
        })
    };
    view! {
        <main id="main" class="main">{page}</main>
        <LiveRegion />
    }
}
