//! The signed-in portal: subscriptions and their actions, cards, wallet.
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use portal_core::api::{
    CancelRequest, CardsResponse, ErrorEnvelope, Mode, PortalAction, PortalSubscriptionAction,
    SubscriptionsResponse, WalletResponse,
};
use portal_core::lifecycle::{self, Refusal};
use portal_core::paths;

use crate::error::AppError;
use crate::extract::{ApiPath, OptionalApiJson, SignedIn};
use crate::state::AppState;
use crate::store;

#[utoipa::path(
    get, path = paths::SUBSCRIPTIONS, tag = "Customer Portal",
    security(("session" = [])),
    responses(
        (status = 200, description = "Every subscription, grouped by merchant", body = SubscriptionsResponse),
        (status = 401, description = "Missing, unknown, expired or revoked session", body = ErrorEnvelope),
    )
)]
pub async fn subscriptions(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
) -> Result<impl IntoResponse, AppError> {
    let merchants = state
        .store
        .run(move |conn| store::subscriptions_for(conn, &email))
        .await?;
    let body = listing_body(&SubscriptionsResponse { merchants })
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body))
}

/// About what one subscription takes in the listing's JSON (the seed's run
/// 250–330 bytes).
const LISTING_BYTES_PER_SUBSCRIPTION: usize = 320;

/// The listing as JSON, written into a buffer sized for it up front: a thousand
/// subscriptions are about 300 KB, which a buffer growing from empty would copy
/// a dozen times on the way.
pub fn listing_body(answer: &SubscriptionsResponse) -> serde_json::Result<Vec<u8>> {
    let items: usize = answer
        .merchants
        .iter()
        .map(|group| 1 + group.subscriptions.len())
        .sum();
    let mut body = Vec::with_capacity(64 + items * LISTING_BYTES_PER_SUBSCRIPTION);
    serde_json::to_writer(&mut body, answer)?;
    Ok(body)
}

#[utoipa::path(
    get, path = paths::CARDS, tag = "Customer Portal",
    security(("session" = [])),
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
    security(("session" = [])),
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

/// The refusal as the person is told it; a conflict says what the subscription is now.
fn refused(refusal: Refusal, state: &lifecycle::State, action: &PortalAction) -> AppError {
    if refusal != Refusal::Conflict {
        return refusal.into();
    }
    let now = if state.is_set_to_cancel() {
        "set to cancel".to_string()
    } else {
        state.status.as_str().replace('_', " ")
    };
    let done = match action {
        PortalAction::Pause => "paused",
        PortalAction::Resume => "resumed",
        _ => "canceled",
    };
    AppError::Conflict(format!(
        "This subscription is {now}, so it can\u{2019}t be {done} now."
    ))
}

/// Pause, resume (also: keep a subscription set to cancel) or cancel, as
/// portal-core's lifecycle rules allow.
#[utoipa::path(
    post, path = paths::SUBSCRIPTION_ACTION, tag = "Customer Portal",
    params(
        ("mode" = String, Path, description = "`test` or `live`; must match the subscription"),
        ("id" = String, Path, description = "Subscription id, `sub_…`"),
        ("action" = String, Path, description = "`pause`, `resume` or `cancel`"),
    ),
    security(("session" = [])),
    request_body(content = Option<CancelRequest>, description = "For cancel: `atPeriodEnd` (default true)"),
    responses(
        (status = 200, description = "The subscription after the action", body = PortalSubscriptionAction),
        (status = 400, description = "Body is not a JSON object (`null` included) or is over 4 KB, or the path does not decode", body = ErrorEnvelope),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 403, description = "The merchant does not offer this action in the portal", body = ErrorEnvelope),
        (status = 404, description = "No such subscription for this customer and mode", body = ErrorEnvelope),
        (status = 409, description = "Not a legal transition from the current status", body = ErrorEnvelope),
        (status = 415, description = "A body that is not application/json", body = ErrorEnvelope),
        (status = 422, description = "A field of the wrong type, e.g. `atPeriodEnd` not a boolean", body = ErrorEnvelope),
    )
)]
pub async fn subscription_action(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    ApiPath((mode, id, action)): ApiPath<(String, String, String)>,
    OptionalApiJson(body): OptionalApiJson<CancelRequest>,
) -> Result<Json<PortalSubscriptionAction>, AppError> {
    let (mode, action) = (Mode::from(mode), PortalAction::from(action));
    if matches!(action, PortalAction::Unknown(_)) || matches!(mode, Mode::Unknown(_)) {
        return Err(AppError::NotFound("There is no such API endpoint.".into()));
    }
    let at_period_end = body.at_period_end.unwrap_or(true);
    state
        .store
        .write(move |conn| {
            let subscription = store::owned_subscription(conn, &email, &mode, &id)?
                .ok_or_else(|| AppError::NotFound("No such subscription.".into()))?;
            let next = subscription
                .state
                .apply(subscription.allowed.as_deref(), &action, at_period_end)
                .map_err(|refusal| refused(refusal, &subscription.state, &action))?;
            store::update_subscription(conn, &subscription.id, &next)?;
            Ok(Json(PortalSubscriptionAction {
                id: subscription.id,
                status: Some(next.status),
                cancel_at_period_end: Some(next.cancel_at_period_end),
                current_period_end: subscription.current_period_end.and_then(store::timestamp),
            }))
        })
        .await
}
