//! What the subscriptions page says.
use portal_core::api::{Mode, PortalPlan, PortalSubscription, SubscriptionStatus};
use portal_core::interval_text;
use portal_core::lifecycle::{Change, State};

use crate::format::local_date;

pub const LOADING: &str = "Loading your subscriptions\u{2026}";
pub const NO_SUBSCRIPTIONS: &str = "No subscriptions for this address";
pub const OTHER_ADDRESS_HINT: &str =
    "If you subscribed with another email address, sign out and sign in with that one.";
/// A deep link to a subscription this account does not have.
pub fn target_missing(id: &str) -> String {
    format!(
        "The link was for a subscription this account doesn\u{2019}t have ({id}). \
         Here is every subscription it does have."
    )
}

pub const NO_PLAN: &str = "Plan details unavailable";

/// "₦5,000.00 every month".
pub fn price_line(plan: &PortalPlan) -> String {
    format!(
        "{} {}",
        plan.price(),
        interval_text(&plan.interval, plan.interval_count)
    )
}

/// The plan's name, or a plain word where the server sent no plan.
pub fn plan_name(subscription: &PortalSubscription) -> String {
    subscription
        .plan
        .as_ref()
        .map_or_else(|| "Subscription".to_string(), |plan| plan.name.clone())
}

/// Text and tone (a CSS modifier) of the one status badge: a subscription set to
/// cancel says so, whatever else it is. An unknown status shows as sent.
pub fn status_badge(state: &State) -> (String, &'static str) {
    let (label, tone) = match &state.status {
        SubscriptionStatus::Active => ("Active", "good"),
        SubscriptionStatus::Trialing => ("Trial", "info"),
        SubscriptionStatus::PastDue => ("Payment overdue", "warn"),
        SubscriptionStatus::Paused => ("Paused", "neutral"),
        SubscriptionStatus::Unpaid => ("Unpaid", "bad"),
        SubscriptionStatus::Incomplete => ("Incomplete", "warn"),
        SubscriptionStatus::Canceled => ("Canceled", "muted"),
        SubscriptionStatus::Expired => ("Expired", "muted"),
        SubscriptionStatus::Unknown(other) => return (other.replace('_', " "), "neutral"),
    };
    match (state.is_set_to_cancel(), &state.status) {
        (true, SubscriptionStatus::Active) => ("Set to cancel".to_string(), "warn"),
        (true, _) => (format!("{label} \u{b7} set to cancel"), "warn"),
        (false, _) => (label.to_string(), tone),
    }
}

/// "renews on …", "cancels on …", "ended …": what happens at the period end.
fn period_phrase(subscription: &PortalSubscription) -> Option<String> {
    let date = subscription
        .current_period_end
        .as_deref()
        .and_then(local_date)?;
    let state = State::of(subscription);
    Some(match &state.status {
        status if status.has_ended() => format!("ended {date}"),
        SubscriptionStatus::Paused if state.is_set_to_cancel() => {
            format!("paused; cancels on {date}")
        }
        _ if state.is_set_to_cancel() => format!("cancels on {date}"),
        SubscriptionStatus::Trialing => format!("trial ends on {date}"),
        SubscriptionStatus::Active | SubscriptionStatus::PastDue => format!("renews on {date}"),
        SubscriptionStatus::Paused => format!("paused; period ends {date}"),
        _ => format!("period ends {date}"),
    })
}

