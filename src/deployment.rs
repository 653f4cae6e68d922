//! The deployment the pages serve, as its files beside the pages say: `config.json` and the
//! description of the backend it names (`backends/<name>.json`), both checked by the
//! contract's rules (`reclaim_contract::config`, `reclaim_contract::backend`) before anything
//! is sent and loaded once when the app starts; and the locale files, each loaded when its
//! language is chosen (the built-in `i18n/<tag>.json` under the deployer's
//! `locales/<tag>.json`).

use std::{fmt, sync::Arc};

use leptos::prelude::*;
use reclaim_contract::{
    backend::{Api, Backend, Call, EnteredCode, Secret, DESCRIPTIONS_PATH},
    config::{Config, ConfigError, CONFIG_PATH},
    json::Json,
    link::{code_from_typed, CodeError},
    locale::{is_built_in, DEFAULT_LOCALE},
};

use crate::{
    api::{self, FileError, RecoveryClient},
    domain::PasswordRules,
    i18n::{entries, Catalog, BUILT_IN_PATH, OVERRIDES_PATH},
    start_up::handoff::StartedFetches,
};

/// Why the pages cannot start: a deployment's file that cannot be read, or that says something
/// wrong. Shown instead of the pages, in English (it is for the deployer): better than sending
/// someone's address to the wrong API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// The file (`config.json`, `i18n/ar.json`) did not arrive.
    Unreachable { file: String },
    /// The host answered with an error status.
    Status { file: String, status: u16 },
    /// It arrived but is not JSON.
    NotJson { file: String, reason: String },
    /// It is JSON but says something the pages cannot use.
    Invalid(ConfigError),
}

impl From<ConfigError> for SetupError {
    fn from(error: ConfigError) -> Self {
        SetupError::Invalid(error)
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::Unreachable { file } => write!(
                f,
                "The page could not load {file}. Check your connection and reload the page."
            ),
            SetupError::Status { file, status } => write!(
                f,
                "The page could not load {file} (it answered {status}). Reload the page to try again."
            ),
            SetupError::NotJson { file, reason } => write!(f, "{file} is not valid JSON: {reason}"),
            SetupError::Invalid(error) => error.fmt(f),
        }
    }
}

/// The configuration and the API it points at, once loaded.
#[derive(Debug, PartialEq)]
pub struct Loaded {
    pub config: Config,
    pub api: Api,
}

/// The deployment in force, shared by every page: `None` until loaded. Reading through it tracks
/// the load.
#[derive(Clone, Copy)]
pub struct Deployment(RwSignal<Option<Result<Arc<Loaded>, SetupError>>>);

impl Deployment {
    pub fn provide() -> Self {
        let deployment = Deployment(RwSignal::new(None));
        provide_context(deployment);
        deployment
    }

    /// Puts what [`load`] found in force; nothing once the app has gone.
    pub fn set(&self, loaded: Result<Loaded, SetupError>) {
        self.0.try_set(Some(loaded.map(Arc::new)));
    }

    /// Shows `problem` instead of the pages (a locale file found broken after the start).
    pub fn fail(&self, problem: SetupError) {
        self.0.try_set(Some(Err(problem)));
    }

    /// Whether the deployment has been loaded (or found broken). Tracked.
    pub fn is_loaded(&self) -> bool {
        self.0.with(Option::is_some)
    }

    pub fn is_loaded_untracked(&self) -> bool {
        self.0.with_untracked(Option::is_some)
    }

