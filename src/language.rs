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
    deployment::{load_catalog, Deployment, SetupError},
    i18n::{
        choice::{choose, Asked},
        I18n,
    },
    start_up::handoff::{Opened, StartedFetches},
};

/// Where the reader's choice of language is kept between visits.
const LOCALE_KEY: &str = "reclaim.locale";

/// The reader's language: what it is chosen from and loaded with.
#[derive(Clone, Copy)]
pub struct Language {
    i18n: I18n,
    deployment: Deployment,
    opened: StoredValue<Opened>,
    started: StartedFetches,
}

impl Language {
    pub fn provide(
        i18n: I18n,
        deployment: Deployment,
        opened: StoredValue<Opened>,
        started: StartedFetches,
    ) -> Self {
        let language = Language {
            i18n,
            deployment,
            opened,
            started,
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

    /// Puts `locale`'s catalog in force, once loaded (from the fetch the page's script started,
    /// if it did), and `<html lang dir>` with it. A broken locale file is a problem of the
    /// deployment's, shown in English: that is returned.
    pub async fn load(self, locale: &str) -> Result<(), SetupError> {
        let catalog = load_catalog(locale, self.started).await;
        self.i18n.set(catalog.as_ref().cloned().unwrap_or_default());
        browser::set_document_language(locale, is_right_to_left(locale));
        catalog.map(drop)
    }

    /// Switches the pages to `locale` in place, keeps the choice for the next visit, and puts it
    /// in the address, so a reload or a shared link opens in it too.
    pub fn switch(self, locale: String) {
        browser::store(LOCALE_KEY, &locale);
        let path = self.opened.with_value(|opened| opened.path().to_owned());
        browser::replace_address(&format!("{path}?{LANG_PARAM}={locale}"));
        spawn_local(async move {
            if let Err(problem) = self.load(&locale).await {
                self.deployment.fail(problem);
            }
        });
    }
}

pub fn use_language() -> Language {
    expect_context()
}
