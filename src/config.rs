//! Loading the deployment's configuration: `config.json` beside the pages, then the description
//! of the backend it names (`backends/<name>.json`), both checked by the contract's rules
//! (`reclaim_contract::config`, `reclaim_contract::backend`) before anything is sent.

use std::fmt;

use reclaim_contract::{
    backend::{Api, Backend, DESCRIPTIONS_PATH},
    config::{Config, ConfigError, CONFIG_PATH},
    json::Json,
};

use crate::http::{self, FileError};

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

/// The configuration and the API it points at. A missing `config.json` (or a host that
/// answers it with its `index.html`) means the defaults; the backend's description must be
/// there.
pub async fn load() -> Result<(Config, Api), SetupError> {
    let config = match deploy_json(CONFIG_PATH).await? {
        Some(file) => Config::from_json(&file)?,
        None => Config::default(),
    };
    let path = format!("{DESCRIPTIONS_PATH}/{}.json", config.backend);
    let description = deploy_json(&path).await?.ok_or_else(|| {
        ConfigError(format!(
            "config.json: backend \"{}\" has no description ({} is missing)",
            config.backend,
            &path[1..]
        ))
    })?;
    let api = Api::new(&config, Backend::from_json(&config.backend, &description)?)?;
    Ok((config, api))
}

/// A JSON file of the deployment's (`path` from the site root), or `None` when there is none.
pub async fn deploy_json(path: &str) -> Result<Option<Json>, SetupError> {
    let file = path.trim_start_matches('/').to_owned();
    match http::deploy_file(path).await {
        Ok(None) => Ok(None),
        Ok(Some(text)) => crate::browser::parse_json(&text)
            .map(Some)
            .map_err(|reason| SetupError::NotJson { file, reason }),
        Err(FileError::Unreachable) => Err(SetupError::Unreachable { file }),
        Err(FileError::Status(status)) => Err(SetupError::Status { file, status }),
    }
}
