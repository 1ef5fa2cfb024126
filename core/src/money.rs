use alloc::format;
use alloc::string::String;
use core::fmt;

/// An amount in integer minor units of a currency (`500000` NGN = ₦5,000.00).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// ISO 4217 code, minor-unit exponent, and symbol if it has a widely read one.
const CURRENCIES: &[(&str, u32, Option<&str>)] = &[
    ("NGN", 2, Some("\u{20A6}")),
    ("USD", 2, Some("$")),
    ("EUR", 2, Some("\u{20AC}")),
    ("GBP", 2, Some("\u{00A3}")),
    ("JPY", 0, Some("\u{00A5}")),
    ("GHS", 2, Some("GH\u{20B5}")),
    ("KES", 2, Some("KSh\u{00A0}")),
    ("ZAR", 2, Some("R\u{00A0}")),
    ("KWD", 3, None),
    ("BHD", 3, None),
    ("XOF", 0, None),
];

/// Digits after the decimal point for a currency; unknown codes get 2, the common case.
pub fn currency_exponent(currency: &str) -> u32 {
    lookup(currency).map_or(2, |(_, exponent, _)| exponent)
}

fn lookup(currency: &str) -> Option<(&'static str, u32, Option<&'static str>)> {
    CURRENCIES
        .iter()
        .copied()
        .find(|(code, _, _)| code.eq_ignore_ascii_case(currency.trim()))
}

impl Money {
    pub fn new(minor: i64, currency: impl Into<String>) -> Self {
        Money {
            minor,
            currency: currency.into(),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.currency.trim();
        let (exponent, prefix) = match lookup(code) {
            Some((_, exponent, Some(symbol))) => (exponent, String::from(symbol)),
            Some((known, exponent, None)) => (exponent, format!("{known}\u{00A0}")),
            None if code.is_empty() => (2, String::new()),
            None => (2, format!("{}\u{00A0}", code.to_ascii_uppercase())),
        };
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        let scale = 10u64.pow(exponent);
        write!(f, "{sign}{prefix}")?;
        write_grouped(f, magnitude / scale)?;
        if exponent > 0 {
            write!(
                f,
                ".{:0width$}",
                magnitude % scale,
                width = exponent as usize
            )?;
        }
        Ok(())
    }
}

/// Writes a whole number with a comma every three digits.
fn write_grouped(f: &mut fmt::Formatter<'_>, whole: u64) -> fmt::Result {
    let digits = format!("{whole}");
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            f.write_str(",")?;
        }
        write!(f, "{digit}")?;
    }
    Ok(())
}

/// "every month", "every 3 months"; an interval we do not know is shown as given.
pub fn interval_text(interval: &str, count: i64) -> String {
    let unit = interval.trim();
    let known = matches!(
        unit.to_ascii_lowercase().as_str(),
        "day" | "week" | "month" | "year"
    );
    let unit_lower = unit.to_ascii_lowercase();
    let unit = if known { unit_lower.as_str() } else { unit };
    match (count, known) {
        (1, _) => format!("every {unit}"),
        (n, true) if n > 1 => format!("every {n} {unit}s"),
        (n, false) if n > 1 => format!("every {n} \u{00D7} {unit}"),
        // A non-positive count is not a schedule we can describe; show the unit alone.
        _ => String::from(unit),
    }
}
