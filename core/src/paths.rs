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

/// A subscription's invoices, newest first (P); `?cursor=` pages on.
pub const INVOICES: &str = "/portal/email/subscriptions/{mode}/{id}/invoices";

/// Pay a subscription's open invoice now (P).
pub const RETRY: &str = "/portal/email/subscriptions/{mode}/{id}/retry";

/// Make a saved card the default (P).
pub const CARD_DEFAULT: &str = "/portal/email/cards/{id}/default";

/// Remove a saved card, with `DELETE` (P).
pub const CARD: &str = "/portal/email/cards/{id}";

/// Add money to the wallet through a hosted checkout (P).
pub const WALLET_TOPUP: &str = "/portal/email/wallet/topup";

/// Merchants mint portal links here, with a secret key (P).
pub const PORTAL_LINKS: &str = "/v1/portal/links";

/// The request header that makes a retried charge safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

fn subscription_path(mode: &Mode, id: &str, tail: &str) -> String {
    format!(
        "{SUBSCRIPTIONS}/{}/{}/{tail}",
        encode_segment(mode.as_str()),
        encode_segment(id)
    )
}

/// The first page of a subscription's invoices, or the page after `cursor`.
pub fn invoices(mode: &Mode, id: &str, cursor: Option<&str>) -> String {
    let path = subscription_path(mode, id, "invoices");
    match cursor {
        Some(cursor) => format!("{path}?cursor={}", encode_segment(cursor)),
        None => path,
    }
}

pub fn retry(mode: &Mode, id: &str) -> String {
    subscription_path(mode, id, "retry")
}

pub fn card_default(id: &str) -> String {
    format!("{CARDS}/{}/default", encode_segment(id))
}

pub fn card(id: &str) -> String {
    format!("{CARDS}/{}", encode_segment(id))
}

/// The path that applies `action` to one subscription. The id is percent-encoded,
/// so an id from a server can never change which path is called.
pub fn subscription_action(mode: &Mode, id: &str, action: &PortalAction) -> String {
    subscription_path(mode, id, &encode_segment(action.as_str()))
}

/// One subscription, as a deep link names it: `/subscriptions/{mode}/{id}` on the
/// portal's own host opens the portal on that subscription (P).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeepLink {
    pub mode: Mode,
    pub id: String,
}

/// The portal page that lists every subscription; a deep link goes below it.
pub const SUBSCRIPTIONS_PAGE: &str = "/subscriptions";

impl DeepLink {
    /// The page path for this subscription; the id is percent-encoded.
    pub fn path(&self) -> String {
        format!(
            "{SUBSCRIPTIONS_PAGE}/{}/{}",
            encode_segment(self.mode.as_str()),
            encode_segment(&self.id)
        )
    }

    /// The deep link in a page path, if it is one: a known mode and a non-empty
    /// id of at most 255 characters, percent-decoded. Anything else is not one.
    pub fn parse(path: &str) -> Option<DeepLink> {
        let rest = path.strip_prefix(SUBSCRIPTIONS_PAGE)?.strip_prefix('/')?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (mode, id) = rest.split_once('/')?;
        let mode = match Mode::from(decode_segment(mode)?) {
            Mode::Unknown(_) => return None,
            mode => mode,
        };
        let id = decode_segment(id)?;
        let plain = !id.is_empty()
            && id.chars().count() <= 255
            && !id.chars().any(|c| c == '/' || c.is_control());
        plain.then_some(DeepLink { mode, id })
    }
}

/// `%XX` escapes decoded; `None` for a broken escape or text that is not UTF-8.
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = alloc::vec::Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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
        assert_eq!(
            invoices(&Mode::Live, "sub/1", Some("inv_2&x=1")),
            "/portal/email/subscriptions/live/sub%2F1/invoices?cursor=inv_2%26x%3D1"
        );
        assert_eq!(card("../wallet"), "/portal/email/cards/..%2Fwallet");
    }

    #[test]
    fn a_deep_link_names_one_subscription_and_nothing_else_is_one() {
        let link = DeepLink {
            mode: Mode::Live,
            id: "sub_123".into(),
        };
        assert_eq!(link.path(), "/subscriptions/live/sub_123");
        assert_eq!(
            DeepLink::parse("/subscriptions/live/sub_123"),
            Some(link.clone())
        );
        assert_eq!(DeepLink::parse("/subscriptions/live/sub_123/"), Some(link));
        let odd = DeepLink {
            mode: Mode::Test,
            id: "sub a/b".into(),
        };
        assert_eq!(odd.path(), "/subscriptions/test/sub%20a%2Fb");
        assert_eq!(
            DeepLink::parse(&odd.path()),
            None,
            "an id with a slash is refused"
        );
        for not_one in [
            "/subscriptions",
            "/subscriptions/",
            "/subscriptions/live",
            "/subscriptions/live/",
            "/subscriptions/staging/sub_1",
            "/subscriptions/live/sub_1/extra",
            "/subscriptions/live/%ZZ",
            "/subscriptions/live/%FF",
            "/subscriptionsx/live/sub_1",
            "/",
        ] {
            assert_eq!(DeepLink::parse(not_one), None, "{not_one}");
        }
    }
}
