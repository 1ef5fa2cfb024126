//! Paying what is owed, on a past-due or unpaid subscription: what happened
//! (amount, since when, which card failed and why), and "Pay now" with the
//! default card or another saved one. Only owing cards make one, so its
//! requests and signals cost a big account nothing.
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::{ChargeOutcome, Invoice, InvoiceStatus, PortalCard};
use portal_core::payments::YearMonth;

use super::card_act::CardState;
use crate::api::ClientError;
use crate::pages::account_nav::ViewLink;
use crate::route::AccountView;
use crate::{messages, AppContext};

/// What the page knows about what is owed.
#[derive(Clone)]
enum Owed {
    /// The host has no invoices to show (a `404`, as Duro's own hosts may
    /// answer): the card says what the status means, and offers nothing.
    NotOffered,
    /// No open invoice: the status alone explains it.
    Nothing,
    Problem(String),
    Open {
        invoice: Box<Invoice>,
        /// `None`: the host lists no cards; paying uses the default.
        cards: Option<Vec<PortalCard>>,
    },
}

fn today() -> YearMonth {
    let now = js_sys::Date::new_0();
    YearMonth {
        year: now.get_full_year(),
        month: now.get_month() + 1,
    }
}

/// A key per payment attempt, kept until an answer arrives, so a payment sent
/// again after no answer cannot be charged twice.
fn new_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("pay-{}-{random:x}", js_sys::Date::now() as u64)
}

