//! The subscriptions page: every subscription of the signed-in address, by merchant.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;

mod card;
mod card_act;
mod card_actions;
mod card_html;
mod confirm_cancel;
mod invoices;
mod list;
mod merchant_section;
mod pay_due;
mod target;

pub use card::SubscriptionCard;
pub use card_html::{push_card, CardFacts};
pub use list::LoadingSkeleton;
use list::{EmptyState, LoadError, SubscriptionList};

use super::AccountBar;
use crate::route::Route;
use crate::{messages, AppContext};

/// The list, or why it could not be read.
type Loaded = Result<Vec<PortalMerchantGroup>, String>;

#[component]
pub fn SubscriptionsPage(
    /// Straight from sign-in, the list it brought: shown without asking again.
    #[prop(default = None)]
    fresh: Option<Vec<PortalMerchantGroup>>,
) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let session = context.session();
    let Some(signed_in) = session.get_untracked() else {
        context.redirect(Route::SignIn);
        return view! { <p class="card">"Redirecting to sign-in\u{2026}"</p> }.into_any();
    };
    // However the session ends (signing out, a 401 from any request here), the
    // page leaves for sign-in, where the notice says why.
    let leave = context.clone();
    Effect::new(move |_| {
        if session.get().is_none() {
            leave.go(Route::SignIn);
        }
    });

    let name = signed_in.name.unwrap_or(signed_in.email);
    // Straight from sign-in, the list is the sign-in's answer; otherwise it loads.
    let load = Action::new_unsync_with_value(fresh.map(Ok), {
        let context = context.clone();
        move |token: &String| {
            let (context, token) = (context.clone(), token.clone());
            async move {
                let answer = context.api.subscriptions(&token).await;
                if answer.as_ref().is_err_and(|error| error.is_unauthorized()) {
                    context.session_ended();
                }
                answer
                    .map(|answer| answer.merchants)
                    .map_err(|error| messages::request_problem(&error))
            }
        }
    });
    let refresh = Callback::new(move |()| {
        if let Some(current) = session.get_untracked() {
            load.dispatch(current.token);
        }
    });
    if load.value().with_untracked(Option::is_none) {
        refresh.run(());
    }
    // Every card's actions go through one action, made here once.
    provide_context(card_act::CardActs::new(context.clone()));
    let sign_out = Callback::new(move |()| context.sign_out());
    let loading = load.pending();
    // A deep link's subscription, once the list is here (the first time only).
    let missing = RwSignal::new(None::<String>);
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        load.value().with(|loaded| match loaded {
            Some(Ok(groups)) => {
                missing.set(target::go_to_target(groups));
                true
            }
            _ => false,
        })
    });

    view! {
        <div class="wide stack-lg" data-testid="subscriptions-page">
            <AccountBar title="Your subscriptions" name refreshing=loading on_refresh=refresh on_sign_out=sign_out/>
            {move || {
                missing
                    .get()
                    .map(|id| {
                        view! {
                            <p class="notice" role="status" data-testid="target-missing">
                                {messages::target_missing(&id)}
                            </p>
                        }
                    })
            }}
            {move || {
                load.value()
                    .with(|loaded: &Option<Loaded>| match loaded {
                        None => view! { <LoadingSkeleton/> }.into_any(),
                        Some(Err(message)) => {
                            view! { <LoadError message=message.clone() retrying=loading on_retry=refresh/> }
                                .into_any()
                        }
                        Some(Ok(groups)) if groups.is_empty() => {
                            view! { <EmptyState on_sign_out=sign_out/> }.into_any()
                        }
                        Some(Ok(groups)) => view! { <SubscriptionList groups=groups.clone()/> }.into_any(),
                    })
            }}
        </div>
    }
    .into_any()
}

/// What the account app's warm-up and `rehearse_list` show: a few subscriptions
/// in states whose cards differ, none owing a payment (such a card is made a
/// component at once, and asks the server what is due).
pub(crate) const MADE_UP: &str = r#"[
 {"tenantId": "warm-a", "merchantName": "A", "actions": ["cancel", "pause", "resume"], "subscriptions": [
  {"id": "a1", "mode": "live", "status": "active", "currentPeriodEnd": "2026-12-01T00:00:00Z",
   "plan": {"id": "p", "name": "Box", "amount": 150000, "currency": "NGN", "interval": "month", "intervalCount": 1}},
  {"id": "a2", "mode": "test", "status": "trialing", "currentPeriodEnd": "2026-12-02T00:00:00Z",
   "plan": {"id": "q", "name": "Box", "amount": 990, "currency": "USD", "interval": "year", "intervalCount": 1}},
  {"id": "a3", "status": "paused", "cancelAtPeriodEnd": true}]},
 {"tenantId": "warm-b", "merchantName": "B", "subscriptions": [
  {"id": "b1", "mode": "live", "status": "canceled", "currentPeriodEnd": "2026-11-01T00:00:00Z"}]}
]"#;

/// Reads the made-up list `reads` times and writes each copy's cards as HTML,
/// as a big account's list is read and written, then drops it all: nothing is
/// seen or kept but the dates it formats. Returns how many cards it wrote.
///
/// V8 first runs a wasm function as its baseline compiler made it, and makes
/// it optimized code only once it has run a while. A big account's list, read
/// and written the first time, ran almost all on baseline code: a thousand
/// cards rehearsed while the code is typed (`account_app::start`, a hundred a
/// task) leave the reader and the writer optimized for the real list.
pub fn rehearse_list(reads: usize) -> usize {
    let mut cards = 0;
    for _ in 0..reads {
        // As bytes, as the real list is read.
        let Ok(groups) = serde_json::from_slice::<Vec<PortalMerchantGroup>>(MADE_UP.as_bytes())
        else {
            return cards;
        };
        cards += groups.iter().map(|g| g.subscriptions.len()).sum::<usize>();
        let look_alike = std::sync::Arc::new(list::look_alike(&groups));
        let html = merchant_section::Sections::new(groups, look_alike).all_html();
        drop(std::hint::black_box(html));
    }
    cards
}

#[cfg(test)]
mod tests {
    use portal_core::api::SubscriptionStatus;

    use super::*;

    #[test]
    fn the_made_up_list_reads_and_holds_cards_that_differ_none_owing() {
        let groups: Vec<PortalMerchantGroup> = serde_json::from_slice(MADE_UP.as_bytes()).unwrap();
        let statuses: Vec<SubscriptionStatus> = groups
            .iter()
            .flat_map(|g| g.subscriptions.iter().map(|s| s.status.clone()))
            .collect();
        assert_eq!(
            statuses,
            [
                SubscriptionStatus::Active,
                SubscriptionStatus::Trialing,
                SubscriptionStatus::Paused,
                SubscriptionStatus::Canceled
            ]
        );
        assert!(!statuses.iter().any(SubscriptionStatus::owes_payment));
        assert!(groups[0].actions.is_some() && groups[1].actions.is_none());
    }
}
