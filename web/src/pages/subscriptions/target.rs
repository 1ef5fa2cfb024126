//! A deep link's subscription (`/subscriptions/{mode}/{id}`): once the list is
//! here, its card is brought into view, focused and marked; a subscription this
//! account does not have is said plainly, over the whole list.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;
use portal_core::paths::DeepLink;
use wasm_bindgen::JsCast;

use crate::route::{self, Route};

/// How long to wait for a big account's card to be made (it renders in steps).
const LOOKS: u32 = 100;
const LOOK_EVERY_MS: u64 = 100;

/// Goes to the target in `groups`; returns the id when it is not among them.
pub fn go_to_target(groups: &[PortalMerchantGroup]) -> Option<String> {
    let path = route::keep_target()?;
    let target = DeepLink::parse(&path);
    let held = target.as_ref().is_some_and(|target| {
        groups
            .iter()
            .flat_map(|group| &group.subscriptions)
            .any(|s| s.id == target.id && s.path_mode() == target.mode)
    });
    let Some(target) = target.filter(|_| held) else {
        route::drop_target();
        Route::Subscriptions.show(true);
        // What the link named, as it named it: an id, or the path that was not a link.
        let named = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or(&path);
        return Some(named.to_string());
    };
    // In a task after the page's own: arriving, the page focuses its heading,
    // and the card's focus must come after it.
    set_timeout(move || look_for(target, LOOKS), std::time::Duration::ZERO);
    None
}

fn look_for(target: DeepLink, looks_left: u32) {
    let cards = document().query_selector_all("[data-testid='subscription']");
    let card = cards.ok().and_then(|cards| {
        (0..cards.length())
            .filter_map(|i| cards.item(i)?.dyn_into::<web_sys::Element>().ok())
            .find(|card| card.get_attribute("data-id").as_deref() == Some(target.id.as_str()))
    });
    match card {
        Some(card) => {
            let _ = card.class_list().add_1("targeted");
            card.scroll_into_view();
            if let Some(heading) = card
                .query_selector(".plan-name")
                .ok()
                .flatten()
                .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = heading.focus();
            }
        }
        None if looks_left > 0 => set_timeout(
            move || look_for(target, looks_left - 1),
            std::time::Duration::from_millis(LOOK_EVERY_MS),
        ),
        None => {}
    }
}
