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

#[cfg(test)]
mod tests {
    use portal_core::api::{ApiError, ErrorDetail};

    use super::*;

    fn api(
        status: u16,
        code: &str,
        issue: Option<&str>,
        remaining: Option<u32>,
        retry_after: Option<u64>,
    ) -> ClientError {
        ClientError::Api {
            status,
            error: ApiError {
                code: ErrorCode::from(code),
                message: "Server words".into(),
                details: issue.map(|issue| {
                    vec![ErrorDetail {
                        path: "code".into(),
                        issue: issue.into(),
                        attempts_remaining: remaining,
                    }]
                }),
            },
            retry_after,
        }
    }

    #[test]
    fn each_code_error_has_its_own_plain_message() {
        let incorrect = code_problem(&api(
            422,
            "validation_error",
            Some("incorrect"),
            Some(3),
            None,
        ));
        assert_eq!(
            incorrect.message,
            "That code isn\u{2019}t right. You have 3 tries left."
        );
        assert!(!incorrect.offer_new_code);
        let last = code_problem(&api(
            422,
            "validation_error",
            Some("incorrect"),
            Some(1),
            None,
        ));
        assert!(last.message.ends_with("You have 1 try left."));
        let unknown_tries =
            code_problem(&api(422, "validation_error", Some("incorrect"), None, None));
        assert!(unknown_tries
            .message
            .starts_with("That code isn\u{2019}t right."));

        let expired = code_problem(&api(422, "validation_error", Some("expired"), None, None));
        assert!(expired.message.contains("expired") && expired.offer_new_code);
        let exhausted = code_problem(&api(
            422,
            "validation_error",
            Some("attempts_exceeded"),
            None,
            None,
        ));
        assert!(exhausted.message.contains("Too many wrong tries") && exhausted.offer_new_code);

        let limited = code_problem(&api(429, "rate_limited", None, None, Some(300)));
        assert_eq!(
            limited.message,
            "Too many tries. Please wait 5 minutes and try again."
        );
        let offline = code_problem(&ClientError::Network);
        assert!(
            offline.message.contains("couldn\u{2019}t reach")
                && offline.message.contains("still here")
        );
        let broken = code_problem(&ClientError::Unexpected { status: 502 });
        assert!(broken.message.contains("on our side"));
        let server = code_problem(&api(500, "internal_error", None, None, None));
        assert!(server.message.contains("on our side"));
        // A new issue value from a future server is shown in the server's words.
        let future = code_problem(&api(
            422,
            "validation_error",
            Some("blocked_by_merchant"),
            None,
            None,
        ));
        assert_eq!(future.message, "Server words");
    }

    #[test]
    fn requests_outside_the_code_step_explain_limits_and_refusals() {
        assert_eq!(
            request_problem(&api(429, "rate_limited", None, None, Some(3600))),
            "Too many requests. Please wait 1 hour and try again."
        );
        assert!(request_problem(&api(403, "forbidden", None, None, None))
            .contains("doesn\u{2019}t allow"));
        assert_eq!(
            request_problem(&api(409, "conflict", None, None, None)),
            "Server words"
        );
        assert!(!request_problem(&ClientError::Network).contains("code"));
    }

    #[test]
    fn waits_and_countdowns_read_naturally() {
        assert_eq!(wait_text(1), "1 second");
        assert_eq!(wait_text(42), "42 seconds");
        assert_eq!(wait_text(60), "1 minute");
        assert_eq!(wait_text(61), "2 minutes");
        assert_eq!(wait_text(3600), "1 hour");
        assert_eq!(resend_label(60), "Resend code in 1:00");
        assert_eq!(resend_label(42), "Resend code in 0:42");
        assert_eq!(resend_label(0), "Resend code");
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
            assert_eq!(status_badge(&SubscriptionStatus::from(wire)).0, label);
        }
    }

    #[test]
    fn prices_combine_money_and_interval() {
        let plan = PortalPlan {
            id: "plan_1".into(),
            name: "Box".into(),
            amount: 500000,
            currency: "NGN".into(),
            interval: "month".into(),
            interval_count: 1,
        };
        assert_eq!(price_line(&plan), "\u{20a6}5,000.00 every month");
    }
}
