//! The app's start over the page prerendered at build time. The page's first script
//! (`bootstrap.js`) has taken the secret out of the address bar, may hold a form sent early, and
//! has fetched what the start needs; [`handoff`] reads what it did. The app renders the same page
//! once the deployment and the reader's language are known (in tasks short enough never to keep
//! the page from answering a tap), then takes over ([`takeover`]), keeping what the person typed
//! meanwhile and sending the form they sent.

pub mod handoff;
#[cfg(feature = "csr")]
pub mod takeover;

/// Starts the app: over the prerendered page if there is one, once its own page is ready;
/// otherwise at once into an empty body (a development build without the prerender).
#[cfg(feature = "csr")]
pub fn start() {
    use leptos::{mount::mount_to, prelude::*};
    use wasm_bindgen::JsCast;

    use crate::{app::App, effect::effect, APP_ELEMENT_ID};

    let fresh = document().create_element("div").expect("a div");
    fresh.set_id(APP_ELEMENT_ID);
    let Some(prerendered) = document().get_element_by_id(APP_ELEMENT_ID) else {
        let _ = document().body().expect("a body").append_child(&fresh);
        mount_to(fresh.unchecked_into(), move || {
            handoff::provide_from_the_page();
            view! { <App /> }
        })
        .forget();
        return;
    };
    mount_to(fresh.clone().unchecked_into(), move || {
        handoff::provide_from_the_page();
        let held = handoff::held_form();
        // Set by the app once its page is rendered, in the reader's language.
        let ready = RwSignal::new(false);
        let mut swapped = false;
        effect(move || {
            if ready.get() && !swapped {
                takeover::take_over(&prerendered, &fresh, held.as_ref());
                swapped = true;
            }
        });
        view! { <App ready /> }
    })
    .forget();
}
