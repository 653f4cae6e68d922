//! Where the reset token lives between the link being opened and the form
//! being sent: in memory only. Never storage, cookies, logs or another URL.

use crate::{
    browser,
    domain::token::{address_without_token, token_from_link, LinkToken},
};

/// Reads the token from the address bar once and removes it from there at
/// once, before the person types anything: a token left in the URL would end
/// up in history, screenshots, shared links and synced tabs.
pub fn take_from_address_bar() -> LinkToken {
    let (path, query, fragment) = browser::address();
    let token = token_from_link(&query, &fragment);
    // Also drops an empty `token=`; replacing with an identical URL is harmless.
    browser::replace_address(&address_without_token(&path, &query, &fragment));
    token
}
