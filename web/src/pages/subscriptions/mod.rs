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
