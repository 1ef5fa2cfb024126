//! The list by merchant, and the states around it: loading, failed, empty.
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

use super::merchant_section::MerchantSection;
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

/// Cards shown at once (about a screen's worth), then cards added a task at a
/// time: written as HTML, 300 cards are one call of ~12 ms (as components, 100
/// were ~30 ms).
const FIRST_CARDS: usize = 12;
const MORE_CARDS: usize = 300;
/// An account (or one merchant) with more cards than this lays out only the
/// merchants (cards) near the screen.
pub const MANY_CARDS: usize = 100;

/// How many cards are on the page after each step: `FIRST_CARDS`, then
/// `MORE_CARDS` more each time, across merchants and within a big one.
pub fn steps(cards: usize) -> Vec<usize> {
    let mut marks = vec![cards.min(FIRST_CARDS)];
    while marks[marks.len() - 1] < cards {
        marks.push((marks[marks.len() - 1] + MORE_CARDS).min(cards));
    }
    marks
}

/// A big account appears in steps, each its own task, so the page answers input
/// between them and focusing the heading lays out a short page, not a thousand cards.
#[component]
pub fn SubscriptionList(groups: Vec<PortalMerchantGroup>) -> impl IntoView {
    let look_alike = Arc::new(look_alike(&groups));
    // Where each merchant's cards start in the whole list, and how many it has.
    let spans: Arc<[(usize, usize)]> = groups
        .iter()
        .scan(0, |next, group| {
            let span = (*next, group.subscriptions.len());
            *next += span.1;
            Some(span)
        })
        .collect();
    let total: usize = spans.iter().map(|span| span.1).sum();
    // Only a big account skips laying out the merchants off screen: a small one
    // lays out whole, so a jump to a merchant finds it drawn at once.
    let merchants_class = if total > MANY_CARDS {
        "merchants many"
    } else {
        "merchants"
    };
    let marks = steps(total);
    let last_step = marks.len() - 1;
    let step = RwSignal::new(0usize);
    let cards_shown = Signal::derive(move || marks[step.get()]);
    // Each merchant's group is handed to its section once, when the section is made.
    let groups = StoredValue::new(groups.into_iter().map(Some).collect::<Vec<_>>());
    Effect::new(move |_| {
        let now = step.get();
        if now < last_step {
            set_timeout(move || step.set(now + 1), std::time::Duration::ZERO);
        }
    });
    let sections = {
        let spans = spans.clone();
        move || {
            let shown = cards_shown.get();
            // A merchant appears with its first card.
            let count = spans
                .iter()
                .take_while(|&&(start, len)| start < shown || (len == 0 && start <= shown))
                .count();
            0..count
        }
    };
    view! {
        <div class=merchants_class>
            <For each=sections key=|index| *index let:index>
                {groups
                    .try_update_value(|groups| groups[index].take())
                    .flatten()
                    .map(|group| {
                        let start = spans[index].0;
                        let cards_shown = Signal::derive(move || {
                            cards_shown.get().saturating_sub(start)
                        });
                        view! {
                            <MerchantSection group look_alike=look_alike.clone() cards_shown/>
                        }
                    })}
            </For>
        </div>
    }
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
    fn a_big_account_comes_in_steps_of_three_hundred_cards_after_a_screenful() {
        let marks = steps(1000);
        assert_eq!(marks, [12, 312, 612, 912, 1000]);
        // A small account comes at once.
        assert_eq!(steps(5), [5]);
        assert_eq!(steps(0), [0]);
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
