//! Where the reset token lives between the link being opened and the form
//! being sent: in memory only. Never storage, cookies, logs or another URL.

use leptos::prelude::*;

use crate::{
    backend::{self, ResetLink},
    browser,
    domain::LinkToken,
};

/// The reset page's link. The first time it is asked for, it is read from the
/// address bar and its secret removed from there at once (a token left in the
/// URL ends up in history, screenshots, shared links and synced tabs); after
/// that it comes from memory.
#[derive(Clone, Copy)]
pub struct TokenStore(StoredValue<Option<ResetLink>>);

impl TokenStore {
    pub fn new() -> Self {
        Self(StoredValue::new(None))
    }

    /// The link's token. Only call this from an effect or an event handler:
    /// the first call reads and rewrites the address bar.
    pub fn token(&self) -> LinkToken {
        self.link().token
    }

    /// Everything the link carried (its token, where to continue afterwards).
    /// Same rule as [`TokenStore::token`].
    pub fn link(&self) -> ResetLink {
        if let Some(link) = self.0.get_value() {
            return link;
        }
        let link = take_from_address_bar();
        self.0.set_value(Some(link.clone()));
        link
    }
}

impl Default for TokenStore {
    fn default() -> Self {
        Self::new()
    }
}

fn take_from_address_bar() -> ResetLink {
    let (path, query, fragment) = browser::address();
    let link = backend::read_link(&query, &fragment);
    // Also drops an empty `token=`; replacing with an identical URL is harmless.
    browser::replace_address(&backend::address_without_secret(&path, &query, &fragment));
    link
}
