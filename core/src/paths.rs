//! The API's paths, as the client calls them and the server routes them.
use alloc::format;
use alloc::string::String;

use crate::api::{Mode, PortalAction};

pub const START: &str = "/portal/email/start";
pub const VERIFY: &str = "/portal/email/verify";
pub const SIGNOUT: &str = "/portal/email/signout";
pub const SUBSCRIPTIONS: &str = "/portal/email/subscriptions";
pub const CARDS: &str = "/portal/email/cards";
pub const WALLET: &str = "/portal/email/wallet";

/// Pause, resume or cancel, as a route template (`{mode}`, `{id}` and `{action}`
/// are the path's parameters).
pub const SUBSCRIPTION_ACTION: &str = "/portal/email/subscriptions/{mode}/{id}/{action}";

/// The path that applies `action` to one subscription. The id is percent-encoded,
/// so an id from a server can never change which path is called.
pub fn subscription_action(mode: &Mode, id: &str, action: &PortalAction) -> String {
    format!(
        "{SUBSCRIPTIONS}/{}/{}/{}",
        encode_segment(mode.as_str()),
        encode_segment(id),
        encode_segment(action.as_str())
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(char::from(byte));
            }
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_change_the_path() {
        assert_eq!(
            subscription_action(&Mode::Live, "sub_1", &PortalAction::Pause),
            "/portal/email/subscriptions/live/sub_1/pause"
        );
        assert_eq!(
            subscription_action(&Mode::Test, "../x?y#z", &PortalAction::Cancel),
            "/portal/email/subscriptions/test/..%2Fx%3Fy%23z/cancel"
        );
    }
}
