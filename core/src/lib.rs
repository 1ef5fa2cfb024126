//! Rules and models shared by the Duro Portal web app and its reference server,
//! so that a rule never differs between client and server.
//!
//! `no_std` + `alloc`; the default `std` feature only adds `std` to serde.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod api;
mod code;
pub mod config;
mod email;
pub mod embed;
pub mod lifecycle;
pub mod limits;
mod money;
pub mod paths;
pub mod payments;

pub use code::{OtpCode, OtpCodeError};
pub use email::{Email, EmailError, MAX_EMAIL_LEN, MAX_LOCAL_LEN};
pub use limits::OTP_CODE_DIGITS;
pub use money::{
    check_topup, currency_exponent, interval_text, parse_amount, parse_topup, topup_minimum,
    AmountError, Money, TOPUP_MINIMUM_NGN,
};
