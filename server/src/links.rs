//! Portal links (P): a URL that pre-fills a customer's address and may name one
//! subscription to land on. A link never signs anyone in (the code still goes to
//! the address), so minting one for any address leaks nothing; a target is
//! checked against the address and the merchant all the same, so a link never
//! names a subscription its reader cannot open.
//!
//! Merchants mint links at `POST /v1/portal/links` with a secret key; the
//! `link` command mints them with the server's own secret. Both come here.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portal_core::api::{LinkTarget, Mode, PortalLinkRequest, PortalLinkResponse};
use portal_core::limits::{LINK_TTL_DEFAULT_SECONDS, LINK_TTL_MAX_SECONDS, LINK_TTL_MIN_SECONDS};
use portal_core::paths::DeepLink;
use portal_core::Email;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::crypto::{random_bytes, Keys};
use crate::store::{timestamp, StoreError};

/// What a merchant's secret key unlocks: its own customers, in one mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub tenant_id: String,
    pub mode: Mode,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{0}")]
    Email(portal_core::EmailError),
    #[error("A link lives from {LINK_TTL_MIN_SECONDS} seconds to {LINK_TTL_MAX_SECONDS} seconds (30 days).")]
    Ttl,
    #[error("A {key} key links to {key} subscriptions only.")]
    Mode { key: String },
    #[error("There is no such subscription for this customer at your business.")]
    NoSuchSubscription,
    #[error("There is no merchant {0} here.")]
    NoSuchMerchant(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<r2d2_sqlite::rusqlite::Error> for LinkError {
    fn from(error: r2d2_sqlite::rusqlite::Error) -> Self {
        LinkError::Store(error.into())
    }
}

/// The request's address and lifetime checked, before anything is read.
pub fn check_request(request: &PortalLinkRequest) -> Result<(Email, i64), LinkError> {
    let email = Email::parse(&request.email).map_err(LinkError::Email)?;
    let ttl = request
        .ttl_seconds
        .unwrap_or(i64::from(LINK_TTL_DEFAULT_SECONDS));
    if !(i64::from(LINK_TTL_MIN_SECONDS)..=i64::from(LINK_TTL_MAX_SECONDS)).contains(&ttl) {
        return Err(LinkError::Ttl);
    }
    Ok((email, ttl))
}

/// The link's URL: the deep link's page (or the portal's root), the token in the
/// fragment so it never reaches a server's log.
pub fn url(
    keys: &Keys,
    public_url: &str,
    email: &Email,
    target: Option<&DeepLink>,
    expires_at: i64,
) -> String {
    let token = keys.mint_link_token(email, expires_at);
    let page = target.map_or_else(|| "/".to_string(), DeepLink::path);
    format!("{}{page}#token={token}", public_url.trim_end_matches('/'))
}

/// A merchant's link: the target, if any, must be this merchant's subscription,
/// in the key's mode, held by this address.
pub fn mint_for_merchant(
    conn: &Connection,
    keys: &Keys,
    public_url: &str,
    merchant: &Merchant,
    request: &PortalLinkRequest,
    now: i64,
) -> Result<PortalLinkResponse, LinkError> {
    let (email, ttl) = check_request(request)?;
    let target = match &request.subscription {
        None => None,
        Some(LinkTarget { mode, id }) => {
            if *mode != merchant.mode {
                return Err(LinkError::Mode {
                    key: merchant.mode.as_str().to_string(),
                });
            }
            let held: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM subscriptions s JOIN customers c ON c.id = s.customer_id
                     WHERE s.id = ?1 AND s.mode = ?2 AND s.tenant_id = ?3 AND c.email = ?4",
                    params![id, mode.as_str(), merchant.tenant_id, email.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            if held.is_none() {
                return Err(LinkError::NoSuchSubscription);
            }
            Some(DeepLink {
                mode: mode.clone(),
                id: id.clone(),
            })
        }
    };
    let expires_at = now + ttl;
    Ok(PortalLinkResponse {
        url: url(keys, public_url, &email, target.as_ref(), expires_at),
        expires_at: timestamp(expires_at).unwrap_or_default(),
    })
}

fn key_hash(key: &str) -> Vec<u8> {
    // A key is 32 random bytes: a plain hash is as good as a slow one, and
    // the database never holds a key that works.
    Sha256::digest(key.as_bytes()).to_vec()
}

/// A new secret key for a merchant, stored as its hash; the key itself is
/// returned once, to be handed to the merchant.
pub fn create_key(
    conn: &Connection,
    tenant_id: &str,
    mode: &Mode,
    now: i64,
) -> Result<String, LinkError> {
    let mode = match mode {
        Mode::Test | Mode::Live => mode.as_str(),
        Mode::Unknown(_) => {
            return Err(LinkError::Mode {
                key: "test or live".to_string(),
            })
        }
    };
    let known: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM merchants WHERE tenant_id = ?1",
            params![tenant_id],
            |row| row.get(0),
        )
        .optional()?;
    if known.is_none() {
        return Err(LinkError::NoSuchMerchant(tenant_id.to_string()));
    }
    let key = format!("sk_{mode}_{}", URL_SAFE_NO_PAD.encode(random_bytes::<32>()));
    conn.execute(
        "INSERT INTO merchant_keys (key_hash, tenant_id, mode, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![key_hash(&key), tenant_id, mode, now],
    )?;
    Ok(key)
}

/// The merchant a bearer key belongs to, if it is one of ours.
pub fn merchant_for_key(conn: &Connection, key: &str) -> Result<Option<Merchant>, StoreError> {
    if !(key.starts_with("sk_test_") || key.starts_with("sk_live_")) {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT tenant_id, mode FROM merchant_keys WHERE key_hash = ?1",
            params![key_hash(key)],
            |row| {
                Ok(Merchant {
                    tenant_id: row.get(0)?,
                    mode: Mode::from(row.get::<_, String>(1)?),
                })
            },
        )
        .optional()?)
}
