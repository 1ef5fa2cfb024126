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

/// Duro's smallest wallet top-up, in kobo: ₦100 (adding a card is a top-up of
/// at least this much).
pub const TOPUP_MINIMUM_NGN: i64 = 10_000;

/// The smallest top-up in `currency`'s minor units: ₦100 as Duro documents; in
/// a currency Duro documents no minimum for, one whole unit (a project choice).
pub fn topup_minimum(currency: &str) -> i64 {
    if currency.trim().eq_ignore_ascii_case("NGN") {
        TOPUP_MINIMUM_NGN
    } else {
        10i64.pow(currency_exponent(currency))
    }
}

/// Why an amount someone typed is not one the portal can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    /// Not a plain amount: letters, two decimal points, a sign.
    NotAnAmount,
    /// More decimals than the currency has (`₦1.005`); holds the currency's exponent.
    TooManyDecimals(u32),
    TooLarge,
    /// Below the smallest top-up; holds it.
    BelowMinimum(Money),
}

impl AmountError {
    pub fn code(&self) -> &'static str {
        match self {
            AmountError::Empty => "empty",
            AmountError::NotAnAmount => "not_an_amount",
            AmountError::TooManyDecimals(_) => "too_many_decimals",
            AmountError::TooLarge => "too_large",
            AmountError::BelowMinimum(_) => "below_minimum",
        }
    }

    /// What to tell the person, next to the field (or in the API's error).
    pub fn message(&self) -> String {
        match self {
            AmountError::Empty => String::from("Enter an amount."),
            AmountError::NotAnAmount => {
                String::from("Enter an amount in numbers, like 100 or 2,500.50.")
            }
            AmountError::TooManyDecimals(0) => String::from("Enter a whole amount."),
            AmountError::TooManyDecimals(n) => {
                format!("Enter at most {n} digits after the decimal point.")
            }
            AmountError::TooLarge => String::from("That amount is too large."),
            AmountError::BelowMinimum(minimum) => format!("The smallest top-up is {minimum}."),
        }
    }
}

/// The largest top-up a person can type, in major units (a sanity bound, far
/// beyond any wallet: a mistyped amount is caught before a checkout opens).
const TOPUP_MAXIMUM_MAJOR: i64 = 100_000_000;

/// A top-up amount a person typed (`100`, `2,500.50`, `₦ 1 000`, any script's
/// digits) in `currency`'s minor units, at least its minimum.
pub fn parse_topup(input: &str, currency: &str) -> Result<Money, AmountError> {
    let minor = parse_amount(input, currency)?;
    check_topup(minor, currency)
}

/// The rule for an amount already in minor units (what the API receives).
pub fn check_topup(minor: i64, currency: &str) -> Result<Money, AmountError> {
    let maximum = TOPUP_MAXIMUM_MAJOR.saturating_mul(10i64.pow(currency_exponent(currency)));
    if minor > maximum {
        return Err(AmountError::TooLarge);
    }
    let minimum = topup_minimum(currency);
    if minor < minimum {
        return Err(AmountError::BelowMinimum(Money::new(
            minimum,
            currency.trim().to_ascii_uppercase(),
        )));
    }
    Ok(Money::new(minor, currency.trim().to_ascii_uppercase()))
}

/// A non-negative amount in major units as text, in minor units: commas, spaces
/// and the currency's own symbol or code are allowed; a sign is not.
pub fn parse_amount(input: &str, currency: &str) -> Result<i64, AmountError> {
    let mut rest = input.trim();
    if let Some((code, _, symbol)) = lookup(currency) {
        for prefix in [symbol.map(str::trim), Some(code)].into_iter().flatten() {
            if let Some(stripped) = strip_prefix_ignore_case(rest, prefix) {
                rest = stripped.trim_start();
            }
        }
        if let Some(stripped) = strip_suffix_ignore_case(rest, code) {
            rest = stripped.trim_end();
        }
    }
    if rest.is_empty() {
        return Err(AmountError::Empty);
    }
    let exponent = currency_exponent(currency);
    let (mut whole, mut fraction, mut decimals) = (0i64, 0i64, None::<u32>);
    let mut digits = 0usize;
    for c in rest.chars() {
        match c {
            '.' if decimals.is_none() => decimals = Some(0),
            // Grouping between digits of the whole part: "1,000", "1 000", "1 000".
            ',' | ' ' | '\u{00A0}' | '\u{202F}' | '_' if decimals.is_none() && digits > 0 => {}
            c => {
                let digit =
                    i64::from(crate::code::ascii_digit(c).ok_or(AmountError::NotAnAmount)? - b'0');
                digits += 1;
                match decimals.as_mut() {
                    None => {
                        whole = whole
                            .checked_mul(10)
                            .and_then(|w| w.checked_add(digit))
                            .ok_or(AmountError::TooLarge)?;
                    }
                    Some(n) => {
                        *n += 1;
                        if *n > exponent {
                            return Err(AmountError::TooManyDecimals(exponent));
                        }
                        fraction = fraction * 10 + digit;
                    }
                }
            }
        }
    }
    if digits == 0 {
        return Err(AmountError::NotAnAmount);
    }
    let decimals = decimals.unwrap_or(0);
    let scale = 10i64.pow(exponent);
    whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction * 10i64.pow(exponent - decimals)))
        .ok_or(AmountError::TooLarge)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    let tail = text.get(split..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..split])
}
