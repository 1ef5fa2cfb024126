//! Any text: `OtpCode::parse` never panics, and what it accepts is six ASCII
//! digits that parse to themselves.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portal_core::OtpCode;

fuzz_target!(|input: &str| {
    if let Ok(code) = OtpCode::parse(input) {
        let digits = code.as_str();
        assert_eq!(digits.len(), 6);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(OtpCode::parse(digits).expect("six digits parse").as_str(), digits);
    }
});