/// The period phrase as a line of its own: "Renews on Dec 1, 2026".
pub fn period_line(subscription: &PortalSubscription) -> Option<String> {
    period_phrase(subscription).map(|phrase| capitalized(&phrase))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a status asks of the person, where it asks anything.
pub fn guidance(status: &SubscriptionStatus, merchant: &str) -> Option<String> {
    Some(match status {
        SubscriptionStatus::PastDue => format!(
            "Your last payment to {merchant} didn\u{2019}t go through, so this subscription is \
             overdue. Make sure your saved card is valid and has funds: the payment will be \
             tried again, and the subscription stops if it keeps failing."
        ),
        SubscriptionStatus::Unpaid => format!(
            "Payments to {merchant} for this subscription failed, so it is on hold and does not \
             renew. Check your saved card, then contact {merchant} to pay what is owed and \
             start it again."
        ),
        SubscriptionStatus::Incomplete => format!(
            "The first payment didn\u{2019}t finish, so this subscription hasn\u{2019}t started. \
             Contact {merchant} to complete it."
        ),
        _ => return None,
    })
}

/// The button that shows a subscription's invoices.
pub const INVOICES: &str = "Invoices";

/// A card's button as a screen reader names it: what it does, then which
/// subscription ([`subject`]), so no two buttons on the page read alike.
pub fn button_name(label: &str, subject: &str) -> String {
    format!("{label}: {subject}")
}

/// What the card says of one subscription in a button's accessible name:
/// "Family box (test), renews on Dec 1, 2026", with the reference where two
/// cards would read the same.
pub fn subject(subscription: &PortalSubscription, show_reference: bool) -> String {
    let mut subject = plan_name(subscription);
    if subscription.mode == Some(Mode::Test) {
        subject.push_str(" (test)");
    }
    if show_reference {
        subject.push_str(&format!(", ref. {}", subscription.id));
    }
    let when = period_phrase(subscription)
        .unwrap_or_else(|| status_badge(&State::of(subscription)).0.to_lowercase());
    format!("{subject}, {when}")
}

/// A button's visible label for what it promises.
pub fn action_label(change: Change) -> &'static str {
    match change {
        Change::Paused => "Pause",
        Change::ResumedAndKept => "Resume and keep",
        Change::Kept => "Keep subscription",
        Change::SetToCancel => "Cancel subscription",
        Change::Canceled => "Cancel now",
        _ => "Resume",
    }
}

/// The card's own words on what an offered action will do, where the label alone
/// does not say it: the paused subscription that is set to cancel.
pub fn action_hint(change: Change, state: &State) -> Option<&'static str> {
    match change {
        Change::ResumedAndKept => {
            Some("Resuming also undoes the cancellation, so it renews as before.")
        }
        Change::Kept if state.status == SubscriptionStatus::Paused => {
            Some("Keeping it undoes the cancellation; it stays paused until resumed.")
        }
        _ => None,
    }
}

/// What the confirm step asks before cancelling.
pub fn confirm_cancel(subscription: &PortalSubscription) -> String {
    let name = plan_name(subscription);
    match subscription.current_period_end.as_deref().and_then(local_date) {
        Some(date) => format!(
            "Cancel {name}? It stays as it is until the period ends (on {date}), then stops renewing."
        ),
        None => format!("Cancel {name}? It stops renewing at the end of the current period."),
    }
}

