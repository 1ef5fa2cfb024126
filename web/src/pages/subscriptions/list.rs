//! The list by merchant, and the states around it: loading, failed, empty.
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

use super::merchant_section::Sections;
use crate::messages;

/// What a card shows that tells one subscription from another: its merchant's
/// heading, plan name, mode, period end.
type Looks<'a> = (usize, Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// The subscriptions that a person could not tell apart by what their cards show
/// (under the same merchant, the same plan name, mode and period end): their
/// cards show their reference.
pub fn look_alike(groups: &[PortalMerchantGroup]) -> HashSet<String> {
    let mut seen: HashMap<Looks, Vec<&str>> = HashMap::new();
    let cards = groups
        .iter()
        .enumerate()
        .flat_map(|(merchant, g)| g.subscriptions.iter().map(move |s| (merchant, s)));
    for (merchant, subscription) in cards {
        let key = (
            merchant,
            subscription.plan.as_ref().map(|p| p.name.as_str()),
            subscription.mode.as_ref().map(|m| m.as_str()),
            subscription.current_period_end.as_deref(),
        );
        seen.entry(key).or_default().push(&subscription.id);
    }
    seen.into_values()
        .filter(|ids| ids.len() > 1)
        .flatten()
        .map(str::to_string)
        .collect()
}

/// Cards written with the page (about a screen's worth, so the heading's focus
/// lays out a short page), then the rest a task at a time, each task as many
/// cards as this device writes in about `STEP_MS`: the page answers input
/// between them. Written as HTML, 300 cards take ~20 ms here at full speed and
/// ~80 ms on a CPU four times slower, so a fixed count was either many tasks on
/// a fast machine or long ones on a slow phone.
const FIRST_CARDS: usize = 12;
/// The first step after the page, before this device's pace is known.
const PROBE_CARDS: usize = 100;
/// What a step may take; the frame after it lays out what it wrote.
const STEP_MS: f64 = 25.0;
/// A step never shrinks below this, however slow the last one was (a tab in
/// the background runs its timers late), nor grows more than `MOST_GROWTH`
/// times over the last.
const LEAST_CARDS: usize = 25;
const MOST_GROWTH: usize = 8;
/// An account (or one merchant) with more cards than this lays out only the
/// merchants (cards) near the screen.
pub const MANY_CARDS: usize = 100;

/// How many cards the step after one of `cards` cards that took `took_ms`
/// writes, with `left` still to write: as many as fit in `STEP_MS` at that pace,
/// and the rest too when they are under a quarter of that (a step of a few cards
/// at the end would cost a task and a frame for nothing).
pub fn next_step(cards: usize, took_ms: f64, left: usize) -> usize {
    let fits = fitting(cards, took_ms);
    if left <= fits + fits / 4 {
        left
    } else {
        fits
    }
}

fn fitting(cards: usize, took_ms: f64) -> usize {
    let most = cards.saturating_mul(MOST_GROWTH).max(LEAST_CARDS);
    // Too quick for the clock to see (or no clock): as many as may grow.
    let fits = if took_ms > 0.0 {
        STEP_MS * cards as f64 / took_ms
    } else {
        f64::INFINITY
    };
    // `as` saturates (infinity is usize::MAX).
    (fits as usize).clamp(LEAST_CARDS, most)
}

/// A big account appears in steps, each its own task (see `next_step`).
#[component]
pub fn SubscriptionList(groups: Vec<PortalMerchantGroup>) -> impl IntoView {
    let look_alike = Arc::new(look_alike(&groups));
    let total: usize = groups.iter().map(|g| g.subscriptions.len()).sum();
    // Only a big account skips laying out the merchants off screen: a small one
    // lays out whole, so a jump to a merchant finds it drawn at once.
    let merchants_class = if total > MANY_CARDS {
        "merchants many"
    } else {
        "merchants"
    };
    let sections = Rc::new(Sections::new(groups, look_alike));
    let list = NodeRef::<html::Div>::new();
    Effect::new({
        let sections = Rc::clone(&sections);
        // Once, as soon as the list's element is there (it tracks the node ref).
        move |started: Option<bool>| {
            if started == Some(true) {
                return true;
            }
            let Some(list) = list.get() else {
                return false;
            };
            sections.write(&list, FIRST_CARDS);
            take_step(Rc::clone(&sections), list.into(), PROBE_CARDS);
            true
        }
    });
    let touched = move |event: leptos::ev::MouseEvent| {
        if let Some(list) = list.get_untracked() {
            sections.touched(&list, &event);
        }
    };
    view! { <div class=merchants_class node_ref=list on:click=touched></div> }
}

