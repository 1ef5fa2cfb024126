//! Invoices, paying what is owed, and saved cards: portal-core's payment rules
//! on SQLite. Every change is one `BEGIN IMMEDIATE` transaction that first
//! checks the signed-in customer owns what it touches.
use portal_core::api::{
    CardSummary, ChargeOutcome, DeclineCode, Invoice, InvoiceFailure, InvoiceStatus, Mode,
    PortalCard, PortalSubscriptionAction, RetryResponse, SubscriptionStatus,
};
use portal_core::payments::{self, RemovalRefusal, YearMonth};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, Row};

use crate::store::{self, timestamp, StoreError};

/// Invoices in one page of the listing.
pub const INVOICES_PER_PAGE: usize = 10;

/// How long an answer is replayed for its `Idempotency-Key`: a day, far longer
/// than any client retries one payment.
pub const IDEMPOTENT_ANSWERS_KEPT_SECONDS: i64 = 24 * 60 * 60;

/// Why a billing request changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("This cursor is not one this server gave for this subscription's invoices.")]
    BadCursor,
    #[error("This Idempotency-Key was already used for a different request.")]
    KeyReused,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<r2d2_sqlite::rusqlite::Error> for BillingError {
    fn from(error: r2d2_sqlite::rusqlite::Error) -> Self {
        BillingError::Store(error.into())
    }
}

const NO_SUBSCRIPTION: &str = "No such subscription.";
const NO_CARD: &str = "No such card.";

/// The payment processor: asked to charge a card, it pays or says why not.
pub trait Processor: Send + Sync {
    fn charge(
        &self,
        card: &PortalCard,
        amount: i64,
        currency: &str,
        today: YearMonth,
    ) -> Result<(), DeclineCode>;
}

/// The reference server's only processor: deterministic, and it moves no
/// money. It answers by the card's last four digits, as the test card numbers
/// in `docs/api.md` say; a card past its expiry month is declined as expired.
pub struct TestProcessor;

impl Processor for TestProcessor {
    fn charge(
        &self,
        card: &PortalCard,
        _amount: i64,
        _currency: &str,
        today: YearMonth,
    ) -> Result<(), DeclineCode> {
        if card.is_expired(today) {
            return Err(DeclineCode::ExpiredCard);
        }
        match card.last4.as_deref() {
            Some("9995") => Err(DeclineCode::InsufficientFunds),
            Some("0069") => Err(DeclineCode::ExpiredCard),
            Some("0002") => Err(DeclineCode::CardDeclined),
            _ => Ok(()),
        }
    }
}

pub(crate) fn customer_id(conn: &Connection, email: &str) -> Result<Option<String>, BillingError> {
    Ok(conn
        .query_row(
            "SELECT id FROM customers WHERE email = ?1",
            [email],
            |row| row.get(0),
        )
        .optional()?)
}

fn summary(brand: Option<String>, last4: Option<String>) -> Option<CardSummary> {
    (brand.is_some() || last4.is_some()).then_some(CardSummary { brand, last4 })
}

const INVOICE_COLUMNS: &str = "id, number, status, amount_due, amount_paid, currency,
    period_start, period_end, created_at, paid_at, paid_brand, paid_last4,
    failed_at, failed_brand, failed_last4, decline_code";

fn invoice(row: &Row<'_>) -> Result<Invoice, r2d2_sqlite::rusqlite::Error> {
    let failed_at: Option<i64> = row.get(12)?;
    let decline: Option<String> = row.get(15)?;
    Ok(Invoice {
        id: row.get(0)?,
        number: row.get(1)?,
        status: InvoiceStatus::from(row.get::<_, String>(2)?),
        amount_due: row.get(3)?,
        amount_paid: row.get(4)?,
        currency: row.get(5)?,
        period_start: row.get::<_, Option<i64>>(6)?.and_then(timestamp),
        period_end: row.get::<_, Option<i64>>(7)?.and_then(timestamp),
        created_at: timestamp(row.get(8)?).unwrap_or_default(),
        paid_at: row.get::<_, Option<i64>>(9)?.and_then(timestamp),
        card: summary(row.get(10)?, row.get(11)?),
        last_failure: match failed_at.and_then(timestamp) {
            Some(at) => Some(InvoiceFailure {
                at,
                card: summary(row.get(13)?, row.get(14)?),
                reason: DeclineCode::from(decline.unwrap_or_default())
                    .message()
                    .to_string(),
            }),
            None => None,
        },
    })
}