/// What happened, told from the state before and the server's answer.
pub fn outcome(change: Change, after: &PortalSubscription) -> String {
    let date = after.current_period_end.as_deref().and_then(local_date);
    match change {
        Change::Paused => "Paused. It won\u{2019}t renew until you resume it.".to_string(),
        Change::Resumed if after.cancel_at_period_end => match date {
            Some(date) => format!("Resumed. It is still set to cancel on {date}."),
            None => "Resumed. It is still set to cancel.".to_string(),
        },
        Change::Resumed => "Resumed.".to_string(),
        Change::ResumedAndKept => "Resumed and kept: it will renew as before.".to_string(),
        Change::Kept if after.status == SubscriptionStatus::Paused => {
            "Kept: it stays paused and won\u{2019}t be canceled.".to_string()
        }
        Change::Kept => "Kept: it will renew as before.".to_string(),
        Change::SetToCancel => match date {
            Some(date) => format!("Set to cancel: it won\u{2019}t renew after {date}."),
            None => "Set to cancel: it won\u{2019}t renew.".to_string(),
        },
        Change::Canceled => "Canceled.".to_string(),
        Change::Unchanged => "Nothing needed to change.".to_string(),
        Change::Other => format!("Updated: it is now {}.", status_badge(&State::of(after)).0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscription(status: &str, cancelling: bool) -> PortalSubscription {
        PortalSubscription {
            id: "sub_1".into(),
            mode: Some(Mode::Live),
            status: SubscriptionStatus::from(status),
            cancel_at_period_end: cancelling,
            current_period_end: None,
            plan: Some(std::sync::Arc::new(PortalPlan {
                id: "plan_1".into(),
                name: "Family box".into(),
                amount: 500000,
                currency: "NGN".into(),
                interval: "month".into(),
                interval_count: 1,
            })),
        }
    }

    #[test]
    fn every_status_has_a_badge_and_unknown_ones_show_as_sent() {
        for (wire, label) in [
            ("active", "Active"),
            ("trialing", "Trial"),
            ("past_due", "Payment overdue"),
            ("paused", "Paused"),
            ("unpaid", "Unpaid"),
            ("incomplete", "Incomplete"),
            ("canceled", "Canceled"),
            ("expired", "Expired"),
            ("on_hold_review", "on hold review"),
        ] {
            let state = State::new(SubscriptionStatus::from(wire), false);
            assert_eq!(status_badge(&state).0, label);
        }
    }

    #[test]
    fn a_subscription_set_to_cancel_has_one_status_and_it_says_so() {
        let set =
            |status: &str| status_badge(&State::new(SubscriptionStatus::from(status), true)).0;
        assert_eq!(set("active"), "Set to cancel");
        assert_eq!(set("paused"), "Paused \u{b7} set to cancel");
        // An ended subscription's flag means nothing any more.
        assert_eq!(set("canceled"), "Canceled");
        let after = subscription("active", true);
        assert_eq!(
            outcome(Change::SetToCancel, &after),
            "Set to cancel: it won\u{2019}t renew."
        );
        assert!(!outcome(Change::SetToCancel, &after).starts_with("Canceled"));
    }

    #[test]
    fn the_paused_subscription_set_to_cancel_says_what_resuming_does() {
        let state = State::new(SubscriptionStatus::Paused, true);
        assert_eq!(action_label(Change::ResumedAndKept), "Resume and keep");
        assert!(action_hint(Change::ResumedAndKept, &state)
            .unwrap()
            .contains("renews as before"));
        assert!(action_hint(Change::Kept, &state)
            .unwrap()
            .contains("stays paused"));
        assert_eq!(
            outcome(Change::ResumedAndKept, &subscription("active", false)),
            "Resumed and kept: it will renew as before."
        );
        assert_eq!(
            outcome(Change::Kept, &subscription("paused", false)),
            "Kept: it stays paused and won\u{2019}t be canceled."
        );
    }

    #[test]
    fn overdue_unpaid_and_incomplete_say_what_to_do() {
        for status in [
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Unpaid,
            SubscriptionStatus::Incomplete,
        ] {
            let text = guidance(&status, "FitHub Gyms").unwrap();
            assert!(text.contains("FitHub Gyms"), "{text}");
        }
        assert!(guidance(&SubscriptionStatus::PastDue, "M")
            .unwrap()
            .contains("card"));
        assert_eq!(guidance(&SubscriptionStatus::Active, "M"), None);
    }

    #[test]
    fn a_button_names_what_it_acts_on() {
        let mut test = subscription("incomplete", false);
        test.mode = Some(Mode::Test);
        assert_eq!(subject(&test, false), "Family box (test), incomplete");
        assert_eq!(
            subject(&test, true),
            "Family box (test), ref. sub_1, incomplete"
        );
    }

    #[test]
    fn prices_combine_money_and_interval() {
        let plan = subscription("active", false).plan.unwrap();
        assert_eq!(price_line(&plan), "\u{20a6}5,000.00 every month");
    }
}
