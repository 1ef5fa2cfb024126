//! A subscription's invoices and receipts, against a faked server.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;
use serde_json::{json, Value};
use wasm_bindgen_test::*;

use crate::harness::*;

fn active() -> Vec<PortalMerchantGroup> {
    serde_json::from_value(json!([
        {"tenantId": "t1", "merchantName": "FitHub Gyms", "actions": [], "subscriptions": [
            {"id": "sub_a", "mode": "live", "status": "active", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": "2026-12-01T12:00:00Z",
             "plan": {"id": "p", "name": "Monthly", "amount": 500000, "currency": "NGN", "interval": "month", "intervalCount": 1}}
        ]}
    ]))
    .unwrap()
}

fn paid(id: &str, number: &str) -> Value {
    json!({"id": id, "number": number, "status": "paid", "amountDue": 500000, "amountPaid": 500000,
        "currency": "NGN", "createdAt": "2026-11-01T10:00:00Z", "paidAt": "2026-11-01T10:05:00Z",
        "card": {"brand": "visa", "last4": "4242"}})
}

/// Opens the invoices' disclosure (its toggle event comes in a task of its own).
async fn open_invoices(page: &Page) {
    page.click("invoices-toggle").await;
    sleep(20.0).await;
    settle().await;
}

#[wasm_bindgen_test]
async fn a_host_that_repeats_a_cursor_shows_no_invoice_twice_and_stops_offering_more() {
    let server = FakeServer::default();
    server.answer(
        200,
        json!({"items": [paid("in_2", "FH-2")], "nextCursor": "c1"}),
    );
    server.answer(
        200,
        json!({"items": [paid("in_2", "FH-2"), paid("in_1", "FH-1")], "nextCursor": "c1"}),
    );
    let page = subscriptions_page(server.clone(), Some(active()));
    settle().await;
    open_invoices(&page).await;
    assert_eq!(page.all("invoice").len(), 1);
    page.click("more-invoices").await;
    settle().await;
    assert_eq!(page.all("invoice").len(), 2, "FH-2 once, FH-1 added");
    assert!(
        page.find("more-invoices").is_none(),
        "the same cursor again is the end, not a loop"
    );
}

#[wasm_bindgen_test]
async fn closing_a_receipt_gives_the_focus_back_to_its_button() {
    let server = FakeServer::default();
    server.answer(200, json!({"items": [paid("in_1", "FH-1")]}));
    let page = subscriptions_page(server.clone(), Some(active()));
    settle().await;
    open_invoices(&page).await;
    page.click("open-receipt").await;
    settle().await;
    assert_eq!(document().active_element().unwrap().id(), "receipt-title");
    page.click("close-receipt").await;
    assert!(page.find("receipt").is_none());
    let focused = document().active_element().unwrap();
    assert_eq!(
        focused.get_attribute("data-testid").as_deref(),
        Some("open-receipt")
    );
}
