//! One merchant's subscriptions under its name.
use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::{PortalAction, PortalMerchantGroup};

use super::card::SubscriptionCard;

#[component]
pub fn MerchantSection(
    group: PortalMerchantGroup,
    /// Subscriptions whose cards must show their reference to be told apart.
    look_alike: Arc<HashSet<String>>,
) -> impl IntoView {
    let heading_id = format!("merchant-{}", group.tenant_id);
    let labelled_by = heading_id.clone();
    // Shared by the group's cards: each holds what it renders, not the group.
    let allowed: Option<Arc<[PortalAction]>> = group.actions.map(Arc::from);
    let merchant: Arc<str> = Arc::from(group.merchant_name.as_str());
    let cards = group
        .subscriptions
        .into_iter()
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
        })
        .collect_view();
    view! {
        <section class="merchant" aria-labelledby=labelled_by data-testid="merchant">
            <h2 id=heading_id class="merchant-name">{group.merchant_name}</h2>
            <ul class="cards" role="list">{cards}</ul>
        </section>
    }
}
