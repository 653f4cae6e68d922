//! What the page's first script (`bootstrap.js`, beside this module) hands the app, read once,
//! here, into the contexts the pages use: the address the page was opened at ([`Opened`]), the
//! form a person sent before the app ran ([`held_form`]), and the fetches the script started
//! ([`started_fetches`]). Without that script (the tests, a development build without the
//! prerender) the address is read from the address bar instead, and nothing is held or fetched.

use leptos::prelude::*;
use reclaim_contract::{
    backend::{Api, Backend, OpenedLink, CONTINUE},
    config::ConfigError,
    locale::LANG_PARAM,
};

use crate::route::Route;

/// Where `bootstrap.js` leaves what it hands over.
#[cfg(feature = "csr")]
const HANDOFF: &str = "reclaimHandoff";

/// The address the page was opened at, read once before the first render: its path, and its
/// query and fragment as name-value pairs (a reset link's secret is one of them, kept here and
/// nowhere else: the pages read it through [`Opened::link`] when they send it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Opened {
    path: String,
    query: Vec<(String, String)>,
    fragment: Vec<(String, String)>,
}

impl Opened {
    /// A page opened at `path` with no query or fragment (what the build prerenders).
    pub fn at(path: &str) -> Self {
        Opened {
            path: path.to_owned(),
            ..Opened::default()
        }
    }

    /// The path, e.g. `/reset/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The language the address asks for (`?lang=`), if it names one.
    pub fn language(&self) -> Option<&str> {
        value(&self.query, LANG_PARAM)
    }

    /// Where the person goes back to after the reset, as the address asks (`?continue=`); the
    /// deployment decides whether it may be used (`Config::continue_to`).
    pub fn return_address(&self) -> Option<&str> {
        value(&self.query, CONTINUE)
    }

    /// The page this address opens: the one its path names, except that a link of `backend`'s
    /// opened at the site's root (where a deployer may point the backend's mails) is the reset
    /// page. Until the backend is known, the path alone decides.
    pub fn route(&self, backend: Option<&Backend>) -> Route {
        let at_root = self.path.trim_end_matches('/').is_empty();
        match Route::from_path(&self.path) {
            Route::Recover
                if at_root && backend.is_some_and(|b| b.is_link(&self.query, &self.fragment)) =>
            {
                Route::Reset
            }
            route => route,
        }
    }

    /// The link this address carries, as `backend` reads it. Only the reset page reads one:
    /// what a link supplies (Firebase's API key) serves that link's reset alone.
    pub fn link(&self, backend: &Backend) -> OpenedLink {
        match self.route(Some(backend)) {
            Route::Reset => backend.read_link(&self.query, &self.fragment),
            _ => OpenedLink::default(),
        }
    }
}

impl Opened {
    /// The configuration problem when a setting `api` needs has no value and the link this
    /// address carries does not supply it either (Firebase's API key comes in its links).
    pub fn completes(&self, api: &Api) -> Result<(), ConfigError> {
        api.complete_for(&self.link(&api.backend))
    }
}

/// The first value of `name` among `pairs`.
fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The id of the form a person sent before the app ran, which the page's script holds for the
/// app to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldForm(pub String);

/// The fetches the page's script started, by path, each taken once: a later fetch of the same
/// path is the app's own.
#[derive(Clone, Copy)]
pub struct StartedFetches(StoredValue<Vec<(String, js_sys::Promise)>, LocalStorage>);

impl StartedFetches {
    /// Takes the fetch of `path` (`/config.json`), if the page's script started it.
    pub fn take(&self, path: &str) -> Option<js_sys::Promise> {
        self.0
            .try_update_value(|fetches| {
                let at = fetches.iter().position(|(started, _)| started == path)?;
                Some(fetches.remove(at).1)
            })
            .flatten()
    }
}

/// Provides what a page prerendered at `path` starts from: that address, nothing held.
pub fn provide_prerendered(path: &str) {
    provide(Opened::at(path), None, Vec::new());
}

