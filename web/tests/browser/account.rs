//! The cards and wallet pages against a faked server: what a host that offers
//! neither shows, and the top-up amount read before anything is sent.
use leptos::prelude::*;
use portal_web::api::Method;
use portal_web::{messages, CardsPage, WalletPage};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

use crate::harness::*;

fn cards_page(server: FakeServer) -> Page {
    Page::mount(server, |context, _| {
        sign_in_as_ada(context);
        view! { <CardsPage/> }.into_any()
    })
}

fn wallet_page(server: FakeServer) -> Page {
    Page::mount(server, |context, _| {
        sign_in_as_ada(context);
        view! { <WalletPage/> }.into_any()
    })
}

fn not_found() -> serde_json::Value {
    json!({"error": {"code": "not_found", "message": "There is no such API endpoint."}})
}

fn wallet() -> serde_json::Value {
    json!({"balance": 1250000, "currency": "NGN", "status": "active", "transactions": [
        {"id": "t1", "amount": -250000, "balanceAfter": 1250000, "memo": "Snack box",
         "merchantName": "Lagos Fresh Boxes", "createdAt": "2026-12-02T10:00:00Z"}]})
}

async fn top_up(page: &Page, typed: &str) {
    let field: HtmlInputElement = page.find("topup-amount").unwrap().unchecked_into();
    field.set_value(typed);
    page.click("topup-submit").await;
}

#[wasm_bindgen_test]
async fn a_host_without_cards_or_a_wallet_says_so_plainly() {
    let server = FakeServer::default();
    server.answer(404, not_found());
    let cards = cards_page(server.clone());
    settle().await;
    assert!(cards
        .root
        .text_content()
        .unwrap()
        .contains(messages::CARDS_NOT_OFFERED));
    assert!(cards.find("saved-card").is_none());
    drop(cards);

    server.answer(404, not_found());
    let wallet = wallet_page(server);
    settle().await;
    assert_eq!(wallet.text("wallet-none"), messages::WALLET_NOT_OFFERED);
    assert!(wallet.find("topup-form").is_none());
}

#[wasm_bindgen_test]
async fn a_top_up_below_the_minimum_is_refused_at_the_field_and_nothing_is_sent() {
    let server = FakeServer::default();
    server.answer(200, wallet());
    let page = wallet_page(server.clone());
    settle().await;
    assert_eq!(page.text("wallet-balance"), "\u{20A6}12,500.00");
    assert!(page
        .text("wallet-history")
        .contains("Snack box \u{2014} Lagos Fresh Boxes"));
    top_up(&page, "99.99").await;
    assert!(page.text("topup-problem").contains("\u{20A6}100.00"));
    assert_eq!(server.requests().len(), 1, "only the wallet was read");
}

#[wasm_bindgen_test]
async fn a_top_up_a_host_does_not_offer_says_so_and_sends_the_amount_in_minor_units_with_a_key() {
    let server = FakeServer::default();
    server.answer(200, wallet());
    server.answer(404, not_found());
    let page = wallet_page(server.clone());
    settle().await;
    top_up(&page, "\u{20A6}1,500.50").await;
    assert_eq!(page.text("topup-problem"), messages::TOPUP_NOT_OFFERED);
    let asked = server.requests();
    let topup = asked.last().unwrap();
    assert_eq!(topup.method, Method::Post);
    assert!(topup.idempotency_key.is_some());
    assert_eq!(server.bodies().last().unwrap(), &json!({"amount": 150050}));
}

#[wasm_bindgen_test]
async fn a_frozen_wallet_says_why_and_offers_no_top_up() {
    let server = FakeServer::default();
    let mut frozen = wallet();
    frozen["status"] = json!("frozen");
    server.answer(200, frozen);
    let page = wallet_page(server);
    settle().await;
    assert!(page.text("wallet-refusal").contains("frozen"));
    assert!(page.find("topup-form").is_none());
}

#[wasm_bindgen_test]
async fn removing_the_last_valid_card_refused_keeps_the_card_and_says_duros_words() {
    let server = FakeServer::default();
    server.answer(
        200,
        json!({"items": [{"id": "card_1", "brand": "visa", "last4": "4242", "expMonth": 8,
            "expYear": 2099, "isDefault": true}]}),
    );
    server.answer(
        409,
        json!({"error": {"code": "conflict",
            "message": portal_core::payments::KEEP_ONE_VALID_CARD}}),
    );
    let page = cards_page(server.clone());
    settle().await;
    assert_eq!(page.all("saved-card").len(), 1);
    page.click("remove-card").await;
    page.click("confirm-remove").await;
    assert_eq!(
        page.text("cards-problem"),
        portal_core::payments::KEEP_ONE_VALID_CARD
    );
    assert_eq!(page.all("saved-card").len(), 1);
    assert!(page.find("default-badge").is_some());
}
