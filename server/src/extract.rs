//! Request extractors that enforce the contract's input rules.
use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{
    ConnectInfo, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
};
use axum::http::header;
use axum::http::request::Parts;
use portal_core::api::SESSION_HEADER;
use portal_core::limits::MAX_BODY_BYTES;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::signin;
use crate::state::AppState;

/// A JSON body: `application/json` (else 415, so a cross-site form cannot post
/// one), at most 4 KB and a JSON object (else 400), with fields of the right
/// types (else 422 naming the field).
pub struct ApiJson<T>(pub T);

/// Whether reading a body stopped at the body timeout (`--body-timeout`) rather
/// than at the size limit.
fn body_timed_out(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = error.source();
    }
    false
}

impl<T: DeserializeOwned + Default> ApiJson<T> {
    /// Like the extractor, but an empty body without a content type stands for `{}`.
    async fn read(req: Request, empty_is_default: bool) -> Result<T, AppError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase);
        let bytes = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES)
            .await
            .map_err(|error| {
                AppError::BadRequest(if body_timed_out(&error) {
                    "The request body did not arrive in time.".into()
                } else {
                    "The request body is over 4 KB.".into()
                })
            })?;
        if empty_is_default && bytes.is_empty() && content_type.is_none() {
            return Ok(T::default());
        }
        let is_json = content_type
            .as_deref()
            .is_some_and(|ct| ct.split(';').next().map(str::trim) == Some("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType(
                "Send the request body as application/json.".into(),
            ));
        }
        parse_object(&bytes)
    }
}

fn parse_object<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| AppError::BadRequest("The request body is not valid JSON.".into()))?;
    if !value.is_object() {
        return Err(AppError::BadRequest(
            "The request body must be a JSON object.".into(),
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner().to_string();
        // serde reports a missing field at the parent; name the field itself.
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let path = match (path.as_str(), missing) {
            (".", Some(field)) => field.to_string(),
            (".", None) => String::new(),
            _ => path,
        };
        AppError::invalid(
            &path,
            "invalid_type",
            format!("Check the field {path}: {}", error.inner()),
        )
    })
}

impl<T: DeserializeOwned + Default + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ApiJson(Self::read(req, false).await?))
    }
}

/// A JSON body that may be left out entirely (pause, resume, cancel).
pub struct OptionalApiJson<T>(pub T);

impl<T: DeserializeOwned + Default + Send> FromRequest<AppState> for OptionalApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(OptionalApiJson(ApiJson::<T>::read(req, true).await?))
    }
}

/// The client's address for per-client limits: the socket peer, or the
/// `X-Forwarded-For` entry a configured trusted proxy added. Never a header
/// an arbitrary client can set.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("no peer address")))?;
        if !state.config.trusted_proxies.contains(&peer) {
            return Ok(ClientIp(peer));
        }
        // Walk the chain from the right, skipping our own proxies.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        let client = forwarded
            .iter()
            .rev()
            .filter_map(|hop| hop.parse::<IpAddr>().ok())
            .find(|ip| !state.config.trusted_proxies.contains(ip))
            .unwrap_or(peer);
        Ok(ClientIp(client))
    }
}

/// The raw session token from `x-portal-session`, unchecked: sign-out takes it
/// as it comes, and [`SignedIn`] checks it in the store.
pub struct SessionToken(pub String);

impl SessionToken {
    fn from_parts(parts: &Parts) -> Option<SessionToken> {
        parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 128)
            .map(|token| SessionToken(token.to_string()))
    }
}

impl OptionalFromRequestParts<AppState> for SessionToken {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(SessionToken::from_parts(parts))
    }
}

/// The signed-in customer: a live session from `x-portal-session`, its idle time
/// refreshed. Signed-in routes take this; anything else answers `401`.
pub struct SignedIn {
    pub email: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SessionToken(token) = SessionToken::from_parts(parts).ok_or(AppError::Unauthorized)?;
        let now = state.clock.now();
        let (limits, checked) = (state.config.limits.clone(), token.clone());
        let live = state
            .store
            .run(move |conn| signin::check_session(conn, &limits, now, &checked))
            .await?;
        if !live.refresh_due {
            return Ok(SignedIn { email: live.email });
        }
        let limits = state.config.limits.clone();
        let email = state
            .store
            .write(move |conn| signin::refresh_session(conn, &limits, now, &token))
            .await?;
        Ok(SignedIn { email })
    }
}