/// Provides what the page's script handed over (taken from `window`: the next call gets the
/// address bar's), or the address bar's when there is none.
#[cfg(feature = "csr")]
pub fn provide_from_the_page() {
    use wasm_bindgen::{JsCast, JsValue};

    let window = window();
    let path = window.location().pathname().unwrap_or_default();
    let field = |object: &JsValue, name: &str| {
        js_sys::Reflect::get(object, &name.into()).unwrap_or_default()
    };
    let handed = field(&window, HANDOFF);
    if !handed.is_object() {
        return provide(from_the_address_bar(path), None, Vec::new());
    }
    let _ =
        js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &HANDOFF.into());
    let address = field(&handed, "opened");
    let pairs = |name| -> Vec<(String, String)> {
        let list: js_sys::Array = field(&address, name).unchecked_into();
        (0..list.length())
            .filter_map(|i| {
                let pair: js_sys::Array = list.get(i).unchecked_into();
                Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
            })
            .collect()
    };
    let opened = Opened {
        path,
        query: pairs("query"),
        fragment: pairs("fragment"),
    };
    let held = field(&handed, "held").as_string().map(HeldForm);
    let fetched: js_sys::Object = field(&handed, "fetched").unchecked_into();
    let fetches = js_sys::Object::entries(&fetched)
        .iter()
        .filter_map(|entry| {
            let entry: js_sys::Array = entry.unchecked_into();
            Some((entry.get(0).as_string()?, entry.get(1).unchecked_into()))
        })
        .collect();
    provide(opened, held, fetches);
}

/// The address bar's address, read as the page's script would have, and taken out of the bar as
/// it would have (a development build without the prerender, the tests): only the page and a
/// built-in `?lang=` stay.
#[cfg(feature = "csr")]
fn from_the_address_bar(path: String) -> Opened {
    use reclaim_contract::{link::params, locale::BUILT_IN};

    let location = window().location();
    let query = location.search().unwrap_or_default();
    let fragment = location.hash().unwrap_or_default();
    let opened = Opened {
        path,
        query: params(query.trim_start_matches('?')),
        fragment: params(fragment.trim_start_matches('#')),
    };
    if !query.is_empty() || !fragment.is_empty() {
        let lang = opened.language().and_then(|asked| {
            BUILT_IN
                .into_iter()
                .find(|tag| tag.eq_ignore_ascii_case(asked))
        });
        let kept = match lang {
            Some(lang) => format!("{}?{LANG_PARAM}={lang}", opened.path),
            None => opened.path.clone(),
        };
        crate::browser::replace_address(&kept);
    }
    opened
}

fn provide(opened: Opened, held: Option<HeldForm>, fetches: Vec<(String, js_sys::Promise)>) {
    provide_context(StoredValue::new(opened));
    provide_context(held);
    provide_context(StartedFetches(StoredValue::new_local(fetches)));
}

/// The address the page was opened at.
pub fn use_opened() -> StoredValue<Opened> {
    expect_context()
}

/// The form a person sent before the app ran, if they did.
pub fn held_form() -> Option<HeldForm> {
    use_context::<Option<HeldForm>>().flatten()
}

/// The fetches the page's script started.
pub fn started_fetches() -> StartedFetches {
    expect_context()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, query: &[(&str, &str)]) -> Opened {
        Opened {
            path: path.to_owned(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            fragment: Vec::new(),
        }
    }

    #[test]
    fn the_language_the_address_asks_for() {
        assert_eq!(at("/reset", &[("lang", "ar")]).language(), Some("ar"));
        assert_eq!(at("/reset", &[("token", "x")]).language(), None);
    }

    #[test]
    fn a_backends_link_at_the_root_opens_the_reset_page() {
        let description =
            reclaim_contract::json::parse(include_str!("../../contract/backends/reclaim.json"))
                .unwrap();
        let backend = Backend::from_json("reclaim", &description).unwrap();
        let link = at("/", &[("token", "abc")]);
        assert_eq!(link.route(None), Route::Recover);
        assert_eq!(link.route(Some(&backend)), Route::Reset);
        assert_eq!(
            at("/", &[("lang", "ar")]).route(Some(&backend)),
            Route::Recover
        );
        assert_eq!(
            at("/recover", &[("token", "abc")]).route(Some(&backend)),
            Route::Recover
        );
        assert_eq!(
            at("/recover", &[("token", "abc")]).link(&backend),
            OpenedLink::default()
        );
        assert_ne!(link.link(&backend), OpenedLink::default());
    }
}
