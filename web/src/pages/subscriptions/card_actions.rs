//! A card's buttons: one per action its subscription offers, each named for
//! what it acts on, and a word where a label alone would not say what happens.
use leptos::prelude::*;
use portal_core::api::PortalAction;
use portal_core::lifecycle::{Change, Offer, State};

use crate::messages;

pub(super) fn test_id(change: Change) -> &'static str {
    match change {
        Change::Paused => "action-pause",
        Change::Kept => "action-keep",
        Change::SetToCancel => "action-cancel",
        _ => "action-resume",
    }
}

/// Undoing a change leads; making one is secondary.
pub(super) fn button_class(change: Change) -> &'static str {
    if matches!(
        change,
        Change::Resumed | Change::ResumedAndKept | Change::Kept
    ) {
        "button primary small"
    } else {
        "button secondary small"
    }
}

#[component]
pub fn CardActions(
    offers: Vec<Offer>,
    state: State,
    /// What the buttons act on, for their accessible names.
    subject: String,
    /// The action under way, if any.
    #[prop(into)]
    pending: Signal<Option<PortalAction>>,
    #[prop(into)] on_act: Callback<PortalAction>,
    /// Cancel asks first.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let hints: Vec<&'static str> = offers
        .iter()
        .filter_map(|offer| messages::action_hint(offer.change, &state))
        .collect();
    let buttons = offers
        .into_iter()
        .map(|Offer { action, change }| {
            let label = messages::action_label(change);
            let class = button_class(change);
            let busy = action.clone();
            view! {
                <button
                    type="button"
                    class=class
                    data-testid=test_id(change)
                    aria-label=messages::button_name(label, &subject)
                    aria-busy=move || pending.with(|p| (p.as_ref() == Some(&busy)).then_some("true"))
                    on:click=move |_| {
                        if action == PortalAction::Cancel {
                            on_cancel.run(());
                        } else {
                            on_act.run(action.clone());
                        }
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="actions">{buttons}</div>
        {hints
            .into_iter()
            .map(|hint| view! { <p class="muted action-hint" data-testid="action-hint">{hint}</p> })
            .collect_view()}
    }
}
