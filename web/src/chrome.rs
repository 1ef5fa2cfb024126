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

/// In a frame whose parent did not show it may embed the portal: no data, no
/// form; only a way to the portal on its own site. Plain markup, not a
/// component: every byte of the sign-in app is downloaded by every visitor.
pub const NOT_EMBEDDABLE: &str = "<main id=\"main\" class=\"page\"><section class=\"card stack\" role=\"alert\" data-testid=\"not-embeddable\">\
<h1 class=\"title\">Your subscriptions can\u{2019}t be shown on this page</h1>\
<p>This site isn\u{2019}t set up to show the portal inside it.</p>\
<a class=\"button primary\" href=\"/\" target=\"_blank\" rel=\"noopener noreferrer\">Open the portal in a new tab</a>\
</section></main>";
