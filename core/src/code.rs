use alloc::string::String;
use core::fmt;

pub const OTP_CODE_DIGITS: usize = 6;

/// A one-time sign-in code: exactly six ASCII digits, valid by construction.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OtpCode([u8; OTP_CODE_DIGITS]);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpCodeError {
    Empty,
    /// Fewer than six digits; carries how many there were.
    TooShort(usize),
    /// More than six digits; carries how many there were.
    TooLong(usize),
    /// Something other than digits and the separators people type or paste.
    NotDigits,
}

impl OtpCodeError {
    /// A stable snake_case name for the reason, used in test vectors and API `details`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooShort(_) => "too_short",
            Self::TooLong(_) => "too_long",
            Self::NotDigits => "not_digits",
        }
    }
}

impl fmt::Display for OtpCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Enter the 6-digit code from the email"),
            Self::TooShort(1) => f.write_str("The code has 6 digits; you entered 1"),
            Self::TooShort(n) => write!(f, "The code has 6 digits; you entered {n}"),
            Self::TooLong(n) => write!(f, "The code has 6 digits; you entered {n}"),
            Self::NotDigits => f.write_str("The code is made of digits only"),
        }
    }
}

impl core::error::Error for OtpCodeError {}

/// Separators people type or that mail apps and phones insert when pasting:
/// spaces of every width, hyphens and dashes, dots.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FF0D}' | '.' | '\u{FF0E}' | '\u{3002}'
        )
}

/// ASCII digit for an ASCII or full-width (U+FF10..U+FF19) digit.
fn ascii_digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8),
        '\u{FF10}'..='\u{FF19}' => Some(b'0' + (c as u32 - 0xFF10) as u8),
        _ => None,
    }
}

impl OtpCode {
    pub fn parse(input: &str) -> Result<OtpCode, OtpCodeError> {
        let mut digits = [0u8; OTP_CODE_DIGITS];
        let mut count = 0usize;
        for c in input.chars().filter(|c| !is_separator(*c)) {
            let digit = ascii_digit(c).ok_or(OtpCodeError::NotDigits)?;
            if count < OTP_CODE_DIGITS {
                digits[count] = digit;
            }
            count += 1;
        }
        match count {
            0 => Err(OtpCodeError::Empty),
            n if n < OTP_CODE_DIGITS => Err(OtpCodeError::TooShort(n)),
            n if n > OTP_CODE_DIGITS => Err(OtpCodeError::TooLong(n)),
            _ => Ok(OtpCode(digits)),
        }
    }

    /// The digits people typed so far, normalized (full-width → ASCII, separators
    /// dropped, at most six). Lets a field show a clean value while typing.
    pub fn normalize_partial(input: &str) -> String {
        input
            .chars()
            .filter(|c| !is_separator(*c))
            .filter_map(ascii_digit)
            .take(OTP_CODE_DIGITS)
            .map(char::from)
            .collect()
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Builds a code from a number below 1,000,000, keeping leading zeros.
    pub fn from_number(number: u32) -> Option<OtpCode> {
        if number >= 1_000_000 {
            return None;
        }
        let mut digits = [b'0'; OTP_CODE_DIGITS];
        let mut rest = number;
        for slot in digits.iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        Some(OtpCode(digits))
    }
}

impl fmt::Display for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Redacted, so a code never lands in a log through `{:?}`.
impl fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtpCode(******)")
    }
}

impl core::str::FromStr for OtpCode {
    type Err = OtpCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OtpCode::parse(s)
    }
}