/// Writes the next `cards` cards in a task of its own, then schedules the next
/// step, sized by how long this one took. Stops once all are written, or when
/// the list has left the page (a refresh made another).
fn take_step(sections: Rc<Sections>, list: web_sys::Element, cards: usize) {
    if sections.done() {
        return;
    }
    set_timeout(
        move || {
            if !list.is_connected() {
                return;
            }
            let clock = window().performance();
            let now = || clock.as_ref().map_or(0.0, web_sys::Performance::now);
            let started = now();
            sections.write(&list, cards);
            let next = next_step(cards, now() - started, sections.left());
            take_step(sections, list, next);
        },
        std::time::Duration::ZERO,
    );
}

#[component]
pub fn LoadingSkeleton() -> impl IntoView {
    // The sign-in app shows the same skeleton while the account app loads.
    view! {
        <div
            class="merchants"
            aria-busy="true"
            data-testid="loading"
            inner_html=crate::chrome::skeleton_inner()
        ></div>
    }
}

#[component]
pub fn LoadError(
    message: String,
    #[prop(into)] retrying: Signal<bool>,
    #[prop(into)] on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="card stack" role="alert" data-testid="load-error">
            <p>{message}</p>
            <button
                type="button"
                class="button primary"
                aria-busy=move || retrying.get().then_some("true")
                on:click=move |_| on_retry.run(())
            >
                "Try again"
            </button>
        </section>
    }
}

#[component]
pub fn EmptyState(#[prop(into)] on_sign_out: Callback<()>) -> impl IntoView {
    view! {
        <section class="card stack empty" data-testid="empty">
            <h2>{messages::NO_SUBSCRIPTIONS}</h2>
            <p class="muted">{messages::OTHER_ADDRESS_HINT}</p>
            <button type="button" class="button secondary" on:click=move |_| on_sign_out.run(())>
                "Use another address"
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_step_holds_as_many_cards_as_this_device_writes_in_its_time() {
        let many = 10_000;
        // 100 cards in 5 ms: 500 fit in 25 ms.
        assert_eq!(next_step(100, 5.0, many), 500);
        // A device four times slower: a quarter as many.
        assert_eq!(next_step(100, 20.0, many), 125);
        // A step never grows more than eightfold on one measure...
        assert_eq!(next_step(100, 0.5, many), 800);
        // ...nor shrinks to nothing when a step ran late (a tab in the background).
        assert_eq!(next_step(100, 1000.0, many), 25);
        // A clock that saw no time: grow as far as allowed.
        assert_eq!(next_step(100, 0.0, many), 800);
        assert_eq!(next_step(100, f64::NAN, many), 800);
        assert_eq!(next_step(0, 0.0, many), 25);
    }

    #[test]
    fn the_last_few_cards_come_with_the_step_before_them() {
        // 500 fit: 700 left is more than a quarter over that, 620 is not.
        assert_eq!(next_step(100, 5.0, 700), 500);
        assert_eq!(next_step(100, 5.0, 620), 620);
        assert_eq!(next_step(100, 5.0, 40), 40);
    }

    #[test]
    fn only_cards_that_read_the_same_show_their_reference() {
        let groups: Vec<PortalMerchantGroup> = serde_json::from_value(json!([
            {"tenantId": "t", "merchantName": "M", "subscriptions": [
                {"id": "a", "mode": "live", "status": "active", "currentPeriodEnd": "2026-12-01T00:00:00Z",
                 "plan": {"id": "p", "name": "Box", "amount": 1, "interval": "month"}},
                {"id": "b", "mode": "live", "status": "paused", "currentPeriodEnd": "2026-12-01T00:00:00Z",
                 "plan": {"id": "p", "name": "Box", "amount": 1, "interval": "month"}},
                {"id": "c", "mode": "test", "status": "active", "currentPeriodEnd": "2026-12-01T00:00:00Z",
                 "plan": {"id": "p", "name": "Box", "amount": 1, "interval": "month"}},
                {"id": "d", "mode": "live", "status": "active", "currentPeriodEnd": "2027-01-01T00:00:00Z",
                 "plan": {"id": "p", "name": "Box", "amount": 1, "interval": "month"}}
            ]},
            // Under another merchant's heading, the same plan and date read differently.
            {"tenantId": "u", "merchantName": "N", "subscriptions": [
                {"id": "e", "mode": "live", "status": "active", "currentPeriodEnd": "2026-12-01T00:00:00Z",
                 "plan": {"id": "p", "name": "Box", "amount": 1, "interval": "month"}}
            ]}
        ]))
        .unwrap();
        let mut shown: Vec<String> = look_alike(&groups).into_iter().collect();
        shown.sort();
        assert_eq!(shown, ["a", "b"]);
    }
}
