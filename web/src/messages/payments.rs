//! What the portal says about money owed, paying it, and the cards that pay.
use portal_core::api::{Invoice, PortalCard};
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
