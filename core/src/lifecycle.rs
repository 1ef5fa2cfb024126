//! The subscription lifecycle: what a subscription offers the person in the
//! portal, and what an action does to it. The server enforces [`State::apply`];
//! the page offers [`State::offers`], which are exactly the actions `apply`
//! accepts and that change something, so the page never offers what the server
//! refuses. `tests/vectors/lifecycle.json` states the same rules as a table.
use alloc::vec::Vec;

use crate::api::{PortalAction, PortalSubscription, SubscriptionStatus};

/// What the portal sees of a subscription and can change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
}

/// Why an action may not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The merchant does not let the portal do this (`403 forbidden`).
    NotOffered,
    /// Not from this state, e.g. pausing a canceled subscription (`409 conflict`).
    Conflict,
    /// An action this version does not know (`404 not_found`).
    Unknown,
}

/// What happened, as a person is told it: read from the state before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Paused,
    Resumed,
    /// A paused subscription that was set to cancel is running again and renews.
    ResumedAndKept,
    /// A subscription that was set to cancel will renew after all.
    Kept,
    SetToCancel,
    Canceled,
    Unchanged,
    /// Anything else: a server may answer with a state no action of ours leads to.
    Other,
}

/// An action a subscription offers, and what it promises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub action: PortalAction,
    pub change: Change,
}

/// The order in which a card shows its actions.
const ACTIONS: [PortalAction; 3] = [
    PortalAction::Pause,
    PortalAction::Resume,
    PortalAction::Cancel,
];

impl State {
    pub fn new(status: SubscriptionStatus, cancel_at_period_end: bool) -> State {
        State {
            status,
            cancel_at_period_end,
        }
    }

    /// A subscription's status and cancel flag, as the rules read them.
    pub fn of(subscription: &PortalSubscription) -> State {
        State::new(
            subscription.status.clone(),
            subscription.cancel_at_period_end,
        )
    }

    /// After what was owed is paid: active again. A subscription set to cancel
    /// stays set to cancel; paying is not keeping it.
    pub fn paid(&self) -> State {
        State::new(SubscriptionStatus::Active, self.cancel_at_period_end)
    }

    /// Set to cancel at the end of the period, and not ended yet.
    pub fn is_set_to_cancel(&self) -> bool {
        self.cancel_at_period_end && !self.status.has_ended()
    }

    /// The state `action` leads to, or why it may not happen. `allowed` is what
    /// the merchant lets the portal do; `None` means the merchant publishes no
    /// list (Duro's API documents none), so the status alone decides.
    pub fn apply(
        &self,
        allowed: Option<&[PortalAction]>,
        action: &PortalAction,
        at_period_end: bool,
    ) -> Result<State, Refusal> {
        use SubscriptionStatus::{Active, Canceled, Paused, Trialing};
        let permits = |a: PortalAction| allowed.is_none_or(|listed| listed.contains(&a));
        let status = &self.status;
        if matches!(action, PortalAction::Unknown(_)) {
            return Err(Refusal::Unknown);
        }
        // Nothing changes a subscription that has ended, or one whose status this
        // version cannot read: what would be legal is not known.
        if matches!(status, SubscriptionStatus::Unknown(_)) || status.has_ended() {
            return Err(Refusal::Conflict);
        }
        let allowed_if = |permitted: bool, next: State| {
            if permitted {
                Ok(next)
            } else {
                Err(Refusal::NotOffered)
            }
        };
        match action {
            // A subscription set to cancel is not paused on top: keep it first.
            PortalAction::Pause
                if matches!(status, Active | Trialing) && !self.cancel_at_period_end =>
            {
                allowed_if(permits(PortalAction::Pause), State::new(Paused, false))
            }
            PortalAction::Pause => Err(Refusal::Conflict),
            // Resuming a paused subscription that is set to cancel also keeps it:
            // whoever resumes wants it back, renewing as before.
            PortalAction::Resume if *status == Paused && permits(PortalAction::Resume) => {
                Ok(State::new(Active, false))
            }
            // Keeping a subscription set to cancel: whoever may cancel may undo it.
            PortalAction::Resume if self.cancel_at_period_end => allowed_if(
                permits(PortalAction::Resume) || permits(PortalAction::Cancel),
                State::new(status.clone(), false),
            ),
            PortalAction::Resume if *status == Paused => Err(Refusal::NotOffered),
            PortalAction::Resume => Err(Refusal::Conflict),
            PortalAction::Cancel => allowed_if(
                permits(PortalAction::Cancel),
                if at_period_end {
                    State::new(status.clone(), true)
                } else {
                    State::new(Canceled, false)
                },
            ),
            PortalAction::Unknown(_) => Err(Refusal::Unknown),
        }
    }

    /// What the card offers: each action `apply` accepts that changes something,
    /// with what it promises. Cancel is always at the period end.
    pub fn offers(&self, allowed: Option<&[PortalAction]>) -> Vec<Offer> {
        ACTIONS
            .iter()
            .filter_map(|action| {
                let next = self.apply(allowed, action, true).ok()?;
                let change = Change::between(self, &next);
                (change != Change::Unchanged).then(|| Offer {
                    action: action.clone(),
                    change,
                })
            })
            .collect()
    }
}

impl Change {
    /// What a person is told happened, whatever the server answered.
    pub fn between(before: &State, after: &State) -> Change {
        use SubscriptionStatus::{Canceled, Paused};
        if before == after {
            return Change::Unchanged;
        }
        let (was, now) = (&before.status, &after.status);
        if *now == Canceled {
            Change::Canceled
        } else if *was != Paused && *now == Paused {
            Change::Paused
        } else if *was == Paused && *now != Paused {
            if before.cancel_at_period_end && !after.cancel_at_period_end {
                Change::ResumedAndKept
            } else {
                Change::Resumed
            }
        } else if was == now && before.cancel_at_period_end {
            Change::Kept
        } else if was == now {
            Change::SetToCancel
        } else {
            Change::Other
        }
    }

    /// The stable snake_case name used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            Change::Paused => "paused",
            Change::Resumed => "resumed",
            Change::ResumedAndKept => "resumed_and_kept",
            Change::Kept => "kept",
            Change::SetToCancel => "set_to_cancel",
            Change::Canceled => "canceled",
            Change::Unchanged => "unchanged",
            Change::Other => "other",
        }
    }
}

impl Refusal {
    /// The stable snake_case name used in the test vectors.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NotOffered => "not_offered",
            Refusal::Conflict => "conflict",
            Refusal::Unknown => "unknown",
        }
    }
}
