use portal_core::{Email, Money, OtpCode};
use proptest::prelude::*;

proptest! {
    #[test]
    fn email_parse_never_panics(input in any::<String>()) {
        let _ = Email::parse(&input);
    }

    #[test]
    fn email_parse_never_panics_on_address_like_text(input in "[ a-zA-Z0-9@.\\-_+ü]{0,80}") {
        let _ = Email::parse(&input).map(|e| e.suggestion());
    }

    #[test]
    fn normalizing_an_email_is_idempotent(input in "[ \t]{0,2}[a-zA-Z0-9.+_-]{1,20}@[a-zA-Z0-9-]{1,10}\\.[a-zA-Z]{2,6}[ ]{0,2}") {
        if let Ok(email) = Email::parse(&input) {
            let again = Email::parse(email.as_str()).expect("a normalized address parses");
            prop_assert_eq!(again, email);
        }
    }

    #[test]
    fn a_parsed_email_displays_as_itself(input in any::<String>()) {
        if let Ok(email) = Email::parse(&input) {
            let displayed = format!("{email}");
            prop_assert_eq!(Email::parse(&displayed), Ok(email));
        }
    }

    #[test]
    fn code_parse_never_panics(input in any::<String>()) {
        let _ = OtpCode::parse(&input);
        let _ = OtpCode::normalize_partial(&input);
    }

    #[test]
    fn every_six_digit_number_is_a_code(n in 0u32..1_000_000) {
        let code = OtpCode::from_number(n).unwrap();
        prop_assert_eq!(OtpCode::parse(code.as_str()), Ok(code));
        prop_assert_eq!(code.as_str().parse::<u32>().unwrap(), n);
    }

    #[test]
    fn money_formatting_never_panics(minor in any::<i64>(), currency in ".{0,5}") {
        let text = Money::new(minor, currency).to_string();
        prop_assert!(!text.is_empty());
    }
}
