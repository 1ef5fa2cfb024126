//! `/openapi.json`, generated from the handlers' annotations and the portal-core models.
use axum::Json;
use utoipa::OpenApi;

use crate::routes::{auth, portal};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Duro Portal API (reference server)",
        description = "The customer-portal API as implemented by portal-server. Errors always use \
                       the envelope {\"error\": {\"code\", \"message\", \"details\"}}; enum values \
                       listed are the known ones and clients must accept others."
    ),
    paths(
        auth::email_start,
        auth::email_verify,
        auth::email_signout,
        portal::subscriptions,
        portal::subscription_action,
        portal::cards,
        portal::wallet,
    )
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
