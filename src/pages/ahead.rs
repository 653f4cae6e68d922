//! A form a person sent before the app ran, sent on as soon as the settings are loaded, ahead
//! of rendering the page that sends it: the request goes out as much sooner as rendering the
//! page and taking over take (about a tenth of a second on a slow phone), while the person
//! waits on it. The page, once it has taken over, sends the form as for any submit (see
//! `start_up::takeover`) and gets this request's answer rather than asking again
//! (`http::send_ahead`), so it reads the same.
//!
//! Only what a page sends at once, with nothing asked first: the address on `/recover`, and
//! the new password with a link's secret on `/reset`, each only when the page would find it
//! valid. Anything else (a mistake to show at its field, a code to type) waits for the page.

use leptos::prelude::untrack;
use reclaim_contract::backend::LinkSecret;

use super::{new_password::RESET_FORM, recover::RECOVERY_FORM};
use crate::{
    browser,
    domain::{EmailAddress, ResetToken},
    route::Route,
    settings::Settings,
};

/// Sends what the held form would send on `route`'s page, if it is one of those above. Only
/// once the settings are loaded.
pub fn send_held_form_ahead(settings: Settings, route: Route) {
    let (Some(form), Some(Ok(client))) = (browser::form_waiting(), settings.loaded_client()) else {
        return;
    };
    let typed = |id: &str| browser::input_value(id).unwrap_or_default();
    let request = match (untrack(|| settings.route(route)), form.as_str()) {
        (Route::Recover, RECOVERY_FORM) => EmailAddress::parse(&typed("email"))
            .ok()
            .map(|email| client.recovery_request(&email)),
        // A backend that checks links does so as the page renders: a reset sent before would
        // spend the link that check then finds used.
        (Route::Reset, RESET_FORM) if !client.checks_links() => {
            let (password, confirmation) = (typed("new-password"), typed("confirm-password"));
            let acceptable = untrack(|| settings.password_rules())
                .check(&password, &confirmation)
                .is_acceptable();
            settings.link().and_then(|link| match &link.secret {
                LinkSecret::Present(secret) if acceptable => {
                    Some(client.reset_request(&link, &ResetToken::new(secret.clone()), &password))
                }
                _ => None,
            })
        }
        _ => None,
    };
    if let Some(request) = request {
        client.send_ahead(request);
    }
}
