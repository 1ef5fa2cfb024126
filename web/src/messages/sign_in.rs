//! What the sign-in page says.
use portal_core::api::{CodeIssue, ErrorCode};
use portal_core::limits::{CODE_TTL_SECONDS, OTP_CODE_DIGITS};
use portal_core::{EmailError, OtpCodeError};

use super::{request_problem, too_many, UNREACHABLE};
use crate::api::ClientError;
use crate::notice::Notice;

/// The line that says why someone is back at sign-in.
pub fn notice(notice: Notice) -> &'static str {
    match notice {
        Notice::SessionEnded => "Your session ended \u{2014} sign in again.",
        Notice::SignedOut => "You\u{2019}re signed out.",
        Notice::LinkRefused => {
            "This sign-in link has expired or isn\u{2019}t valid. Enter your email and we\u{2019}ll send you a code."
        }
    }
}

// ---- sign-in ----

pub fn email_lede() -> String {
    format!("We\u{2019}ll email you a {OTP_CODE_DIGITS}-digit code. No password needed.")
}

pub fn link_lede() -> String {
    format!(
        "We\u{2019}ll email a {OTP_CODE_DIGITS}-digit code to the address this link was sent to."
    )
}

/// "It expires in 10 minutes." after the address the code went to.
pub fn code_lifetime() -> String {
    format!(" It expires in {} minutes.", CODE_TTL_SECONDS / 60)
}

pub fn code_sent_to() -> String {
    format!("We sent a {OTP_CODE_DIGITS}-digit code to ")
}

pub const ACCOUNT_UNREACHABLE: &str =
    "You\u{2019}re signed in, but your subscriptions could not be loaded. Check your connection, then try again.";

pub const CONFIG_UNREADABLE: &str =
    "It could not read its settings, so it cannot sign you in right now. Please try again later.";

pub const CODE_RESENT: &str = "We sent the code again. Check your inbox.";

/// The sign-in buttons, and what each says while its request is under way.
pub const SEND_CODE: &str = "Email me a code";
pub const SEND_NEW_CODE: &str = "Send a new code";
pub const SENDING: &str = "Sending\u{2026}";
pub const SIGN_IN: &str = "Sign in";
pub const CHECKING: &str = "Checking\u{2026}";

pub fn email_problem(problem: &EmailError) -> String {
    problem.to_string()
}

pub fn code_shape_problem(problem: &OtpCodeError) -> String {
    problem.to_string()
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

impl CodeProblem {
    fn plain(message: impl Into<String>) -> CodeProblem {
        CodeProblem {
            message: message.into(),
            offer_new_code: false,
        }
    }
}

pub fn code_problem(error: &ClientError) -> CodeProblem {
    if let ClientError::Api {
        error: api,
        retry_after,
        ..
    } = error
    {
        if let Some(issue) = api.code_issue() {
            let tries = api.detail_for("code").and_then(|d| d.attempts_remaining);
            return CodeProblem {
                // An issue from a newer server: its own words.
                message: issue
                    .message(tries)
                    .unwrap_or_else(|| request_problem(error)),
                offer_new_code: matches!(issue, CodeIssue::Expired | CodeIssue::AttemptsExceeded),
            };
        }
        if api.code == ErrorCode::RateLimited {
            return CodeProblem::plain(too_many("tries", *retry_after));
        }
    }
    match error {
        ClientError::Network => {
            CodeProblem::plain(format!("{UNREACHABLE} Your code is still here."))
        }
        other => CodeProblem::plain(request_problem(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::api;
    use super::*;

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
        let expired = code_problem(&api(422, "validation_error", Some("expired"), None, None));
        assert_eq!(
            expired.message,
            "This code has expired or was already used. Send a new code to continue."
        );
        assert!(expired.offer_new_code);
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
        assert!(code_problem(&ClientError::Unexpected { status: 502 })
            .message
            .contains("on our side"));
        assert!(code_problem(&api(500, "internal_error", None, None, None))
            .message
            .contains("on our side"));
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
    fn the_resend_countdown_reads_naturally() {
        assert_eq!(resend_label(60), "Resend code in 1:00");
        assert_eq!(resend_label(42), "Resend code in 0:42");
        assert_eq!(resend_label(0), "Resend code");
    }
}
