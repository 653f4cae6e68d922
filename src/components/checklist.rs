use leptos::prelude::*;

use crate::{
    domain::{PasswordCheck, MAX_PASSWORD_CHARS},
    i18n::{use_i18n, Counted, Message, Text},
};

/// The password rules under the new-password fields, each ticked as soon as what is typed
/// meets it. The longest length shows only once it is passed: nobody needs it until then.
#[component]
pub fn PasswordChecklist(
    /// The rules checked against what is typed now.
    check: Memo<PasswordCheck>,
) -> impl IntoView {
    let i18n = use_i18n();
    let minimum = move || {
        i18n.render(&Message::counted(
            Counted::RuleMinimum,
            check.get().rules.min_chars as u64,
        ))
    };
    let maximum = move || {
        i18n.render(
            &Message::counted(Counted::RuleMaximum, MAX_PASSWORD_CHARS as u64)
                .with("now", check.get().chars),
        )
    };
    view! {
        <ul id="password-rules" class="rules" aria-label=i18n.show(Text::PasswordRulesLabel)>
            <Rule met=Signal::derive(move || check.get().long_enough())>{minimum}</Rule>
            {move || (!check.get().short_enough()).then(|| view! {
                <Rule met=Signal::derive(|| false)>{maximum}</Rule>
            })}
            <Rule met=Signal::derive(move || check.get().matches())>{i18n.show(Text::RuleMatch)}</Rule>
        </ul>
    }
}

/// One line of the checklist, with its state said to screen readers.
#[component]
fn Rule(
    /// Whether the rule holds for what is typed now.
    met: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="rule" class:rule-met=move || met.get()>
            {children()}
            <span class="visually-hidden">
                " "{move || i18n.text(if met.get() { Text::RuleDone } else { Text::RuleNotYet })}
            </span>
        </li>
    }
}
