//! The merchants' sections and their cards, written as HTML.
//!
//! A thousand cards made as components took ~0.3 ms each (a score of DOM calls
//! across the wasm boundary and a dozen reactive nodes), a third of a second for
//! a big account; a merchant's section made as a component took ~0.2 ms. So a
//! section and its cards go on the page as HTML (`card_html`), parsed by the
//! browser in one call per step, and a card becomes a `SubscriptionCard` when it
//! is first used: its button or its invoices clicked (by pointer or keyboard),
//! which the new card then receives, focus included. A card that owes is made a
//! component at once: it asks the server what is due.
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use leptos::tachys::view::{Mountable, Render};
use portal_core::api::{PortalAction, PortalMerchantGroup, PortalSubscription};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use super::card::SubscriptionCard;
use super::card_html::{push_card, push_escaped, CardFacts};
use super::list::MANY_CARDS;

/// About what one card's HTML takes (the demo's run 1.0–1.4 KB).
const CARD_BYTES: usize = 1400;

/// Every merchant's section, in order, and how far they are written: the list's
/// element holds the sections (`<section>`: heading, then the cards' `<ul>`) and
/// nothing else, so a section's place among its children is its merchant's.
pub struct Sections {
    merchants: Vec<Merchant>,
    look_alike: Arc<HashSet<String>>,
    /// The list's owner: a card made later belongs to it, and finds the shared
    /// action and the app's context through it.
    owner: Option<Owner>,
    /// Where writing stopped: the merchant, and how many of its cards are written.
    next: Cell<(usize, usize)>,
}

/// One merchant's subscriptions, and which cards are components yet.
struct Merchant {
    tenant_id: String,
    name: Arc<str>,
    subscriptions: Vec<PortalSubscription>,
    /// Shared by the group's cards: each holds what it renders, not the group.
    allowed: Option<Arc<[PortalAction]>>,
    /// By position (the section's list holds the cards, in order): the view of
    /// each card made a component.
    live: RefCell<Vec<Option<AnyViewState>>>,
}

impl Sections {
    pub fn new(groups: Vec<PortalMerchantGroup>, look_alike: Arc<HashSet<String>>) -> Self {
        let merchants = groups
            .into_iter()
            .map(|group| Merchant {
                live: RefCell::new((0..group.subscriptions.len()).map(|_| None).collect()),
                tenant_id: group.tenant_id,
                name: Arc::from(group.merchant_name),
                subscriptions: group.subscriptions,
                allowed: group.actions.map(Arc::from),
            })
            .collect();
        Self {
            merchants,
            look_alike,
            owner: Owner::current(),
            next: Cell::new((0, 0)),
        }
    }

    /// Every section and card is on the page.
    pub fn done(&self) -> bool {
        self.next.get().0 >= self.merchants.len()
    }

    /// Cards not yet written.
    pub fn left(&self) -> usize {
        let (merchant, written) = self.next.get();
        let rest: usize = self
            .merchants
            .iter()
            .skip(merchant)
            .map(|m| m.subscriptions.len())
            .sum();
        rest.saturating_sub(written)
    }

    /// Writes up to `count` more cards into `list`: the rest of the merchant
    /// writing stopped in, then new sections (a merchant appears with its first
    /// card; one without subscriptions, with the card after it). Two calls at
    /// most; the cards that owe are made components straight away.
    pub fn write(&self, list: &Element, count: usize) {
        let (mut merchant, mut written) = self.next.get();
        let mut left = count;
        let mut owing = Vec::new();
        // A big merchant's cards come in steps: the rest go into its list.
        if written > 0 {
            if let Some(m) = self.merchants.get(merchant) {
                let upto = (written + left).min(m.subscriptions.len());
                let mut html = String::with_capacity((upto - written) * CARD_BYTES);
                self.push_cards(&mut html, merchant, written..upto, &mut owing);
                if let Some(ul) = cards_of(list, merchant) {
                    let _ = ul.insert_adjacent_html("beforeend", &html);
                }
                left -= upto - written;
                (merchant, written) = after(merchant, upto, m.subscriptions.len());
            }
        }
        let mut html = String::with_capacity(left * CARD_BYTES);
        while written == 0 {
            let Some(m) = self.merchants.get(merchant) else {
                break;
            };
            let total = m.subscriptions.len();
            if left == 0 && total > 0 {
                break;
            }
            let upto = left.min(total);
            self.push_section(&mut html, merchant, upto, &mut owing);
            left -= upto;
            (merchant, written) = after(merchant, upto, total);
        }
        if !html.is_empty() {
            let _ = list.insert_adjacent_html("beforeend", &html);
        }
        self.next.set((merchant, written));
        for (merchant, index) in owing {
            if let Some(ul) = cards_of(list, merchant) {
                self.make_live(&ul, merchant, index);
            }
        }
    }

