use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use reclaim_contract::locale::{is_right_to_left, BUILT_IN, DEFAULT_LOCALE, LANG_PARAM};
use wasm_bindgen::JsCast;

use crate::{
    api,
    backend::{self, RecoveryClient},
    browser,
    components::{provide_announcer, Later, LiveRegion, StartUp},
    config::{Config, ConfigError},
    i18n::{
        choice::{choose, Asked},
        native_name, use_i18n, Catalog, I18n, Text,
    },
    pages::{NotFoundPage, RecoverPage, ResetPage},
};

/// The longest the pages wait for the configuration and the language before showing the page
/// with the defaults (and switching when they arrive). Until then the prerendered page stays,
/// its button disabled.
const LONGEST_WAIT: Duration = Duration::from_secs(3);

/// The deployment's configuration and the reader's language, loaded at
/// start-up (and the language again when the reader switches), shared by the
/// pages.
#[derive(Clone, Copy)]
pub struct Settings {
    /// `None` until the first load has finished; a reload keeps the last.
    loaded: RwSignal<Option<Result<Config, ConfigError>>>,
    i18n: I18n,
}

impl Settings {
    fn new(i18n: I18n) -> Self {
        Settings {
            loaded: RwSignal::new(None),
            i18n,
        }
    }

    /// Loads `config.json`, then the catalog of the language chosen for the
    /// reader from the address, the stored choice and the browser. Only ever
    /// called from an effect or a handler: a prerendered render makes no request
    /// and reads no address.
    fn load(self) {
        spawn_local(async move {
            let loaded = self.load_now().await;
            // The page may have gone meanwhile (a test unmounting it).
            self.loaded.try_set(Some(loaded));
        });
    }

    async fn load_now(self) -> Result<Config, ConfigError> {
        let (_, query, _) = browser::address();
        let config = api::load_config().await;
        // Even a broken config.json gets its problem page in the reader's language.
        let (offered, default) = match &config {
            Ok(config) => (config.locales.clone(), config.default_locale.clone()),
            Err(_) => (
                BUILT_IN.map(str::to_owned).to_vec(),
                DEFAULT_LOCALE.to_owned(),
            ),
        };
        let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
        let address = reclaim_contract::link::param(&query, LANG_PARAM);
        let stored = browser::stored_locale();
        let languages = browser::languages();
        let asked = Asked {
            address: address.as_deref(),
            stored: stored.as_deref(),
            browser: &languages,
        };
        let locale = choose(&offered, &default, &asked);
        // A broken locale file is shown in English, and nothing is sent.
        let catalog = api::load_catalog(locale).await;
        self.i18n.set(catalog.clone().unwrap_or_default());
        catalog?;
        backend::settle(config?, &query)
    }

    /// The configuration to display with: the defaults until `config.json` has
    /// loaded. Tracked.
    pub fn config(&self) -> Config {
        self.loaded
            .with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().ok()).cloned())
            .unwrap_or_default()
    }

    /// Whether `config.json` and the reader's language have been loaded. Tracked.
    pub fn is_loaded(&self) -> bool {
        self.loaded.with(Option::is_some)
    }

    fn error(&self) -> Option<ConfigError> {
        self.loaded
            .with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().err()).cloned())
    }

    /// A client for the configured API, speaking the page's language. If a
    /// person submits before `config.json` has arrived (it is requested first
    /// thing, so this is rare), waits for it rather than calling a default API.
    pub async fn client(self) -> Result<RecoveryClient, ConfigError> {
        // Rare enough (the page shows once loaded, or after `LONGEST_WAIT`) to simply look again.
        let config = loop {
            match self.loaded.try_get_untracked() {
                Some(Some(loaded)) => break loaded?,
                Some(None) => browser::sleep(Duration::from_millis(50)).await,
                None => return Err(ConfigError("The page has closed.".into())),
            }
        };
        Ok(RecoveryClient::new(config, self.i18n.locale_untracked()))
    }

    /// The document title for a page state, e.g. "Check your email – Reclaim".
    pub fn title(&self, heading: &str) -> String {
        format!("{heading} – {}", self.config().app_name)
    }

    /// Switches the pages to `locale` in place (what was typed stays, the
    /// page's state too), keeps the choice for the next visit, and puts it in
    /// the address, so a reload or a shared link opens in it too. A broken
    /// locale file shows the configuration problem.
    pub fn switch_language(self, locale: &str) {
        browser::store_locale(locale);
        let (path, query, fragment) = browser::address();
        browser::replace_address(&address_in(&path, &query, &fragment, locale));
        self.load();
    }
}

