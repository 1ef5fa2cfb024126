//! The wallet: balance, what its status means, its history (merchant, memo,
//! date, amount, balance after), and a top-up through the host's checkout. The
//! amount typed is read by portal-core with the server's rules, ₦100 at least.
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use portal_core::api::{WalletResponse, WalletTransaction};
use portal_core::payments::topup_refusal;
use portal_core::{parse_topup, topup_minimum, Money};

use super::AccountBar;
use crate::api::ClientError;
use crate::format::local_date;
use crate::route::Route;
use crate::{messages, AppContext};

#[derive(Clone)]
enum Loaded {
    /// No wallet for this address, or a host that shows none (`404`).
    NotOffered,
    Problem(String),
    Wallet(WalletResponse),
}

/// A key per top-up amount, kept until an answer arrives, so a repeat after no
/// answer opens the same checkout.
fn new_key() -> String {
    let random = (js_sys::Math::random() * 1e16) as u64;
    format!("topup-{}-{random:x}", js_sys::Date::now() as u64)
}

#[component]
pub fn WalletPage() -> impl IntoView {
    let context = expect_context::<AppContext>();
    let Some(signed_in) = context.session().get_untracked() else {
        context.redirect(Route::SignIn);
        return view! { <p class="card">"Redirecting to sign-in\u{2026}"</p> }.into_any();
    };
    let name = signed_in.name.unwrap_or(signed_in.email);
    let load = Action::new_local({
        let context = context.clone();
        move |_: &()| {
            let context = context.clone();
            async move {
                let Some(session) = context.session().get_untracked() else {
                    context.session_ended();
                    return Loaded::NotOffered;
                };
                match context.api.wallet(&session.token).await {
                    Ok(wallet) => Loaded::Wallet(wallet),
                    Err(error) if error.is_unauthorized() => {
                        context.session_ended();
                        Loaded::NotOffered
                    }
                    Err(ClientError::Api { status: 404, .. }) => Loaded::NotOffered,
                    Err(error) => Loaded::Problem(messages::request_problem(&error)),
                }
            }
        }
    });
    load.dispatch(());
    let loading = load.pending();
    let refresh = Callback::new(move |()| {
        load.dispatch(());
    });
    let sign_out = Callback::new(move |()| context.sign_out());

    view! {
        <div class="wide stack-lg" data-testid="wallet-page">
            <AccountBar title="Wallet" name refreshing=loading on_refresh=refresh on_sign_out=sign_out/>
            {move || match load.value().get() {
                None => view! { <p class="muted" role="status">"Loading your wallet\u{2026}"</p> }.into_any(),
                Some(Loaded::NotOffered) => view! { <p class="notice" data-testid="wallet-none">{messages::WALLET_NOT_OFFERED}</p> }.into_any(),
                Some(Loaded::Problem(message)) => view! {
                    <div class="notice" role="alert">
                        <p>{message}</p>
                        <button type="button" class="button secondary small" on:click=move |_| refresh.run(())>
                            "Try again"
                        </button>
                    </div>
                }
                .into_any(),
                Some(Loaded::Wallet(wallet)) => view! { <WalletView wallet/> }.into_any(),
            }}
        </div>
    }
    .into_any()
}

#[component]
fn WalletView(wallet: WalletResponse) -> impl IntoView {
    let (label, tone) = messages::wallet_status(&wallet.status);
    let refused = topup_refusal(&wallet.status);
    let balance = Money::new(wallet.balance, wallet.currency.clone());
    let currency = wallet.currency.clone();
    let history = if wallet.transactions.is_empty() {
        view! { <p class="muted">{messages::NO_TRANSACTIONS}</p> }.into_any()
    } else {
        let items = wallet
            .transactions
            .iter()
            .map(|t| transaction(t, &currency))
            .collect_view();
        view! { <ul class="history" data-testid="wallet-history">{items}</ul> }.into_any()
    };
    view! {
        <section class="sub-card" aria-labelledby="balance-title">
            <div class="sub-head">
                <h2 id="balance-title" class="plan-name">"Balance"</h2>
                <span class=format!("badge {tone}") data-testid="wallet-status">{label}</span>
            </div>
            <p class="price" data-testid="wallet-balance">{balance.to_string()}</p>
            {match refused {
                Some(why) => view! { <p class="guidance" data-testid="wallet-refusal">{why}</p> }.into_any(),
                None => view! { <TopUp currency=wallet.currency.clone()/> }.into_any(),
            }}
        </section>
        <section class="stack" aria-labelledby="history-title">
            <h2 id="history-title" class="merchant-name">"History"</h2>
            {history}
        </section>
    }
}

