//! Any text: `Email::parse` never panics, and what it accepts is a fixed point
//! (the normalized address parses to itself), so server and app agree on it.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portal_core::Email;

fuzz_target!(|input: &str| {
    if let Ok(email) = Email::parse(input) {
        let again = Email::parse(email.as_str()).expect("a normalized address parses again");
        assert_eq!(again.as_str(), email.as_str());
        assert!(email.as_str().len() <= 254, "longer than an address can be");
    }
});
