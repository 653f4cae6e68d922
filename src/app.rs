use leptos::prelude::*;

use crate::{
    api,
    backend::{self, RecoveryClient},
    browser,
    components::{provide_announcer, LiveRegion},
    config::{Config, ConfigError},
    pages::{NotFoundPage, RecoverPage, ResetPage},
};

/// The deployment's configuration, loaded once at start-up and shared by the pages.
#[derive(Clone, Copy)]
pub struct Settings(LocalResource<Result<Config, ConfigError>>);

impl Settings {
    /// Starts loading `config.json`. A local resource never runs in a
    /// prerendered first render, so that render makes no request (nor reads
    /// the address, which may complete the configuration).
    fn load() -> Self {
        Settings(LocalResource::new(|| async {
            let config = api::load_config().await?;
            backend::settle(config, &browser::address().1)
        }))
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
    pub async fn client(self) -> Result<RecoveryClient, ConfigError> {
        self.0.await.map(RecoveryClient::new)
    }

    /// The document title for a page state, e.g. "Check your email – Reclaim".
    pub fn title(&self, heading: &str) -> String {
        format!("{heading} – {}", self.config().app_name)
    }
}

pub fn use_settings() -> Settings {
    expect_context::<Settings>()
}

/// The pages there are, chosen by the address's path. Each has its own HTML
/// file in the build, so a static host needs no rewrite rules and the pages
/// need no client-side router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Recover,
    Reset,
    NotFound,
}

impl Route {
    /// The page for `path`; a trailing slash is the same page (a static host
    /// redirects `/recover` to its folder, `/recover/`).
    pub fn from_path(path: &str) -> Self {
        match path.trim_end_matches('/') {
            "" | reclaim_contract::link::RECOVER_PAGE_PATH => Route::Recover,
            reclaim_contract::link::RESET_PAGE_PATH => Route::Reset,
            _ => Route::NotFound,
        }
    }

    /// The page for an address (`query` without its `?`): as [`Route::from_path`],
    /// except that a backend's reset link opened at the site's root (where a
    /// deployer may point a backend's emails) is the reset page. The prerendered
    /// root stays the request page; the app switches when it starts.
    pub fn from_address(path: &str, query: &str) -> Self {
        match Route::from_path(path) {
            Route::Recover
                if path.trim_end_matches('/').is_empty() && backend::opens_reset_page(query) =>
            {
                Route::Reset
            }
            route => route,
        }
    }
}

/// The whole app: configuration, the live region, and the page for `route`.
#[component]
pub fn App(
    /// Which page to show: `main` reads it from the address, a prerender
    /// names it.
    route: Route,
) -> impl IntoView {
    let settings = Settings::load();
    provide_context(settings);
    provide_announcer();
    let config_error = Memo::new(move |_| settings.error());
    // The name is left blank until loaded rather than flashing a default name.
    let app_name = move || settings.is_loaded().then(|| settings.config().app_name);
    view! {
        <header class="masthead">
            <p class="app-name">{app_name}</p>
        </header>
        <main id="main" class="main">
            {move || match config_error.get() {
                Some(error) => view! { <ConfigProblem error /> }.into_any(),
                None => match route {
                    Route::Recover => view! { <RecoverPage /> }.into_any(),
                    Route::Reset => view! { <ResetPage /> }.into_any(),
                    Route::NotFound => view! { <NotFoundPage /> }.into_any(),
                },
            }}
        </main>
        <LiveRegion />
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_has_its_page() {
        for (path, route) in [
            ("/", Route::Recover),
            ("", Route::Recover),
            ("/recover", Route::Recover),
            ("/recover/", Route::Recover),
            ("/reset", Route::Reset),
            ("/reset/", Route::Reset),
            ("/resets", Route::NotFound),
            ("/recover/x", Route::NotFound),
            ("/index.html", Route::NotFound),
        ] {
            assert_eq!(Route::from_path(path), route, "{path}");
        }
    }

    #[test]
    fn an_action_link_at_the_root_opens_the_reset_page() {
        let link = "mode=resetPassword&oobCode=abc&apiKey=k";
        assert_eq!(Route::from_address("/", link), Route::Reset);
        assert_eq!(Route::from_address("", "mode=verifyEmail"), Route::Reset);
        assert_eq!(Route::from_address("/reset", link), Route::Reset);
        // Only the root: /recover is always the request page.
        assert_eq!(Route::from_address("/recover", link), Route::Recover);
        assert_eq!(Route::from_address("/", ""), Route::Recover);
        assert_eq!(Route::from_address("/", "utm_source=mail"), Route::Recover);
        assert_eq!(Route::from_address("/x", link), Route::NotFound);
    }
}
