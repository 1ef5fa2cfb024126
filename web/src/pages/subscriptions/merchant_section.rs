//! One merchant's subscriptions under its name.
//!
//! A thousand cards made as components took ~0.3 ms each (a score of DOM calls
//! across the wasm boundary and a dozen reactive nodes), a third of a second for
//! a big account. So a card goes on the page as HTML (`card_html`), the
//! section's new cards parsed by the browser in one call per step, and becomes a
//! `SubscriptionCard` when it is first used: its button or its invoices clicked
//! (by pointer or keyboard), which the new card then receives, focus included.
//! A card that owes is made a component at once: it asks the server what is due.
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use leptos::tachys::view::{Mountable, Render};
use portal_core::api::{PortalAction, PortalMerchantGroup, PortalSubscription};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::card::SubscriptionCard;
use super::card_html::{push_card, CardFacts};
use super::list::MANY_CARDS;

/// About what one card's HTML takes (the demo's run 1.0–1.4 KB).
const CARD_BYTES: usize = 1400;

#[component]
pub fn MerchantSection(
    group: PortalMerchantGroup,
    /// Subscriptions whose cards must show their reference to be told apart.
    look_alike: Arc<HashSet<String>>,
    /// How many of its cards are on the page yet: a big merchant's cards come
    /// in steps too (see `SubscriptionList`).
    cards_shown: Signal<usize>,
) -> impl IntoView {
    let heading_id = format!("merchant-{}", group.tenant_id);
    let labelled_by = heading_id.clone();
    let total = group.subscriptions.len();
    // Only a merchant with many cards skips laying out the ones off screen: a
    // small one lays out whole, as it always did (no placeholders).
    let cards_class = if total > MANY_CARDS {
        "cards many"
    } else {
        "cards"
    };
    let list = NodeRef::<html::Ul>::new();
    let cards = Rc::new(Cards {
        live: RefCell::new((0..total).map(|_| None).collect()),
        subscriptions: group.subscriptions,
        // Shared by the group's cards: each holds what it renders, not the group.
        allowed: group.actions.map(Arc::from),
        merchant: Arc::from(group.merchant_name.as_str()),
        look_alike,
        owner: Owner::current(),
        written: Cell::new(0),
    });
    // The effect and the click handler hold the cards (and so the views of
    // those made components) for as long as the section is on the page.
    Effect::new({
        let cards = Rc::clone(&cards);
        move |_| {
            let shown = cards_shown.get().min(total);
            if let Some(ul) = list.get() {
                cards.write_up_to(&ul, shown);
            }
        }
    });
    let touched = move |event: leptos::ev::MouseEvent| {
        if let Some(ul) = list.get_untracked() {
            cards.touched(&ul, &event);
        }
    };
    view! {
        <section class="merchant" aria-labelledby=labelled_by data-testid="merchant">
            <h2 id=heading_id class="merchant-name">{group.merchant_name}</h2>
            <ul class=cards_class role="list" node_ref=list on:click=touched></ul>
        </section>
    }
}

/// The section's cards: the subscriptions, and which cards are components yet.
struct Cards {
    subscriptions: Vec<PortalSubscription>,
    allowed: Option<Arc<[PortalAction]>>,
    merchant: Arc<str>,
    look_alike: Arc<HashSet<String>>,
    /// The section's owner: a card made later belongs to it, and finds the
    /// shared action and the app's context through it.
    owner: Option<Owner>,
    /// By position (the list's children are the cards, in order): the view
    /// of each card made a component.
    live: RefCell<Vec<Option<AnyViewState>>>,
    /// Cards on the page so far.
    written: Cell<usize>,
}

impl Cards {
    /// Adds the cards up to `shown`, as HTML in one call; makes those that owe
    /// components straight away.
    fn write_up_to(&self, ul: &Element, shown: usize) {
        let from = self.written.get();
        if shown <= from {
            return;
        }
        let mut html = String::with_capacity((shown - from) * CARD_BYTES);
        let mut owing = Vec::new();
        for (index, subscription) in self.subscriptions[from..shown].iter().enumerate() {
            if subscription.status.owes_payment() {
                owing.push(from + index);
                html.push_str("<li></li>");
                continue;
            }
            push_card(
                &mut html,
                &CardFacts {
                    subscription,
                    allowed: self.allowed.as_deref(),
                    merchant: &self.merchant,
                    show_reference: self.look_alike.contains(&subscription.id),
                },
            );
        }
        let _ = ul.insert_adjacent_html("beforeend", &html);
        self.written.set(shown);
        for index in owing {
            self.make_live(ul, index);
        }
    }

    /// Replaces the card at `index` with a `SubscriptionCard`; answers it.
    fn make_live(&self, ul: &Element, index: usize) -> Option<Element> {
        let written = ul.children().item(u32::try_from(index).ok()?)?;
        let subscription = self.subscriptions.get(index)?.clone();
        let show_reference = self.look_alike.contains(&subscription.id);
        let (allowed, merchant) = (self.allowed.clone(), Arc::clone(&self.merchant));
        let make = move || {
            view! { <SubscriptionCard subscription allowed merchant show_reference/> }
                .into_any()
                .build()
        };
        let mut state = match &self.owner {
            Some(owner) => owner.with(make),
            None => make(),
        };
        state.mount(ul, Some(written.as_ref()));
        let live = written.previous_element_sibling()?;
        // A deep link's mark stays with its card.
        if written.class_list().contains("targeted") {
            let _ = live.class_list().add_1("targeted");
        }
        written.remove();
        if let Some(place) = self.live.borrow_mut().get_mut(index) {
            *place = Some(state);
        }
        Some(live)
    }

    /// A click in the list: on a written card's button or invoices, the card is
    /// made a component and the same control in it gets the focus and the click.
    fn touched(&self, ul: &Element, event: &leptos::ev::MouseEvent) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Ok(Some(control)) = target.closest("button[data-testid]") else {
            return;
        };
        let Ok(Some(card)) = control.closest("li[data-testid='subscription']") else {
            return;
        };
        let children = ul.children();
        let Some(index) = (0..children.length())
            .find(|&i| children.item(i).as_ref() == Some(&card))
            .and_then(|i| usize::try_from(i).ok())
        else {
            return;
        };
        if self.live.borrow().get(index).is_none_or(Option::is_some) {
            return;
        }
        // The written control does nothing itself: the component's does.
        event.prevent_default();
        let Some(test_id) = control.get_attribute("data-testid") else {
            return;
        };
        let Some(live) = self.make_live(ul, index) else {
            return;
        };
        let same = live
            .query_selector(&format!("[data-testid='{test_id}']"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        if let Some(same) = same {
            let _ = same.focus();
            // Once this handler has returned: the click bubbles to this list
            // again, and a handler may not run inside itself.
            queue_microtask(move || same.click());
        }
    }
}
