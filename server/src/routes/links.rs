//! The merchant API's one endpoint here (P): portal links, minted with a secret
//! key, so a failed-payment email can land its reader on the card to fix.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use portal_core::api::{ErrorEnvelope, PortalLinkRequest, PortalLinkResponse};
use portal_core::paths;

use crate::error::AppError;
use crate::extract::{ApiJson, MerchantKey};
use crate::links;
use crate::state::AppState;

/// Mint a portal link for a customer. Project choice: Duro describes links, not this path.
#[utoipa::path(
    post, path = paths::PORTAL_LINKS, tag = "Merchant",
    security(("secret_key" = [])),
    request_body = PortalLinkRequest,
    responses(
        (status = 201, description = "The link: the portal (or the subscription's page) with a token that pre-fills the address; it never signs anyone in", body = PortalLinkResponse),
        (status = 400, description = "Body not JSON", body = ErrorEnvelope),
        (status = 401, description = "No secret key, or one this server did not issue", body = ErrorEnvelope),
        (status = 404, description = "The subscription is not this merchant's, or not held by this address", body = ErrorEnvelope),
        (status = 422, description = "The address is not one, the lifetime is outside 60 s to 30 days, or the subscription is in the other mode than the key", body = ErrorEnvelope),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    MerchantKey(merchant): MerchantKey,
    ApiJson(request): ApiJson<PortalLinkRequest>,
) -> Result<(StatusCode, Json<PortalLinkResponse>), AppError> {
    // Check what needs no database first: a bad address costs no read.
    links::check_request(&request)?;
    let now = state.clock.now();
    let keys = state.config.secret.keys();
    let public_url = state.config.public_url.clone();
    let link = state
        .store
        .run(move |conn| {
            links::mint_for_merchant(conn, &keys, &public_url, &merchant, &request, now)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(link)))
}
