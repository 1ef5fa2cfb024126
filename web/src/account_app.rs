//! The account app: loaded by the sign-in app once someone is signed in, it shows
//! their subscriptions, saved cards and wallet, each a page of its own that loads
//! on its own (one failing leaves the others as they are). Leaving (signing out, a session that ended) is a page
//! load of the sign-in app, with the notice that says why carried across it.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

use crate::api::ApiClient;
use crate::context::Navigation;
use crate::notice::Notice;
use crate::pages::account_nav::AccountNav;
use crate::pages::cards::CardsPage;
use crate::pages::subscriptions::SubscriptionsPage;
use crate::pages::wallet::WalletPage;
use crate::route::{AccountView, Route};
use crate::{embed, handoff, AppContext};

mod warm_up;

/// Run as the module is instantiated, which the sign-in app does while the code
/// is typed: the app waits for `open_account`, and meanwhile, each in a task of
/// its own, it makes its date formatter, rehearses a big list a task at a time
/// (`REHEARSALS`), and after the first rehearsal makes its pages with a made-up
/// list, unseen (`warm_up`). V8 compiles a wasm function when it is first
/// called, so this leaves compiled most of what opening the app calls: with the
/// module's own compiling and instantiating, ~25 ms less between the answer and
/// the first card.
pub fn start() {
    console_error_panic_hook::set_once();
    set_timeout(crate::format::make_formatter, std::time::Duration::ZERO);
    // The first rehearsal before the pages: it compiles the list's reader and
    // writer, which making the pages calls too, so that the compiling is shared
    // by two tasks (on a CPU four times slower, each under 50 ms).
    rehearse_in_tasks(REHEARSALS);
    set_timeout(
        || {
            if !OPENED.get() {
                warm_up::warm_up();
            }
        },
        std::time::Duration::ZERO,
    );
}

/// A thousand cards read and written in tasks of a hundred (the made-up list of
/// four, 25 times: a few ms at full speed, under 50 ms on a CPU six times
/// slower), so that reading and writing a big account's list run optimized code
/// (`pages::subscriptions::rehearse_list`).
const REHEARSALS: usize = 10;
const READS_A_REHEARSAL: usize = 25;

/// One rehearsal a task, each after the one before, until `left` are done or
/// the account is opened: from then on, the real list has the page's time.
fn rehearse_in_tasks(left: usize) {
    if left == 0 {
        return;
    }
    set_timeout(
        move || {
            if !OPENED.get() {
                crate::pages::subscriptions::rehearse_list(READS_A_REHEARSAL);
                rehearse_in_tasks(left - 1);
            }
        },
        std::time::Duration::ZERO,
    );
}

thread_local! {
    static OPENED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Called by the sign-in app once someone is signed in (or is found signed in),
/// after it has left the handoff.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = openAccount)]
pub fn open_account() {
    OPENED.set(true);
    // Only the sign-in app opens this one; opened any other way, go there.
    let Some((handoff, ready)) = handoff::take() else {
        return leave_for_sign_in(true, None);
    };
    embed::continue_with(handoff.embed_parent.clone());
    // The page is made in a task after the sign-in app's, so neither runs long;
    // the sign-in app's skeleton stays until then.
    set_timeout(
        move || {
            let fresh = handoff
                .subscriptions
                .and_then(|list| serde_json::from_slice::<Vec<PortalMerchantGroup>>(&list).ok());
            let context = AppContext::new(ApiClient::http(&handoff.api_base));
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

fn current_view() -> Option<AccountView> {
    let path = window().location().pathname().ok()?;
    AccountView::from_path(&path)
}

/// The app as opened: where the address says, following the back and forward
/// buttons, and leaving for sign-in when a page asks to.
#[component]
fn AccountApp(context: AppContext, fresh: Option<Vec<PortalMerchantGroup>>) -> impl IntoView {
    let view = RwSignal::new(current_view().unwrap_or(AccountView::Subscriptions));
    // Back and forward move among the account's pages; back to the sign-in page
    // while signed in stays here, as the sign-in page would send you back.
    let back_or_forward =
        window_event_listener(leptos::ev::popstate, move |_| match current_view() {
            Some(shown) => view.set(shown),
            None => {
                Route::Subscriptions.show(true);
                view.set(AccountView::Subscriptions);
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
    provide_context(view);
    view! { <AccountPages view fresh/> }
}

/// The account's pages, the one `view` names shown; what the app and its
/// warm-up (`warm_up`) both make. The app's context is provided by the caller.
#[component]
fn AccountPages(
    view: RwSignal<AccountView>,
    fresh: Option<Vec<PortalMerchantGroup>>,
) -> impl IntoView {
    // The list sign-in brought is shown once; coming back to the page reads it again.
    let fresh = StoredValue::new(fresh);
    view! {
        <main id="main" class="page" tabindex="-1">
            <div class="wide stack-lg">
                <AccountNav current=view/>
                {move || match view.get() {
                    AccountView::Subscriptions => {
                        let fresh = fresh.try_update_value(Option::take).flatten();
                        view! { <SubscriptionsPage fresh/> }.into_any()
                    }
                    AccountView::Cards => view! { <CardsPage/> }.into_any(),
                    AccountView::Wallet => view! { <WalletPage/> }.into_any(),
                }}
            </div>
        </main>
    }
}
