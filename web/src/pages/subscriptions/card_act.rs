//! One action for every card: a card is mostly static text, so making an action
//! (half a dozen reactive nodes) for each of a thousand cards was most of what a
//! big account cost to show. The list provides it; a card alone makes its own.
use leptos::html;
use leptos::prelude::*;
use portal_core::api::{ErrorCode, PortalAction, PortalSubscription, PortalSubscriptionAction};
use portal_core::lifecycle::{Change, State};

use crate::{embed, messages, AppContext};
use portal_core::embed::PortalEvent;

/// What a card says under its status: what the last action did, or why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Done(String),
    Problem(String),
}

/// What a card keeps: the subscription as the server last said, its note, what
/// the server refused as not offered here, and whether it asks before cancelling.
#[derive(Clone, Copy)]
pub struct CardState {
    pub current: RwSignal<PortalSubscription>,
    /// The action under way for this card. The shared action sets and clears it:
    /// reading its input from each card made every card re-check at every action
    /// (a thousand memos, 20 ms a click on a big account).
    pub busy: RwSignal<Option<PortalAction>>,
    pub note: RwSignal<Option<Note>>,
    pub refused: RwSignal<Vec<PortalAction>>,
    pub confirming: RwSignal<bool>,
    pub heading: NodeRef<html::H3>,
}

impl CardState {
    pub fn new(subscription: PortalSubscription) -> CardState {
        CardState {
            current: RwSignal::new(subscription),
            busy: RwSignal::new(None),
            note: RwSignal::new(None),
            refused: RwSignal::new(Vec::new()),
            confirming: RwSignal::new(false),
            heading: NodeRef::new(),
        }
    }

    /// Focus follows the buttons that replace each other, so a keyboard never loses its place.
    pub fn focus_heading(self) {
        request_animation_frame(move || {
            if let Some(heading) = self.heading.try_get_untracked().flatten() {
                let _ = heading.focus();
            }
        })
    }

    /// A payment went through: the subscription as the server now says, and
    /// what to tell the person.
    pub fn settled(self, changed: PortalSubscriptionAction, note: String) {
        let after = answered(&self.current.get_untracked(), changed);
        self.show(after, note);
    }

    /// The server's answer, applied: only what it says happened is shown as done.
    fn changed(self, before: &PortalSubscription, changed: PortalSubscriptionAction) {
        let after = answered(before, changed);
        let change = Change::between(&State::of(before), &State::of(&after));
        let note = messages::outcome(change, &after);
        self.show(after, note);
    }

    /// The card as it is now, what it says about it, and the embedding page told.
    fn show(self, after: PortalSubscription, note: String) {
        self.note.set(Some(Note::Done(note)));
        embed::post(&PortalEvent::SubscriptionChanged {
            id: after.id.clone(),
            mode: after.path_mode().as_str().to_string(),
            status: after.status.as_str().to_string(),
        });
        self.current.set(after);
    }
}

/// The subscription as the server's answer says it is now; what the answer
/// leaves out stays as it was.
fn answered(before: &PortalSubscription, changed: PortalSubscriptionAction) -> PortalSubscription {
    let mut after = before.clone();
    after.status = changed.status.unwrap_or(after.status);
    after.cancel_at_period_end = changed
        .cancel_at_period_end
        .unwrap_or(after.cancel_at_period_end);
    after.current_period_end = changed.current_period_end.or(after.current_period_end);
    after
}

/// One card's request.
#[derive(Clone)]
pub struct CardAct {
    pub card: CardState,
    pub action: PortalAction,
}

#[derive(Clone, Copy)]
pub struct CardActs(Action<CardAct, ()>);

impl CardActs {
    pub fn new(context: AppContext) -> CardActs {
        CardActs(Action::new_local(move |act: &CardAct| {
            let (context, act) = (context.clone(), act.clone());
            let before = act.card.current.get_untracked();
            async move {
                let Some(session) = context.session().get_untracked() else {
                    return context.session_ended();
                };
                let answer = context
                    .api
                    .act(&session.token, &before.path_mode(), &before.id, &act.action)
                    .await;
                let card = act.card;
                card.busy.set(None);
                if card.confirming.get_untracked() {
                    card.confirming.set(false);
                }
                card.focus_heading();
                match answer {
                    Ok(changed) => card.changed(&before, changed),
                    Err(error) if error.is_unauthorized() => context.session_ended(),
                    Err(error) => {
                        if error
                            .api_error()
                            .is_some_and(|e| e.code == ErrorCode::Forbidden)
                        {
                            card.refused.update(|refused| refused.push(act.action));
                        }
                        card.note
                            .set(Some(Note::Problem(messages::action_problem(&error))));
                    }
                }
            }
        }))
    }

    /// Sends the action, unless this card's last one is still under way (a double click).
    pub fn dispatch(self, card: CardState, action: PortalAction) {
        if card.busy.get_untracked().is_none() {
            card.busy.set(Some(action.clone()));
            self.0.dispatch(CardAct { card, action });
        }
    }
}