    /// What was loaded, once it has been, if it works. Tracked.
    pub fn loaded(&self) -> Option<Arc<Loaded>> {
        self.0
            .with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().ok()).cloned())
    }

    /// Why the pages cannot work with this deployment, if they cannot. Tracked.
    pub fn problem(&self) -> Option<SetupError> {
        self.0
            .with(|loaded| loaded.as_ref().and_then(|l| l.as_ref().err()).cloned())
    }

    /// The configuration to display with: the defaults until `config.json` has loaded.
    /// Tracked.
    pub fn config(&self) -> Config {
        self.loaded()
            .map(|loaded| loaded.config.clone())
            .unwrap_or_default()
    }

    /// The backend, once known. Tracked.
    pub fn backend(&self) -> Option<Backend> {
        self.loaded().map(|loaded| loaded.api.backend.clone())
    }

    /// Whether the backend mails a short code to type with the address (else only links).
    /// Tracked.
    pub fn takes_codes(&self) -> bool {
        self.loaded()
            .is_some_and(|loaded| loaded.api.backend.has(Call::ResetWithCode))
    }

    /// What a person entered into a code field, read by the backend's rules (the contract's
    /// until the backend is known): its short code, or a link's secret. Untracked.
    pub fn entered_code(&self, entered: &str) -> Result<EnteredCode, CodeError> {
        self.0.with_untracked(|loaded| match loaded {
            Some(Ok(loaded)) => loaded.api.backend.entered_code(entered),
            _ => code_from_typed(entered).map(|secret| EnteredCode::Secret(Secret::new(secret))),
        })
    }

    /// The password rules in force: the configured minimum, the contract's maximum. Tracked.
    pub fn password_rules(&self) -> PasswordRules {
        PasswordRules {
            min_chars: self.config().min_password_length,
        }
    }

    /// The document title for a page state, e.g. "Check your email – Reclaim". Tracked.
    pub fn title(&self, heading: &str) -> String {
        format!("{heading} – {}", self.config().app_name)
    }

    /// A client for the configured API speaking `language`: `None` until the deployment has
    /// loaded. Untracked.
    pub fn client(&self, language: String) -> Option<Result<RecoveryClient, SetupError>> {
        self.0.with_untracked(|loaded| {
            Some(match loaded.as_ref()? {
                Ok(loaded) => Ok(RecoveryClient::new(loaded.api.clone(), language)),
                Err(problem) => Err(problem.clone()),
            })
        })
    }
}

pub fn use_deployment() -> Deployment {
    expect_context()
}

/// Loads the configuration and the API it points at. A missing `config.json` (or a host that
/// answers it with its `index.html`) means the defaults; the backend's description must be
/// there. `started`: the fetches the page's script started.
pub async fn load(started: StartedFetches) -> Result<Loaded, SetupError> {
    let config = match deploy_json(CONFIG_PATH, started.take(CONFIG_PATH)).await? {
        Some(file) => Config::from_json(&file)?,
        None => Config::default(),
    };
    let path = format!("{DESCRIPTIONS_PATH}/{}.json", config.backend);
    // The page's script left the description config.json named under the folder's path.
    let fetched = match started.take(DESCRIPTIONS_PATH) {
        Some(started) => api::started_file(&path, started).await,
        None => None,
    };
    let description = deploy_json(&path, fetched).await?.ok_or_else(|| {
        ConfigError(format!(
            "config.json: backend \"{}\" has no description ({} is missing)",
            config.backend,
            &path[1..]
        ))
    })?;
    let api = Api::new(&config, Backend::from_json(&config.backend, &description)?)?;
    Ok(Loaded { config, api })
}

/// A JSON file of the deployment's (`path` from the site root), or `None` when there is none:
/// from `started` when the page's script fetched it already.
pub async fn deploy_json(
    path: &str,
    started: Option<js_sys::Promise>,
) -> Result<Option<Json>, SetupError> {
    let file = path.trim_start_matches('/').to_owned();
    match api::deploy_file(path, started).await {
        Ok(None) => Ok(None),
        Ok(Some(text)) => crate::browser::parse_json(&text)
            .map(Some)
            .map_err(|reason| SetupError::NotJson { file, reason }),
        Err(FileError::Unreachable) => Err(SetupError::Unreachable { file }),
        Err(FileError::Status(status)) => Err(SetupError::Status { file, status }),
    }
}

/// The catalog of `locale`: its built-in translation (English is compiled in) with the
/// deployer's `locales/<tag>.json` over it, both fetched at once. A broken file is a
/// configuration problem; a missing one is no override.
pub async fn load_catalog(locale: &str, started: StartedFetches) -> Result<Catalog, SetupError> {
    let built_in_path = format!("{BUILT_IN_PATH}/{locale}.json");
    let override_path = format!("{OVERRIDES_PATH}/{locale}.json");
    let built_in = async {
        match is_built_in(locale) && locale != DEFAULT_LOCALE {
            true => deploy_json(&built_in_path, started.take(&built_in_path)).await,
            false => Ok(None),
        }
    };
    let overrides = deploy_json(&override_path, started.take(&override_path));
    let (built_in, overrides) = futures::join!(built_in, overrides);
    let mut files = Vec::new();
    for (path, file) in [(&built_in_path, built_in?), (&override_path, overrides?)] {
        if let Some(file) = file {
            let name = &path[1..];
            let entries =
                entries(&file).map_err(|reason| ConfigError(format!("{name}: {reason}")))?;
            files.push((name, entries));
        }
    }
    Ok(Catalog::from_files(locale, &files)?)
}
