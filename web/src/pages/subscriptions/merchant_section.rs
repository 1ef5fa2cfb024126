//! One merchant's subscriptions under its name.
use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::{PortalAction, PortalMerchantGroup};

use super::card::SubscriptionCard;
use super::list::MORE_CARDS;

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
    // Shared by the group's cards: each holds what it renders, not the group.
    let allowed: Option<Arc<[PortalAction]>> = group.actions.map(Arc::from);
    let merchant: Arc<str> = Arc::from(group.merchant_name.as_str());
    let total = group.subscriptions.len();
    // Only a merchant with more cards than a step skips laying out the ones off
    // screen: a small one lays out whole, as it always did (no placeholders).
    let cards_class = if total > MORE_CARDS {
        "cards many"
    } else {
        "cards"
    };
    // Each subscription is handed to its card once, when the card is made.
    let subscriptions = StoredValue::new(
        group
            .subscriptions
            .into_iter()
            .map(Some)
            .collect::<Vec<_>>(),
    );
    let cards = view! {
        <For each=move || 0..cards_shown.get().min(total) key=|index| *index let:index>
            {subscriptions
                .try_update_value(|subscriptions| subscriptions[index].take())
                .flatten()
                .map(|subscription| {
                    let show_reference = look_alike.contains(&subscription.id);
                    view! {
                        <SubscriptionCard
                            subscription
                            allowed=allowed.clone()
                            merchant=merchant.clone()
                            show_reference
                        />
                    }
                })}
        </For>
    };
    view! {
        <section class="merchant" aria-labelledby=labelled_by data-testid="merchant">
            <h2 id=heading_id class="merchant-name">{group.merchant_name}</h2>
            <ul class=cards_class role="list">{cards}</ul>
        </section>
    }
}