    fn push_cards(
        &self,
        html: &mut String,
        merchant: usize,
        range: std::ops::Range<usize>,
        owing: &mut Vec<(usize, usize)>,
    ) {
        let m = &self.merchants[merchant];
        for index in range {
            let subscription = &m.subscriptions[index];
            if subscription.status.owes_payment() {
                owing.push((merchant, index));
                html.push_str("<li></li>");
                continue;
            }
            push_card(
                html,
                &CardFacts {
                    subscription,
                    allowed: m.allowed.as_deref(),
                    merchant: &m.name,
                    show_reference: self.look_alike.contains(&subscription.id),
                },
            );
        }
    }

    /// Every section with all its cards, as `write` would put them on the page,
    /// into a string instead: what a rehearsal writes (`super::rehearse_list`).
    pub fn all_html(&self) -> String {
        let cards: usize = self.merchants.iter().map(|m| m.subscriptions.len()).sum();
        let mut html = String::with_capacity(cards * CARD_BYTES);
        let mut owing = Vec::new();
        for (index, merchant) in self.merchants.iter().enumerate() {
            self.push_section(&mut html, index, merchant.subscriptions.len(), &mut owing);
        }
        html
    }

    /// A merchant's section with its first `cards` cards (the rest go into its
    /// list later, `write`).
    fn push_section(
        &self,
        html: &mut String,
        merchant: usize,
        cards: usize,
        owing: &mut Vec<(usize, usize)>,
    ) {
        push_section_start(html, &self.merchants[merchant]);
        self.push_cards(html, merchant, 0..cards, owing);
        html.push_str("</ul></section>");
    }

    /// Replaces the card at `index` of a merchant's list with a
    /// `SubscriptionCard`; answers it.
    fn make_live(&self, ul: &Element, merchant: usize, index: usize) -> Option<Element> {
        let m = self.merchants.get(merchant)?;
        let written = ul.children().item(u32::try_from(index).ok()?)?;
        let subscription = m.subscriptions.get(index)?.clone();
        let show_reference = self.look_alike.contains(&subscription.id);
        let (allowed, name) = (m.allowed.clone(), Arc::clone(&m.name));
        let make = move || {
            view! { <SubscriptionCard subscription allowed merchant=name show_reference/> }
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
        if let Some(place) = m.live.borrow_mut().get_mut(index) {
            *place = Some(state);
        }
        Some(live)
    }

    /// A click in the list: on a written card's button or invoices, the card is
    /// made a component and the same control in it gets the focus and the click.
    pub fn touched(&self, list: &Element, event: &leptos::ev::MouseEvent) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Ok(Some(control)) = target.closest("button[data-testid]") else {
            return;
        };
        let Ok(Some(card)) = control.closest("li[data-testid='subscription']") else {
            return;
        };
        let Some(ul) = card.parent_element() else {
            return;
        };
        let Some(section) = ul.parent_element() else {
            return;
        };
        let (Some(merchant), Some(index)) = (place_in(list, &section), place_in(&ul, &card)) else {
            return;
        };
        let is_written = self
            .merchants
            .get(merchant)
            .is_some_and(|m| m.live.borrow().get(index).is_some_and(Option::is_none));
        if !is_written {
            return;
        }
        // The written control does nothing itself: the component's does.
        event.prevent_default();
        let Some(test_id) = control.get_attribute("data-testid") else {
            return;
        };
        let Some(live) = self.make_live(&ul, merchant, index) else {
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

/// Where writing stands once `upto` of the `total` cards of `merchant` are
/// written: the next merchant when that was all of them.
fn after(merchant: usize, upto: usize, total: usize) -> (usize, usize) {
    if upto == total {
        (merchant + 1, 0)
    } else {
        (merchant, upto)
    }
}

/// The `<ul>` of the merchant's section, once written.
fn cards_of(list: &Element, merchant: usize) -> Option<Element> {
    list.children()
        .item(u32::try_from(merchant).ok()?)?
        .last_element_child()
}

/// Where `child` is among `parent`'s elements.
fn place_in(parent: &Element, child: &Element) -> Option<usize> {
    let children = parent.children();
    (0..children.length())
        .find(|&i| children.item(i).as_ref() == Some(child))
        .and_then(|i| usize::try_from(i).ok())
}

/// A section's heading and the opening of its list: the heading names the
/// section (`aria-labelledby`), so a screen reader lists it as a region.
fn push_section_start(html: &mut String, merchant: &Merchant) {
    html.push_str("<section class=\"merchant\" aria-labelledby=\"merchant-");
    push_escaped(html, &merchant.tenant_id);
    html.push_str("\" data-testid=\"merchant\"><h2 id=\"merchant-");
    push_escaped(html, &merchant.tenant_id);
    html.push_str("\" class=\"merchant-name\">");
    push_escaped(html, &merchant.name);
    // Only a merchant with many cards skips laying out the ones off screen: a
    // small one lays out whole (no placeholders).
    html.push_str(if merchant.subscriptions.len() > MANY_CARDS {
        "</h2><ul class=\"cards many\" role=\"list\">"
    } else {
        "</h2><ul class=\"cards\" role=\"list\">"
    });
}
