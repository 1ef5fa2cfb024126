//! Any text as a portal link's token (it arrives in a URL and in start's and
//! verify's bodies): opening it never panics and never yields an address from
//! anything but a token this server minted; minted tokens open to their address.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portal_core::Email;
use portal_server::crypto::{Keys, Secret};

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Secret::generate().keys())
}

fuzz_target!(|input: &str| {
    let now = 1_800_000_000;
    assert!(
        keys().open_link_token(input, now).is_err(),
        "a token nobody minted opened"
    );
    if let Ok(email) = Email::parse(input) {
        let token = keys().mint_link_token(&email, now + 60);
        let opened = keys().open_link_token(&token, now).expect("a minted token opens");
        assert_eq!(opened.as_str(), email.as_str());
    }
});
