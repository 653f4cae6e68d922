//! The reader's language: chosen once the deployment's locales are known (by
//! [`choice::choose`], the one rule for it), loaded, put in force, and switched in place when the
//! reader picks another (what was typed stays, the page's state too).

use leptos::{prelude::*, task::spawn_local};
use reclaim_contract::{
    config::Config,
    locale::{is_right_to_left, LANG_PARAM},
};

use crate::{
    browser,
    deployment::{load_catalog, SetupError},
    i18n::{
        choice::{choose, Asked},
        I18n,
    },
    start_up::handoff::Opened,
};

/// Where the reader's choice of language is kept between visits.
const LOCALE_KEY: &str = "reclaim.locale";

/// The language in force and why its files could not be used, if they could not.
#[derive(Clone, Copy)]
pub struct Language {
    i18n: I18n,
    problem: RwSignal<Option<SetupError>>,
    opened: StoredValue<Opened>,
}

impl Language {
    pub fn provide(i18n: I18n, opened: StoredValue<Opened>) -> Self {
        let language = Language {
            i18n,
            problem: RwSignal::new(None),
            opened,
        };
        provide_context(language);
        language
    }

    /// The locale to start with among `config`'s (the built-in ones while the configuration is
    /// broken, so that even its problem is shown in the reader's language): the address's
    /// `?lang=`, the reader's earlier choice here, the browser's languages, the default.
    pub fn choose(&self, config: &Config) -> String {
        let offered: Vec<&str> = config.locales.iter().map(String::as_str).collect();
        let stored = browser::stored(LOCALE_KEY);
        let languages = browser::languages();
        let asked = Asked {
            address: self
                .opened
                .with_value(|opened| opened.language().map(str::to_owned)),
            stored,
            browser: languages,
        };
        choose(&offered, &config.default_locale, &asked).to_owned()
    }

    /// Puts `locale`'s catalog in force, once loaded (`started` takes a file the page's script
    /// fetched already). A broken locale file is a configuration problem, shown in English.
    pub async fn load(self, locale: &str, started: impl Fn(&str) -> Option<js_sys::Promise>) {
        let catalog = load_catalog(locale, started).await;
        self.problem.try_set(catalog.as_ref().err().cloned());
        self.i18n.set(catalog.unwrap_or_default());
        browser::set_document_language(locale, is_right_to_left(locale));
    }

    /// Why the language's files cannot be used, if they cannot. Tracked.
    pub fn problem(&self) -> Option<SetupError> {
        self.problem.get()
    }

    /// Switches the pages to `locale` in place, keeps the choice for the next visit, and puts it
    /// in the address, so a reload or a shared link opens in it too.
    pub fn switch(self, locale: String) {
        browser::store(LOCALE_KEY, &locale);
        let path = self.opened.with_value(|opened| opened.path().to_owned());
        browser::replace_address(&format!("{path}?{LANG_PARAM}={locale}"));
        spawn_local(async move { self.load(&locale, |_| None).await });
    }
}

pub fn use_language() -> Language {
    expect_context()
}
