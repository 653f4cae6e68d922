//! The language switcher in every page's header.

use leptos::prelude::*;
use reclaim_contract::locale::{native_name, LANG_PARAM};
use wasm_bindgen::JsCast;

use crate::{
    deployment::use_deployment,
    i18n::{use_i18n, Text},
    language::use_language,
};

/// The deployment's locales, each named in its own language. Links, so that before the app
/// runs (or without JavaScript) choosing one loads the page prerendered in it; once the app
/// runs, the page switches in place and keeps what was typed.
///
/// Written as markup rather than one view per link: every visitor downloads the code of every
/// element a view has, and this list is plain text and links.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let deployment = use_deployment();
    let language = use_language();
    let i18n = use_i18n();
    // One listener for every link: the one clicked names its language.
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let chosen = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[hreflang]").ok().flatten())
            .and_then(|link| link.get_attribute("hreflang"));
        if let Some(locale) = chosen {
            ev.prevent_default();
            // The menu closes behind the choice.
            if let Some(menu) = ev.current_target() {
                let _ = menu
                    .unchecked_into::<web_sys::Element>()
                    .remove_attribute("open");
            }
            if locale != i18n.locale_untracked() {
                language.switch(locale);
            }
        }
    };
    let summary = move || {
        format!(
            "{GLOBE_ICON}<span class=visually-hidden>{}: </span>{}",
            escape(&i18n.text(Text::LanguageLabel)),
            native_name(&i18n.locale())
        )
    };
    let list = move || {
        let current = i18n.locale();
        deployment
            .config()
            .locales
            .iter()
            .map(|tag| {
                // Tags are checked to be letters, digits and hyphens (the contract's config).
                let marked = if *tag == current { " aria-current=true" } else { "" };
                let name = escape(native_name(tag));
                // <bdi>: each name in its own direction ("Português (Brasil)" keeps its
                // brackets in an Arabic page), the list aligned as the page is.
                format!("<li><a href=\"?{LANG_PARAM}={tag}\" hreflang={tag} lang={tag}{marked}><bdi>{name}</bdi></a>")
            })
            .collect::<String>()
    };
    move || {
        (deployment.config().locales.len() > 1).then(|| {
            view! {
                <details class="language" on:click=on_click>
                    <summary class="language-current" inner_html=summary></summary>
                    <ul class="language-list" inner_html=list></ul>
                </details>
            }
        })
    }
}

/// A globe, the sign for "language" that needs no reading.
const GLOBE_ICON: &str = "<svg class=language-icon viewBox=\"0 0 24 24\" width=18 height=18 aria-hidden=true focusable=false><circle cx=12 cy=12 r=9.25 /><path d=\"M2.75 12h18.5M12 2.75c2.6 2.6 3.9 5.7 3.9 9.25s-1.3 6.65-3.9 9.25c-2.6-2.6-3.9-5.7-3.9-9.25s1.3-6.65 3.9-9.25z\" /></svg>";

/// Text made safe to put in markup (a deployer's own translation may have `<` or `&`).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<b> & \"x\""), "&lt;b&gt; &amp; &quot;x&quot;");
    }
}
