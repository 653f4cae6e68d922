//! Loading a locale's catalog: its built-in translation (English is compiled in) with the
//! deployer's `locales/<tag>.json` over it, both fetched at once.

use reclaim_contract::locale::DEFAULT_LOCALE;

use super::{entries, is_built_in, Catalog, BUILT_IN_PATH, OVERRIDES_PATH};
use crate::config::{deploy_json, SetupError};

/// The catalog of `locale`. A broken file is a configuration problem; a missing one is no
/// override.
pub async fn catalog(locale: &str) -> Result<Catalog, SetupError> {
    let built_in_path = format!("{BUILT_IN_PATH}/{locale}.json");
    let override_path = format!("{OVERRIDES_PATH}/{locale}.json");
    let built_in = async {
        match is_built_in(locale) && locale != DEFAULT_LOCALE {
            true => deploy_json(&built_in_path).await,
            false => Ok(None),
        }
    };
    let (built_in, overrides) = futures::join!(built_in, deploy_json(&override_path));
    let mut files = Vec::new();
    for (path, file) in [(&built_in_path, built_in?), (&override_path, overrides?)] {
        if let Some(file) = file {
            let name = &path[1..];
            let entries = entries(&file).map_err(|reason| {
                reclaim_contract::config::ConfigError(format!("{name}: {reason}"))
            })?;
            files.push((name, entries));
        }
    }
    Ok(Catalog::from_files(locale, &files)?)
}
