//! Browser tests, one binary: headless Chromium through wasm-bindgen-test-runner
//! (`cargo xtask test`), the network faked at the API-client boundary (the real
//! one runs in the end-to-end suite).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod account;
mod cards;
mod code_step;
mod dates;
mod email_step;
mod harness;
mod invoices;
mod lifecycle;
mod pay;
mod sign_in_page;
mod subscriptions;
