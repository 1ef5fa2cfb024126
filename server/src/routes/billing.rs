//! Paying what is owed, invoices and saved cards (P paths for what Duro
//! describes without publishing them; `docs/api.md` marks each).
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use portal_core::api::{
    CardsResponse, ErrorEnvelope, InvoicesResponse, Mode, RetryRequest, RetryResponse,
};
use portal_core::paths;
use serde::Deserialize;

use crate::billing;
use crate::error::AppError;
use crate::extract::{ApiPath, OptionalApiJson, SignedIn};
use crate::state::AppState;

pub(crate) fn known_mode(mode: String) -> Result<Mode, AppError> {
    match Mode::from(mode) {
        Mode::Unknown(_) => Err(AppError::NotFound("There is no such API endpoint.".into())),
        mode => Ok(mode),
    }
}

#[derive(Debug, Deserialize)]
pub struct InvoicesQuery {
    cursor: Option<String>,
}

/// Invoices of one subscription, newest first. Project choice: Duro describes invoices and receipts, not this path.
#[utoipa::path(
    get, path = paths::INVOICES, tag = "Customer Portal",
    params(
        ("mode" = String, Path, description = "`test` or `live`; must match the subscription"),
        ("id" = String, Path, description = "Subscription id, `sub_…`"),
        ("cursor" = Option<String>, Query, description = "`nextCursor` of the page before"),
    ),
    security(("session" = [])),
    responses(
        (status = 200, description = "Invoices, newest first, ten a page", body = InvoicesResponse),
        (status = 400, description = "A cursor this server did not give for this subscription", body = ErrorEnvelope),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "No such subscription for this customer and mode", body = ErrorEnvelope),
    )
)]
pub async fn invoices(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    ApiPath((mode, id)): ApiPath<(String, String)>,
    query: Result<Query<InvoicesQuery>, QueryRejection>,
) -> Result<Json<InvoicesResponse>, AppError> {
    let mode = known_mode(mode)?;
    let Query(query) =
        query.map_err(|_| AppError::BadRequest("The request's query is not valid.".into()))?;
    let (items, next_cursor) = state
        .store
        .run(move |conn| billing::invoices(conn, &email, &mode, &id, query.cursor.as_deref()))
        .await?;
    Ok(Json(InvoicesResponse { items, next_cursor }))
}

/// The `Idempotency-Key` header: 1 to 255 visible ASCII characters, or absent.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get(paths::IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if (1..=255).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_graphic()) {
        Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
    } else {
        Err(AppError::BadRequest(
            "Idempotency-Key must be 1 to 255 visible ASCII characters.".into(),
        ))
    }
}

/// Pay what is owed now. Project choice: Duro describes an instant retry, not this path.
#[utoipa::path(
    post, path = paths::RETRY, tag = "Customer Portal",
    params(
        ("mode" = String, Path, description = "`test` or `live`; must match the subscription"),
        ("id" = String, Path, description = "Subscription id, `sub_…`"),
        ("Idempotency-Key" = Option<String>, Header, description = "A repeat with the same key gets the first answer and charges nothing"),
    ),
    security(("session" = [])),
    request_body(content = Option<RetryRequest>, description = "`cardId`: a saved card; absent, the default card"),
    responses(
        (status = 200, description = "Charged: paid, or declined with the reason", body = RetryResponse),
        (status = 400, description = "Body not a JSON object, or a malformed Idempotency-Key", body = ErrorEnvelope),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "No such subscription or card for this customer", body = ErrorEnvelope),
        (status = 409, description = "Nothing is owed, or no default card to pay with", body = ErrorEnvelope),
        (status = 415, description = "A body that is not application/json", body = ErrorEnvelope),
        (status = 422, description = "The Idempotency-Key was used for a different request, or a field of the wrong type", body = ErrorEnvelope),
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    ApiPath((mode, id)): ApiPath<(String, String)>,
    headers: HeaderMap,
    OptionalApiJson(body): OptionalApiJson<RetryRequest>,
) -> Result<Json<RetryResponse>, AppError> {
    let mode = known_mode(mode)?;
    let key = idempotency_key(&headers)?;
    let (processor, now) = (state.processor.clone(), state.clock.now());
    let answer = state
        .store
        .write(move |conn| {
            billing::retry(
                conn,
                processor.as_ref(),
                &email,
                &mode,
                &id,
                body.card_id.as_deref(),
                key.as_deref(),
                now,
            )
        })
        .await?;
    Ok(Json(answer))
}

/// Make a card the default. Project choice: Duro describes the rule, not this path.
#[utoipa::path(
    post, path = paths::CARD_DEFAULT, tag = "Customer Portal",
    params(("id" = String, Path, description = "Card id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The cards, this one now the default", body = CardsResponse),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "No such card for this customer", body = ErrorEnvelope),
        (status = 409, description = "The card has expired", body = ErrorEnvelope),
    )
)]
pub async fn card_default(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CardsResponse>, AppError> {
    let now = state.clock.now();
    let items = state
        .store
        .write(move |conn| billing::set_default_card(conn, &email, &id, now))
        .await?;
    Ok(Json(CardsResponse { items }))
}

/// Remove a card. Project choice: Duro describes the guard, not this path.
#[utoipa::path(
    delete, path = paths::CARD, tag = "Customer Portal",
    params(("id" = String, Path, description = "Card id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The cards left; a removed default's place taken by the next card", body = CardsResponse),
        (status = 401, description = "No live session", body = ErrorEnvelope),
        (status = 404, description = "No such card for this customer", body = ErrorEnvelope),
        (status = 409, description = "The last valid card while a subscription needs one", body = ErrorEnvelope),
    )
)]
pub async fn remove_card(
    State(state): State<AppState>,
    SignedIn { email }: SignedIn,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CardsResponse>, AppError> {
    let now = state.clock.now();
    let items = state
        .store
        .write(move |conn| billing::remove_card(conn, &email, &id, now))
        .await?;
    Ok(Json(CardsResponse { items }))
}