/// One page of a subscription's invoices, newest first, after `cursor` (the
/// last invoice id of the page before).
pub fn invoices(
    conn: &Connection,
    email: &str,
    mode: &Mode,
    id: &str,
    cursor: Option<&str>,
) -> Result<(Vec<Invoice>, Option<String>), BillingError> {
    let subscription = store::owned_subscription(conn, email, mode, id)?
        .ok_or(BillingError::NotFound(NO_SUBSCRIPTION))?;
    let after = match cursor {
        None => None,
        Some(cursor) => Some(
            conn.query_row(
                "SELECT created_at, id FROM invoices WHERE id = ?1 AND subscription_id = ?2",
                params![cursor, subscription.id],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()?
            .ok_or(BillingError::BadCursor)?,
        ),
    };
    let (created, after_id) = after.unzip();
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {INVOICE_COLUMNS} FROM invoices
         WHERE subscription_id = ?1 AND (?2 IS NULL OR (created_at, id) < (?2, ?3))
         ORDER BY created_at DESC, id DESC LIMIT ?4"
    ))?;
    let mut items = statement
        .query_map(
            params![
                subscription.id,
                created,
                after_id,
                INVOICES_PER_PAGE as i64 + 1
            ],
            invoice,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let next = if items.len() > INVOICES_PER_PAGE {
        items.truncate(INVOICES_PER_PAGE);
        items.last().map(|last| last.id.clone())
    } else {
        None
    };
    Ok((items, next))
}