fn transaction(t: &WalletTransaction, currency: &str) -> impl IntoView {
    let date = local_date(&t.created_at).unwrap_or_default();
    view! {
        <li data-testid="wallet-txn">
            <div>
                <strong>{messages::transaction_title(t)}</strong>
                <div class="muted">{date}</div>
            </div>
            <span class="price">{messages::signed(t.amount, currency)}</span>
            <span class="muted">{messages::balance_after(t.balance_after, currency)}</span>
        </li>
    }
}

#[component]
fn TopUp(currency: String) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let minimum = Money::new(topup_minimum(&currency), currency.clone());
    let problem = RwSignal::new(String::new());
    let input: NodeRef<html::Input> = NodeRef::new();
    let key = StoredValue::new(None::<(i64, String)>);
    let topup = Action::new_local(move |amount: &i64| {
        let (context, amount) = (context.clone(), *amount);
        let attempt = match key.get_value() {
            Some((kept_for, kept)) if kept_for == amount => kept,
            _ => {
                let fresh = new_key();
                key.set_value(Some((amount, fresh.clone())));
                fresh
            }
        };
        async move {
            let Some(session) = context.session().get_untracked() else {
                return context.session_ended();
            };
            let answer = context.api.topup(&session.token, amount, &attempt).await;
            if !matches!(answer, Err(ClientError::Network)) {
                key.set_value(None);
            }
            match answer {
                Ok(checkout)
                    if checkout.checkout_url.starts_with("https://")
                        || checkout.checkout_url.starts_with("http://") =>
                {
                    if window().location().assign(&checkout.checkout_url).is_err() {
                        problem.set(messages::TOPUP_NOT_OFFERED.to_string());
                    }
                }
                // Not a web address: never sent anywhere.
                Ok(_) => problem.set(messages::action_problem(&ClientError::Unexpected {
                    status: 200,
                })),
                Err(error) if error.is_unauthorized() => context.session_ended(),
                Err(ClientError::Api { status: 404, .. }) => {
                    problem.set(messages::TOPUP_NOT_OFFERED.to_string());
                }
                Err(error) => problem.set(messages::action_problem(&error)),
            }
        }
    });
    let sending = topup.pending();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let Some(field) = input.get_untracked() else {
            return;
        };
        match parse_topup(&field.value(), &currency) {
            Ok(money) => {
                problem.set(String::new());
                topup.dispatch(money.minor);
            }
            Err(error) => {
                problem.set(error.message());
                let _ = field.focus();
            }
        }
    };
    let invalid = move || problem.with(|p| (!p.is_empty()).then_some("true"));
    view! {
        <form class="stack topup" novalidate on:submit=submit data-testid="topup-form">
            <div class="field">
                <label for="topup-amount">"Amount to add"</label>
                <input
                    id="topup-amount"
                    node_ref=input
                    inputmode="decimal"
                    autocomplete="off"
                    data-testid="topup-amount"
                    aria-describedby="topup-hint topup-problem"
                    aria-invalid=invalid
                />
                <p id="topup-hint" class="muted">{messages::topup_hint(&minimum)}</p>
                <p id="topup-problem" class="field-error" role="alert" data-testid="topup-problem">
                    {move || problem.get()}
                </p>
            </div>
            <button
                type="submit"
                class="button primary"
                data-testid="topup-submit"
                aria-disabled=move || sending.get().then_some("true")
                aria-busy=move || sending.get().then_some("true")
            >
                {move || if sending.get() { messages::TO_CHECKOUT } else { "Top up" }}
            </button>
        </form>
    }
}
