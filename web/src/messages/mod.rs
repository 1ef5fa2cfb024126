//! Every sentence the portal shows, in one module: components hold only short
//! labels, and what explains, warns or reports comes from here. Wording shared
//! with the server (email and code problems) comes from portal-core.
use portal_core::api::ErrorCode;

use crate::api::ClientError;

mod account;
mod payments;
mod sign_in;
mod subscriptions;

pub use account::*;
pub use payments::*;
pub use sign_in::*;
pub use subscriptions::*;

const UNREACHABLE: &str = "We couldn\u{2019}t reach Duro. Check your connection, then try again.";
const OUR_SIDE: &str = "Something went wrong on our side. Please try again in a moment.";
pub const NOT_OFFERED: &str = "This merchant doesn\u{2019}t offer that here.";

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

fn too_many(what: &str, wait: Option<u64>) -> String {
    match wait {
        Some(wait) => format!(
            "Too many {what}. Please wait {} and try again.",
            wait_text(wait)
        ),
        None => format!("Too many {what}. Please wait a little and try again."),
    }
}

/// Wording for a failed request outside the code step (start, resend, the list, actions).
pub fn request_problem(error: &ClientError) -> String {
    match error {
        ClientError::Network => UNREACHABLE.to_string(),
        ClientError::Api {
            error, retry_after, ..
        } if error.code == ErrorCode::RateLimited => too_many("requests", *retry_after),
        ClientError::Api { error, .. } if error.code == ErrorCode::Forbidden => {
            NOT_OFFERED.to_string()
        }
        ClientError::Api { status, error, .. } if *status < 500 && !error.message.is_empty() => {
            error.message.clone()
        }
        _ => OUR_SIDE.to_string(),
    }
}

/// A failed action: an unanswered request may still have happened, so say so.
pub fn action_problem(error: &ClientError) -> String {
    match error {
        ClientError::Network => format!("{UNREACHABLE} If it went through, Refresh will show it."),
        other => request_problem(other),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use portal_core::api::{ApiError, ErrorDetail};

    use super::*;

    pub fn api(
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
    fn requests_outside_the_code_step_explain_limits_and_refusals() {
        assert_eq!(
            request_problem(&api(429, "rate_limited", None, None, Some(3600))),
            "Too many requests. Please wait 1 hour and try again."
        );
        assert_eq!(
            request_problem(&api(403, "forbidden", None, None, None)),
            "This merchant doesn\u{2019}t offer that here."
        );
        assert_eq!(
            request_problem(&api(409, "conflict", None, None, None)),
            "Server words"
        );
        assert!(!request_problem(&ClientError::Network).contains("code"));
        // An unanswered action may have happened: the page never claims it did not.
        let offline = action_problem(&ClientError::Network);
        assert!(!offline.contains("Nothing was changed") && offline.contains("Refresh"));
    }

    #[test]
    fn waits_read_naturally() {
        assert_eq!(wait_text(1), "1 second");
        assert_eq!(wait_text(42), "42 seconds");
        assert_eq!(wait_text(60), "1 minute");
        assert_eq!(wait_text(61), "2 minutes");
        assert_eq!(wait_text(3600), "1 hour");
    }
}
