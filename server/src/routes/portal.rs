//! The signed-in portal: subscriptions and their actions, cards, wallet.
use axum::extract::{Path, State};
use axum::Json;
use portal_core::api::{
    CancelRequest, CardsResponse, ErrorEnvelope, PortalAction, PortalSubscriptionAction,
    SubscriptionStatus, SubscriptionsResponse, WalletResponse,
};
use portal_core::paths;

use crate::error::AppError;
use crate::extract::{OptionalApiJson, SignedIn};
use crate::state::AppState;
use crate::store::{self, OwnedSubscription};

#[utoipa::path(
    get, path = paths::SUBSCRIPTIONS, tag = "Customer Portal",
    params(("x-portal-session" = String, Header, description = "Session token from verify")),
    responses(
        (status = 200, description = "Every subscription, grouped by merchant", body = SubscriptionsResponse),
        (status = 401, description = "Missing, unknown, expired or revoked session", body = ErrorEnvelope),
    )
)]
pub async fn subscriptions(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
) -> Result<Json<SubscriptionsResponse>, AppError> {
    let merchants = state
        .store
        .run(move |conn| store::subscriptions_for(conn, &email))
        .await?;
    Ok(Json(SubscriptionsResponse { merchants }))
}

#[utoipa::path(
    get, path = paths::CARDS, tag = "Customer Portal",
    params(("x-portal-session" = String, Header, description = "Session token from verify")),
    responses(
        (status = 200, description = "Saved cards", body = CardsResponse),
        (status = 401, description = "No live session", body = ErrorEnvelope),
    )
)]
pub async fn cards(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
) -> Result<Json<CardsResponse>, AppError> {
    let items = state
        .store
        .run(move |conn| store::cards_for(conn, &email))
        .await?;
    Ok(Json(CardsResponse { items }))
}

#[utoipa::path(
    get, path = paths::WALLET, tag = "Customer Portal",
    params(("x-portal-session" = String, Header, description = "Session token from verify")),
    responses(
        (status = 200, description = "Wallet balance and transactions", body = WalletResponse),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "The customer has no wallet", body = ErrorEnvelope),
    )
)]
pub async fn wallet(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
) -> Result<Json<WalletResponse>, AppError> {
    state
        .store
        .run(move |conn| store::wallet_for(conn, &email))
        .await?
        .map(Json)
        .ok_or_else(|| AppError::NotFound("This account has no wallet.".into()))
}

/// The status and cancel flag an action leads to, or why it may not happen.
pub fn transition(
    subscription: &OwnedSubscription,
    action: &PortalAction,
    at_period_end: bool,
) -> Result<(SubscriptionStatus, bool), AppError> {
    let allows = |a: &PortalAction| subscription.allowed.contains(a);
    let not_offered =
        || AppError::Forbidden("This merchant does not offer that in the portal.".into());
    let status = &subscription.status;
    match action {
        PortalAction::Pause => {
            if !allows(&PortalAction::Pause) {
                return Err(not_offered());
            }
            match status {
                SubscriptionStatus::Active | SubscriptionStatus::Trialing => Ok((
                    SubscriptionStatus::Paused,
                    subscription.cancel_at_period_end,
                )),
                _ => Err(AppError::Conflict(format!(
                    "Only an active or trialing subscription can be paused; this one is {status}."
                ))),
            }
        }
        PortalAction::Resume => {
            if *status == SubscriptionStatus::Paused {
                if !allows(&PortalAction::Resume) {
                    return Err(not_offered());
                }
                return Ok((
                    SubscriptionStatus::Active,
                    subscription.cancel_at_period_end,
                ));
            }
            // Keeping a subscription that is set to cancel: whoever may cancel may undo it.
            if subscription.cancel_at_period_end && !status.has_ended() {
                if !allows(&PortalAction::Resume) && !allows(&PortalAction::Cancel) {
                    return Err(not_offered());
                }
                return Ok((status.clone(), false));
            }
            Err(AppError::Conflict(format!(
                "Only a paused subscription, or one set to cancel, can be resumed; this one is {status}."
            )))
        }
        PortalAction::Cancel => {
            if !allows(&PortalAction::Cancel) {
                return Err(not_offered());
            }
            if status.has_ended() {
                return Err(AppError::Conflict(format!(
                    "This subscription is already {status}."
                )));
            }
            if at_period_end {
                Ok((status.clone(), true))
            } else {
                Ok((SubscriptionStatus::Canceled, false))
            }
        }
        PortalAction::Unknown(_) => Err(AppError::NotFound("There is no such action.".into())),
    }
}

