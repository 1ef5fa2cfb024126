//! Wallet top-ups through the reference server's dev checkout. Adding a card is
//! a top-up, as at Duro: the card that pays the checkout is saved. Nothing here
//! moves money: the checkout exists only in dev mode and charges through the
//! deterministic test processor.
use portal_core::api::{PortalCard, TopupResponse, WalletStatus};
use portal_core::payments::topup_refusal;
use portal_core::{check_topup, Money};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

use crate::billing::{self, customer_id, BillingError, Processor};
use crate::crypto::random_bytes;

/// How long a checkout can be paid after it was opened.
pub const CHECKOUT_VALID_SECONDS: i64 = 60 * 60;

/// The path of a checkout page on this server (dev mode only).
pub const CHECKOUT_PATH: &str = "/dev/checkout/{id}";

/// Why a top-up was refused; the API's 404/409/422.
#[derive(Debug, thiserror::Error)]
pub enum TopupError {
    #[error(transparent)]
    Billing(#[from] BillingError),
    #[error("{}", .0.message())]
    Amount(portal_core::AmountError),
}

impl From<crate::store::StoreError> for TopupError {
    fn from(error: crate::store::StoreError) -> Self {
        TopupError::Billing(error.into())
    }
}

impl From<r2d2_sqlite::rusqlite::Error> for TopupError {
    fn from(error: r2d2_sqlite::rusqlite::Error) -> Self {
        TopupError::Billing(error.into())
    }
}

fn hex_id(prefix: &str) -> String {
    let bytes = random_bytes::<12>();
    let mut id = String::from(prefix);
    for byte in bytes {
        id.push_str(&format!("{byte:02x}"));
    }
    id
}

/// Opens a checkout for `amount` (minor units of the wallet's currency) and
/// answers where to pay it. A repeat with the same `Idempotency-Key` gets the
/// same checkout.
pub fn topup(
    conn: &Connection,
    email: &str,
    amount: i64,
    key: Option<&str>,
    now: i64,
    public_url: &str,
) -> Result<TopupResponse, TopupError> {
    let customer =
        customer_id(conn, email)?.ok_or(BillingError::NotFound("This account has no wallet."))?;
    let wallet: Option<(String, String)> = conn
        .query_row(
            "SELECT currency, status FROM wallets WHERE customer_id = ?1",
            [&customer],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (currency, status) = wallet.ok_or(BillingError::NotFound("This account has no wallet."))?;
    let request = format!("topup {amount}");
    if let Some(key) = key {
        if let Some(answer) = billing::replay(conn, &customer, key, &request)? {
            return Ok(answer);
        }
    }
    if let Some(refused) = topup_refusal(&WalletStatus::from(status)) {
        return Err(BillingError::Conflict(refused.into()).into());
    }
    let amount = check_topup(amount, &currency).map_err(TopupError::Amount)?;
    let id = hex_id("chk_");
    conn.execute(
        "INSERT INTO checkouts (id, customer_id, amount, currency, status, created_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
        params![id, customer, amount.minor, amount.currency, now],
    )?;
    let answer = TopupResponse {
        checkout_url: format!(
            "{}{}",
            public_url.trim_end_matches('/'),
            CHECKOUT_PATH.replace("{id}", &id)
        ),
    };
    if let Some(key) = key {
        billing::remember(conn, &customer, key, &request, &answer, now)?;
    }
    Ok(answer)
}

/// A checkout as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkout {
    Pending(Money),
    Paid(Money),
    Expired,
}

pub fn checkout(conn: &Connection, id: &str, now: i64) -> Result<Option<Checkout>, BillingError> {
    let row: Option<(i64, String, String, i64)> = conn
        .query_row(
            "SELECT amount, currency, status, created_at FROM checkouts WHERE id = ?1",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    Ok(row.map(|(amount, currency, status, created_at)| {
        let money = Money::new(amount, currency);
        match status.as_str() {
            "paid" => Checkout::Paid(money),
            _ if now - created_at > CHECKOUT_VALID_SECONDS => Checkout::Expired,
            _ => Checkout::Pending(money),
        }
    }))
}

/// A test card as typed on the checkout page: its digits and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedCard {
    pub number: String,
    pub exp_month: u32,
    pub exp_year: u32,
}

impl TypedCard {
    /// 12 to 19 digits (spaces and dashes allowed) and an expiry `MM/YY` or `MM/YYYY`.
    pub fn parse(number: &str, expiry: &str) -> Result<TypedCard, &'static str> {
        let digits: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("Enter the card number: 12 to 19 digits.");
        }
        let bad_expiry = "Enter the expiry as MM/YY.";
        let (month, year) = expiry.trim().split_once('/').ok_or(bad_expiry)?;
        let month: u32 = month.trim().parse().map_err(|_| bad_expiry)?;
        let year: u32 = year.trim().parse().map_err(|_| bad_expiry)?;
        let year = if year < 100 { 2000 + year } else { year };
        if !(1..=12).contains(&month) || !(2000..=2099).contains(&year) {
            return Err(bad_expiry);
        }
        Ok(TypedCard {
            number: digits,
            exp_month: month,
            exp_year: year,
        })
    }

    fn brand(&self) -> Option<&'static str> {
        let n = self.number.as_str();
        if n.starts_with("506") || n.starts_with("507") || n.starts_with("650") {
            Some("verve")
        } else if n.starts_with('4') {
            Some("visa")
        } else if n.starts_with('5') || n.starts_with('2') {
            Some("mastercard")
        } else {
            None
        }
    }

    fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }
}

