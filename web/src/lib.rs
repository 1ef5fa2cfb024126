//! Duro Portal's browser app. Components live here and in `pages/`; `main.rs` only mounts.
use leptos::prelude::*;

mod pages;

pub use pages::sign_in::{EmailStep, SignInPage};

/// Replaces the static skeleton from `index.html` with the live app.
pub fn mount() {
    console_error_panic_hook::set_once();
    if let Some(skeleton) = document().get_element_by_id("boot") {
        skeleton.remove();
    }
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="topbar">
            <span class="brand" aria-label="Duro Portal">
                <span class="brand-mark" aria-hidden="true">"D"</span>
                "Duro "
                <span class="brand-sub">"Portal"</span>
            </span>
        </header>
        <main id="main" class="page" tabindex="-1">
            <SignInPage/>
        </main>
    }
}
