//! The app's frame: it composes the language, the settings, the start, the header and the page
//! for the route, and nothing else.

use leptos::prelude::*;

use crate::{
    components::{provide_announcer, LiveRegion},
    i18n::{Catalog, I18n, LanguageSwitcher},
    pages::{ConfigProblem, NotFoundPage, RecoverPage, ResetPage},
    route::Route,
    settings::Settings,
    start_up::{Later, StartUp},
};

/// The whole app: the reader's language, the settings, the live region, and the page for
/// `route`.
#[component]
pub fn App(
    /// Which page to show: `main` reads it from the address, a prerender names it.
    route: Route,
    /// The language of the first render: a prerender names it; in the browser the reader's
    /// is loaded with the configuration.
    #[prop(optional)]
    catalog: Option<Catalog>,
    /// Set once the page has been rendered with the configuration and in the reader's
    /// language: it is then the one to show (see `start_up`).
    #[prop(optional)]
    ready: Option<RwSignal<bool>>,
) -> impl IntoView {
    let i18n = I18n::provide(catalog.unwrap_or_default());
    let settings = Settings::provide(i18n);
    provide_announcer();
    let start_up = StartUp::provide(ready);
    start_up.begin(settings, i18n);
    // The name is left blank until loaded rather than flashing a default name.
    let app_name = move || settings.is_loaded().then(|| settings.config().app_name);
    // Memos: a reload of the settings (after a switch of language) that changes neither must
    // not render the page again, which would lose what was typed.
    let problem = Memo::new(move |_| settings.problem());
    let route = Memo::new(move |_| settings.route(route));
    let page = move || {
        start_up.is_shown().then(|| match problem.get() {
            Some(problem) => view! { <ConfigProblem problem /> }.into_any(),
            None => match route.get() {
                Route::Recover => view! { <RecoverPage /> }.into_any(),
                Route::Reset => view! { <ResetPage /> }.into_any(),
                Route::NotFound => view! { <NotFoundPage /> }.into_any(),
            },
        })
    };
    view! {
        <header class="masthead">
            <p class="app-name">{app_name}</p>
            <Later>
                <LanguageSwitcher />
            </Later>
        </header>
        <main id="main" class="main">{page}</main>
        <LiveRegion />
    }
}
