//! The pages in the reader's language. English is compiled in (`texts.rs`); every other
//! built-in locale is a JSON file (`src/i18n/builtin/<tag>.json`, served as `/i18n/<tag>.json`)
//! fetched only by readers of that locale, so a locale nobody reads costs nothing. A deployer
//! changes any sentence, or adds a locale, with `/locales/<tag>.json` next to `config.json`.
//!
//! Components never hold a finished sentence: they hold a [`Message`] (a key and its values)
//! and render it through [`I18n`], so switching the language re-renders every text in place
//! without touching what was typed.

pub mod choice;
#[cfg(any(feature = "ssr", test))]
pub mod native;
pub mod plural;
pub mod texts;

use std::{fmt, sync::Arc};

use leptos::prelude::*;
use reclaim_contract::{config::ConfigError, json::Json, locale::DEFAULT_LOCALE};

pub use texts::{Counted, Text};

/// Where the built-in translations are served, relative to the site root.
pub const BUILT_IN_PATH: &str = "/i18n";
/// Where a deployer's own locale files go, next to `config.json`.
pub const OVERRIDES_PATH: &str = "/locales";

/// One value of a locale file.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Text(String),
    /// A counted text: its form per plural category.
    Forms(Vec<(String, String)>),
    /// Anything else, named for the error message.
    Other(&'static str),
}

/// The entries of a locale file (`{"key": "text", "counted.key": {"one": …}}`), or why it is
/// not one: the one reading of a locale file, whichever parser read its JSON (the browser's,
/// or serde_json in the build and the tests).
pub fn entries(file: &Json) -> Result<Vec<(String, Entry)>, String> {
    let fields = file.fields().ok_or("must be a JSON object of texts")?;
    Ok(fields
        .iter()
        .map(|(key, value)| {
            let entry = match value {
                Json::Text(text) => Entry::Text(text.clone()),
                Json::Object(forms) => forms
                    .iter()
                    .map(|(category, form)| Some((category.clone(), form.as_text()?.to_owned())))
                    .collect::<Option<Vec<_>>>()
                    .map_or(Entry::Other("an object of non-strings"), Entry::Forms),
                _ => Entry::Other("neither a string nor an object"),
            };
            (key.clone(), entry)
        })
        .collect())
}

/// The sentences of one locale: its own where it has them, English where it does not.
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    locale: String,
    texts: Vec<Option<String>>,
    counted: Vec<Option<Vec<(String, String)>>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self::english()
    }
}

impl Catalog {
    /// English as compiled in.
    pub fn english() -> Self {
        Self::empty(DEFAULT_LOCALE)
    }

    fn empty(locale: &str) -> Self {
        Self {
            locale: locale.to_owned(),
            texts: vec![None; Text::ALL.len()],
            counted: vec![None; Counted::ALL.len()],
        }
    }

    /// `locale`'s catalog from its files, each given as (file name for errors, entries): the
    /// built-in translation first, then the deployer's, whose sentences win. A file with an
    /// unknown key, a value of the wrong kind or a placeholder the text does not have is a
    /// configuration problem: a typo would otherwise show the wrong sentence unnoticed.
    pub fn from_files(
        locale: &str,
        files: &[(&str, Vec<(String, Entry)>)],
    ) -> Result<Self, ConfigError> {
        let mut catalog = Self::empty(locale);
        for (file, entries) in files {
            for (key, entry) in entries {
                catalog.add(file, key, entry)?;
            }
        }
        Ok(catalog)
    }

    fn add(&mut self, file: &str, key: &str, entry: &Entry) -> Result<(), ConfigError> {
        let problem = |what: &str| Err(ConfigError(format!("{file}: \"{key}\" {what}")));
        // Every placeholder must be one the English has: `{adress}` would show as typed.
        let unknown_placeholder = |text: &str, english: &str| {
            let known = texts::placeholders(english);
            texts::placeholders(text)
                .into_iter()
                .any(|name| !known.contains(&name))
        };
        if let Some(at) = Text::ALL.iter().position(|t| t.key() == key) {
            let Entry::Text(text) = entry else {
                return problem("must be a string");
            };
            if unknown_placeholder(text, Text::ALL[at].english()) {
                return problem("has a {placeholder} this text does not have");
            }
            self.texts[at] = Some(text.clone());
        } else if let Some(at) = Counted::ALL.iter().position(|c| c.key() == key) {
            let english = Counted::ALL[at].english()[1].1;
            let Entry::Forms(forms) = entry else {
                return problem(
                    "must be an object of plural forms, like {\"one\": \"…\", \"other\": \"…\"}",
                );
            };
            for (category, text) in forms {
                if !plural::CATEGORIES.contains(&category.as_str()) {
                    return problem("has a form that is not a plural category (zero, one, two, few, many, other)");
                }
                if unknown_placeholder(text, english) {
                    return problem("has a {placeholder} this text does not have");
                }
            }
            // Categories the file leaves out keep the built-in form.
            let mut merged = self.counted[at].take().unwrap_or_default();
            for (category, text) in forms {
                merged.retain(|(had, _)| had != category);
                merged.push((category.clone(), text.clone()));
            }
            self.counted[at] = Some(merged);
        } else {
            return problem("is not a key of the pages (see i18n/en.json)");
        }
        Ok(())
    }

