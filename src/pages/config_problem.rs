use leptos::prelude::*;

use crate::{
    deployment::SetupError,
    i18n::{use_i18n, Text},
};

/// Shown instead of any page when the deployment's configuration is broken (`config.json`, a
/// backend's description, a locale file): better than sending someone's email address to a
/// default API that is the wrong one. The problem itself is for the deployer, in English.
#[component]
pub fn ConfigProblem(problem: SetupError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 id="page-heading" class="heading" tabindex="-1">{i18n.show(Text::ConfigProblemHeading)}</h1>
        <div class="alert" role="alert">
            <p lang="en" dir="ltr">{problem.to_string()}</p>
        </div>
        <p>{i18n.show(Text::ConfigProblemNote)}</p>
    }
}
