//! Embedding the portal in a merchant's page: which pages may frame it, and the
//! messages the frame and that page exchange. The server writes the allowed
//! parents into its CSP `frame-ancestors` and the app checks every message's
//! origin against the same list, so both read it with this one parser.
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

/// `source` on every message the portal posts to its parent.
pub const PORTAL_SOURCE: &str = "duro-portal";
/// `source` on every message the parent (embed.js) posts to the portal.
pub const HOST_SOURCE: &str = "duro-portal-host";
/// A portal link's token handed over by the parent is never longer than this.
pub const MAX_HANDED_TOKEN_LEN: usize = 1024;
/// The portal waits this long for its parent's handshake before saying it
/// cannot be shown here.
pub const HANDSHAKE_WAIT_MS: u32 = 5_000;

/// One page that may frame the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ancestor {
    /// The portal's own origin (`'self'`).
    Own,
    /// `scheme://host[:port]`; `host` may start with `*.` for any subdomain.
    Origin {
        scheme: String,
        host: String,
        port: Option<u16>,
    },
}

/// The pages that may frame the portal; none when empty (`'none'`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ancestors(Vec<Ancestor>);

/// Why a list of allowed parents was refused; its text says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncestorError {
    pub source: String,
    pub why: &'static str,
}

impl fmt::Display for AncestorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `{:?}`: escaping text would bring Unicode tables into the app.
        write!(
            f,
            "\"{}\" {}. Give 'none', or 'self' and origins such as https://shop.example.com",
            self.source, self.why
        )
    }
}

fn refuse(source: &str, why: &'static str) -> AncestorError {
    AncestorError {
        source: source.to_string(),
        why,
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" {
        443
    } else {
        80
    }
}

/// An origin as parsed: scheme, host, and a port other than the scheme's default.
type Origin = (String, String, Option<u16>);

/// `scheme://host[:port]`, lower-cased, with `*.` allowed in front of the host
/// only when `wildcard`. No path, user, query or fragment.
fn parse_origin(source: &str, wildcard: bool) -> Result<Origin, AncestorError> {
    let lower = source.to_ascii_lowercase();
    let (scheme, rest) = lower
        .split_once("://")
        .ok_or_else(|| refuse(source, "is not an origin"))?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) => {
            let port = port
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0 && port.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| refuse(source, "has a port that is not a number"))?;
            (host, Some(port))
        }
        None => (rest, None),
    };
    let name = match host.strip_prefix("*.") {
        Some(name) if wildcard => name,
        _ => host,
    };
    let host_ok = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok {
        return Err(refuse(
            source,
            "does not name a host (no paths, no wildcards but *.)",
        ));
    }
    let loopback = matches!(host, "localhost" | "127.0.0.1");
    match scheme {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(refuse(source, "must use https (http only for localhost)")),
    }
    // The default port is the same origin as no port; keep one spelling.
    let port = port.filter(|p| *p != default_port(scheme));
    Ok((scheme.to_string(), host.to_string(), port))
}

impl Ancestor {
    fn parse(source: &str) -> Result<Ancestor, AncestorError> {
        if source == "'self'" {
            return Ok(Ancestor::Own);
        }
        let (scheme, host, port) = parse_origin(source, true)?;
        Ok(Ancestor::Origin { scheme, host, port })
    }

    fn allows(&self, origin: &Origin, own: Option<&Origin>) -> bool {
        match self {
            Ancestor::Own => own == Some(origin),
            Ancestor::Origin { scheme, host, port } => {
                let host_ok = match host.strip_prefix('*') {
                    // `*.example.com` is any subdomain, not example.com itself.
                    Some(suffix) => origin.1.ends_with(suffix) && origin.1.len() > suffix.len(),
                    None => *host == origin.1,
                };
                *scheme == origin.0 && host_ok && *port == origin.2
            }
        }
    }
}

