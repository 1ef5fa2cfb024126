//! Saved cards: brand, last four, expiry (expired ones marked), the default;
//! making another card the default, and removing one with a confirm and Duro's
//! guard ("keep at least one valid card…") when the server refuses.
use leptos::html;
use leptos::prelude::*;
use portal_core::api::PortalCard;
use portal_core::payments::YearMonth;

use super::account_nav::ViewLink;
use super::AccountBar;
use crate::api::ClientError;
use crate::route::{AccountView, Route};
use crate::{messages, AppContext};

#[derive(Clone)]
enum Loaded {
    /// The host lists no cards (a `404`, as Duro's own hosts may answer).
    NotOffered,
    Problem(String),
    Cards(Vec<PortalCard>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    MakeDefault,
    Remove,
}

pub(crate) fn today() -> YearMonth {
    let now = js_sys::Date::new_0();
    YearMonth {
        year: now.get_full_year(),
        month: now.get_month() + 1,
    }
}

#[component]
pub fn CardsPage() -> impl IntoView {
    let context = expect_context::<AppContext>();
    let Some(signed_in) = context.session().get_untracked() else {
        context.redirect(Route::SignIn);
        return view! { <p class="card">"Redirecting to sign-in\u{2026}"</p> }.into_any();
    };
    let name = signed_in.name.unwrap_or(signed_in.email);
    let list = RwSignal::new(None::<Loaded>);
    let (done, problem) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let confirming = RwSignal::new(None::<String>);

    let load = Action::new_local({
        let context = context.clone();
        move |_: &()| {
            let context = context.clone();
            async move {
                let Some(session) = context.session().get_untracked() else {
                    return context.session_ended();
                };
                let loaded = match context.api.cards(&session.token).await {
                    Ok(cards) => Loaded::Cards(cards.items),
                    Err(error) if error.is_unauthorized() => return context.session_ended(),
                    Err(ClientError::Api { status: 404, .. }) => Loaded::NotOffered,
                    Err(error) => Loaded::Problem(messages::request_problem(&error)),
                };
                list.set(Some(loaded));
            }
        }
    });
    load.dispatch(());

    let change = Action::new_local({
        let context = context.clone();
        move |(what, card): &(Change, PortalCard)| {
            let (context, what, card) = (context.clone(), *what, card.clone());
            async move {
                let Some(session) = context.session().get_untracked() else {
                    return context.session_ended();
                };
                let answer = match what {
                    Change::MakeDefault => {
                        context.api.set_default_card(&session.token, &card.id).await
                    }
                    Change::Remove => context.api.remove_card(&session.token, &card.id).await,
                };
                confirming.set(None);
                match answer {
                    // Only what the server says the cards now are is shown.
                    Ok(cards) => {
                        list.set(Some(Loaded::Cards(cards.items)));
                        done.set(match what {
                            Change::MakeDefault => messages::made_default(&card),
                            Change::Remove => messages::removed(&card),
                        });
                    }
                    Err(error) if error.is_unauthorized() => context.session_ended(),
                    Err(error) => {
                        problem.set(messages::action_problem(&error));
                        // A card that is gone, or a list that changed elsewhere: read it again.
                        if matches!(error, ClientError::Api { status: 404, .. }) {
                            load.dispatch(());
                        }
                    }
                }
            }
        }
    });
    let (loading, changing) = (load.pending(), change.pending());
    let act = Callback::new(move |(what, card): (Change, PortalCard)| {
        if !changing.get_untracked() {
            done.set(String::new());
            problem.set(String::new());
            change.dispatch((what, card));
        }
    });
    let refresh = Callback::new(move |()| {
        load.dispatch(());
    });
    let sign_out = Callback::new(move |()| context.sign_out());

    view! {
        <div class="wide stack-lg" data-testid="cards-page">
            <AccountBar title="Saved cards" name refreshing=loading on_refresh=refresh on_sign_out=sign_out/>
            <p class="action-status" role="status" data-testid="cards-done">{move || done.get()}</p>
            <p class="field-error" role="alert" data-testid="cards-problem">{move || problem.get()}</p>
            {move || match list.get() {
                None => view! { <p class="muted" role="status">"Loading your cards\u{2026}"</p> }.into_any(),
                Some(Loaded::NotOffered) => view! { <p class="notice">{messages::CARDS_NOT_OFFERED}</p> }.into_any(),
                Some(Loaded::Problem(message)) => view! {
                    <div class="notice" role="alert">
                        <p>{message}</p>
                        <button type="button" class="button secondary small" on:click=move |_| refresh.run(())>
                            "Try again"
                        </button>
                    </div>
                }
                .into_any(),
                Some(Loaded::Cards(cards)) if cards.is_empty() => view! { <p>{messages::NO_CARDS}</p> }.into_any(),
                Some(Loaded::Cards(cards)) => {
                    let today = today();
                    let items = cards
                        .into_iter()
                        .map(|card| view! { <SavedCard card today confirming changing act/> })
                        .collect_view();
                    view! { <ul class="cards" data-testid="saved-cards">{items}</ul> }.into_any()
                }
            }}
            <p>
                {messages::ADD_A_CARD} " "
                <ViewLink to=AccountView::Wallet>"Top up your wallet"</ViewLink>
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn SavedCard(
    card: PortalCard,
    today: YearMonth,
    confirming: RwSignal<Option<String>>,
    changing: Memo<bool>,
    act: Callback<(Change, PortalCard)>,
) -> impl IntoView {
    let label = card.label();
    let expired = card.is_expired(today);
    let expiry = messages::expiry(&card, today);
    let id = card.id.clone();
    let asking = {
        let id = id.clone();
        move || confirming.with(|c| c.as_deref() == Some(id.as_str()))
    };
    let busy = move || changing.get().then_some("true");
    let can_default = !card.is_default && !expired;
    let (for_default, default_label) = (card.clone(), label.clone());
    let make_default = move || {
        let (card, label) = (for_default.clone(), default_label.clone());
        can_default.then(|| {
            view! {
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="make-default"
                    aria-label=format!("Make default: {label}")
                    aria-disabled=busy
                    on:click=move |_| act.run((Change::MakeDefault, card.clone()))
                >
                    "Make default"
                </button>
            }
        })
    };
    let keep: NodeRef<html::Button> = NodeRef::new();
    // Asked to confirm, the focus goes to the safe answer.
    Effect::new(move |_| {
        if let Some(button) = keep.get() {
            let _ = button.focus();
        }
    });
    let (ask, confirm) = (id.clone(), card.clone());
    view! {
        <li class="sub-card" data-testid="saved-card" data-card-id=id>
            <div class="sub-head">
                <h2 class="plan-name">{label.clone()}</h2>
                <span class="badges">
                    {card.is_default.then(|| view! { <span class="badge good" data-testid="default-badge">"Default"</span> })}
                    {expired.then(|| view! { <span class="badge bad" data-testid="expired-badge">"Expired"</span> })}
                </span>
            </div>
            {expiry.map(|text| view! { <p class="period" data-testid="card-expiry">{text}</p> })}
            {move || {
                if asking() {
                    let confirm = confirm.clone();
                    view! {
                        <div class="confirm" role="group" aria-label="Confirm removal">
                            <p>{messages::confirm_remove(&confirm)}</p>
                            <div class="actions">
                                <button
                                    type="button"
                                    class="button danger small"
                                    data-testid="confirm-remove"
                                    aria-disabled=busy
                                    aria-busy=busy
                                    on:click=move |_| act.run((Change::Remove, confirm.clone()))
                                >
                                    "Remove card"
                                </button>
                                <button
                                    type="button"
                                    class="button secondary small"
                                    node_ref=keep
                                    on:click=move |_| confirming.set(None)
                                >
                                    "Keep it"
                                </button>
                            </div>
                        </div>
                    }
                    .into_any()
                } else {
                    let ask = ask.clone();
                    view! {
                        <div class="actions">
                            {make_default()}
                            <button
                                type="button"
                                class="button secondary small"
                                data-testid="remove-card"
                                aria-label=format!("Remove {label}")
                                on:click=move |_| confirming.set(Some(ask.clone()))
                            >
                                "Remove"
                            </button>
                        </div>
                    }
                    .into_any()
                }
            }}
        </li>
    }
}
