//! What the portal says about things: labels, prices, dates and error wording.
use portal_core::api::{CodeIssue, ErrorCode, PortalPlan, PortalSubscription, SubscriptionStatus};
use portal_core::interval_text;

use crate::api::ClientError;

/// Text and tone (a CSS modifier) for a status badge; an unknown status shows as sent.
pub fn status_badge(status: &SubscriptionStatus) -> (String, &'static str) {
    let (label, tone) = match status {
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
    (label.to_string(), tone)
}

/// "₦5,000.00 every month".
pub fn price_line(plan: &PortalPlan) -> String {
    format!(
        "{} {}",
        plan.price(),
        interval_text(&plan.interval, plan.interval_count)
    )
}

/// A date in the person's own locale and time zone, e.g. "1 Dec 2026" or "Dec 1, 2026".
pub fn local_date(rfc3339: &str) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    for (key, value) in [("day", "numeric"), ("month", "short"), ("year", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_string());
    Some(String::from(date.to_locale_date_string(&locale, &options)))
}

/// "Renews on …", "Cancels on …", "Ended …": what happens at the period end.
pub fn period_line(subscription: &PortalSubscription) -> Option<String> {
    let date = subscription
        .current_period_end
        .as_deref()
        .and_then(local_date)?;
    let status = &subscription.status;
    Some(if status.has_ended() {
        format!("Ended {date}")
    } else if subscription.cancel_at_period_end {
        format!("Cancels on {date}")
    } else {
        match status {
            SubscriptionStatus::Trialing => format!("Trial ends on {date}"),
            SubscriptionStatus::Active | SubscriptionStatus::PastDue => format!("Renews on {date}"),
            SubscriptionStatus::Paused => format!("Paused; period ends {date}"),
            _ => format!("Period ends {date}"),
        }
    })
}

/// "42 seconds", "5 minutes", "1 hour".
pub fn wait_text(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    match seconds {
        0..=59 => plural(seconds.max(1), "second"),
        60..=3599 => plural(seconds.div_ceil(60), "minute"),
        _ => plural(seconds.div_ceil(3600), "hour"),
    }
}

/// The resend button's text for the seconds left in the cooldown.
pub fn resend_label(remaining: u64) -> String {
    if remaining == 0 {
        "Resend code".to_string()
    } else {
        format!("Resend code in {}:{:02}", remaining / 60, remaining % 60)
    }
}

/// What went wrong at the code step, in plain words, and whether a new code is the way out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeProblem {
    pub message: String,
    pub offer_new_code: bool,
}

pub fn code_problem(error: &ClientError) -> CodeProblem {
    let plain = |message: &str| CodeProblem {
        message: message.to_string(),
        offer_new_code: false,
    };
    match error {
        ClientError::Network => plain(
            "We couldn\u{2019}t reach Duro. Check your connection, then try again. Your code is still here.",
        ),
        ClientError::Unexpected { .. } => plain("Something went wrong on our side. Please try again in a moment."),
        ClientError::Api { status, error, retry_after } => match (error.code_issue(), &error.code) {
            (Some(CodeIssue::Incorrect), _) => {
                let tries = error.detail_for("code").and_then(|d| d.attempts_remaining);
                CodeProblem {
                    message: match tries {
                        Some(1) => "That code isn\u{2019}t right. You have 1 try left.".to_string(),
                        Some(n) => format!("That code isn\u{2019}t right. You have {n} tries left."),
                        None => "That code isn\u{2019}t right. Check the email and try again.".to_string(),
                    },
                    offer_new_code: false,
                }
            }
            (Some(CodeIssue::Expired), _) => CodeProblem {
                message: "This code has expired. Send a new code to continue.".to_string(),
                offer_new_code: true,
            },
            (Some(CodeIssue::AttemptsExceeded), _) => CodeProblem {
                message: "Too many wrong tries for this code. Send a new code to continue.".to_string(),
                offer_new_code: true,
            },
            (_, ErrorCode::RateLimited) => plain(&match retry_after {
                Some(wait) => format!("Too many tries. Please wait {} and try again.", wait_text(*wait)),
                None => "Too many tries. Please wait a little and try again.".to_string(),
            }),
            _ if *status >= 500 => plain("Something went wrong on our side. Please try again in a moment."),
            _ if !error.message.is_empty() => plain(&error.message),
            _ => plain("That didn\u{2019}t work. Please try again."),
        },
    }
}

/// Wording for a failed request outside the code step (start, resend, actions).
pub fn request_problem(error: &ClientError) -> String {
    match error {
        ClientError::Api {
            error, retry_after, ..
        } if error.code == ErrorCode::RateLimited => match retry_after {
            Some(wait) => format!(
                "Too many requests. Please wait {} and try again.",
                wait_text(*wait)
            ),
            None => "Too many requests. Please wait a little and try again.".to_string(),
        },
        ClientError::Api { error, .. } if error.code == ErrorCode::Forbidden => {
            "This merchant doesn\u{2019}t allow that in the portal.".to_string()
        }
        ClientError::Api { status, error, .. } if *status < 500 && !error.message.is_empty() => {
            error.message.clone()
        }
        _ => code_problem(error)
            .message
            .replace(" Your code is still here.", ""),
    }
}
