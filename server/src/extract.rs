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
        // An optional body sent as JSON `null` is no body (the description
        // says the body may be null).
        if empty_is_default && bytes.trim_ascii() == b"null" {
            return Ok(T::default());
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
        // serde's own message repeats the value sent; the answer names the
        // field (from our models, never the client's keys) and not the value.
        let message = if missing.is_some() {
            format!("The field {path} is missing.")
        } else {
            format!("The field {path} has the wrong type.")
        };
        AppError::invalid(&path, "invalid_type", message)
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

/// Path parameters, refused in the API's own envelope when they do not decode
/// (axum's own answer is `400 text/plain`, repeating what was sent).
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        <axum::extract::Path<T> as FromRequestParts<S>>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| AppError::BadRequest("The request's address is not valid.".into()))
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
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("\u{fffd}"))
            .collect::<Vec<_>>();
        let client = forwarded_client(peer, &forwarded, &state.config.trusted_proxies);
        Ok(ClientIp(bucket(client)))
    }
}

/// The client a request came from: the socket peer unless it is a trusted
/// proxy, then the `X-Forwarded-For` chain read from the right, past our own
/// proxies. An entry that does not parse ends the walk at the last address a
/// trusted proxy vouched for: everything left of it may be the client's own
/// invention, so it is never skipped over (an attacker could otherwise put an
/// address of their choice before it).
pub fn forwarded_client(peer: IpAddr, headers: &[&str], trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer;
    if !trusted.contains(&peer) {
        return client;
    }
    let hops = headers.iter().flat_map(|v| v.split(',')).map(str::trim);
    for hop in hops.collect::<Vec<_>>().into_iter().rev() {
        let Some(address) = parse_hop(hop) else {
            return client;
        };
        client = address;
        if !trusted.contains(&address) {
            return address;
        }
    }
    client
}

/// `192.0.2.1`, `192.0.2.1:5555`, `2001:db8::1` or `[2001:db8::1]:5555`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

/// One bucket per person as well as addresses allow: an IPv4 address, or an
/// IPv6 /64 (a single home or phone is handed a whole /64).
pub fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
        v4 => v4,
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

/// The merchant calling the merchant API: a secret key as a bearer token
/// (`Authorization: Bearer sk_test_…`, as Duro's merchant API). Anything else
/// answers `401` with a `WWW-Authenticate` challenge.
pub struct MerchantKey(pub crate::links::Merchant);

impl FromRequestParts<AppState> for MerchantKey {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, key) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
            })
            .filter(|key| !key.is_empty() && key.len() <= 128)
            .ok_or(AppError::BadKey)?
            .to_string();
        let merchant = state
            .store
            .run(move |conn| crate::links::merchant_for_key(conn, &key))
            .await?;
        merchant.map(MerchantKey).ok_or(AppError::BadKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("127.0.0.1")];
        assert_eq!(
            forwarded_client(ip("198.51.100.7"), &["6.6.6.6"], &proxy),
            ip("198.51.100.7")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.6, 192.0.2.10"], &proxy),
            ip("192.0.2.10")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &[], &proxy),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn an_entry_with_a_port_is_the_client_not_skipped() {
        let proxy = [ip("127.0.0.1")];
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.2, 192.0.2.10:5555"], &proxy),
            ip("192.0.2.10")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.2, [2001:db8::1]:443"], &proxy),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn an_entry_that_does_not_parse_ends_the_walk_at_the_last_vouched_address() {
        let proxies = [ip("127.0.0.1"), ip("10.0.0.2")];
        // The proxy at 10.0.0.2 passed on garbage: it, not 6.6.6.2, is the client.
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.2, bogus, 10.0.0.2"], &proxies),
            ip("10.0.0.2")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.2, unknown"], &proxies),
            ip("127.0.0.1")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), &["6.6.6.2", "\u{fffd}"], &proxies),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(
            bucket(ip("2001:db8:1:2:aaaa::1")),
            bucket(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(bucket(ip("2001:db8:1:2::1")), bucket(ip("2001:db8:1:3::1")));
        assert_eq!(bucket(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(bucket(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
