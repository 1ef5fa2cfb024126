//! The subscriptions page: every subscription of the signed-in address, by merchant.
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use portal_core::api::{PortalAction, PortalMerchantGroup, PortalSubscription, SubscriptionStatus};

use crate::api::ClientError;
use crate::format::{period_line, price_line, request_problem, status_badge};
use crate::session;
use crate::AppContext;

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Vec<PortalMerchantGroup>),
    Failed(String),
}

/// What a subscription can do now: the merchant allows it and the status permits it.
pub fn offered_actions(
    group: &PortalMerchantGroup,
    subscription: &PortalSubscription,
) -> Vec<PortalAction> {
    let status = &subscription.status;
    let mut actions = Vec::new();
    // A status this version does not know: what is legal is unknown, so offer nothing.
    if matches!(status, SubscriptionStatus::Unknown(_)) {
        return actions;
    }
    if subscription.cancel_at_period_end && !status.has_ended() {
        // "Keep subscription": whoever may cancel may undo it.
        if group
            .allowed()
            .is_some_and(|a| a.contains(&PortalAction::Resume))
            || group
                .allowed()
                .is_some_and(|a| a.contains(&PortalAction::Cancel))
        {
            actions.push(PortalAction::Resume);
        }
        return actions;
    }
    if *status == SubscriptionStatus::Paused
        && group
            .allowed()
            .is_some_and(|a| a.contains(&PortalAction::Resume))
    {
        actions.push(PortalAction::Resume);
    }
    if matches!(
        status,
        SubscriptionStatus::Active | SubscriptionStatus::Trialing
    ) && group
        .allowed()
        .is_some_and(|a| a.contains(&PortalAction::Pause))
    {
        actions.push(PortalAction::Pause);
    }
    if !status.has_ended()
        && group
            .allowed()
            .is_some_and(|a| a.contains(&PortalAction::Cancel))
    {
        actions.push(PortalAction::Cancel);
    }
    actions
}

