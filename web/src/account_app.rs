//! The account app: loaded by the sign-in app once someone is signed in, it shows
//! their subscriptions. Leaving (signing out, a session that ended) is a page
//! load of the sign-in app, with the notice that says why carried across it.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

use crate::api::ApiClient;
use crate::chrome::TopBar;
use crate::context::{Navigation, Notice};
use crate::pages::subscriptions::SubscriptionsPage;
use crate::route::Route;
use crate::{embed, handoff, AppContext};

pub fn start() {
    console_error_panic_hook::set_once();
    // Only the sign-in app starts this one; started any other way, go there.
    let Some((handoff, ready)) = handoff::take() else {
        return leave_for_sign_in(true, None);
    };
    embed::continue_with(handoff.embed_parent.clone());
    // The page is made in a task after the one that started the module, so
    // neither runs long; the sign-in app's skeleton stays until then.
    set_timeout(
        move || {
            let fresh = handoff
                .subscriptions
                .and_then(|list| serde_json::from_str::<Vec<PortalMerchantGroup>>(&list).ok());
            let context = AppContext::new(ApiClient::http(&handoff.api_base), None);
            leptos::mount::mount_to_body(move || view! { <AccountApp context fresh/> });
            ready.now();
        },
        std::time::Duration::ZERO,
    );
}

/// A page load of the sign-in app, with the notice in the address: storage would
/// not keep it, since signing out clears the site's storage (Clear-Site-Data).
fn leave_for_sign_in(replace: bool, notice: Option<Notice>) {
    let address = match notice {
        Some(notice) => format!("{}?notice={}", Route::SignIn.path(), notice.code()),
        None => Route::SignIn.path().to_string(),
    };
    let location = window().location();
    let _ = if replace {
        location.replace(&address)
    } else {
        location.assign(&address)
    };
}

#[component]
fn AccountApp(context: AppContext, fresh: Option<Vec<PortalMerchantGroup>>) -> impl IntoView {
    // Back to the sign-in page while signed in: stay here, as the sign-in page would send you back.
    let back_or_forward = window_event_listener(leptos::ev::popstate, move |_| {
        if Route::current() != Route::Subscriptions {
            Route::Subscriptions.show(true);
        }
    });
    on_cleanup(move || back_or_forward.remove());
    let (navigation, notice) = (context.navigation(), context.notice());
    Effect::new(move |_| {
        let Navigation { route, replace } = navigation.get();
        if route != Route::Subscriptions {
            leave_for_sign_in(replace, notice.get_untracked());
        }
    });
    provide_context(context);
    view! {
        <TopBar/>
        <main id="main" class="page" tabindex="-1">
            <SubscriptionsPage fresh/>
        </main>
    }
}
