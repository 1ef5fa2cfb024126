//! The shared vector files; the browser tests in `web/` read the same files.
use portal_core::{
    check_topup, interval_text, parse_topup, Email, Money, OtpCode, OtpCodeError, TOPUP_MINIMUM_NGN,
};
#[test]
fn every_email_vector_gets_its_verdict() {
    let cases = portal_vectors::emails();
    assert!(cases.len() >= 80, "at least 80 email cases");
    for case in cases {
        match Email::parse(&case.input) {
            Ok(email) => {
                assert!(
                    case.valid,
                    "{:?} should fail with {:?}",
                    case.input, case.error
                );
                assert_eq!(
                    Some(email.as_str()),
                    case.normalized.as_deref(),
                    "{:?}",
                    case.input
                );
            }
            Err(error) => {
                assert!(
                    !case.valid,
                    "{:?} should be valid, got {error:?}",
                    case.input
                );
                assert_eq!(
                    Some(error.code()),
                    case.error.as_deref(),
                    "{:?}",
                    case.input
                );
                assert!(!error.to_string().is_empty());
            }
        }
    }
}

#[test]
fn every_code_vector_gets_its_verdict() {
    let cases = portal_vectors::codes();
    assert!(cases.len() >= 25, "at least 25 code cases");
    for case in cases {
        match OtpCode::parse(&case.input) {
            Ok(code) => {
                assert!(
                    case.valid,
                    "{:?} should fail with {:?}",
                    case.input, case.error
                );
                assert_eq!(Some(code.as_str()), case.normalized.as_deref());
            }
            Err(error) => {
                assert!(
                    !case.valid,
                    "{:?} should be valid, got {error:?}",
                    case.input
                );
                assert_eq!(
                    Some(error.code()),
                    case.error.as_deref(),
                    "{:?}",
                    case.input
                );
                if let OtpCodeError::TooShort(n) | OtpCodeError::TooLong(n) = error {
                    assert_eq!(Some(n), case.count, "{:?}", case.input);
                    assert!(error.to_string().contains(&n.to_string()));
                }
            }
        }
    }
}

#[test]
fn every_money_vector_formats_as_expected() {
    let cases = portal_vectors::money();
    for case in cases {
        let money = Money::new(case.minor, case.currency.clone());
        assert_eq!(
            money.to_string(),
            case.text,
            "{} {}",
            case.minor,
            case.currency
        );
    }
}

#[test]
fn every_typed_top_up_amount_reads_as_its_vector_says() {
    for case in portal_vectors::amounts() {
        let label = format!("{:?} in {}", case.input, case.currency);
        match (
            parse_topup(&case.input, &case.currency),
            case.minor,
            case.error,
        ) {
            (Ok(money), Some(minor), None) => assert_eq!(money.minor, minor, "{label}"),
            (Err(error), None, Some(code)) => {
                assert_eq!(error.code(), code, "{label}");
                assert!(error.message().ends_with('.'), "{label}");
            }
            (answer, minor, error) => panic!("{label}: {answer:?}, expected {minor:?} / {error:?}"),
        }
    }
}

#[test]
fn a_top_up_below_a_hundred_naira_is_refused_saying_the_minimum() {
    let refused = check_topup(9_999, "NGN").unwrap_err();
    assert_eq!(refused.message(), "The smallest top-up is \u{20A6}100.00.");
    assert_eq!(check_topup(TOPUP_MINIMUM_NGN, "NGN").unwrap().minor, 10_000);
}

#[test]
fn intervals_read_as_plain_english() {
    assert_eq!(interval_text("month", 1), "every month");
    assert_eq!(interval_text("month", 3), "every 3 months");
    assert_eq!(interval_text("day", 1), "every day");
    assert_eq!(interval_text("day", 14), "every 14 days");
    assert_eq!(interval_text("week", 2), "every 2 weeks");
    assert_eq!(interval_text("year", 1), "every year");
    assert_eq!(interval_text("Month", 2), "every 2 months");
    assert_eq!(interval_text("fortnight", 1), "every fortnight");
    assert_eq!(interval_text("quarter", 2), "every 2 \u{d7} quarter");
    assert_eq!(interval_text("month", 0), "month");
}

#[test]
fn typo_domains_get_a_suggestion() {
    let cases = [
        ("ada@gmial.com", "ada@gmail.com"),
        ("ada@gmail.con", "ada@gmail.com"),
        ("ada@gmai.com", "ada@gmail.com"),
        ("ada@gmail.co", "ada@gmail.com"),
        ("ada@yahooo.com", "ada@yahoo.com"),
        ("ada@yaho.com", "ada@yahoo.com"),
        ("ada@hotmial.com", "ada@hotmail.com"),
        ("ada@hotmail.cmo", "ada@hotmail.com"),
        ("ada@outlok.com", "ada@outlook.com"),
        ("ada@outlook.co", "ada@outlook.com"),
        ("ada@icloud.con", "ada@icloud.com"),
        ("ada@hotmal.con", "ada@hotmail.com"),
    ];
    for (typed, meant) in cases {
        let email = Email::parse(typed).unwrap();
        assert_eq!(
            email.suggestion().map(|e| e.to_string()).as_deref(),
            Some(meant),
            "{typed}"
        );
    }
}

#[test]
fn correct_and_unrelated_domains_get_no_suggestion() {
    for address in [
        "ada@gmail.com",
        "ada@yahoo.com",
        "ada@hotmail.com",
        "ada@outlook.com",
        "ada@icloud.com",
        "ada@mail.com",
        "ada@gmx.com",
        "ada@ymail.com",
        "ada@live.com",
        "ada@proton.me",
        "ada@example.com",
        "ada@duro.africa",
        "ada@company.ng",
        "ada@university.edu",
    ] {
        let email = Email::parse(address).unwrap();
        assert_eq!(email.suggestion(), None, "{address}");
    }
}

#[test]
fn code_digits_keep_leading_zeros() {
    assert_eq!(OtpCode::from_number(42).unwrap().as_str(), "000042");
    assert_eq!(OtpCode::from_number(999_999).unwrap().as_str(), "999999");
    assert!(OtpCode::from_number(1_000_000).is_none());
}

#[test]
fn partial_code_normalizes_while_typing() {
    assert_eq!(OtpCode::normalize_partial("１２３ 4"), "1234");
    assert_eq!(OtpCode::normalize_partial("123-456-789"), "123456");
    assert_eq!(OtpCode::normalize_partial("ab1"), "1");
}

#[test]
fn code_debug_output_never_shows_the_digits() {
    let code = OtpCode::parse("123456").unwrap();
    assert!(!format!("{code:?}").contains("123456"));
}