impl fmt::Display for Ancestor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ancestor::Own => f.write_str("'self'"),
            Ancestor::Origin { scheme, host, port } => {
                write!(f, "{scheme}://{host}")?;
                match port {
                    Some(port) => write!(f, ":{port}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl Ancestors {
    /// The value of the server's `--frame-ancestors`, which goes into the CSP as
    /// it is: `'none'` alone, or `'self'` and origins separated by spaces.
    /// Anything else (a `;` that would start another directive, a path, `*`, a
    /// scheme alone) is refused.
    pub fn parse_directive(value: &str) -> Result<Ancestors, AncestorError> {
        let sources: Vec<&str> = value.split_whitespace().collect();
        match sources.as_slice() {
            [] => Err(refuse("", "is empty")),
            ["'none'"] => Ok(Ancestors::default()),
            _ if sources.contains(&"'none'") => Err(refuse("'none'", "must stand alone")),
            _ => Self::from_list(sources),
        }
    }

    /// `config.json`'s `embedOrigins`: each entry `'self'` or an origin; an
    /// empty list means the portal is never shown in a frame.
    pub fn from_list<'a>(
        list: impl IntoIterator<Item = &'a str>,
    ) -> Result<Ancestors, AncestorError> {
        list.into_iter()
            .map(|source| Ancestor::parse(source.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map(Ancestors)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// May a page at `origin` (as `MessageEvent.origin` spells it) frame the
    /// portal running at `own`? An origin that does not parse never may.
    pub fn allow(&self, origin: &str, own: Option<&str>) -> bool {
        let Ok(origin) = parse_origin(origin, false) else {
            return false;
        };
        let own = own.and_then(|own| parse_origin(own, false).ok());
        self.0
            .iter()
            .any(|ancestor| ancestor.allows(&origin, own.as_ref()))
    }

    /// The CSP `frame-ancestors` value.
    pub fn directive(&self) -> String {
        if self.0.is_empty() {
            return "'none'".to_string();
        }
        self.entries().join(" ")
    }

    /// Each entry as `config.json`'s `embedOrigins` writes it.
    pub fn entries(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }

    /// The allowed origins without a wildcard: where the portal may post its
    /// first hello, since a message's target must be one exact origin.
    pub fn exact_origins(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|a| matches!(a, Ancestor::Origin { host, .. } if !host.starts_with('*')))
            .map(ToString::to_string)
            .collect()
    }
}

/// A colour scheme the parent asks for, to match its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The one message the parent sends: `{"source":"duro-portal-host","type":"init",
/// "token"?, "theme"?}`. The first from the allowed parent is the handshake;
/// later ones may change the theme. Unknown fields are refused, not skipped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostMessage {
    source: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    token: Option<String>,
    // Text, checked in `init`: an enum's own deserializer costs the app a kilobyte.
    #[serde(default)]
    theme: Option<String>,
}

/// The parent's init, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Init {
    /// A portal link's token, handed over so it never appears in a URL.
    pub token: Option<String>,
    pub theme: Option<Theme>,
}

impl fmt::Debug for Init {
    // The token signs someone in to their address: never in a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Init")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("theme", &self.theme)
            .finish()
    }
}

impl HostMessage {
    /// The init it carries, if it is one: right source and type, and a token
    /// that could be a portal link's (base64url and dots, not too long).
    pub fn init(self) -> Option<Init> {
        if self.source != HOST_SOURCE || self.kind != "init" {
            return None;
        }
        let token_ok = self.token.as_deref().is_none_or(|token| {
            !token.is_empty()
                && token.len() <= MAX_HANDED_TOKEN_LEN
                && token
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
        let theme = match self.theme.as_deref() {
            None => None,
            Some("light") => Some(Theme::Light),
            Some("dark") => Some(Theme::Dark),
            Some(_) => return None,
        };
        token_ok.then_some(Init {
            token: self.token,
            theme,
        })
    }
}

/// What the portal tells its parent: its height, and what happened. Never a
/// token, a code or an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PortalEvent {
    /// The portal asks its parent for the init (the handshake's first half).
    Hello,
    /// The handshake is done and the portal is on screen.
    Ready,
    /// The document's height in CSS pixels, so the frame can fit it.
    Height {
        height: u32,
    },
    SignedIn,
    /// Signed out, or the session ended.
    SignedOut,
    SubscriptionChanged {
        id: String,
        mode: String,
        status: String,
    },
}

/// A `PortalEvent` as posted: `{"source":"duro-portal","type":…, …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalMessage<'a> {
    pub source: &'static str,
    #[serde(flatten)]
    pub event: &'a PortalEvent,
}

impl PortalEvent {
    pub fn message(&self) -> PortalMessage<'_> {
        PortalMessage {
            source: PORTAL_SOURCE,
            event: self,
        }
    }
}