/// The address with `lang=` set to `locale`, every other part kept.
fn address_in(path: &str, query: &str, fragment: &str, locale: &str) -> String {
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|param| !param.is_empty() && param.split('=').next() != Some(LANG_PARAM))
        .collect();
    let lang = format!("{LANG_PARAM}={locale}");
    params.push(&lang);
    let mut address = format!("{path}?{}", params.join("&"));
    if !fragment.is_empty() {
        address = format!("{address}#{fragment}");
    }
    address
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
        let path = path.trim_end_matches('/');
        // A locale's prerendered copy (`/ar/recover/`) opened by its own path.
        let path = BUILT_IN
            .iter()
            .find_map(|tag| path.strip_prefix('/')?.strip_prefix(tag))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(path);
        match path {
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

/// The whole app: configuration, language, the live region, and the page for `route`.
#[component]
pub fn App(
    /// Which page to show: `main` reads it from the address, a prerender
    /// names it.
    route: Route,
    /// The language of the first render: a prerender names it; in the browser
    /// the reader's is loaded with the configuration.
    #[prop(optional)]
    catalog: Option<Catalog>,
    /// Set once the page has been rendered with the configuration and in the
    /// reader's language: it is then the one to show (see `takeover.rs`).
    #[prop(optional)]
    ready: Option<RwSignal<bool>>,
) -> impl IntoView {
    let i18n = I18n::provide(catalog.unwrap_or_default());
    let settings = Settings::new(i18n);
    provide_context(settings);
    provide_announcer();
    let start_up = StartUp {
        ready,
        pending: RwSignal::new(0),
    };
    provide_context(start_up);
    let config_error = Memo::new(move |_| settings.error());
    // In the browser the page is rendered once the configuration and the language have loaded
    // (or after `LONGEST_WAIT` without them, with the defaults): rendered once, in the reader's
    // language, in a task of its own rather than with the rest of the start-up, so no single
    // task keeps the page from answering a tap for long. A prerender renders it at once.
    let show_page = RwSignal::new(cfg!(feature = "ssr"));
    // Effects never run in a prerender: the loading starts in the browser only.
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            settings.load();
            browser::after(LONGEST_WAIT, move || show_once(show_page));
        }
        // Not before the language is known: the prerendered page already has its own.
        if settings.is_loaded() {
            let locale = i18n.locale();
            browser::set_document_language(&locale, is_right_to_left(&locale));
            // A task of its own: reading the catalog and rendering the page are two shorter
            // tasks rather than one long one. Only once: rendering it again (after a switch of
            // language) would lose what was typed.
            if !show_page.get_untracked() {
                browser::after(Duration::ZERO, move || show_once(show_page));
            }
        }
        // Once the page has been rendered, all its parts, the app may take over (a task later).
        let rendered = show_page.get() && start_up.pending.get() == 0;
        if let Some(ready) = ready.filter(|ready| rendered && !ready.get_untracked()) {
            browser::after(Duration::ZERO, move || {
                if start_up.pending.try_get_untracked() == Some(0) {
                    ready.try_set(true);
                }
            });
        }
    });
    // The name is left blank until loaded rather than flashing a default name.
    let app_name = move || settings.is_loaded().then(|| settings.config().app_name);
    view! {
        <header class="masthead">
            <p class="app-name">{app_name}</p>
            <Later>
                <LanguageSwitcher />
            </Later>
        </header>
        <main id="main" class="main">
            {move || show_page.get().then(|| match config_error.get() {
                Some(error) => view! { <ConfigProblem error /> }.into_any(),
                None => match route {
                    Route::Recover => view! { <RecoverPage /> }.into_any(),
                    Route::Reset => view! { <ResetPage /> }.into_any(),
                    Route::NotFound => view! { <NotFoundPage /> }.into_any(),
                },
            })}
        </main>
        <LiveRegion />
    }
}

