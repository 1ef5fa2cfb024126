//! Duro Portal's browser app. `pages/` holds a folder per page and a file per
//! component; `context` the shared state; `messages` every sentence; `api` the
//! one API client; `main.rs` only mounts.
use leptos::prelude::*;

pub mod api;
pub mod config;
mod context;
pub mod format;
mod link;
pub mod messages;
mod pages;
pub mod route;
pub mod session;

use api::ApiClient;
pub use context::{AppContext, FreshSignIn};
pub use link::{split_token, take_link_token};
pub use pages::sign_in::{CodeStep, EmailStep, SignInPage};
pub use pages::subscriptions::{SubscriptionCard, SubscriptionsPage};
use route::Route;

/// Starts the app: takes the link token, loads config.json, then replaces the
/// static skeleton with the live app (or a clear error screen).
pub fn mount() {
    console_error_panic_hook::set_once();
    let link_token = take_link_token();
    // Leptos sets up its executor when it mounts; config comes before that.
    wasm_bindgen_futures::spawn_local(async move {
        let config = config::load().await;
        if let Some(skeleton) = document().get_element_by_id("boot") {
            skeleton.remove();
        }
        match config {
            Ok(config) => {
                let context = AppContext::new(ApiClient::http(&config.api_base), link_token);
                leptos::mount::mount_to_body(move || view! { <App context/> });
            }
            Err(problem) => {
                leptos::mount::mount_to_body(move || view! { <ConfigError problem/> });
            }
        }
    });
}

#[component]
fn TopBar() -> impl IntoView {
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
pub fn App(context: AppContext) -> impl IntoView {
    let clock = context.clone();
    if let Ok(ticker) = set_interval_with_handle(
        move || clock.tick(js_sys::Date::now()),
        std::time::Duration::from_millis(500),
    ) {
        on_cleanup(move || ticker.clear());
    }
    let history = context.clone();
    let back_or_forward =
        window_event_listener(leptos::ev::popstate, move |_| history.address_changed());
    on_cleanup(move || back_or_forward.remove());
    let route = context.route();
    provide_context(context);
    view! {
        <TopBar/>
        <main id="main" class="page" tabindex="-1">
            {move || match route.get() {
                Route::SignIn => view! { <SignInPage/> }.into_any(),
                Route::Subscriptions => view! { <SubscriptionsPage/> }.into_any(),
                Route::NotFound => view! { <NotFound/> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
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
