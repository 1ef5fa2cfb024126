//! What the cards and wallet pages say.
use portal_core::api::{PortalCard, WalletStatus, WalletTransaction};
use portal_core::payments::YearMonth;
use portal_core::Money;

pub const CARDS_NOT_OFFERED: &str =
    "Saved cards aren\u{2019}t shown here. Your cards are managed where you pay.";
pub const NO_CARDS: &str = "You have no saved cards.";
pub const ADD_A_CARD: &str =
    "To add a card, top up your wallet with it: the card that pays is saved for every merchant.";
pub const WALLET_NOT_OFFERED: &str = "You have no wallet here.";
pub const TOPUP_NOT_OFFERED: &str = "Top-ups aren\u{2019}t offered here.";
pub const NO_TRANSACTIONS: &str = "Nothing has moved through your wallet yet.";
pub const TO_CHECKOUT: &str = "Opening the checkout\u{2026}";

/// "Expires 08/2030" or "Expired 03/2024"; `None` when the host gave no expiry.
pub fn expiry(card: &PortalCard, today: YearMonth) -> Option<String> {
    let (month, year) = (card.exp_month?, card.exp_year?);
    Some(if card.is_expired(today) {
        format!("Expired {month:02}/{year}")
    } else {
        format!("Expires {month:02}/{year}")
    })
}

pub fn made_default(card: &PortalCard) -> String {
    format!("{} is now your default card.", card.label())
}

pub fn removed(card: &PortalCard) -> String {
    format!("Removed {}.", card.label())
}

pub fn confirm_remove(card: &PortalCard) -> String {
    format!(
        "Remove {}? It will no longer pay at any merchant.",
        card.label()
    )
}

/// What a wallet's status means, for the badge.
pub fn wallet_status(status: &WalletStatus) -> (&'static str, &'static str) {
    match status {
        WalletStatus::Active => ("Active", "good"),
        WalletStatus::Frozen => ("Frozen", "warn"),
        WalletStatus::Closed => ("Closed", "muted"),
        WalletStatus::Unknown(_) => ("Unavailable", "muted"),
    }
}

/// "+₦100.00" or "-₦45,000.00": which way the money went.
pub fn signed(amount: i64, currency: &str) -> String {
    let money = Money::new(amount, currency);
    if amount > 0 {
        format!("+{money}")
    } else {
        money.to_string()
    }
}

/// What a transaction was: its memo, and the merchant it went to or came from.
pub fn transaction_title(transaction: &WalletTransaction) -> String {
    let memo = transaction
        .memo
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let merchant = transaction
        .merchant_name
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    match (memo, merchant) {
        (Some(memo), Some(merchant)) => format!("{memo} \u{2014} {merchant}"),
        (Some(memo), None) => memo.to_string(),
        (None, Some(merchant)) => merchant.to_string(),
        (None, None) => "Wallet".to_string(),
    }
}

pub fn balance_after(amount: i64, currency: &str) -> String {
    format!("Balance after: {}", Money::new(amount, currency))
}

pub fn topup_hint(minimum: &Money) -> String {
    format!(
        "At least {minimum}. You pay on a secure checkout page, and the card you pay with is saved."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(month: u32, year: u32) -> PortalCard {
        PortalCard {
            id: "card_1".into(),
            brand: Some("visa".into()),
            last4: Some("4242".into()),
            exp_month: Some(month),
            exp_year: Some(year),
            is_default: false,
        }
    }

    #[test]
    fn a_card_says_whether_it_still_works() {
        let today = YearMonth {
            year: 2026,
            month: 12,
        };
        assert_eq!(
            expiry(&card(12, 2026), today).as_deref(),
            Some("Expires 12/2026")
        );
        assert_eq!(
            expiry(&card(11, 2026), today).as_deref(),
            Some("Expired 11/2026")
        );
    }

    #[test]
    fn money_in_is_signed_and_money_out_keeps_its_minus() {
        assert_eq!(signed(10_000, "NGN"), "+\u{20A6}100.00");
        assert_eq!(signed(-4_500_000, "NGN"), "-\u{20A6}45,000.00");
    }
}
