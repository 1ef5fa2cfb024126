//! Paying what is owed, and the saved cards that pay it: the rules Duro's
//! portal and card docs describe, for the server to enforce and the page to
//! explain in the same words.
use alloc::format;
use alloc::string::String;

use crate::api::{CardSummary, PortalCard, SubscriptionStatus, WalletStatus};

/// Duro's card docs: the refusal to remove the last valid card.
pub const KEEP_ONE_VALID_CARD: &str =
    "Keep at least one valid card while you have an active subscription.";

/// A calendar month, to tell whether a card has expired (a card works through
/// the last day of its expiry month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: u32,
    pub month: u32,
}

impl PortalCard {
    /// Expired before `today`'s month. A card without a full expiry is taken as
    /// valid: nothing says otherwise, and the processor has the last word.
    pub fn is_expired(&self, today: YearMonth) -> bool {
        match (self.exp_year, self.exp_month) {
            (Some(year), Some(month)) => YearMonth { year, month } < today,
            _ => false,
        }
    }

    /// "Visa •••• 4242", "Card •••• 4242", or "Saved card" when nothing is known.
    pub fn label(&self) -> String {
        self.summary().label()
    }

    pub fn summary(&self) -> CardSummary {
        CardSummary {
            brand: self.brand.clone(),
            last4: self.last4.clone(),
        }
    }
}

impl CardSummary {
    pub fn label(&self) -> String {
        let brand = self
            .brand
            .as_deref()
            .map(str::trim)
            .filter(|b| !b.is_empty());
        let brand = match brand {
            Some(brand) => brand_name(brand),
            None => String::from("Card"),
        };
        match self
            .last4
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(last4) => format!("{brand} \u{2022}\u{2022}\u{2022}\u{2022} {last4}"),
            None if brand == "Card" => String::from("Saved card"),
            None => brand,
        }
    }
}

/// A brand as people write it; one this version does not know is shown as sent.
fn brand_name(brand: &str) -> String {
    let known = [
        ("visa", "Visa"),
        ("mastercard", "Mastercard"),
        ("verve", "Verve"),
        ("amex", "American Express"),
        ("american_express", "American Express"),
        ("discover", "Discover"),
    ];
    known
        .iter()
        .find(|(wire, _)| wire.eq_ignore_ascii_case(brand))
        .map_or_else(|| String::from(brand), |(_, name)| String::from(*name))
}

impl SubscriptionStatus {
    /// A charge failed and is still owed: paying it is offered whatever the
    /// merchant's portal settings (paying what is owed is not an action a
    /// merchant gates).
    pub fn owes_payment(&self) -> bool {
        matches!(self, Self::PastDue | Self::Unpaid)
    }

    /// A subscription that still charges, or will again: it needs a card.
    pub fn needs_card(&self) -> bool {
        !self.has_ended() && !matches!(self, Self::Unknown(_))
    }
}

/// Why a card may not be removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovalRefusal {
    /// No such card among the customer's.
    NotFound,
    /// It is the last valid card and a subscription needs one.
    LastValidCard,
}

impl RemovalRefusal {
    pub fn message(&self) -> &'static str {
        match self {
            Self::NotFound => "No such card.",
            Self::LastValidCard => KEEP_ONE_VALID_CARD,
        }
    }
}

/// Removing card `id` from `cards`: refused when it is the last valid card while
/// a subscription needs one. When it is the default, the answer names the card
/// that becomes the default: the first valid one left in the list's order, else
/// the first left at all.
pub fn removal<'a>(
    cards: &'a [PortalCard],
    id: &str,
    needs_card: bool,
    today: YearMonth,
) -> Result<Option<&'a PortalCard>, RemovalRefusal> {
    let card = cards
        .iter()
        .find(|card| card.id == id)
        .ok_or(RemovalRefusal::NotFound)?;
    let others = || cards.iter().filter(|other| other.id != id);
    let valid_left = others().any(|other| !other.is_expired(today));
    if needs_card && !card.is_expired(today) && !valid_left {
        return Err(RemovalRefusal::LastValidCard);
    }
    if !card.is_default {
        return Ok(None);
    }
    Ok(others()
        .find(|other| !other.is_expired(today))
        .or_else(|| others().next()))
}

/// What a wallet's status means for a top-up, in the words the portal and the
/// server both say: `None` when it can take one. Duro does not describe a frozen
/// or closed wallet; the wording is ours.
pub fn topup_refusal(status: &WalletStatus) -> Option<&'static str> {
    match status {
        WalletStatus::Active => None,
        WalletStatus::Frozen => Some("Your wallet is frozen, so it can\u{2019}t be topped up."),
        WalletStatus::Closed => Some("Your wallet is closed, so it can\u{2019}t be topped up."),
        WalletStatus::Unknown(_) => Some("Your wallet can\u{2019}t be topped up right now."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_2026: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    fn card(id: &str, exp: (u32, u32), is_default: bool) -> PortalCard {
        PortalCard {
            id: id.into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            exp_month: Some(exp.1),
            exp_year: Some(exp.0),
            is_default,
        }
    }

    #[test]
    fn a_card_works_through_its_expiry_month() {
        assert!(!card("c", (2026, 11), false).is_expired(NOV_2026));
        assert!(card("c", (2026, 10), false).is_expired(NOV_2026));
        assert!(card("c", (2025, 12), false).is_expired(NOV_2026));
        let mut unknown = card("c", (2020, 1), false);
        unknown.exp_year = None;
        assert!(!unknown.is_expired(NOV_2026));
    }

    #[test]
    fn the_last_valid_card_stays_while_a_subscription_needs_one() {
        let cards = [card("good", (2028, 1), true), card("old", (2024, 1), false)];
        assert_eq!(
            removal(&cards, "good", true, NOV_2026),
            Err(RemovalRefusal::LastValidCard)
        );
        assert_eq!(
            removal(&cards, "good", false, NOV_2026),
            Ok(Some(&cards[1]))
        );
        assert_eq!(removal(&cards, "old", true, NOV_2026), Ok(None));
        assert_eq!(
            removal(&cards, "nope", true, NOV_2026),
            Err(RemovalRefusal::NotFound)
        );
    }

    #[test]
    fn removing_the_default_promotes_the_next_valid_card() {
        let cards = [
            card("default", (2028, 1), true),
            card("expired", (2024, 1), false),
            card("valid", (2027, 5), false),
        ];
        assert_eq!(
            removal(&cards, "default", true, NOV_2026),
            Ok(Some(&cards[2]))
        );
    }

    #[test]
    fn cards_read_as_brand_and_last_four() {
        let mut c = card("c", (2028, 1), false);
        assert_eq!(c.label(), "Visa \u{2022}\u{2022}\u{2022}\u{2022} 4242");
        c.brand = Some("unionpay".into());
        assert_eq!(c.label(), "unionpay \u{2022}\u{2022}\u{2022}\u{2022} 4242");
        c.brand = None;
        assert_eq!(c.label(), "Card \u{2022}\u{2022}\u{2022}\u{2022} 4242");
        c.last4 = None;
        assert_eq!(c.label(), "Saved card");
    }
}
