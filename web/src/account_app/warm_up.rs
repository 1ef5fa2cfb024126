//! The account app's pages, made while the code is typed and never seen.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

use super::AccountPages;
use crate::pages::subscriptions::MADE_UP;
use crate::route::AccountView;
use crate::AppContext;

/// The account's pages as opening the app makes them, with the made-up list
/// and a context of no one (`AppContext::unseen`: no storage, no address, no
/// request), made in an element that is not on the page, then laid out unseen
/// and dropped in the next task (the list's first cards are written between).
/// Run while the code is typed (`super::start`), so that what showing the real
/// page calls has been compiled by then (V8 compiles a wasm function the first
/// time it is called), and the browser has the fonts it lays out
/// (`lay_out_unseen`). Nothing of it is seen, focused or kept, but the dates it
/// formats.
///
/// The app's own wiring (`super::AccountApp`: the address, the back button,
/// leaving for sign-in) is left out: it would act on the real page.
pub fn warm_up() {
    // On an account page's address (the sign-in app shows its pages at `/`,
    // so only if that ever changed), the made-up page would take the address
    // as its own: a deep link it does not hold is said and the address put
    // back to the list (`SubscriptionsPage`'s target). Better no warm-up.
    if super::current_view().is_some() {
        return;
    }
    // As bytes, as the real list is read (`super::open_account`).
    let Ok(groups) = serde_json::from_slice::<Vec<PortalMerchantGroup>>(MADE_UP.as_bytes()) else {
        return;
    };
    let Some(parent) = document()
        .create_element("div")
        .ok()
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
    else {
        return;
    };
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        let view = RwSignal::new(AccountView::Subscriptions);
        provide_context(AppContext::unseen());
        provide_context(view);
        view! { <AccountPages view fresh=Some(groups)/> }
    });
    set_timeout(
        move || {
            lay_out_unseen(&parent);
            drop(handle);
        },
        std::time::Duration::ZERO,
    );
}

/// Puts `made_up` in the page, hidden and inert, has the browser lay it out,
/// and takes it away, all in this task: it is never drawn, focused or read out
/// (the page is drawn, and read by assistive technology, between tasks).
///
/// Laying text out in a font face the page has not used yet (a family at a
/// weight and a size: the account page's headings, badges and prices) makes
/// the browser look it up first; in Chromium on Linux, a call to the browser
/// process of 5–13 ms for the first, which the real page's first layout made
/// after the verify answer, before its first card could be drawn. The browser
/// keeps what it found for the page.
fn lay_out_unseen(made_up: &web_sys::HtmlElement) {
    let Some(body) = document().body() else {
        return;
    };
    for (name, value) in [("aria-hidden", "true"), ("inert", "")] {
        if made_up.set_attribute(name, value).is_err() {
            return;
        }
    }
    // Fixed, so nothing of the page moves; at the top of the screen, where a
    // big list's off-screen skipping (`content-visibility`) would lay it out
    // anyway. Set through the element's style object: the server's Content
    // Security Policy (`style-src 'self'`) refuses a `style` attribute set as
    // text, and the page would be laid out in the flow, not hidden.
    made_up.style().set_css_text(
        "position:fixed;top:0;left:0;width:100%;visibility:hidden;pointer-events:none",
    );
    if body.append_child(made_up).is_ok() {
        // Reading a size lays the page out now.
        std::hint::black_box(made_up.offset_height());
        made_up.remove();
    }
}
