//! Duro Portal's browser app. Components live here and in `pages/`; `main.rs` only mounts.
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use portal_core::api::{PortalAccount, PortalMerchantGroup};

pub mod api;
pub mod config;
pub mod format;
mod pages;
pub mod session;

pub use pages::sign_in::{CodeStep, EmailStep, SignInPage};
pub use pages::subscriptions::{SubscriptionCard, SubscriptionsPage};

use api::ApiClient;
use session::Session;

/// What every page shares. Signals, so pages react when another page changes them.
#[derive(Clone)]
pub struct AppContext {
    pub api: ApiClient,
    pub session: RwSignal<Option<Session>>,
    /// A portal link's token: in memory only, never in the URL or storage.
    pub link_token: RwSignal<Option<String>>,
    /// A line for the sign-in page, e.g. why the person is back there.
    pub notice: RwSignal<Option<String>>,
    /// The address to start the email step with.
    pub email: RwSignal<String>,
    /// The answer of the sign-in that just happened, so the list shows without a second request.
    pub fresh_sign_in: RwSignal<Option<(PortalAccount, Vec<PortalMerchantGroup>)>>,
    /// The time in milliseconds, as the countdowns see it: the app moves it with the
    /// real clock, tests move it by hand.
    pub now: RwSignal<f64>,
}

impl AppContext {
    pub fn new(api: ApiClient, link_token: Option<String>) -> AppContext {
        AppContext {
            api,
            session: RwSignal::new(session::load()),
            link_token: RwSignal::new(link_token),
            notice: RwSignal::new(None),
            email: RwSignal::new(session::remembered_email().unwrap_or_default()),
            fresh_sign_in: RwSignal::new(None),
            now: RwSignal::new(js_sys::Date::now()),
        }
    }

    /// The session ended on the server: forget it, keep the address, explain.
    pub fn session_ended(&self) {
        if let Some(ended) = self.session.get_untracked() {
            self.email.set(ended.email);
        }
        session::clear();
        self.session.set(None);
        self.notice.set(Some(
            "Your session ended \u{2014} sign in again.".to_string(),
        ));
    }
}

/// Reads `token` from the fragment (`#token=…`, as our links are made) or the
/// query (`?token=…`), and removes it from the address bar at once, so it never
/// stays in history or leaks through a Referer.
pub fn take_link_token() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let (hash, search) = (location.hash().ok()?, location.search().ok()?);
    let (from_hash, rest_hash) = split_token(hash.trim_start_matches('#'));
    let (from_search, rest_search) = split_token(search.trim_start_matches('?'));
    let token = from_hash.or(from_search)?;
    let mut clean = location.pathname().ok()?;
    if !rest_search.is_empty() {
        clean.push('?');
        clean.push_str(&rest_search);
    }
    if !rest_hash.is_empty() {
        clean.push('#');
        clean.push_str(&rest_hash);
    }
    let _ = window.history().ok()?.replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&clean),
    );
    Some(token)
}

/// Splits `a=1&token=x&b=2` into the token and the other parameters.
pub fn split_token(params: &str) -> (Option<String>, String) {
    let mut token = None;
    let mut rest = Vec::new();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("token=") {
            Some(value) if !value.is_empty() => token = Some(value.to_string()),
            Some(_) => {}
            None => rest.push(pair),
        }
    }
    (token, rest.join("&"))
}

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
    let now = context.now;
    if let Ok(ticker) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_millis(500),
    ) {
        on_cleanup(move || ticker.clear());
    }
    provide_context(context);
    view! {
        <Router>
            <TopBar/>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=SignInPage/>
                    <Route path=path!("/subscriptions") view=SubscriptionsPage/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="card stack">
            <h1 class="title">"This page does not exist"</h1>
            <p>"The address may be mistyped or out of date."</p>
            <a class="button primary" href="/">"Go to sign-in"</a>
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
