//! The code's digit table against the Unicode Character Database: every decimal
//! digit (general category Nd) of every script reads as its ASCII digit, and no
//! other character does.
use portal_core::OtpCode;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

fn is_decimal_digit(c: char) -> bool {
    c.general_category() == GeneralCategory::DecimalNumber
}

#[test]
fn every_unicode_decimal_digit_reads_as_its_ascii_digit_and_nothing_else_does() {
    let mut digits = 0;
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let read = OtpCode::normalize_partial(c.encode_utf8(&mut [0; 4]));
        if is_decimal_digit(c) {
            digits += 1;
            // Each script's digits are one run of ten from its zero, and runs that
            // touch (the mathematical digits) start where the one before ends: the
            // value is the distance from the start of the block of digits, mod ten.
            let block_start = (0..=u32::from(c))
                .rev()
                .take_while(|&p| char::from_u32(p).is_some_and(is_decimal_digit))
                .last()
                .expect("c itself is a digit");
            let value = (u32::from(c) - block_start) % 10;
            assert_eq!(read, value.to_string(), "U+{:04X}", u32::from(c));
        } else {
            assert_eq!(read, "", "U+{:04X} is not a decimal digit", u32::from(c));
        }
    }
    assert_eq!(
        digits, 770,
        "77 scripts' runs of ten in this Unicode version"
    );
}