#[component]
pub fn PayDue(
    card: CardState,
    #[prop(into)] merchant: Arc<str>,
    /// What the buttons act on, for their accessible names.
    subject: String,
) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let subscription = card.current.get_untracked();
    let (mode, id) = (subscription.path_mode(), subscription.id.clone());

    let load = Action::new_local({
        let (context, mode, id) = (context.clone(), mode.clone(), id.clone());
        move |_: &()| {
            let (context, mode, id) = (context.clone(), mode.clone(), id.clone());
            async move {
                let Some(session) = context.session().get_untracked() else {
                    context.session_ended();
                    return Owed::Nothing;
                };
                let invoices = match context.api.invoices(&session.token, &mode, &id, None).await {
                    Ok(page) => page.items,
                    Err(error) if error.is_unauthorized() => {
                        context.session_ended();
                        return Owed::Nothing;
                    }
                    Err(ClientError::Api { status: 404, .. }) => return Owed::NotOffered,
                    Err(error) => return Owed::Problem(messages::request_problem(&error)),
                };
                let Some(invoice) = invoices
                    .into_iter()
                    .find(|invoice| invoice.status == InvoiceStatus::Open)
                else {
                    return Owed::Nothing;
                };
                let cards = context
                    .api
                    .cards(&session.token)
                    .await
                    .ok()
                    .map(|c| c.items);
                Owed::Open {
                    invoice: Box::new(invoice),
                    cards,
                }
            }
        }
    });
    load.dispatch(());

    // The card chosen to pay with (`None`: the default), what the last charge
    // said, and the attempt's key.
    let chosen = RwSignal::new(None::<String>);
    let declined = RwSignal::new(None::<String>);
    let key = StoredValue::new(None::<(Option<String>, String)>);

    let pay = Action::new_local({
        let (context, mode, id) = (context.clone(), mode.clone(), id.clone());
        move |(card_id, invoice, cards): &(Option<String>, Invoice, Option<Vec<PortalCard>>)| {
            let (context, mode, id) = (context.clone(), mode.clone(), id.clone());
            let (card_id, invoice, cards) = (card_id.clone(), invoice.clone(), cards.clone());
            let attempt = match key.get_value() {
                Some((kept_for, kept)) if kept_for == card_id => kept,
                _ => {
                    let fresh = new_key();
                    key.set_value(Some((card_id.clone(), fresh.clone())));
                    fresh
                }
            };
            async move {
                let Some(session) = context.session().get_untracked() else {
                    return context.session_ended();
                };
                let answer = context
                    .api
                    .retry(&session.token, &mode, &id, card_id.as_deref(), &attempt)
                    .await;
                let paying = cards.as_deref().and_then(|cards| {
                    cards.iter().find(|c| match &card_id {
                        Some(chosen) => &c.id == chosen,
                        None => c.is_default,
                    })
                });
                // No answer: the payment may have gone through; the same key is
                // sent again, so trying again cannot charge twice.
                if !matches!(answer, Err(ClientError::Network)) {
                    key.set_value(None);
                }
                match answer {
                    Ok(answer) if answer.outcome == ChargeOutcome::Paid => {
                        let note = messages::paid(&messages::owed(&invoice), paying);
                        card.settled(answer.subscription, note);
                        card.focus_heading();
                    }
                    Ok(answer) => {
                        declined.set(Some(messages::declined(paying, answer.reason.as_deref())));
                        // The next valid card is the likely next try.
                        if let Some(cards) = cards.as_deref() {
                            let today = today();
                            let next = cards.iter().find(|c| {
                                !c.is_expired(today) && Some(&c.id) != paying.map(|p| &p.id)
                            });
                            chosen.set(next.map(|c| c.id.clone()));
                        }
                    }
                    Err(error) if error.is_unauthorized() => context.session_ended(),
                    Err(error) => declined.set(Some(messages::action_problem(&error))),
                }
            }
        }
    });
    let paying = pay.pending();
    let guidance = move || {
        let status = card.current.with_untracked(|s| s.status.clone());
        messages::guidance(&status, &merchant)
            .map(|text| view! { <p class="guidance" data-testid="guidance">{text}</p> })
    };

    move || {
        match load.value().get() {
            None => {
                view! { <p class="muted" role="status">{messages::CHECKING_OWED}</p> }.into_any()
            }
            Some(Owed::NotOffered | Owed::Nothing) => guidance().into_any(),
            Some(Owed::Problem(problem)) => view! {
                {guidance()}
                <p class="field-error" role="alert">{messages::OWED_UNREADABLE} " " {problem}</p>
                <button
                    type="button"
                    class="button secondary small"
                    aria-label=format!("Try again: what\u{2019}s owed on {}", subject)
                    on:click=move |_| { load.dispatch(()); }
                >
                    "Try again"
                </button>
            }
            .into_any(),
            Some(Owed::Open { invoice, cards }) => {
                let today = today();
                let (heading, labelled_by) =
                    (format!("pay-{}", invoice.id), format!("pay-{}", invoice.id));
                let choices = cards.clone().filter(|cards| cards.len() > 1).map(|cards| {
                    let options = cards
                        .into_iter()
                        .map(|saved| {
                            let expired = saved.is_expired(today);
                            let label = messages::card_choice(&saved, today);
                            let (this, is_default) = (saved.id.clone(), saved.is_default);
                            let checked = move || {
                                chosen.with(|c| match c {
                                    Some(chosen) => *chosen == this,
                                    None => is_default,
                                })
                            };
                            let pick = saved.id.clone();
                            view! {
                                <label class="card-choice" class:expired=expired>
                                    <input
                                        type="radio"
                                        name=format!("pay-with-{}", invoice.id)
                                        data-testid="pay-with"
                                        value=saved.id.clone()
                                        disabled=expired
                                        prop:checked=checked
                                        on:change=move |_| chosen.set(Some(pick.clone()))
                                    />
                                    <span>{label}</span>
                                </label>
                            }
                        })
                        .collect_view();
                    view! {
                        <fieldset class="pay-with">
                            <legend>"Pay with"</legend>
                            {options}
                        </fieldset>
                    }
                });
                let label = messages::pay_label(&invoice);
                let name = messages::button_name(&label, &subject);
                let send = (*invoice.clone(), cards.clone());
                view! {
                <section class="pay-due" aria-labelledby=labelled_by data-testid="pay-due">
                    <h4 id=heading class="pay-title">"Payment needed"</h4>
                    <p data-testid="owed">{messages::owed_line(&invoice)}</p>
                    {messages::failure_line(&invoice)
                        .map(|line| view! { <p data-testid="last-failure">{line}</p> })}
                    <p class="field-error" role="alert" data-testid="pay-declined">
                        {move || declined.get().unwrap_or_default()}
                    </p>
                    {move || declined.with(Option::is_some).then(|| view! {
                        <p data-testid="add-card">
                            {messages::ADD_A_CARD} " "
                            <ViewLink to=AccountView::Wallet>"Add a card"</ViewLink>
                        </p>
                    })}
                    {choices}
                    <button
                        type="button"
                        class="button primary small"
                        data-testid="pay-now"
                        aria-label=name
                        aria-disabled=move || paying.get().then_some("true")
                        aria-busy=move || paying.get().then_some("true")
                        on:click=move |_| {
                            // A second click while the first is under way charges nothing more.
                            if !paying.get_untracked() {
                                declined.set(None);
                                let (invoice, cards) = send.clone();
                                pay.dispatch((chosen.get_untracked(), invoice, cards));
                            }
                        }
                    >
                        {move || if paying.get() { "Paying\u{2026}".to_string() } else { label.clone() }}
                    </button>
                </section>
            }
                .into_any()
            }
        }
    }
}
