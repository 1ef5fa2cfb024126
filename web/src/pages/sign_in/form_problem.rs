//! A form-level problem (network, rate limit), announced when it appears.
use leptos::prelude::*;

#[component]
pub fn FormProblem(#[prop(into)] problem: MaybeProp<String>) -> impl IntoView {
    view! {
        <div class="form-problem" role="alert" data-testid="form-problem">
            {move || problem.get().map(|text| view! { <p>{text}</p> })}
        </div>
    }
}
