//! What every page starts from, loaded once the app runs: the deployment's configuration and
//! the API it names, the reader's language, and the link the page was opened with (its secret
//! taken out of the address bar, by the page's inline script before the wasm runs or else here
//! at once, and kept in memory only: a secret left in the URL ends up in history, screenshots,
//! shared links and synced tabs).

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};
use reclaim_contract::{
    backend::{Api, Call, OpenedLink, Typed},
    config::Config,
    link::{param, CodeError},
    locale::{BUILT_IN, DEFAULT_LOCALE, LANG_PARAM},
};

use crate::{
    backend::RecoveryClient,
    browser,
    config::{self, SetupError},
    domain::PasswordRules,
    i18n::{self, choice::choose, choice::Asked, I18n},
    route::Route,
};

/// Where the reader's choice of language is kept between visits.
const LOCALE_KEY: &str = "reclaim.locale";

/// The address the page was opened at: path, query and fragment (without `?` / `#`).
#[derive(Clone, Debug, Default)]
struct Opened {
    path: String,
    query: String,
    fragment: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Loaded {
    config: Config,
    api: Api,
    link: OpenedLink,
}

/// The pages' shared start: see the module's comment.
#[derive(Clone, Copy)]
pub struct Settings {
    /// `None` until the first load has finished; a reload (after a switch of language) keeps
    /// the last until it is done.
    loaded: RwSignal<Option<Result<Loaded, SetupError>>>,
    i18n: I18n,
    opened: StoredValue<Option<Opened>>,
}

impl Settings {
    pub fn provide(i18n: I18n) -> Self {
        let settings = Settings {
            loaded: RwSignal::new(None),
            i18n,
            opened: StoredValue::new(None),
        };
        provide_context(settings);
        settings
    }

    /// Loads `config.json`, the backend's description, then the catalog of the language
    /// chosen for the reader from the address, the stored choice and the browser. Only ever
    /// called from an effect or a handler: a prerendered render makes no request and reads no
    /// address.
    pub fn load(self) {
        spawn_local(async move {
            let loaded = self.load_now().await;
            // The page may have gone meanwhile (a test unmounting it).
            self.loaded.try_set(Some(loaded));
        });
    }

    async fn load_now(self) -> Result<Loaded, SetupError> {
        let opened = self.opened();
        let loaded = config::load().await;
        // Even a broken config.json gets its problem page in the reader's language.
        let (offered, default) = match &loaded {
            Ok((config, _)) => (config.locales.clone(), config.default_locale.clone()),
            Err(_) => (
                BUILT_IN.map(str::to_owned).to_vec(),
                DEFAULT_LOCALE.to_owned(),
            ),
        };
        let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
        let address = param(&opened.query, LANG_PARAM);
        let stored = browser::stored(LOCALE_KEY);
        let languages = browser::languages();
        let asked = Asked {
            address: address.as_deref(),
            stored: stored.as_deref(),
            browser: &languages,
        };
        let locale = choose(&offered, &default, &asked);
        // A broken locale file is shown in English, and nothing is sent.
        let catalog = i18n::load::catalog(locale).await;
        self.i18n.set(catalog.clone().unwrap_or_default());
        catalog?;
        let (config, api) = loaded?;
        // Only the reset page reads a link: what a link supplies (Firebase's API key) serves
        // that link's reset alone, never a request for a new link.
        let at_root = opened.path.trim_end_matches('/').is_empty();
        let is_link = api.backend.is_link(&opened.query, &opened.fragment);
        let link = match Route::from_path(&opened.path) {
            Route::Reset => api.backend.read_link(&opened.query, &opened.fragment),
            Route::Recover if at_root && is_link => {
                api.backend.read_link(&opened.query, &opened.fragment)
            }
            _ => OpenedLink::default(),
        };
        api.complete_for(&link)?;
        Ok(Loaded { config, api, link })
    }

    /// The address the page was opened at, read once; the address bar keeps only the page
    /// and its language from then on.
    fn opened(&self) -> Opened {
        if let Some(opened) = self.opened.get_value() {
            return opened;
        }
        let (path, query, fragment) = browser::opened_address();
        let kept = address_in(&path, param(&query, LANG_PARAM).as_deref());
        if (!query.is_empty() || !fragment.is_empty()) && kept != format!("{path}?{query}") {
            browser::replace_address(&kept);
        }
        let opened = Opened {
            path,
            query,
            fragment,
        };
        self.opened.set_value(Some(opened.clone()));
        opened
    }

