//! The pages there are, chosen by the address's path. Each has its own HTML file in the build,
//! so a static host needs no rewrite rules and the pages need no client-side router.

use reclaim_contract::{
    link::{RECOVER_PAGE_PATH, RESET_PAGE_PATH},
    locale::BUILT_IN,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Recover,
    Reset,
    NotFound,
}

impl Route {
    /// The page for `path`; a trailing slash is the same page (a static host redirects
    /// `/recover` to its folder, `/recover/`). A backend's link opened at the root is the reset
    /// page, which the app decides once it knows the backend (`Settings::route`).
    pub fn from_path(path: &str) -> Self {
        let path = path.trim_end_matches('/');
        // A locale's prerendered copy (`/ar/recover/`) opened by its own path.
        let path = BUILT_IN
            .iter()
            .find_map(|tag| path.strip_prefix('/')?.strip_prefix(tag))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .unwrap_or(path);
        match path {
            "" | RECOVER_PAGE_PATH => Route::Recover,
            RESET_PAGE_PATH => Route::Reset,
            _ => Route::NotFound,
        }
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
}
