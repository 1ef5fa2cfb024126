//! One subscription: what it is, where it stands, what it asks, what it offers.
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use portal_core::api::{
    ErrorCode, Mode, PortalAction, PortalSubscription, PortalSubscriptionAction,
};
use portal_core::lifecycle::{Change, State};

use super::card_actions::CardActions;
use super::confirm_cancel::ConfirmCancel;
use crate::{messages, AppContext};

/// What a card keeps: the subscription as the server last said, and what the
/// last action did or why it did not happen.
#[derive(Clone, Copy)]
struct CardState {
    current: RwSignal<PortalSubscription>,
    done: RwSignal<Option<String>>,
    problem: RwSignal<Option<String>>,
    /// Actions the server refused as not offered here: not offered again.
    refused: RwSignal<Vec<PortalAction>>,
    confirming: RwSignal<bool>,
    heading: NodeRef<html::H3>,
}

impl CardState {
    /// Focus follows the buttons that replace each other, so a keyboard never loses its place.
    fn focus_heading(self) {
        request_animation_frame(move || {
            if let Some(heading) = self.heading.try_get_untracked().flatten() {
                let _ = heading.focus();
            }
        })
    }

    /// The server's answer, applied: only what it says happened is shown as done.
    fn changed(self, before: &PortalSubscription, changed: PortalSubscriptionAction) {
        let mut after = before.clone();
        after.status = changed.status.unwrap_or(after.status);
        after.cancel_at_period_end = changed
            .cancel_at_period_end
            .unwrap_or(after.cancel_at_period_end);
        after.current_period_end = changed.current_period_end.or(after.current_period_end);
        let change = Change::between(&State::of(before), &State::of(&after));
        self.done.set(Some(messages::outcome(change, &after)));
        self.problem.set(None);
        self.current.set(after);
    }
}

/// Sends one action for the card's subscription and shows what came of it.
fn act_action(context: AppContext, card: CardState) -> Action<PortalAction, ()> {
    Action::new_local(move |action: &PortalAction| {
        let (context, action) = (context.clone(), action.clone());
        let before = card.current.get_untracked();
        async move {
            let Some(session) = context.session().get_untracked() else {
                return context.session_ended();
            };
            let answer = context
                .api
                .act(&session.token, &before.path_mode(), &before.id, &action)
                .await;
            card.confirming.set(false);
            card.focus_heading();
            match answer {
                Ok(changed) => card.changed(&before, changed),
                Err(error) if error.is_unauthorized() => context.session_ended(),
                Err(error) => {
                    if error
                        .api_error()
                        .is_some_and(|e| e.code == ErrorCode::Forbidden)
                    {
                        card.refused.update(|refused| refused.push(action));
                    }
                    card.done.set(None);
                    card.problem.set(Some(messages::action_problem(&error)));
                }
            }
        }
    })
}

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
    let context = expect_context::<AppContext>();
    let id = subscription.id.clone();
    let card = CardState {
        current: RwSignal::new(subscription),
        done: RwSignal::new(None),
        problem: RwSignal::new(None),
        refused: RwSignal::new(Vec::new()),
        confirming: RwSignal::new(false),
        heading: NodeRef::new(),
    };
    let CardState {
        current,
        done,
        problem,
        refused,
        confirming,
        heading,
    } = card;
    let act = act_action(context, card);
    let pending = act.input();
    let offers = Signal::derive(move || {
        let offers = current.with(|s| State::of(s).offers(allowed.as_deref()));
        refused.with(|refused| {
            offers
                .into_iter()
                .filter(|offer| !refused.contains(&offer.action))
                .collect::<Vec<_>>()
        })
    });
    let subject = Signal::derive(move || current.with(|s| messages::subject(s, show_reference)));
    let badge = move || current.with(|s| messages::status_badge(&State::of(s)));
    let is_test = move || current.with(|s| s.mode == Some(Mode::Test));
    let open_confirm = Callback::new(move |()| confirming.set(true));
    let close_confirm = Callback::new(move |()| {
        confirming.set(false);
        card.focus_heading();
    });

    view! {
        <li class="sub-card" data-testid="subscription" data-id=id>
            <div class="sub-head">
                <h3 class="plan-name" data-testid="plan-name" tabindex="-1" node_ref=heading>
                    {move || current.with(messages::plan_name)}
                </h3>
                <div class="badges">
                    {move || is_test().then(|| view! { <span class="badge test" data-testid="test-badge">"Test"</span> })}
                    {move || {
                        let (label, tone) = badge();
                        view! { <span class=format!("badge {tone}") data-testid="status">{label}</span> }
                    }}
                </div>
            </div>
            {move || match current.with(|s| s.plan.as_ref().map(messages::price_line)) {
                Some(line) => view! { <p class="price" data-testid="price">{line}</p> }.into_any(),
                None => view! { <p class="price muted" data-testid="price">{messages::NO_PLAN}</p> }.into_any(),
            }}
            {move || current.with(messages::period_line).map(|line| view! { <p class="period" data-testid="period">{line}</p> })}
            {show_reference.then(|| {
                let id = current.with_untracked(|s| s.id.clone());
                view! { <p class="reference muted" data-testid="reference">"Ref. " {id}</p> }
            })}
            {move || {
                current
                    .with(|s| messages::guidance(&s.status, &merchant))
                    .map(|text| view! { <p class="guidance" data-testid="guidance">{text}</p> })
            }}
            <p class="action-status" role="status" data-testid="action-done">{move || done.get()}</p>
            <p class="field-error" role="alert" data-testid="action-error">{move || problem.get()}</p>
            {move || {
                if confirming.get() {
                    view! {
                        <ConfirmCancel
                            question=current.with_untracked(messages::confirm_cancel)
                            pending=Signal::derive(move || pending.with(Option::is_some))
                            on_yes=move |()| { act.dispatch(PortalAction::Cancel); }
                            on_no=close_confirm
                        />
                    }
                        .into_any()
                } else {
                    let state = Signal::derive(move || current.with(State::of));
                    view! {
                        <CardActions
                            offers
                            state
                            subject
                            pending
                            on_act=move |action| { act.dispatch(action); }
                            on_cancel=open_confirm
                        />
                    }
                        .into_any()
                }
            }}
        </li>
    }
}
