//! The portal API's request, answer and error models (`docs/api.md` describes the API).
//!
//! Answers are read leniently: unknown fields are ignored, fields the contract
//! marks as the project's own (P) are optional, and enums keep values they do
//! not know in `Unknown(String)`, so a new server value never breaks a client.
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use serde::{Deserialize, Serialize};

/// The header that carries the session token on every call after sign-in.
pub const SESSION_HEADER: &str = "x-portal-session";

/// Defines a string enum that round-trips its wire values and keeps unknown ones.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)+
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl From<&str> for $name {
            /// Allocates only for a value this version does not know.
            fn from(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)+
                    _ => Self::Unknown(String::from(value)),
                }
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                match value {
                    $($name::$variant => String::from($wire),)+
                    $name::Unknown(other) => other,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A string; the values listed are the known ones, and clients must accept others.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

open_enum!(
    /// Whether a subscription lives in the merchant's test or live data.
    Mode { Test => "test", Live => "live" }
);

open_enum!(
    /// Subscription status, as Duro's merchant API documents it.
    SubscriptionStatus {
        Incomplete => "incomplete",
        Trialing => "trialing",
        Active => "active",
        PastDue => "past_due",
        Paused => "paused",
        Unpaid => "unpaid",
        Canceled => "canceled",
        Expired => "expired",
    }
);

open_enum!(
    /// An action a merchant lets its customers take in the portal.
    PortalAction { Cancel => "cancel", Pause => "pause", Resume => "resume" }
);

open_enum!(
    WalletStatus { Active => "active", Frozen => "frozen", Closed => "closed" }
);

open_enum!(
    /// The stable `error.code` of the error envelope.
    ErrorCode {
        BadRequest => "bad_request",
        Unauthorized => "unauthorized",
        Forbidden => "forbidden",
        NotFound => "not_found",
        Conflict => "conflict",
        ValidationError => "validation_error",
        RateLimited => "rate_limited",
        InternalError => "internal_error",
    }
);

open_enum!(
    /// Why a sign-in code was refused (`details[].issue` on `path = "code"`).
    CodeIssue {
        Incorrect => "incorrect",
        Expired => "expired",
        AttemptsExceeded => "attempts_exceeded",
    }
);

impl CodeIssue {
    /// What a person is told when a code is refused: the one wording, for the
    /// server's error message and the page alike. `None` for an issue this
    /// version does not know (the page then shows the server's own message).
    pub fn message(&self, attempts_remaining: Option<u32>) -> Option<String> {
        Some(match (self, attempts_remaining) {
            (Self::Incorrect, Some(1)) => {
                String::from("That code isn\u{2019}t right. You have 1 try left.")
            }
            (Self::Incorrect, Some(tries)) => {
                alloc::format!("That code isn\u{2019}t right. You have {tries} tries left.")
            }
            (Self::Incorrect, None) => {
                String::from("That code isn\u{2019}t right. Check the email and try again.")
            }
            // A used code reads the same as a stale one: neither tells a stranger more.
            (Self::Expired, _) => String::from(
                "This code has expired or was already used. Send a new code to continue.",
            ),
            (Self::AttemptsExceeded, _) => {
                String::from("Too many wrong tries for this code. Send a new code to continue.")
            }
            (Self::Unknown(_), _) => return None,
        })
    }
}

impl SubscriptionStatus {
    /// Statuses after which the subscription no longer renews.
    pub fn has_ended(&self) -> bool {
        matches!(self, Self::Canceled | Self::Expired)
    }
}

impl ErrorCode {
    /// The HTTP status the contract pairs with this code.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::ValidationError => 422,
            Self::RateLimited => 429,
            Self::InternalError | Self::Unknown(_) => 500,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 320))]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2048))]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct StartResponse {
    pub email: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyRequest {
    /// Required; read as empty when missing so it fails like any bad code, on `code`.
    /// Six digits of any script, with spaces, hyphens or dots between them.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(min_length = 6, max_length = 64))]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 320))]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2048))]
    pub token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifyResponse {
    pub session_token: String,
    pub account: PortalAccount,
    #[serde(default)]
    pub subscriptions: Vec<PortalMerchantGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalAccount {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalMerchantGroup {
    pub tenant_id: String,
    pub merchant_name: String,
    #[serde(default)]
    pub subscriptions: Vec<PortalSubscription>,
    /// What the merchant lets the portal do (P). `None`: the group lists nothing
    /// (Duro's API documents no list), so the status alone decides what is offered
    /// and a `403` from the server says the merchant does not offer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<PortalAction>>,
}

impl PortalMerchantGroup {
    /// The actions the group lists, for [`crate::lifecycle::State::apply`].
    pub fn allowed(&self) -> Option<&[PortalAction]> {
        self.actions.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalSubscription {
    pub id: String,
    /// In the seed's schema, but absent from some published examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    pub status: SubscriptionStatus,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// RFC 3339 timestamp, e.g. `2026-12-01T00:00:00Z`.
    #[serde(default)]
    pub current_period_end: Option<String>,
    /// Shared: a listing's subscriptions on one plan point at one copy of it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<PortalPlan>))]
    pub plan: Option<Arc<PortalPlan>>,
}

fn default_currency() -> String {
    String::from("NGN")
}

fn default_interval_count() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalPlan {
    pub id: String,
    pub name: String,
    /// Minor units (kobo for NGN).
    pub amount: i64,
    #[serde(default = "default_currency")]
    pub currency: String,
    pub interval: String,
    #[serde(default = "default_interval_count")]
    pub interval_count: i64,
}

impl PortalSubscription {
    /// The mode for the action paths. Duro's published examples leave `mode` out;
    /// a subscription without one is taken as live, and a server that holds it in
    /// test mode answers `404` rather than act on the wrong one.
    pub fn path_mode(&self) -> Mode {
        self.mode.clone().unwrap_or(Mode::Live)
    }
}

impl PortalPlan {
    pub fn price(&self) -> crate::Money {
        crate::Money::new(self.amount, self.currency.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsResponse {
    #[serde(default)]
    pub merchants: Vec<PortalMerchantGroup>,
}

/// The answer to pause, resume and cancel. Only `id` is documented by Duro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalSubscriptionAction {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_at_period_end: Option<bool>,
    #[serde(default)]
    pub current_period_end: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    /// Defaults to true in the portal: cancel when the paid period ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_period_end: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignoutResponse {
    pub ok: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CardsResponse {
    #[serde(default)]
    pub items: Vec<PortalCard>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalCard {
    pub id: String,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
    #[serde(default)]
    pub exp_month: Option<u32>,
    #[serde(default)]
    pub exp_year: Option<u32>,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WalletResponse {
    pub balance: i64,
    #[serde(default = "default_currency")]
    pub currency: String,
    pub status: WalletStatus,
    #[serde(default)]
    pub transactions: Vec<WalletTransaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WalletTransaction {
    pub id: String,
    pub amount: i64,
    pub balance_after: i64,
    #[serde(default)]
    pub memo: Option<String>,
    #[serde(default)]
    pub merchant_name: Option<String>,
    pub created_at: String,
}

open_enum!(
    /// An invoice's status, as Duro's merchant API documents it.
    InvoiceStatus {
        Draft => "draft",
        Open => "open",
        Paid => "paid",
        Void => "void",
        Uncollectible => "uncollectible",
    }
);

open_enum!(
    /// What a charge came to.
    ChargeOutcome { Paid => "paid", Declined => "declined" }
);

open_enum!(
    /// Why a processor declined a charge (the server keeps it; answers carry
    /// [`DeclineCode::message`], the words a person reads).
    DeclineCode {
        InsufficientFunds => "insufficient_funds",
        ExpiredCard => "expired_card",
        CardDeclined => "card_declined",
    }
);

impl DeclineCode {
    pub fn message(&self) -> &'static str {
        match self {
            Self::InsufficientFunds => {
                "The bank declined it: not enough money in the account. Try another card."
            }
            Self::ExpiredCard => "The card has expired. Try another card.",
            Self::CardDeclined | Self::Unknown(_) => {
                "The bank declined it without saying why. Try another card, or ask the bank."
            }
        }
    }
}

/// A card as an invoice names it: enough to recognise, nothing to charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CardSummary {
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default)]
    pub last4: Option<String>,
}

/// An open invoice's last failed charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceFailure {
    /// RFC 3339 timestamp.
    pub at: String,
    #[serde(default)]
    pub card: Option<CardSummary>,
    /// Why, in words a person understands.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    pub status: InvoiceStatus,
    /// Minor units of `currency`.
    pub amount_due: i64,
    #[serde(default)]
    pub amount_paid: i64,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default)]
    pub period_start: Option<String>,
    #[serde(default)]
    pub period_end: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub paid_at: Option<String>,
    /// The card that paid it.
    #[serde(default)]
    pub card: Option<CardSummary>,
    #[serde(default)]
    pub last_failure: Option<InvoiceFailure>,
}

impl Invoice {
    pub fn amount_due(&self) -> crate::Money {
        crate::Money::new(self.amount_due, self.currency.clone())
    }

    pub fn amount_paid(&self) -> crate::Money {
        crate::Money::new(self.amount_paid, self.currency.clone())
    }
}

/// One page of a subscription's invoices, newest first (P).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvoicesResponse {
    #[serde(default)]
    pub items: Vec<Invoice>,
    /// Pass as `?cursor=` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Pay a subscription's open invoice now (P).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryRequest {
    /// One of the customer's saved cards; absent: the default card. Paying with
    /// another card does not make it the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub card_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryResponse {
    pub outcome: ChargeOutcome,
    /// When declined: why, in words a person understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub subscription: PortalSubscriptionAction,
    /// The invoice after the charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
}

/// Add money to the wallet (P): opens a hosted checkout for `amount`, in the
/// wallet's currency's minor units (at least ₦100 in NGN: `money::check_topup`).
/// Adding a card is a top-up: the card that pays is saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopupRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 10000))]
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TopupResponse {
    /// Where to send the customer to pay; it returns them to the portal.
    pub checkout_url: String,
}

/// One subscription a portal link opens on (a deep link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkTarget {
    pub mode: Mode,
    pub id: String,
}

/// A merchant asks for a portal link for one customer (P).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalLinkRequest {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<LinkTarget>,
    /// How long the link pre-fills the address; default a week, at most 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 60, maximum = 2592000))]
    pub ttl_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PortalLinkResponse {
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// `{"error": {...}}`, the body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorEnvelope {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<ErrorDetail>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    pub path: String,
    pub issue: String,
    /// Wrong code: how many tries the code has left (P; absent from Duro's answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u32>,
}

impl ApiError {
    /// The first detail about `path`, if the server gave one.
    pub fn detail_for(&self, path: &str) -> Option<&ErrorDetail> {
        self.details.as_deref()?.iter().find(|d| d.path == path)
    }

    /// Why a code was refused, when this is a validation error on `code`.
    pub fn code_issue(&self) -> Option<CodeIssue> {
        if self.code != ErrorCode::ValidationError {
            return None;
        }
        self.detail_for("code")
            .map(|d| CodeIssue::from(d.issue.as_str()))
    }
}
