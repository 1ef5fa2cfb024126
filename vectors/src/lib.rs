//! The test vectors in `core/tests/vectors/`, as typed cases: core's tests, the
//! server's HTTP tests and the browser tests read the same files through this
//! crate, so a case means one thing everywhere. Tests only; nothing ships it.
use serde::de::DeserializeOwned;
use serde::Deserialize;

/// An address and its verdict (`emails.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct EmailCase {
    pub input: String,
    pub valid: bool,
    pub normalized: Option<String>,
    /// `EmailError::code` when not valid.
    pub error: Option<String>,
}

/// What a person typed or pasted as a code, and its verdict (`codes.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct CodeCase {
    pub input: String,
    pub valid: bool,
    pub normalized: Option<String>,
    /// `OtpCodeError::code` when not valid.
    pub error: Option<String>,
    /// How many digits there were, for too short and too long.
    pub count: Option<usize>,
}

/// An amount and how it reads (`money.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct MoneyCase {
    pub minor: i64,
    pub currency: String,
    pub text: String,
}

/// A top-up amount as typed, and its verdict (`amounts.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct AmountCase {
    pub input: String,
    pub currency: String,
    /// The amount in minor units, when it is a top-up the portal takes.
    pub minor: Option<i64>,
    /// `AmountError::code` otherwise.
    pub error: Option<String>,
}

/// One subscription state, one action, and where it leads (`lifecycle.json`,
/// written by `lifecycle.py`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleCase {
    pub status: String,
    pub cancel_at_period_end: bool,
    /// What the merchant's group lists; `None`: it lists nothing.
    pub actions: Option<Vec<String>>,
    pub action: String,
    /// For cancel: at the period end (`true`) or at once.
    pub at_period_end: Option<bool>,
    pub result: Option<LifecycleState>,
    /// `Change::code` of what happened, with `result`.
    pub change: Option<String>,
    /// `Refusal::code`, without `result`.
    pub refused: Option<String>,
    /// Whether the portal's card offers this action in this state.
    pub offered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleState {
    pub status: String,
    pub cancel_at_period_end: bool,
}

impl LifecycleCase {
    /// The case in words, for assertion messages.
    pub fn label(&self) -> String {
        format!(
            "{} cancelling={} actions={:?} {} atPeriodEnd={:?} (offered: {})",
            self.status,
            self.cancel_at_period_end,
            self.actions,
            self.action,
            self.at_period_end,
            self.offered
        )
    }
}

fn parse<T: DeserializeOwned>(name: &str, json: &str) -> Vec<T> {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("{name} is not valid: {e}"))
}

pub fn emails() -> Vec<EmailCase> {
    parse(
        "emails.json",
        include_str!("../../core/tests/vectors/emails.json"),
    )
}

pub fn codes() -> Vec<CodeCase> {
    parse(
        "codes.json",
        include_str!("../../core/tests/vectors/codes.json"),
    )
}

pub fn money() -> Vec<MoneyCase> {
    parse(
        "money.json",
        include_str!("../../core/tests/vectors/money.json"),
    )
}

pub fn amounts() -> Vec<AmountCase> {
    parse(
        "amounts.json",
        include_str!("../../core/tests/vectors/amounts.json"),
    )
}

/// Every case, five actions to a state, states in a stable order.
pub fn lifecycle() -> Vec<LifecycleCase> {
    parse(
        "lifecycle.json",
        include_str!("../../core/tests/vectors/lifecycle.json"),
    )
}

/// Which pages may frame the portal, and what passes between them (`embed.json`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbedCases {
    pub origins: Vec<OriginCase>,
    /// `--frame-ancestors` values the server refuses to start with.
    pub refused: Vec<String>,
    pub host_messages: Vec<HostMessageCase>,
    pub portal_events: Vec<PortalEventCase>,
}

/// May a page at `origin` frame a portal (at `own`) that allows `allowed`?
#[derive(Debug, Clone, Deserialize)]
pub struct OriginCase {
    pub allowed: String,
    pub own: Option<String>,
    pub origin: String,
    pub allow: bool,
}

/// A message from the parent, and whether it is an init the portal accepts.
#[derive(Debug, Clone, Deserialize)]
pub struct HostMessageCase {
    pub message: serde_json::Value,
    pub init: bool,
}

/// One of the portal's events as its parent receives it.
#[derive(Debug, Clone, Deserialize)]
pub struct PortalEventCase {
    pub event: String,
    pub message: serde_json::Value,
}

pub fn embed() -> EmbedCases {
    serde_json::from_str(include_str!("../../core/tests/vectors/embed.json"))
        .unwrap_or_else(|e| panic!("embed.json is not valid: {e}"))
}

/// Duro's documented answer to verify.
pub const VERIFY_EXAMPLE: &str = include_str!("../../core/tests/vectors/verify_example.json");