/// Pause, resume (also: keep a subscription set to cancel) or cancel.
#[utoipa::path(
    post, path = paths::SUBSCRIPTION_ACTION, tag = "Customer Portal",
    params(
        ("x-portal-session" = String, Header, description = "Session token from verify"),
        ("mode" = String, Path, description = "`test` or `live`; must match the subscription"),
        ("id" = String, Path, description = "Subscription id, `sub_…`"),
        ("action" = String, Path, description = "`pause`, `resume` or `cancel`"),
    ),
    request_body(content = Option<CancelRequest>, description = "For cancel: `atPeriodEnd` (default true)"),
    responses(
        (status = 200, description = "The subscription after the action", body = PortalSubscriptionAction),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 403, description = "The merchant does not offer this action in the portal", body = ErrorEnvelope),
        (status = 404, description = "No such subscription for this customer and mode", body = ErrorEnvelope),
        (status = 409, description = "Not a legal transition from the current status", body = ErrorEnvelope),
    )
)]
pub async fn subscription_action(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    Path((mode, id, action)): Path<(String, String, String)>,
    OptionalApiJson(body): OptionalApiJson<CancelRequest>,
) -> Result<Json<PortalSubscriptionAction>, AppError> {
    let action = PortalAction::from(action);
    if matches!(action, PortalAction::Unknown(_)) || !matches!(mode.as_str(), "test" | "live") {
        return Err(AppError::NotFound("There is no such API endpoint.".into()));
    }
    let at_period_end = body.at_period_end.unwrap_or(true);
    state
        .store
        .write(move |conn| {
            let subscription = store::owned_subscription(conn, &email, &mode, &id)?
                .ok_or_else(|| AppError::NotFound("No such subscription.".into()))?;
            let (status, cancel_at_period_end) = transition(&subscription, &action, at_period_end)?;
            store::update_subscription(conn, &subscription.id, &status, cancel_at_period_end)?;
            Ok(Json(PortalSubscriptionAction {
                id: subscription.id,
                status: Some(status),
                cancel_at_period_end: Some(cancel_at_period_end),
                current_period_end: subscription.current_period_end.and_then(store::timestamp),
            }))
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscription(
        status: SubscriptionStatus,
        cancelling: bool,
        allowed: &[PortalAction],
    ) -> OwnedSubscription {
        OwnedSubscription {
            id: "sub_1".into(),
            status,
            cancel_at_period_end: cancelling,
            current_period_end: None,
            allowed: allowed.to_vec(),
        }
    }

    const ALL: &[PortalAction] = &[
        PortalAction::Cancel,
        PortalAction::Pause,
        PortalAction::Resume,
    ];

    #[test]
    fn pause_only_from_active_or_trialing() {
        use SubscriptionStatus::*;
        for status in [Active, Trialing] {
            let result = transition(
                &subscription(status, false, ALL),
                &PortalAction::Pause,
                true,
            );
            assert_eq!(result.unwrap(), (Paused, false));
        }
        for status in [Paused, PastDue, Canceled, Expired, Incomplete, Unpaid] {
            let result = transition(
                &subscription(status, false, ALL),
                &PortalAction::Pause,
                true,
            );
            assert!(matches!(result, Err(AppError::Conflict(_))));
        }
    }

    #[test]
    fn resume_unpauses_or_keeps_a_cancelling_subscription() {
        use SubscriptionStatus::*;
        let paused = transition(
            &subscription(Paused, false, ALL),
            &PortalAction::Resume,
            true,
        );
        assert_eq!(paused.unwrap(), (Active, false));
        let cancelling = transition(
            &subscription(Active, true, &[PortalAction::Cancel]),
            &PortalAction::Resume,
            true,
        );
        assert_eq!(cancelling.unwrap(), (Active, false));
        let active = transition(
            &subscription(Active, false, ALL),
            &PortalAction::Resume,
            true,
        );
        assert!(matches!(active, Err(AppError::Conflict(_))));
    }

    #[test]
    fn cancel_at_period_end_or_now_and_never_twice() {
        use SubscriptionStatus::*;
        let later = transition(
            &subscription(Active, false, ALL),
            &PortalAction::Cancel,
            true,
        );
        assert_eq!(later.unwrap(), (Active, true));
        let now = transition(
            &subscription(Active, false, ALL),
            &PortalAction::Cancel,
            false,
        );
        assert_eq!(now.unwrap(), (Canceled, false));
        let ended = transition(
            &subscription(Canceled, false, ALL),
            &PortalAction::Cancel,
            true,
        );
        assert!(matches!(ended, Err(AppError::Conflict(_))));
    }

    #[test]
    fn actions_the_merchant_does_not_offer_are_forbidden() {
        use SubscriptionStatus::*;
        for action in [PortalAction::Pause, PortalAction::Cancel] {
            let result = transition(&subscription(Active, false, &[]), &action, true);
            assert!(matches!(result, Err(AppError::Forbidden(_))), "{action}");
        }
        let result = transition(
            &subscription(Paused, false, &[PortalAction::Pause]),
            &PortalAction::Resume,
            true,
        );
        assert!(matches!(result, Err(AppError::Forbidden(_))));
    }
}