    /// The locale's tag, e.g. `pt-BR`.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    pub fn text(&self, text: Text) -> &str {
        self.texts[text as usize]
            .as_deref()
            .unwrap_or(text.english())
    }

    /// The form of `counted` for `count`, with `{count}` filled in: the locale's form for the
    /// number's plural category, else its `other` form, else English's.
    pub fn counted(&self, counted: Counted, count: u64) -> String {
        let own = self.counted[counted as usize].as_ref().and_then(|forms| {
            let category = plural::category(&self.locale, count);
            let form = |wanted: &str| {
                forms
                    .iter()
                    .find(|(category, _)| category == wanted)
                    .map(|(_, text)| text.as_str())
            };
            form(category).or_else(|| form("other"))
        });
        let text = own.unwrap_or_else(|| {
            let [one, other] = counted.english();
            if plural::category(DEFAULT_LOCALE, count) == one.0 {
                one.1
            } else {
                other.1
            }
        });
        texts::fill(text, &[("count", &count.to_string())])
    }

    /// The sentence `message` says, in this locale.
    pub fn render(&self, message: &Message) -> String {
        let text = match &message.says {
            Says::Text(text) => self.text(*text).to_owned(),
            Says::Counted(counted, count) => self.counted(*counted, *count),
            Says::Verbatim(text) => return text.clone(),
        };
        let values: Vec<(&str, &str)> = message
            .values
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        texts::fill(&text, &values)
    }
}

/// A sentence to show, not yet in any language: rendered when shown, so it follows a change of
/// language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    says: Says,
    values: Vec<(&'static str, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Says {
    Text(Text),
    Counted(Counted, u64),
    /// A sentence the API wrote, shown as it came (its language is the API's).
    Verbatim(String),
}

impl Message {
    pub fn text(text: Text) -> Self {
        Self {
            says: Says::Text(text),
            values: Vec::new(),
        }
    }

    pub fn counted(counted: Counted, count: u64) -> Self {
        Self {
            says: Says::Counted(counted, count),
            values: Vec::new(),
        }
    }

    pub fn verbatim(text: impl Into<String>) -> Self {
        Self {
            says: Says::Verbatim(text.into()),
            values: Vec::new(),
        }
    }

    /// Fills `{name}` with `value`.
    pub fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.values.push((name, value.to_string()));
        self
    }
}

impl From<Text> for Message {
    fn from(text: Text) -> Self {
        Message::text(text)
    }
}

/// In English: for logs and tests.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Catalog::english().render(self))
    }
}

/// The catalog in force, shared by every component. Reading through it tracks the language, so
/// a text re-renders when the language changes.
#[derive(Clone, Copy)]
pub struct I18n(RwSignal<Arc<Catalog>>);

impl I18n {
    pub fn provide(catalog: Catalog) -> Self {
        let i18n = I18n(RwSignal::new(Arc::new(catalog)));
        provide_context(i18n);
        i18n
    }

    /// Puts `catalog` in force; nothing once the app has gone.
    pub fn set(&self, catalog: Catalog) {
        self.0.try_set(Arc::new(catalog));
    }

    /// The locale in force. Tracked.
    pub fn locale(&self) -> String {
        self.0.with(|catalog| catalog.locale.clone())
    }

    pub fn locale_untracked(&self) -> String {
        self.0.with_untracked(|catalog| catalog.locale.clone())
    }

    /// For handlers, which react to nothing.
    pub fn text_untracked(&self, text: Text) -> String {
        self.0
            .with_untracked(|catalog| catalog.text(text).to_owned())
    }

    /// For handlers, which react to nothing.
    pub fn render_untracked(&self, message: &Message) -> String {
        self.0.with_untracked(|catalog| catalog.render(message))
    }

    /// Tracked.
    pub fn text(&self, text: Text) -> String {
        self.0.with(|catalog| catalog.text(text).to_owned())
    }

    /// Tracked.
    pub fn render(&self, message: &Message) -> String {
        self.0.with(|catalog| catalog.render(message))
    }

    /// A link to one of the pages, in the language in force (`/recover?lang=ar`),
    /// so a reader who came in Arabic stays in Arabic. Tracked.
    pub fn page_link(&self, path: &str) -> String {
        format!(
            "{path}?{}={}",
            reclaim_contract::locale::LANG_PARAM,
            self.locale()
        )
    }

    /// A reactive text, for a view: `{i18n.show(Text::SignIn)}`.
    pub fn show(self, text: Text) -> impl Fn() -> String + Send + Sync + Copy + 'static {
        move || self.text(text)
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

#[cfg(test)]
mod tests;