/// A stored answer for `(customer, key)`: replayed when the request is the same,
/// refused when the key was used for another.
pub(crate) fn replay<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    customer: &str,
    key: &str,
    request: &str,
) -> Result<Option<T>, BillingError> {
    let stored: Option<(String, String)> = conn
        .query_row(
            "SELECT request, body FROM idempotent_answers WHERE customer_id = ?1 AND key = ?2",
            params![customer, key],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    match stored {
        None => Ok(None),
        Some((stored, _)) if stored != request => Err(BillingError::KeyReused),
        Some((_, body)) => serde_json::from_str(&body)
            .map(Some)
            .map_err(|error| BillingError::Store(StoreError::Stored(error.to_string()))),
    }
}

/// Charges a subscription's open invoice now, with `card_id` or else the
/// default card (which stays the default either way). A repeated request with
/// the same `Idempotency-Key` gets the first answer and charges nothing; a
/// second request racing the first waits for it (one writer at a time) and
/// then finds nothing owed.
///
/// The charge is made inside the transaction: the test processor answers at
/// once, so the invoice can never be charged twice or left half-recorded. A
/// real processor would be called with the key as its own idempotency key and
/// its answer recorded the same way.
#[allow(clippy::too_many_arguments)]
pub fn retry(
    conn: &Connection,
    processor: &dyn Processor,
    email: &str,
    mode: &Mode,
    id: &str,
    card_id: Option<&str>,
    key: Option<&str>,
    now: i64,
) -> Result<RetryResponse, BillingError> {
    let customer = customer_id(conn, email)?.ok_or(BillingError::NotFound(NO_SUBSCRIPTION))?;
    let subscription = store::owned_subscription(conn, email, mode, id)?
        .ok_or(BillingError::NotFound(NO_SUBSCRIPTION))?;
    let request = format!("retry {} {} {}", mode.as_str(), id, card_id.unwrap_or(""));
    if let Some(key) = key {
        if let Some(answer) = replay(conn, &customer, key, &request)? {
            return Ok(answer);
        }
    }
    let nothing_owed = || BillingError::Conflict("Nothing is owed on this subscription.".into());
    if !subscription.state.status.owes_payment() {
        return Err(nothing_owed());
    }
    let open: Option<(String, i64, String)> = conn
        .query_row(
            "SELECT id, amount_due - amount_paid, currency FROM invoices
             WHERE subscription_id = ?1 AND status = 'open'
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [&subscription.id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let (invoice_id, amount, currency) = open.ok_or_else(nothing_owed)?;
    let cards = store::cards_for(conn, email)?;
    let card = match card_id {
        Some(card_id) => cards.iter().find(|card| card.id == card_id),
        None => cards.iter().find(|card| card.is_default),
    }
    .ok_or(match card_id {
        Some(_) => BillingError::NotFound(NO_CARD),
        None => BillingError::Conflict(
            "There is no default card to pay with. Choose a saved card, or add one.".into(),
        ),
    })?;
    let today = year_month(now);
    let outcome = processor.charge(card, amount, &currency, today);
    conn.execute(
        "INSERT INTO charges (invoice_id, card_id, amount, outcome, decline_code, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            invoice_id,
            card.id,
            amount,
            if outcome.is_ok() { "paid" } else { "declined" },
            outcome.as_ref().err().map(DeclineCode::as_str),
            now
        ],
    )?;
    let mut state = subscription.state.clone();
    match &outcome {
        Ok(()) => {
            conn.execute(
                "UPDATE invoices SET status = 'paid', amount_paid = amount_due, paid_at = ?2,
                        paid_brand = ?3, paid_last4 = ?4
                 WHERE id = ?1",
                params![invoice_id, now, card.brand, card.last4],
            )?;
            state = state.paid();
            store::update_subscription(conn, &subscription.id, &state)?;
        }
        Err(decline) => {
            conn.execute(
                "UPDATE invoices SET failed_at = ?2, failed_brand = ?3, failed_last4 = ?4,
                        decline_code = ?5
                 WHERE id = ?1",
                params![invoice_id, now, card.brand, card.last4, decline.as_str()],
            )?;
        }
    }
    let invoice = conn.query_row(
        &format!("SELECT {INVOICE_COLUMNS} FROM invoices WHERE id = ?1"),
        [&invoice_id],
        invoice,
    )?;
    let answer = RetryResponse {
        outcome: if outcome.is_ok() {
            ChargeOutcome::Paid
        } else {
            ChargeOutcome::Declined
        },
        reason: outcome.err().map(|decline| decline.message().to_string()),
        subscription: PortalSubscriptionAction {
            id: subscription.id,
            status: Some(state.status),
            cancel_at_period_end: Some(state.cancel_at_period_end),
            current_period_end: subscription.current_period_end.and_then(timestamp),
        },
        invoice: Some(invoice),
    };
    if let Some(key) = key {
        remember(conn, &customer, key, &request, &answer, now)?;
    }
    Ok(answer)
}

/// Keeps an answer for its `Idempotency-Key`, in the transaction that made it.
pub(crate) fn remember<T: serde::Serialize>(
    conn: &Connection,
    customer: &str,
    key: &str,
    request: &str,
    answer: &T,
    now: i64,
) -> Result<(), BillingError> {
    let body = serde_json::to_string(answer)
        .map_err(|error| BillingError::Store(StoreError::Stored(error.to_string())))?;
    conn.execute(
        "INSERT INTO idempotent_answers (customer_id, key, request, body, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![customer, key, request, body, now],
    )?;
    Ok(())
}

/// Whether any of the customer's subscriptions still needs a card.
fn needs_card(conn: &Connection, customer: &str) -> Result<bool, BillingError> {
    let mut statement =
        conn.prepare_cached("SELECT DISTINCT status FROM subscriptions WHERE customer_id = ?1")?;
    let statuses = statement
        .query_map([customer], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(statuses
        .into_iter()
        .any(|status| SubscriptionStatus::from(status).needs_card()))
}

/// The customer and their cards; an address without an account has no card to touch.
fn customer_cards(
    conn: &Connection,
    email: &str,
) -> Result<(String, Vec<PortalCard>), BillingError> {
    let customer = customer_id(conn, email)?.ok_or(BillingError::NotFound(NO_CARD))?;
    Ok((customer, store::cards_for(conn, email)?))
}

/// Makes one of the customer's cards the default; an expired card cannot be.
pub fn set_default_card(
    conn: &Connection,
    email: &str,
    card_id: &str,
    now: i64,
) -> Result<Vec<PortalCard>, BillingError> {
    let (customer, cards) = customer_cards(conn, email)?;
    let card = cards
        .iter()
        .find(|card| card.id == card_id)
        .ok_or(BillingError::NotFound(NO_CARD))?;
    if card.is_expired(year_month(now)) {
        return Err(BillingError::Conflict(
            "This card has expired, so it can\u{2019}t be the default.".into(),
        ));
    }
    conn.execute(
        "UPDATE cards SET is_default = (id = ?1) WHERE customer_id = ?2",
        params![card_id, customer],
    )?;
    Ok(store::cards_for(conn, email)?)
}

/// Removes one of the customer's cards, with Duro's guard; removing the
/// default promotes the next card.
pub fn remove_card(
    conn: &Connection,
    email: &str,
    card_id: &str,
    now: i64,
) -> Result<Vec<PortalCard>, BillingError> {
    let (customer, cards) = customer_cards(conn, email)?;
    let needs = needs_card(conn, &customer)?;
    let promoted = payments::removal(&cards, card_id, needs, year_month(now)).map_err(
        |refusal| match refusal {
            RemovalRefusal::NotFound => BillingError::NotFound(NO_CARD),
            RemovalRefusal::LastValidCard => BillingError::Conflict(refusal.message().into()),
        },
    )?;
    conn.execute(
        "DELETE FROM cards WHERE id = ?1 AND customer_id = ?2",
        params![card_id, customer],
    )?;
    if let Some(promoted) = promoted {
        conn.execute(
            "UPDATE cards SET is_default = 1 WHERE id = ?1",
            [&promoted.id],
        )?;
    }
    Ok(store::cards_for(conn, email)?)
}

/// The calendar month of a Unix time, in UTC.
pub fn year_month(unix: i64) -> YearMonth {
    let (year, month, _) = store::civil_date(unix);
    YearMonth {
        year: u32::try_from(year).unwrap_or(0),
        month: u32::try_from(month).unwrap_or(1),
    }
}