    /// The configuration to display with: the defaults until `config.json` has loaded.
    /// Tracked.
    pub fn config(&self) -> Config {
        self.loaded
            .with(|loaded| {
                loaded
                    .as_ref()
                    .and_then(|l| l.as_ref().ok())
                    .map(|l| l.config.clone())
            })
            .unwrap_or_default()
    }

    /// Whether the configuration and the reader's language have been loaded. Tracked.
    pub fn is_loaded(&self) -> bool {
        self.loaded.with(Option::is_some)
    }

    /// Why the pages cannot work with this deployment, if they cannot. Tracked.
    pub fn problem(&self) -> Option<SetupError> {
        self.loaded
            .with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().err()).cloned())
    }

    /// The page to show for `route` (chosen from the path): a backend's reset link opened at
    /// the site's root, where a deployer may point its mails, is the reset page. Tracked.
    pub fn route(&self, route: Route) -> Route {
        let at_root = self.opened.with_value(|opened| {
            opened
                .as_ref()
                .is_some_and(|o| o.path.trim_end_matches('/').is_empty())
        });
        let is_link = self.loaded.with(|loaded| match loaded {
            Some(Ok(loaded)) => self.opened.with_value(|opened| {
                opened
                    .as_ref()
                    .is_some_and(|o| loaded.api.backend.is_link(&o.query, &o.fragment))
            }),
            _ => false,
        });
        match route {
            Route::Recover if at_root && is_link => Route::Reset,
            route => route,
        }
    }

    /// The link the page was opened with, as its backend reads it. Untracked.
    pub fn link(&self) -> Option<OpenedLink> {
        self.loaded.with_untracked(|loaded| match loaded {
            Some(Ok(loaded)) => Some(loaded.link.clone()),
            _ => None,
        })
    }

    /// What a person typed or pasted into a code field, read by the backend's rules (the
    /// contract's until the backend is known): its short code, or a link's secret.
    pub fn typed_code(&self, typed: &str) -> Result<Typed, CodeError> {
        self.loaded.with_untracked(|loaded| match loaded {
            Some(Ok(loaded)) => loaded.api.backend.typed_code(typed),
            _ => reclaim_contract::link::code_from_typed(typed).map(Typed::Secret),
        })
    }

    /// Whether the backend mails a short code to type with the address (else only links).
    /// Tracked.
    pub fn takes_codes(&self) -> bool {
        self.loaded.with(|loaded| match loaded {
            Some(Ok(loaded)) => loaded.api.backend.has(Call::ResetWithCode),
            _ => false,
        })
    }

    /// A client for the configured API, speaking the page's language. If a person submits
    /// before the configuration has arrived (it is requested first thing, so this is rare),
    /// waits for it rather than calling a default API.
    pub async fn client(self) -> Result<RecoveryClient, SetupError> {
        let api = loop {
            match self.loaded.try_with_untracked(|loaded| {
                loaded
                    .as_ref()
                    .map(|l| l.as_ref().map(|l| l.api.clone()).map_err(Clone::clone))
            }) {
                Some(Some(loaded)) => break loaded?,
                Some(None) => browser::sleep(Duration::from_millis(50)).await,
                None => {
                    return Err(SetupError::Unreachable {
                        file: "config.json".into(),
                    })
                }
            }
        };
        Ok(RecoveryClient::new(api, self.i18n.locale_untracked()))
    }

    /// The password rules in force: the configured minimum, the contract's maximum. Tracked.
    pub fn password_rules(&self) -> PasswordRules {
        PasswordRules {
            min_chars: self.config().min_password_length,
        }
    }

    /// The document title for a page state, e.g. "Check your email – Reclaim".
    pub fn title(&self, heading: &str) -> String {
        format!("{heading} – {}", self.config().app_name)
    }

    /// Switches the pages to `locale` in place (what was typed stays, the page's state too),
    /// keeps the choice for the next visit, and puts it in the address, so a reload or a
    /// shared link opens in it too. A broken locale file shows the configuration problem.
    pub fn switch_language(self, locale: &str) {
        browser::store(LOCALE_KEY, locale);
        let path = self.opened().path;
        browser::replace_address(&address_in(&path, Some(locale)));
        self.load();
    }
}

/// The page's address with only its language: `/reset?lang=ar`, or `/reset`.
fn address_in(path: &str, locale: Option<&str>) -> String {
    match locale {
        Some(locale) => format!("{path}?{LANG_PARAM}={locale}"),
        None => path.to_owned(),
    }
}

pub fn use_settings() -> Settings {
    expect_context::<Settings>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_keeps_only_the_page_and_its_language() {
        assert_eq!(address_in("/recover", Some("ar")), "/recover?lang=ar");
        assert_eq!(address_in("/reset", None), "/reset");
    }
}
