use alloc::string::{String, ToString};
use core::fmt;

/// RFC 5321: the local part is at most 64 octets.
pub const MAX_LOCAL_LEN: usize = 64;
/// RFC 5321 path limit (256) less the angle brackets.
pub const MAX_EMAIL_LEN: usize = 254;
const MAX_LABEL_LEN: usize = 63;

/// An email address that is valid by construction: trimmed, lower-cased, and
/// following the HTML "valid e-mail address" rule, RFC 5321's length limits and
/// a dotted (routable) domain.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Why a string is not a usable email address. Each reason has a message a
/// person understands (`Display`) and a stable machine code ([`EmailError::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    NonAscii,
    ContainsSpace,
    MissingAt,
    MultipleAt,
    MissingLocal,
    MissingDomain,
    InvalidLocalChar(char),
    InvalidDomainChar(char),
    DomainEmptyLabel,
    DomainLabelTooLong,
    DomainLabelHyphen,
    DomainNoDot,
    LocalTooLong,
    TooLong,
}

impl EmailError {
    /// A stable snake_case name for the reason, used in test vectors and API `details`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NonAscii => "non_ascii",
            Self::ContainsSpace => "contains_space",
            Self::MissingAt => "missing_at",
            Self::MultipleAt => "multiple_at",
            Self::MissingLocal => "missing_local",
            Self::MissingDomain => "missing_domain",
            Self::InvalidLocalChar(_) => "invalid_local_char",
            Self::InvalidDomainChar(_) => "invalid_domain_char",
            Self::DomainEmptyLabel => "domain_empty_label",
            Self::DomainLabelTooLong => "domain_label_too_long",
            Self::DomainLabelHyphen => "domain_label_hyphen",
            Self::DomainNoDot => "domain_no_dot",
            Self::LocalTooLong => "local_too_long",
            Self::TooLong => "too_long",
        }
    }
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter your email address"),
            Self::NonAscii => f.write_str(
                "That address has a character we can't send to, like an accent or emoji",
            ),
            Self::ContainsSpace => f.write_str("Remove the space from the address"),
            Self::MissingAt => f.write_str("Add an @, as in name@example.com"),
            Self::MultipleAt => f.write_str("An address has only one @"),
            Self::MissingLocal => f.write_str("Add the part before @"),
            Self::MissingDomain => f.write_str("Add the part after @"),
            Self::InvalidLocalChar(c) => {
                write!(
                    f,
                    "The part before @ can't contain \u{201c}{}\u{201d}",
                    c.escape_debug()
                )
            }
            Self::InvalidDomainChar(c) => {
                write!(
                    f,
                    "The part after @ can't contain \u{201c}{}\u{201d}",
                    c.escape_debug()
                )
            }
            Self::DomainEmptyLabel => f.write_str("The part after @ has a dot too many"),
            Self::DomainLabelTooLong => f.write_str("A part of the domain is too long"),
            Self::DomainLabelHyphen => {
                f.write_str("A part of the domain can't start or end with a hyphen")
            }
            Self::DomainNoDot => f.write_str("Add the ending of the domain, like .com"),
            Self::LocalTooLong => f.write_str("The part before @ is too long"),
            Self::TooLong => f.write_str("That address is too long"),
        }
    }
}

impl core::error::Error for EmailError {}

/// Characters the HTML standard allows in the local part, besides ASCII letters and digits.
const LOCAL_SYMBOLS: &str = ".!#$%&'*+/=?^_`{|}~-";

impl Email {
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if !trimmed.is_ascii() {
            return Err(EmailError::NonAscii);
        }
        if trimmed.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(EmailError::ContainsSpace);
        }
        let address = trimmed.to_ascii_lowercase();
        let mut parts = address.split('@');
        let (local, domain) = match (parts.next(), parts.next(), parts.next()) {
            (Some(_), None, _) => return Err(EmailError::MissingAt),
            (Some(local), Some(domain), None) => (local, domain),
            _ => return Err(EmailError::MultipleAt),
        };
        if local.is_empty() {
            return Err(EmailError::MissingLocal);
        }
        if domain.is_empty() {
            return Err(EmailError::MissingDomain);
        }
        if let Some(c) = local
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && !LOCAL_SYMBOLS.contains(*c))
        {
            return Err(EmailError::InvalidLocalChar(c));
        }
        if let Some(c) = domain
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && *c != '-' && *c != '.')
        {
            return Err(EmailError::InvalidDomainChar(c));
        }
        if !domain.contains('.') {
            return Err(EmailError::DomainNoDot);
        }
        for label in domain.split('.') {
            if label.is_empty() {
                return Err(EmailError::DomainEmptyLabel);
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(EmailError::DomainLabelTooLong);
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(EmailError::DomainLabelHyphen);
            }
        }
        if local.len() > MAX_LOCAL_LEN {
            return Err(EmailError::LocalTooLong);
        }
        if address.len() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        Ok(Email(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(local, _)| local)
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, domain)| domain)
    }

    /// The address the person probably meant, when the domain looks like a typo
    /// of a common mail provider (`gmial.com` → `gmail.com`); `None` otherwise.
    pub fn suggestion(&self) -> Option<Email> {
        let domain = self.domain();
        if COMMON_DOMAINS.contains(&domain) {
            return None;
        }
        let (best, distance) = COMMON_DOMAINS
            .iter()
            .map(|known| (*known, edit_distance(domain, known)))
            .min_by_key(|(_, distance)| *distance)?;
        // Short domains sit close to each other, so they only get one-edit fixes.
        let allowed = if best.len() >= 9 { 2 } else { 1 };
        if distance == 0 || distance > allowed {
            return None;
        }
        Email::parse(&alloc::format!("{}@{}", self.local_part(), best)).ok()
    }
}

/// Mail providers most subscribers use. A domain that is on this list is never
/// "corrected", so similar real providers (mail.com, gmx.com) belong here too.
const COMMON_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "mail.com",
    "email.com",
    "gmx.com",
    "gmx.net",
    "zoho.com",
    "yandex.com",
];

/// Optimal-string-alignment distance: insertions, deletions, substitutions and
/// adjacent transpositions each cost one (so `gmial` is one edit from `gmail`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let width = b.len() + 1;
    let mut rows = alloc::vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = best;
        }
    }
    rows[at(a.len(), b.len())]
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl core::str::FromStr for Email {
    type Err = EmailError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Email::parse(s)
    }
}

impl serde::Serialize for Email {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = <alloc::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Email::parse(&raw).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposition_is_one_edit() {
        assert_eq!(edit_distance("gmial.com", "gmail.com"), 1);
        assert_eq!(edit_distance("gmail.com", "gmail.com"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
