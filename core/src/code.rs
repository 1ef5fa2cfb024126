use alloc::string::String;
use core::fmt;

use crate::limits::OTP_CODE_DIGITS;

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

/// The zero of every run of ten decimal digits (Unicode general category Nd,
/// Unicode 18). Unicode encodes each script's digits 0 to 9 as one contiguous
/// run, so a digit's value is its distance from the zero before it. A table of
/// 77 zeros costs the wasm a few hundred bytes, where a category table would
/// cost tens of kilobytes; `tests/unicode_digits.rs` checks it against the
/// Unicode Character Database, code point by code point.
const DIGIT_ZEROS: [u32; 77] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x10D40, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450,
    0x114D0, 0x11650, 0x116C0, 0x116D0, 0x116DA, 0x11730, 0x118E0, 0x11950, 0x11BF0, 0x11C50,
    0x11D50, 0x11DA0, 0x11DE0, 0x11F50, 0x16130, 0x16A60, 0x16AC0, 0x16B50, 0x16D70, 0x1CCF0,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E5F1, 0x1E950,
    0x1FBF0,
];

/// The ASCII digit for a decimal digit of any script (`٣`, `۳`, `३`, `３` → `3`),
/// so a code pasted or typed with another script's digits reads as itself.
pub(crate) fn ascii_digit(c: char) -> Option<u8> {
    let code_point = u32::from(c);
    let run = DIGIT_ZEROS.partition_point(|&zero| zero <= code_point);
    let zero = DIGIT_ZEROS[run.checked_sub(1)?];
    let value = code_point - zero;
    // Below ten by the check; a u8 always holds it.
    (value < 10).then(|| b'0' + value as u8)
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

    /// The digits people typed so far, normalized (any script → ASCII, separators
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
