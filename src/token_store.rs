//! Where the reset token lives between the link being opened and the form
//! being sent: in memory only. Never storage, cookies, logs or another URL.

use leptos::prelude::*;

use reclaim_contract::link::address_without_token;

use crate::{
    browser,
    domain::token::{token_from_link, LinkToken},
};

/// The reset page's token. The first time it is asked for, it is read from
/// the address bar and removed from there at once (a token left in the URL
/// ends up in history, screenshots, shared links and synced tabs); after that
/// it comes from memory.
#[derive(Clone, Copy)]
pub struct TokenStore(StoredValue<Option<LinkToken>>);

impl TokenStore {
    pub fn new() -> Self {
        Self(StoredValue::new(None))
    }

    /// The link's token. Only call this from an effect or an event handler:
    /// the first call reads and rewrites the address bar.
    pub fn token(&self) -> LinkToken {
        if let Some(token) = self.0.get_value() {
            return token;
        }
        let token = take_from_address_bar();
        self.0.set_value(Some(token.clone()));
        token
    }
}

impl Default for TokenStore {
    fn default() -> Self {
        Self::new()
    }
}

fn take_from_address_bar() -> LinkToken {
    let (path, query, fragment) = browser::address();
    let token = token_from_link(&query, &fragment);
    // Also drops an empty `token=`; replacing with an identical URL is harmless.
    browser::replace_address(&address_without_token(&path, &query, &fragment));
    token
}
