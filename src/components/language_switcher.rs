//! The header every page carries: the app's name and the language switcher. The build writes it
//! into each page, outside the part the app takes over ([`masthead`]), so it is on screen and
//! works (as links to each language's prerendered page) before the app runs; once the app runs,
//! [`follow`] fills in the deployment's name and languages and switches in place, keeping what
//! was typed. Every language's name is written in the page, never in the wasm: every visitor
//! would download forty-odd names to read one.

use reclaim_contract::locale::{native_name, LANG_PARAM};
use wasm_bindgen::JsCast;

use crate::{
    browser,
    deployment::use_deployment,
    effect::effect,
    i18n::{use_i18n, Text},
    language::use_language,
};

/// The header, as markup: the app's name (empty: the deployment's, filled in once known) and the
/// switcher, a disclosure of links to `locales`, each named in itself, the current one marked.
/// `label` is "Language" in `current`'s words.
pub fn masthead(current: &str, locales: &[&str], label: &str) -> String {
    let list: String = locales
        .iter()
        .map(|tag| list_item(tag, native_name(tag), *tag == current))
        .collect();
    format!(
        "<header class=masthead><p class=app-name></p><details class=language>\
<summary class=language-current>{GLOBE_ICON}<span class=visually-hidden>{}: </span>\
<span class=language-name>{}</span></summary><ul class=language-list>{list}</ul></details>\
</header>",
        escape(label),
        escape(native_name(current)),
    )
}

/// Keeps the page's header in step with the app: the deployment's name, only the languages it
/// offers (a deployer's own language named by its tag), and a choice of language switching the
/// page in place. Nothing when the page has no header (a development build without the
/// prerender).
pub fn follow() {
    let deployment = use_deployment();
    let language = use_language();
    let i18n = use_i18n();
    // Found once the app runs (never in a prerender: effects do not run there).
    let mut header: Option<Option<(web_sys::Element, Option<web_sys::Element>)>> = None;
    effect(move || {
        let found = header.get_or_insert_with(|| {
            let header = browser::element(".masthead")?;
            let switcher = header.query_selector(".language").ok().flatten();
            if let Some(switcher) = &switcher {
                listen(switcher, move |locale| {
                    if locale != i18n.locale_untracked() {
                        language.switch(locale);
                    }
                });
            }
            Some((header, switcher))
        });
        let Some((header, switcher)) = found else {
            return;
        };
        let config = deployment.config();
        if let Ok(Some(name)) = header.query_selector(".app-name") {
            name.set_text_content(deployment.is_loaded().then_some(config.app_name.as_str()));
        }
        if let Some(switcher) = switcher {
            show_offered(switcher, &config.locales, &i18n.locale());
            if let Ok(Some(label)) = switcher.query_selector(".visually-hidden") {
                label.set_text_content(Some(&format!("{}: ", i18n.text(Text::LanguageLabel))));
            }
        }
    });
}

/// Calls `choose` with the language of a link chosen in `switcher`, rather than following it,
/// and closes the menu behind the choice.
fn listen(switcher: &web_sys::Element, choose: impl Fn(String) + 'static) {
    let menu = switcher.clone();
    let on_click = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(
        move |event: web_sys::Event| {
            let chosen = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
                .and_then(|element| element.closest("a[lang]").ok().flatten())
                .and_then(|link| link.get_attribute("lang"));
            if let Some(locale) = chosen {
                event.prevent_default();
                let _ = menu.remove_attribute("open");
                choose(locale);
            }
        },
    );
    let _ = switcher.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
}

/// Shows the languages of `offered` in `switcher` (a deployer's own, named by its tag) and only
/// those, `current` marked and named in the summary; the switcher itself only with a choice.
fn show_offered(switcher: &web_sys::Element, offered: &[String], current: &str) {
    let _ = switcher.toggle_attribute_with_force("hidden", offered.len() < 2);
    if let Ok(Some(list)) = switcher.query_selector(".language-list") {
        for tag in offered {
            if let Ok(None) = switcher.query_selector(&format!("a[lang=\"{tag}\"]")) {
                // Tags are letters, digits and hyphens (the contract's config).
                let _ = list.insert_adjacent_html("beforeend", &list_item(tag, tag, false));
            }
        }
    }
    let Ok(links) = switcher.query_selector_all("a[lang]") else {
        return;
    };
    for link in (0..links.length()).filter_map(|i| links.item(i)) {
        let link: web_sys::Element = link.unchecked_into();
        let tag = link.get_attribute("lang").unwrap_or_default();
        if let Some(item) = link.parent_element() {
            let _ = item.toggle_attribute_with_force("hidden", !offered.contains(&tag));
        }
        if tag == current {
            let _ = link.set_attribute("aria-current", "true");
            if let Ok(Some(name)) = switcher.query_selector(".language-name") {
                name.set_text_content(link.text_content().as_deref());
            }
        } else {
            let _ = link.remove_attribute("aria-current");
        }
    }
}

/// One language of the switcher: a link to its page, named `name`, in its language (`lang`,
/// which screen readers read it in and the app finds the choice by; no `hreflang` beside it,
/// which would say the same in every visitor's download). <bdi>: each name in its own direction
/// ("Português (Brasil)" keeps its brackets in an Arabic page), the list aligned as the page is.
fn list_item(tag: &str, name: &str, current: bool) -> String {
    let marked = if current { " aria-current=true" } else { "" };
    format!(
        "<li><a href=\"?{LANG_PARAM}={tag}\" lang={tag}{marked}><bdi>{}</bdi></a>",
        escape(name)
    )
}

/// A globe, the sign for "language" that needs no reading.
const GLOBE_ICON: &str = "<svg class=language-icon viewBox=\"0 0 24 24\" width=18 height=18 aria-hidden=true focusable=false><circle cx=12 cy=12 r=9.25 /><path d=\"M2.75 12h18.5M12 2.75c2.6 2.6 3.9 5.7 3.9 9.25s-1.3 6.65-3.9 9.25c-2.6-2.6-3.9-5.7-3.9-9.25s1.3-6.65 3.9-9.25z\" /></svg>";

/// Text made safe to put in markup.
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

    #[test]
    fn the_header_names_each_language_in_itself_and_marks_the_current_one() {
        let header = masthead("ar", &["en", "ar", "pt-BR"], "اللغة");
        assert!(
            header.contains("<a href=\"?lang=ar\" lang=ar aria-current=true><bdi>العربية</bdi>")
        );
        assert!(header.contains("<bdi>Português (Brasil)</bdi>"));
        assert!(header.contains("<span class=visually-hidden>اللغة: </span>"));
        assert!(header.contains("<span class=language-name>العربية</span>"));
    }
}
