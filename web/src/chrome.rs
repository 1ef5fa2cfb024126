//! What both apps show around their pages, and their error screens.
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <span class="brand" aria-label="Duro Portal">
                <span class="brand-mark" aria-hidden="true">"D"</span>
                "Duro "
                <span class="brand-sub">"Portal"</span>
            </span>
        </header>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card stack">
            <h1 class="title">"This page does not exist"</h1>
            <p>"The address may be mistyped or out of date."</p>
            <a class="button primary" href="/">
                "Go to sign-in"
            </a>
        </section>
    }
}

#[component]
pub fn ConfigError(problem: String) -> impl IntoView {
    view! {
        <TopBar/>
        <main id="main" class="page">
            <section class="card stack" role="alert" data-testid="config-error">
                <h1 class="title">"The portal is not set up correctly"</h1>
                <p>"It could not read its settings, so it cannot sign you in right now. Please try again later."</p>
                <p class="muted">"For the site\u{2019}s owner: " {problem}</p>
            </section>
        </main>
    }
}