/// Shows the page unless it is shown already (or the app has gone).
fn show_once(show_page: RwSignal<bool>) {
    if show_page.try_get_untracked() == Some(false) {
        show_page.set(true);
    }
}

/// The deployment's locales, each named in its own language. Links, so that
/// before the app runs (or without JavaScript) choosing one loads the page
/// prerendered in it; once the app runs, the page switches in place and keeps
/// what was typed.
///
/// Written as markup rather than one view per link: every visitor downloads the
/// code of every element a view has, and this list is plain text and links.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let settings = use_settings();
    let i18n = use_i18n();
    // One listener for every link: the one clicked names its language.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let chosen = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[hreflang]").ok().flatten())
            .and_then(|link| link.get_attribute("hreflang"));
        if let Some(locale) = chosen {
            ev.prevent_default();
            // The menu closes behind the choice.
            if let Some(menu) = ev.current_target() {
                let _ = menu
                    .unchecked_into::<web_sys::Element>()
                    .remove_attribute("open");
            }
            if locale != i18n.locale_untracked() {
                settings.switch_language(&locale);
            }
        }
    };
    let summary = move || {
        format!(
            "{GLOBE_ICON}<span class=visually-hidden>{}: </span>{}",
            escape(&i18n.text(Text::LanguageLabel)),
            native_name(&i18n.locale())
        )
    };
    let list = move || {
        let current = i18n.locale();
        settings
            .config()
            .locales
            .iter()
            .map(|tag| {
                // Tags are checked to be letters, digits and hyphens (config.rs).
                let marked = if *tag == current { " aria-current=true" } else { "" };
                let name = escape(native_name(tag));
                // <bdi>: each name in its own direction ("Português (Brasil)" keeps its
                // brackets in an Arabic page), the list aligned as the page is.
                format!("<li><a href=\"?{LANG_PARAM}={tag}\" hreflang={tag} lang={tag}{marked}><bdi>{name}</bdi></a>")
            })
            .collect::<String>()
    };
    move || {
        (settings.config().locales.len() > 1).then(|| {
            view! {
                <details class="language" on:click=on_click>
                    <summary class="language-current" inner_html=summary></summary>
                    <ul class="language-list" inner_html=list></ul>
                </details>
            }
        })
    }
}

/// A globe, the sign for "language" that needs no reading.
const GLOBE_ICON: &str = "<svg class=language-icon viewBox=\"0 0 24 24\" width=18 height=18 aria-hidden=true focusable=false><circle cx=12 cy=12 r=9.25 /><path d=\"M2.75 12h18.5M12 2.75c2.6 2.6 3.9 5.7 3.9 9.25s-1.3 6.65-3.9 9.25c-2.6-2.6-3.9-5.7-3.9-9.25s1.3-6.65 3.9-9.25z\" /></svg>";

/// Text made safe to put in markup (a deployer's own translation may have `<` or `&`).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Shown instead of any page when the configuration (`config.json`, or a
/// locale file) is broken: better than sending someone's email address to a
/// default API that is the wrong one. The problem itself is for the deployer,
/// in English.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 id="page-heading" class="heading" tabindex="-1">{i18n.show(Text::ConfigProblemHeading)}</h1>
        <div class="alert" role="alert">
            <p lang="en" dir="ltr">{error.to_string()}</p>
        </div>
        <p>{i18n.show(Text::ConfigProblemNote)}</p>
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
            ("/ar/recover/", Route::Recover),
            ("/pt-BR/reset", Route::Reset),
            ("/ja", Route::Recover),
            ("/japan/recover", Route::NotFound),
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

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<b> & \"x\""), "&lt;b&gt; &amp; &quot;x&quot;");
    }

    #[test]
    fn a_chosen_language_goes_into_the_address_beside_the_rest() {
        assert_eq!(address_in("/recover", "", "", "ar"), "/recover?lang=ar");
        assert_eq!(
            address_in("/reset", "lang=fr&utm=x", "top", "ja"),
            "/reset?utm=x&lang=ja#top"
        );
    }
}