#[component]
pub fn SubscriptionsPage() -> impl IntoView {
    let context = expect_context::<AppContext>();
    let navigate = use_navigate();
    let Some(signed_in) = context.session.get_untracked() else {
        navigate(
            "/",
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
        return view! { <p class="card">"Redirecting to sign-in\u{2026}"</p> }.into_any();
    };
    let load = RwSignal::new(Load::Loading);
    // Arriving from sign-in, focus the heading so a screen reader announces the new page.
    let heading: NodeRef<leptos::html::H1> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    let display_name = RwSignal::new(
        signed_in
            .name
            .clone()
            .unwrap_or_else(|| signed_in.email.clone()),
    );

    // A 401 anywhere: back to sign-in with the address kept and a word why.
    let on_unauthorized = {
        let context = context.clone();
        let navigate = navigate.clone();
        Callback::new(move |()| {
            context.session_ended();
            navigate("/", Default::default());
        })
    };
    let refresh = {
        let context = context.clone();
        move || {
            let Some(current) = context.session.get_untracked() else {
                return;
            };
            load.set(Load::Loading);
            let context = context.clone();
            spawn_local(async move {
                match context.api.subscriptions(&current.token).await {
                    Ok(answer) => load.set(Load::Loaded(answer.merchants)),
                    Err(error) if error.is_unauthorized() => on_unauthorized.run(()),
                    Err(error) => load.set(Load::Failed(request_problem(&error))),
                }
            });
        }
    };
    match context.fresh_sign_in.get_untracked() {
        Some((account, merchants)) => {
            context.fresh_sign_in.set(None);
            if let Some(name) = account.name {
                display_name.set(name);
            }
            load.set(Load::Loaded(merchants));
        }
        None => refresh(),
    }

    let sign_out = {
        let context = context.clone();
        let navigate = navigate.clone();
        move |_| {
            let ended = context.session.get_untracked();
            session::clear();
            // Signing out on purpose forgets the address too (a shared device);
            // a session that merely timed out keeps it.
            session::forget_email();
            context.email.set(String::new());
            context.session.set(None);
            context
                .notice
                .set(Some("You\u{2019}re signed out.".to_string()));
            if let Some(ended) = ended {
                let api = context.api.clone();
                // Revoke on the server too; the page does not wait for it.
                spawn_local(async move {
                    let _ = api.signout(&ended.token).await;
                });
            }
            navigate("/", Default::default());
        }
    };
    let refresh_click = {
        let refresh = refresh.clone();
        move |_| refresh()
    };

    view! {
        <div class="wide stack-lg" data-testid="subscriptions-page">
            <header class="account-bar">
                <div>
                    <h1 class="title" tabindex="-1" node_ref=heading>
                        "Your subscriptions"
                    </h1>
                    <p class="muted" data-testid="account-name">"Signed in as " {move || display_name.get()}</p>
                </div>
                <div class="account-actions">
                    <button type="button" class="button secondary small" data-testid="refresh" on:click=refresh_click>
                        "Refresh"
                    </button>
                    <button type="button" class="button secondary small" data-testid="sign-out" on:click=sign_out.clone()>
                        "Sign out"
                    </button>
                </div>
            </header>
            {move || match load.get() {
                Load::Loading => view! { <LoadingSkeleton/> }.into_any(),
                Load::Failed(message) => {
                    let refresh = refresh.clone();
                    view! {
                        <section class="card stack" role="alert" data-testid="load-error">
                            <p>{message}</p>
                            <button type="button" class="button primary" on:click=move |_| refresh()>
                                "Try again"
                            </button>
                        </section>
                    }
                        .into_any()
                }
                Load::Loaded(groups) if groups.is_empty() => {
                    let sign_out = sign_out.clone();
                    view! {
                        <section class="card stack empty" data-testid="empty">
                            <h2>"No subscriptions for this address"</h2>
                            <p class="muted">
                                "If you subscribed with another email address, sign out and sign in with that one."
                            </p>
                            <button type="button" class="button secondary" on:click=sign_out>
                                "Use another address"
                            </button>
                        </section>
                    }
                        .into_any()
                }
                Load::Loaded(groups) => {
                    view! {
                        <div class="merchants">
                            {groups
                                .into_iter()
                                .map(|group| view! { <MerchantSection group on_unauthorized/> })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                }
            }}
        </div>
    }
    .into_any()
}

#[component]
fn LoadingSkeleton() -> impl IntoView {
    view! {
        <div class="merchants" aria-busy="true" data-testid="loading">
            <p class="visually-hidden" role="status">"Loading your subscriptions\u{2026}"</p>
            {(0..2)
                .map(|_| {
                    view! {
                        <section class="merchant" aria-hidden="true">
                            <div class="skeleton-line short"></div>
                            <div class="skeleton-card"></div>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn MerchantSection(group: PortalMerchantGroup, on_unauthorized: Callback<()>) -> impl IntoView {
    let heading_id = format!("merchant-{}", group.tenant_id);
    let labelled_by = heading_id.clone();
    let name = group.merchant_name.clone();
    let cards = group
        .subscriptions
        .iter()
        .cloned()
        .map(|subscription| {
            let group = group.clone();
            view! { <SubscriptionCard group subscription on_unauthorized/> }
        })
        .collect_view();
    view! {
        <section class="merchant" aria-labelledby=labelled_by data-testid="merchant">
            <h2 id=heading_id class="merchant-name">{name}</h2>
            <ul class="cards" role="list">{cards}</ul>
        </section>
    }
}

/// One subscription, updated in place by its actions.
#[component]
pub fn SubscriptionCard(
    group: PortalMerchantGroup,
    subscription: PortalSubscription,
    #[prop(into)] on_unauthorized: Callback<()>,
) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let current = RwSignal::new(subscription);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(None::<PortalAction>);
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let group_for_actions = group.clone();
    // Focus follows the buttons that replace each other, so a keyboard never loses its place.
    let heading: NodeRef<leptos::html::H3> = NodeRef::new();
    let keep_button: NodeRef<leptos::html::Button> = NodeRef::new();
    let focus_heading = move || {
        request_animation_frame(move || {
            if let Some(heading) = heading.try_get_untracked().flatten() {
                let _ = heading.focus();
            }
        })
    };
    let open_confirm = move || {
        confirming.set(true);
        request_animation_frame(move || {
            if let Some(keep) = keep_button.try_get_untracked().flatten() {
                let _ = keep.focus();
            }
        });
    };

    let act = move |action: PortalAction| {
        if busy.get_untracked().is_some() {
            return;
        }
        let Some(signed_in) = context.session.get_untracked() else {
            on_unauthorized.run(());
            return;
        };
        let before = current.get_untracked();
        let mode = before
            .mode
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_else(|| "live".into());
        busy.set(Some(action.clone()));
        problem.set(None);
        done.set(None);
        let api = context.api.clone();
        spawn_local(async move {
            let answer = api.act(&signed_in.token, &mode, &before.id, &action).await;
            busy.set(None);
            confirming.set(false);
            focus_heading();
            match answer {
                Ok(changed) => {
                    // Only what the server says happened is shown as done.
                    let mut updated = before.clone();
                    if let Some(status) = changed.status {
                        updated.status = status;
                    }
                    if let Some(cancelling) = changed.cancel_at_period_end {
                        updated.cancel_at_period_end = cancelling;
                    }
                    if changed.current_period_end.is_some() {
                        updated.current_period_end = changed.current_period_end;
                    }
                    let message = match action {
                        PortalAction::Cancel => "Canceled: it won\u{2019}t renew.",
                        PortalAction::Pause => "Paused.",
                        PortalAction::Resume if before.cancel_at_period_end => {
                            "Kept: it will renew as before."
                        }
                        _ => "Resumed.",
                    };
                    current.set(updated);
                    done.set(Some(message.to_string()));
                }
                Err(error) if error.is_unauthorized() => on_unauthorized.run(()),
                Err(error @ ClientError::Network) => problem.set(Some(format!(
                    "{} Nothing was changed.",
                    request_problem(&error)
                ))),
                Err(error) => problem.set(Some(request_problem(&error))),
            }
        });
    };

    let title = move || {
        current.with(|s| match &s.plan {
            Some(plan) => plan.name.clone(),
            None => "Subscription".to_string(),
        })
    };
    let price = move || current.with(|s| s.plan.as_ref().map(price_line));
    let badge = move || current.with(|s| status_badge(&s.status));
    let period = move || current.with(period_line);
    let is_test = move || current.with(|s| s.mode.as_ref().is_some_and(|m| m.as_str() == "test"));
    let actions = move || current.with(|s| offered_actions(&group_for_actions, s));
    let card_id = current.with_untracked(|s| s.id.clone());

    view! {
        <li class="sub-card" data-testid="subscription" data-id=card_id>
            <div class="sub-head">
                <h3 class="plan-name" data-testid="plan-name" tabindex="-1" node_ref=heading>
                    {title}
                </h3>
                <div class="badges">
                    {move || is_test().then(|| view! { <span class="badge test" data-testid="test-badge">"Test"</span> })}
                    {move || {
                        let (label, tone) = badge();
                        view! {
                            <span class=format!("badge {tone}") data-testid="status">
                                {label}
                            </span>
                        }
                    }}
                </div>
            </div>
            {move || match price() {
                Some(line) => view! { <p class="price" data-testid="price">{line}</p> }.into_any(),
                None => view! { <p class="price muted" data-testid="price">"Plan details unavailable"</p> }.into_any(),
            }}
            {move || period().map(|line| view! { <p class="period" data-testid="period">{line}</p> })}
            <p class="action-status" role="status" data-testid="action-done">{move || done.get()}</p>
            <p class="field-error" role="alert" data-testid="action-error">{move || problem.get()}</p>
            {move || {
                let act = act.clone();
                if confirming.get() {
                    let act_confirm = act.clone();
                    let ends = current.with(period_line).map(|line| line.replace("Renews on", "on").replace("Trial ends on", "on"));
                    return view! {
                        <div class="confirm" role="group" aria-label="Confirm cancellation" data-testid="confirm-cancel">
                            <p>
                                {match ends {
                                    Some(when) => format!("Cancel {}? It stays active until the period ends ({when}), then stops renewing.", title()),
                                    None => format!("Cancel {}? It stops renewing at the end of the current period.", title()),
                                }}
                            </p>
                            <div class="actions">
                                <button
                                    type="button"
                                    class="button danger small"
                                    data-testid="confirm-cancel-yes"
                                    aria-busy=move || busy.get().is_some().then_some("true")
                                    on:click=move |_| act_confirm(PortalAction::Cancel)
                                >
                                    {move || if busy.get().is_some() { "Canceling\u{2026}" } else { "Yes, cancel" }}
                                </button>
                                <button
                                    type="button"
                                    class="button secondary small"
                                    data-testid="confirm-cancel-no"
                                    node_ref=keep_button
                                    on:click=move |_| {
                                        confirming.set(false);
                                        focus_heading();
                                    }
                                >
                                    "Keep it"
                                </button>
                            </div>
                        </div>
                    }
                        .into_any();
                }
                view! {
                    <div class="actions">
                        {actions()
                            .into_iter()
                            .map(|action| {
                                let act = act.clone();
                                let keep = current.with(|s| s.cancel_at_period_end);
                                let (label, class, test_id) = match &action {
                                    PortalAction::Cancel => ("Cancel subscription", "button secondary small", "action-cancel"),
                                    PortalAction::Pause => ("Pause", "button secondary small", "action-pause"),
                                    PortalAction::Resume if keep => ("Keep subscription", "button primary small", "action-keep"),
                                    _ => ("Resume", "button primary small", "action-resume"),
                                };
                                let pending = action.clone();
                                view! {
                                    <button
                                        type="button"
                                        class=class
                                        data-testid=test_id
                                        aria-busy=move || (busy.get().as_ref() == Some(&pending)).then_some("true")
                                        on:click=move |_| {
                                            if action == PortalAction::Cancel {
                                                open_confirm();
                                            } else {
                                                act(action.clone());
                                            }
                                        }
                                    >
                                        {label}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                }
                    .into_any()
            }}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use portal_core::api::Mode;

    use super::*;

    fn group(actions: Option<&[&str]>) -> PortalMerchantGroup {
        PortalMerchantGroup {
            tenant_id: "t".into(),
            merchant_name: "M".into(),
            subscriptions: vec![],
            actions: actions.map(|a| a.iter().map(|x| PortalAction::from(*x)).collect()),
        }
    }

    fn subscription(status: &str, cancelling: bool) -> PortalSubscription {
        PortalSubscription {
            id: "sub_1".into(),
            mode: Some(Mode::Live),
            status: SubscriptionStatus::from(status),
            cancel_at_period_end: cancelling,
            current_period_end: None,
            plan: None,
        }
    }

    const ALL: &[&str] = &["cancel", "pause", "resume"];

    #[test]
    fn only_actions_the_merchant_allows_and_the_status_permits_are_offered() {
        use PortalAction::*;
        assert_eq!(
            offered_actions(&group(Some(ALL)), &subscription("active", false)),
            [Pause, Cancel]
        );
        assert_eq!(
            offered_actions(&group(Some(ALL)), &subscription("paused", false)),
            [Resume, Cancel]
        );
        assert_eq!(
            offered_actions(&group(Some(ALL)), &subscription("active", true)),
            [Resume]
        );
        assert_eq!(
            offered_actions(&group(Some(&["cancel"])), &subscription("active", true)),
            [Resume]
        );
        assert_eq!(
            offered_actions(&group(Some(&["cancel"])), &subscription("trialing", false)),
            [Cancel]
        );
        assert!(offered_actions(&group(Some(ALL)), &subscription("canceled", false)).is_empty());
        assert!(offered_actions(&group(Some(&[])), &subscription("active", false)).is_empty());
        // Actions not listed at all: offer none the client cannot confirm.
        assert!(offered_actions(&group(None), &subscription("active", false)).is_empty());
        assert!(offered_actions(&group(Some(ALL)), &subscription("mystery", false)).is_empty());
    }
}
