//! `/openapi.json`, generated from the handlers' annotations and the portal-core models.
use axum::Json;
use portal_core::api::SESSION_HEADER;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

use crate::routes::{auth, billing, links, portal, wallet};

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
        billing::invoices,
        billing::retry,
        billing::card_default,
        billing::remove_card,
        wallet::topup,
        links::create,
    ),
    modifiers(&SessionHeader)
)]
pub struct ApiDoc;

/// The session token travels in its own header, named as a security scheme so
/// clients and tools know to send it (not as a parameter to make up).
struct SessionHeader;

impl utoipa::Modify for SessionHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                SESSION_HEADER,
                "The session token from verify",
            ))),
        );
        components.add_security_scheme(
            "secret_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A merchant's secret key, sk_test_… or sk_live_…"))
                    .build(),
            ),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
