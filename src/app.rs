use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{FlatRoutes, Route, Router},
    path,
};

use crate::{
    api::{self, ApiError, RecoveryClient},
    browser,
    components::{provide_announcer, LiveRegion},
    config::{Config, ConfigError},
    pages::{NotFoundPage, RecoverPage, ResetPage},
};

/// The deployment's configuration, loaded once at start-up and shared by the pages.
#[derive(Clone, Copy)]
pub struct Settings(RwSignal<Option<Result<Config, ConfigError>>>);

impl Settings {
    /// Loads `config.json`, starting once the app is in the page (an effect,
    /// so a prerendered first render makes no request).
    fn load() -> Self {
        let settings = Settings(RwSignal::new(None));
        Effect::new(move |_| {
            spawn_local(async move { settings.0.set(Some(api::load_config().await)) })
        });
        settings
    }

    /// The configuration to display with: the defaults until `config.json` has
    /// loaded. Tracked.
    pub fn config(&self) -> Config {
        self.0.get().and_then(Result::ok).unwrap_or_default()
    }

    /// Whether `config.json` has been read. Tracked.
    pub fn is_loaded(&self) -> bool {
        self.0.with(Option::is_some)
    }

    fn error(&self) -> Option<ConfigError> {
        self.0.get().and_then(Result::err)
    }

    /// A client for the configured API. If a person submits before
    /// `config.json` has arrived (it is requested first thing, so this is
    /// rare), waits for it rather than calling a default API.
    pub async fn client(self) -> Result<RecoveryClient, ApiError> {
        loop {
            match self.0.get_untracked() {
                Some(Ok(config)) => return Ok(RecoveryClient::new(config)),
                // Never reached in practice: a broken configuration replaces the pages.
                Some(Err(_)) => return Err(ApiError::Network),
                None => browser::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    /// The document title for a page state, e.g. "Check your email – Reclaim".
    pub fn title(&self, heading: &str) -> String {
        format!("{heading} – {}", self.config().app_name)
    }
}

pub fn use_settings() -> Settings {
    expect_context::<Settings>()
}

/// The whole app: configuration, the live region, and the routes.
#[component]
pub fn App() -> impl IntoView {
    let settings = Settings::load();
    provide_context(settings);
    provide_announcer();
    let config_error = Memo::new(move |_| settings.error());
    // The name is left blank until loaded rather than flashing a default name.
    let app_name = move || settings.is_loaded().then(|| settings.config().app_name);
    view! {
        <Router>
            <header class="masthead">
                <p class="app-name">{app_name}</p>
            </header>
            <main id="main" class="main">
                {move || match config_error.get() {
                    Some(error) => view! { <ConfigProblem error /> }.into_any(),
                    None => view! {
                        <FlatRoutes fallback=NotFoundPage>
                            <Route path=path!("/") view=RecoverPage />
                            <Route path=path!("/recover") view=RecoverPage />
                            <Route path=path!("/reset") view=ResetPage />
                        </FlatRoutes>
                    }
                    .into_any(),
                }}
            </main>
            <LiveRegion />
        </Router>
    }
}

/// Shown instead of any page when `config.json` is broken: better than sending
/// someone's email address to a default API that is the wrong one.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    view! {
        <h1 id="page-heading" class="heading" tabindex="-1">"This page is not set up correctly"</h1>
        <div class="alert" role="alert">
            <p>{error.to_string()}</p>
        </div>
        <p>"Nothing was sent. If you run this site, fix config.json and reload; otherwise, try again later."</p>
    }
}