/// What paying a checkout came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    /// Paid now, or paid before (a form sent twice): the wallet was credited once.
    Credited,
    Declined(&'static str),
}

/// Pays a pending checkout with a typed test card, in one transaction: the
/// wallet is credited, the top-up is in its history and the card is saved (the
/// customer's first card becomes the default; a card already saved is not saved
/// twice). A paid checkout paid again changes nothing.
pub fn pay_checkout(
    conn: &Connection,
    processor: &dyn Processor,
    id: &str,
    typed: &TypedCard,
    now: i64,
) -> Result<Paid, BillingError> {
    const NO_CHECKOUT: &str = "No such checkout.";
    let row: Option<(String, i64, String, String, i64)> = conn
        .query_row(
            "SELECT customer_id, amount, currency, status, created_at FROM checkouts WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .optional()?;
    let (customer, amount, currency, status, created_at) =
        row.ok_or(BillingError::NotFound(NO_CHECKOUT))?;
    if status == "paid" {
        return Ok(Paid::Credited);
    }
    if now - created_at > CHECKOUT_VALID_SECONDS {
        return Err(BillingError::Conflict(
            "This checkout has expired. Start the top-up again from the portal.".into(),
        ));
    }
    let wallet_status: String = conn.query_row(
        "SELECT status FROM wallets WHERE customer_id = ?1",
        [&customer],
        |row| row.get(0),
    )?;
    if let Some(refused) = topup_refusal(&WalletStatus::from(wallet_status)) {
        return Err(BillingError::Conflict(refused.into()));
    }
    let card = PortalCard {
        id: hex_id("card_"),
        brand: typed.brand().map(str::to_string),
        last4: Some(typed.last4().to_string()),
        exp_month: Some(typed.exp_month),
        exp_year: Some(typed.exp_year),
        is_default: false,
    };
    if let Err(decline) = processor.charge(&card, amount, &currency, billing::year_month(now)) {
        return Ok(Paid::Declined(decline.message()));
    }
    conn.execute(
        "UPDATE checkouts SET status = 'paid', paid_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    let balance: i64 = conn.query_row(
        "UPDATE wallets SET balance = balance + ?2 WHERE customer_id = ?1 RETURNING balance",
        params![customer, amount],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO wallet_transactions (id, customer_id, amount, balance_after, memo, merchant_name, created_at)
         VALUES (?1, ?2, ?3, ?4, 'Top-up', NULL, ?5)",
        params![hex_id("wtx_"), customer, amount, balance, now],
    )?;
    let saved: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM cards WHERE customer_id = ?1 AND last4 = ?2
                        AND exp_month = ?3 AND exp_year = ?4 AND brand IS ?5)",
        params![
            customer,
            card.last4,
            card.exp_month,
            card.exp_year,
            card.brand
        ],
        |row| row.get(0),
    )?;
    if !saved {
        let first: bool = conn.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM cards WHERE customer_id = ?1)",
            [&customer],
            |row| row.get(0),
        )?;
        conn.execute(
            "INSERT INTO cards (id, customer_id, brand, last4, exp_month, exp_year, is_default)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                card.id,
                customer,
                card.brand,
                card.last4,
                card.exp_month,
                card.exp_year,
                first
            ],
        )?;
    }
    Ok(Paid::Credited)
}
