//! Any bytes as a request the server reads or an answer the app reads, the
//! model chosen by the first byte: decoding never panics (a host that answers
//! something odd gets an error screen, not a crash), and what decodes encodes
//! and decodes again to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portal_core::api::{
    CancelRequest, ErrorEnvelope, PortalSubscriptionAction, StartRequest, StartResponse,
    SubscriptionsResponse, VerifyRequest, VerifyResponse,
};
use serde::{de::DeserializeOwned, Serialize};

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&value).expect("a decoded model encodes");
        let again: T = serde_json::from_slice(&text).expect("and decodes again");
        assert_eq!(again, value);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, json)) = data.split_first() else {
        return;
    };
    match which % 8 {
        0 => round_trip::<StartRequest>(json),
        1 => round_trip::<VerifyRequest>(json),
        2 => round_trip::<CancelRequest>(json),
        3 => round_trip::<StartResponse>(json),
        4 => round_trip::<VerifyResponse>(json),
        5 => round_trip::<SubscriptionsResponse>(json),
        6 => round_trip::<PortalSubscriptionAction>(json),
        _ => round_trip::<ErrorEnvelope>(json),
    }
});
