//! `config.json`'s `apiBase`: where the portal API lives. The app reads it as it
//! starts, and the server that serves the app reads it for its CSP
//! (`connect-src`), so both accept and refuse the same values with this one rule.
use alloc::string::{String, ToString};
use core::fmt;

/// The page's own origin (empty), or an http(s) base URL without a trailing
/// slash, query or fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase {
    base: String,
    /// How much of `base` is its origin (`scheme://host[:port]`); 0 when empty.
    origin_len: usize,
}

/// Why an `apiBase` was refused; its text says what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBaseError {
    pub source: String,
    pub why: &'static str,
}

impl fmt::Display for ApiBaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not `{:?}`: escaping text would bring Unicode tables into the app.
        write!(
            f,
            "apiBase \"{}\" {}. Give \"\" (the page's own origin) or an http(s) URL like https://sandbox.useduro.com",
            self.source, self.why
        )
    }
}

impl ApiBase {
    pub fn parse(source: &str) -> Result<ApiBase, ApiBaseError> {
        let refuse = |why| ApiBaseError {
            source: source.to_string(),
            why,
        };
        let base = source.trim().trim_end_matches('/');
        if base.is_empty() {
            return Ok(ApiBase {
                base: String::new(),
                origin_len: 0,
            });
        }
        // What a URL may not hold here, and what would break the CSP header
        // the server writes it into.
        if base.contains(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '"' | '\'' | ';' | '\\')
        }) {
            return Err(refuse("has a space, quote, query or fragment"));
        }
        let (scheme, rest) = base
            .split_once("://")
            .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
            .ok_or_else(|| refuse("is not an http(s) URL"))?;
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() || host.contains('@') || host.starts_with(':') {
            return Err(refuse("names no host"));
        }
        Ok(ApiBase {
            base: base.to_string(),
            origin_len: scheme.len() + "://".len() + host.len(),
        })
    }

    /// What requests are made against ("" for the page's own origin).
    pub fn as_str(&self) -> &str {
        &self.base
    }

    /// `scheme://host[:port]`, or `None` for the page's own origin.
    pub fn origin(&self) -> Option<&str> {
        (self.origin_len > 0).then(|| &self.base[..self.origin_len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_means_the_pages_own_origin() {
        for same in ["", "  ", "/"] {
            let base = ApiBase::parse(same).unwrap();
            assert_eq!(base.as_str(), "");
            assert_eq!(base.origin(), None);
        }
    }

    #[test]
    fn an_http_base_keeps_its_path_and_names_its_origin() {
        let base = ApiBase::parse(" https://sandbox.useduro.com/ ").unwrap();
        assert_eq!(base.as_str(), "https://sandbox.useduro.com");
        assert_eq!(base.origin(), Some("https://sandbox.useduro.com"));
        let base = ApiBase::parse("http://127.0.0.1:8080/api/").unwrap();
        assert_eq!(base.as_str(), "http://127.0.0.1:8080/api");
        assert_eq!(base.origin(), Some("http://127.0.0.1:8080"));
    }

    #[test]
    fn what_is_not_a_base_url_is_refused_and_told_why() {
        for (bad, why) in [
            ("sandbox.useduro.com", "is not an http(s) URL"),
            ("javascript:alert(1)", "is not an http(s) URL"),
            ("ftp://x", "is not an http(s) URL"),
            ("https://", "is not an http(s) URL"),
            ("https:///api", "names no host"),
            ("https://user@evil.example", "names no host"),
            (
                "https://a.example/?x=1",
                "has a space, quote, query or fragment",
            ),
            (
                "https://a.example/#x",
                "has a space, quote, query or fragment",
            ),
            (
                "https://a.example; script-src *",
                "has a space, quote, query or fragment",
            ),
            (
                "https://a.example'",
                "has a space, quote, query or fragment",
            ),
        ] {
            let error = ApiBase::parse(bad).unwrap_err();
            assert_eq!(error.why, why, "{bad}");
            assert!(error.to_string().contains("https://sandbox.useduro.com"));
        }
    }
}
