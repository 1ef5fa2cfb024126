//! One subscription: what it is, where it stands, what it asks, what it offers.
//! What never changes (plan, price, mode, reference) is plain text; what an action
//! changes is one block made again when it does, so a card costs little to make.
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::{Mode, PortalAction, PortalSubscription};
use portal_core::lifecycle::State;

use super::card_act::{CardActs, CardState, Note};
use super::card_actions::CardActions;
use super::confirm_cancel::ConfirmCancel;
use super::invoices::{Billed, Invoices};
use super::pay_due::PayDue;
use crate::{messages, AppContext};

#[component]
pub fn SubscriptionCard(
    subscription: PortalSubscription,
    /// What the merchant lets the portal do; `None`: its group lists nothing, so
    /// the status decides and the server has the last word.
    allowed: Option<Arc<[PortalAction]>>,
    #[prop(into)] merchant: Arc<str>,
    /// Another card would read the same: show this one's reference.
    #[prop(optional)]
    show_reference: bool,
) -> impl IntoView {
    let acts =
        use_context::<CardActs>().unwrap_or_else(|| CardActs::new(expect_context::<AppContext>()));
    let id = subscription.id.clone();
    let plan = messages::plan_name(&subscription);
    let price = subscription.plan.as_deref().map(messages::price_line);
    let is_test = subscription.mode == Some(Mode::Test);
    let reference = show_reference.then(|| subscription.id.clone());
    let billed = Billed {
        merchant: merchant.clone(),
        plan: plan.clone(),
        mode: subscription.path_mode(),
        id: subscription.id.clone(),
    };
    let card = CardState::new(subscription);
    let pending = card.busy;
    let note = move |done: bool| {
        card.note.with(|note| match note {
            Some(Note::Done(text)) if done => text.clone(),
            Some(Note::Problem(text)) if !done => text.clone(),
            _ => String::new(),
        })
    };

    view! {
        <li class="sub-card" data-testid="subscription" data-id=id>
            <div class="sub-head">
                <h3 class="plan-name" data-testid="plan-name" tabindex="-1" node_ref=card.heading>
                    {plan}
                </h3>
                <div class="badges">
                    {is_test.then(|| view! { <span class="badge test" data-testid="test-badge">"Test"</span> })}
                    {move || {
                        let (label, tone) = card.current.with(|s| messages::status_badge(&State::of(s)));
                        view! { <span class=format!("badge {tone}") data-testid="status">{label}</span> }
                    }}
                </div>
            </div>
            {match price {
                Some(line) => view! { <p class="price" data-testid="price">{line}</p> }.into_any(),
                None => view! { <p class="price muted" data-testid="price">{messages::NO_PLAN}</p> }.into_any(),
            }}
            {move || card.current.with(|s| {
                let period = messages::period_line(s).map(|line| view! { <p class="period" data-testid="period">{line}</p> });
                // What is owed is paid here; the card's guidance says the rest.
                let guidance = if s.status.owes_payment() {
                    let subject = messages::subject(s, show_reference);
                    view! { <PayDue card merchant=merchant.clone() subject/> }.into_any()
                } else {
                    messages::guidance(&s.status, &merchant)
                        .map(|text| view! { <p class="guidance" data-testid="guidance">{text}</p> })
                        .into_any()
                };
                (period, guidance)
            })}
            {reference.map(|id| view! { <p class="reference muted" data-testid="reference">"Ref. " {id}</p> })}
            <Invoices
                billed
                subject=Signal::derive(move || {
                    card.current.with(|s| messages::subject(s, show_reference))
                })
            />
            <p class="action-status" role="status" data-testid="action-done">{move || note(true)}</p>
            <p class="field-error" role="alert" data-testid="action-error">{move || note(false)}</p>
            {move || {
                if card.confirming.get() {
                    view! {
                        <ConfirmCancel
                            question=card.current.with_untracked(messages::confirm_cancel)
                            pending=Signal::derive(move || pending.with(Option::is_some))
                            on_yes=move |()| acts.dispatch(card, PortalAction::Cancel)
                            on_no=move |()| {
                                card.confirming.set(false);
                                card.focus_heading();
                            }
                        />
                    }
                        .into_any()
                } else {
                    let (state, subject) = card.current.with(|s| (State::of(s), messages::subject(s, show_reference)));
                    let offers = card.refused.with(|refused| {
                        state
                            .offers(allowed.as_deref())
                            .into_iter()
                            .filter(|offer| !refused.contains(&offer.action))
                            .collect::<Vec<_>>()
                    });
                    view! {
                        <CardActions
                            offers
                            state
                            subject
                            pending
                            on_act=move |action| acts.dispatch(card, action)
                            on_cancel=move |()| card.confirming.set(true)
                        />
                    }
                        .into_any()
                }
            }}
        </li>
    }
}
