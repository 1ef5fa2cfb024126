//! What the portal says about money owed, paying it, and the cards that pay.
use portal_core::api::{Invoice, InvoiceStatus, PortalCard};
use portal_core::payments::YearMonth;
use portal_core::Money;

use crate::format::local_date;

pub const CHECKING_OWED: &str = "Checking what\u{2019}s owed\u{2026}";
pub const OWED_UNREADABLE: &str =
    "We couldn\u{2019}t load what\u{2019}s owed on this subscription.";

/// What is still owed on an invoice.
pub fn owed(invoice: &Invoice) -> Money {
    Money::new(
        invoice.amount_due.saturating_sub(invoice.amount_paid),
        invoice.currency.clone(),
    )
}

/// "₦45,000.00 has been due since 18 Nov 2026."
pub fn owed_line(invoice: &Invoice) -> String {
    let amount = owed(invoice);
    match local_date(&invoice.created_at) {
        Some(date) => format!("{amount} has been due since {date}."),
        None => format!("{amount} is due."),
    }
}

/// "The charge to Mastercard •••• 9995 on 18 Nov 2026 failed. The bank declined it: …"
pub fn failure_line(invoice: &Invoice) -> Option<String> {
    let failure = invoice.last_failure.as_ref()?;
    let card = failure
        .card
        .as_ref()
        .map_or_else(|| "your card".to_string(), |card| card.label());
    let when = local_date(&failure.at)
        .map(|date| format!(" on {date}"))
        .unwrap_or_default();
    let reason = failure.reason.trim();
    Some(if reason.is_empty() {
        format!("The charge to {card}{when} failed.")
    } else {
        format!("The charge to {card}{when} failed. {reason}")
    })
}

pub fn pay_label(invoice: &Invoice) -> String {
    format!("Pay {} now", owed(invoice))
}

/// A card in the list to pay with: "Visa •••• 4242, expires 08/2030 (default)".
pub fn card_choice(card: &PortalCard, today: YearMonth) -> String {
    let expiry = match (card.exp_month, card.exp_year) {
        (Some(month), Some(year)) if card.is_expired(today) => {
            format!(", expired {month:02}/{year}")
        }
        (Some(month), Some(year)) => format!(", expires {month:02}/{year}"),
        _ => String::new(),
    };
    let default = if card.is_default { " (default)" } else { "" };
    format!("{}{expiry}{default}", card.label())
}

/// "Mastercard •••• 9995 was declined. The bank declined it: …"
pub fn declined(card: Option<&PortalCard>, reason: Option<&str>) -> String {
    let card = card.map_or_else(|| "Your card".to_string(), PortalCard::label);
    match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(reason) => format!("{card} was declined. {reason}"),
        None => format!("{card} was declined. Try another card."),
    }
}

/// What the card says once the charge went through.
pub fn paid(amount: &Money, card: Option<&PortalCard>) -> String {
    match card {
        Some(card) => format!(
            "Paid {amount} with {}. This subscription is active again.",
            card.label()
        ),
        None => format!("Paid {amount}. This subscription is active again."),
    }
}

pub const INVOICES_NOT_OFFERED: &str = "Invoices aren\u{2019}t shown here.";
pub const NO_INVOICES: &str = "No invoices yet.";

/// "INV-0042", or the id when the host gave no number.
pub fn invoice_number(invoice: &Invoice) -> String {
    invoice.number.clone().unwrap_or_else(|| invoice.id.clone())
}

pub fn invoice_status(status: &InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Draft => "Draft",
        InvoiceStatus::Open => "Due",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::Void => "Void",
        InvoiceStatus::Uncollectible => "Uncollectible",
        InvoiceStatus::Unknown(_) => "Other",
    }
}

pub fn invoice_tone(status: &InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Paid => "good",
        InvoiceStatus::Open => "warn",
        InvoiceStatus::Uncollectible => "bad",
        _ => "muted",
    }
}

/// "1 Nov 2026 – 1 Dec 2026", or the day it was made when it names no period.
pub fn invoice_period(invoice: &Invoice) -> String {
    let day = |at: &Option<String>| at.as_deref().and_then(local_date);
    match (day(&invoice.period_start), day(&invoice.period_end)) {
        (Some(start), Some(end)) => format!("{start} \u{2013} {end}"),
        _ => local_date(&invoice.created_at).unwrap_or_default(),
    }
}

/// Under an invoice's number: its period, and when it was paid.
pub fn invoice_line(invoice: &Invoice) -> String {
    match invoice.paid_at.as_deref().and_then(local_date) {
        Some(paid) => format!("{} \u{00B7} paid {paid}", invoice_period(invoice)),
        None => invoice_period(invoice),
    }
}
