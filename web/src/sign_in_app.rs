//! The sign-in app: the only program of a first visit. It signs people in, then
//! loads the account app and hands over to it (`handoff`).
use std::cell::RefCell;

use leptos::mount::{mount_to, UnmountHandle};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::JsCast;

use crate::api::ApiClient;
use crate::chrome::{ConfigError, NotFound, TopBar, NOT_EMBEDDABLE};
use crate::context::{Navigation, Notice};
use crate::handoff::{self, Handoff};
use crate::pages::sign_in::SignInPage;
use crate::pages::subscriptions::LoadingSkeleton;
use crate::route::Route;
use crate::{config, embed, link, messages, AppContext};
use portal_core::embed::PortalEvent;

thread_local! {
    /// The mounted app, so it can leave the page to the account app.
    static MOUNTED: RefCell<Option<UnmountHandle<AnyViewState>>> = const { RefCell::new(None) };
}

/// Starts the app: takes the link token, loads config.json, then replaces the
/// static skeleton with the live app (or a clear error screen).
pub fn start() {
    console_error_panic_hook::set_once();
    let mut arrival = link::take_arrival();
    crate::route::keep_target();
    let framed = embed::framed();
    // Leptos sets up its executor when it mounts; config comes before that.
    wasm_bindgen_futures::spawn_local(async move {
        let config = config::load().await;
        // In a frame, nothing but the static skeleton until the parent has shown
        // it is a page allowed to embed the portal.
        let embedded = match &config {
            Ok(config) if framed => Some(embed::handshake(config.embed_origins.clone()).await),
            _ => None,
        };
        if let Some(Some(init)) = &embedded {
            arrival.token = arrival.token.take().or(init.token.clone());
            embed::report_height();
        }
        if let Some(skeleton) = document().get_element_by_id("boot") {
            skeleton.remove();
        }
        let Some(body) = document().body() else {
            return;
        };
        if matches!(embedded, Some(None)) {
            return body.set_inner_html(NOT_EMBEDDABLE);
        }
        let body = body.unchecked_into();
        let handle = match config {
            Ok(config) => {
                let context = AppContext::new(ApiClient::http(&config.api_base), arrival.token);
                if let Some(notice) = arrival.notice.as_deref().and_then(Notice::from_code) {
                    context.greet(notice);
                }
                let api_base = config.api_base;
                mount_to(body, move || {
                    view! { <SignInApp context api_base/> }.into_any()
                })
            }
            Err(problem) => mount_to(body, move || view! { <ConfigError problem/> }.into_any()),
        };
        MOUNTED.with(|mounted| *mounted.borrow_mut() = Some(handle));
        embed::post(&PortalEvent::Ready);
    });
}

#[component]
fn SignInApp(context: AppContext, api_base: String) -> impl IntoView {
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
    let navigation = context.navigation();
    // Someone without a session asking for their account signs in first.
    let session = context.session();
    let route = Memo::new(move |_| match navigation.get().route {
        Route::Subscriptions if session.with(Option::is_none) => Route::SignIn,
        route => route,
    });
    // The address bar follows: a redirect (no session) replaces the entry.
    Effect::new(move |_| {
        let Navigation {
            route: asked,
            replace,
        } = navigation.get();
        let shown = route.get();
        shown.show(replace || shown != asked);
    });
    provide_context(context);
    view! {
        <TopBar/>
        <main id="main" class="page" tabindex="-1">
            {move || match route.get() {
                Route::SignIn => view! { <SignInPage/> }.into_any(),
                Route::Subscriptions => view! { <OpenAccount api_base=api_base.clone()/> }.into_any(),
                Route::NotFound => view! { <NotFound/> }.into_any(),
            }}
        </main>
    }
}

/// Loads the account app, shows the list's skeleton meanwhile, and leaves the
/// page to it; if it cannot be loaded, says so and offers to try again.
#[component]
fn OpenAccount(api_base: String) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let handoff = Handoff {
        api_base,
        subscriptions: context.take_fresh_list(),
        embed_parent: embed::parent_origin(),
    };
    let open = Action::new_local(move |(): &()| {
        let handoff = handoff.clone();
        async move {
            // Once the account app is on the page, this one leaves it (in a task of
            // its own: this one runs inside the app being left).
            handoff::give(&handoff, || {
                request_animation_frame(|| {
                    MOUNTED.with(|mounted| mounted.borrow_mut().take());
                })
            });
            handoff::open_account().await.is_ok()
        }
    });
    open.dispatch(());
    let failed = move || open.value().get() == Some(false);
    view! {
        {move || {
            if failed() {
                view! {
                    <section class="card stack" role="alert" data-testid="load-error">
                        <p>{messages::ACCOUNT_UNREACHABLE}</p>
                        <button type="button" class="button primary" on:click=move |_| { open.dispatch(()); }>
                            "Try again"
                        </button>
                    </section>
                }
                    .into_any()
            } else {
                view! { <LoadingSkeleton/> }.into_any()
            }
        }}
    }
}
