//! Paying what is owed on a past-due card, against a faked server.
use portal_core::api::PortalMerchantGroup;
use portal_web::api::Method;
use serde_json::json;
use wasm_bindgen_test::*;

use crate::harness::*;

fn past_due() -> Vec<PortalMerchantGroup> {
    serde_json::from_value(json!([
        {"tenantId": "t1", "merchantName": "FitHub Gyms", "actions": [], "subscriptions": [
            {"id": "sub_due", "mode": "live", "status": "past_due", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": "2026-12-01T12:00:00Z",
             "plan": {"id": "p", "name": "Quarterly", "amount": 4500000, "currency": "NGN", "interval": "month", "intervalCount": 3}}
        ]}
    ]))
    .unwrap()
}

fn open_invoice() -> serde_json::Value {
    json!({"items": [{"id": "in_1", "number": "FH-1", "status": "open", "amountDue": 4500000,
        "amountPaid": 0, "currency": "NGN", "createdAt": "2026-11-18T10:00:00Z",
        "lastFailure": {"at": "2026-11-18T11:00:00Z", "card": {"brand": "visa", "last4": "4242"},
                        "reason": "The card has expired. Try another card."}}]})
}

#[wasm_bindgen_test]
async fn a_host_without_invoices_explains_the_status_and_offers_no_payment() {
    let server = FakeServer::default();
    server.answer(
        404,
        json!({"error": {"code": "not_found", "message": "There is no such API endpoint."}}),
    );
    let page = subscriptions_page(server.clone(), Some(past_due()));
    settle().await;
    assert!(page.text("guidance").contains("didn\u{2019}t go through"));
    assert!(page.find("pay-now").is_none());
    assert!(page.find("pay-due").is_none());
}

#[wasm_bindgen_test]
async fn a_payment_that_got_no_answer_is_sent_again_with_the_same_key() {
    let server = FakeServer::default();
    server.answer(200, open_invoice());
    server.answer(
        200,
        json!({"items": [{"id": "card_1", "brand": "visa", "last4": "4242", "expMonth": 1,
            "expYear": 2099, "isDefault": true}]}),
    );
    server.go_offline_once();
    server.answer(
        200,
        json!({"outcome": "paid", "subscription": {"id": "sub_due", "status": "active",
            "cancelAtPeriodEnd": false, "currentPeriodEnd": "2026-12-01T12:00:00Z"}}),
    );
    let page = subscriptions_page(server.clone(), Some(past_due()));
    settle().await;
    assert!(page
        .text("owed")
        .starts_with("\u{20a6}45,000.00 has been due since"));
    assert!(page
        .text("last-failure")
        .contains("Visa \u{2022}\u{2022}\u{2022}\u{2022} 4242"));
    assert!(
        page.find("pay-with").is_none(),
        "one card: nothing to choose"
    );
    page.click("pay-now").await;
    settle().await;
    assert!(page.text("pay-declined").contains("couldn\u{2019}t reach"));
    assert_eq!(page.text("status"), "Payment overdue");
    page.click("pay-now").await;
    settle().await;
    assert_eq!(page.text("status"), "Active");
    assert!(page
        .text("action-done")
        .starts_with("Paid \u{20a6}45,000.00 with Visa"));
    assert!(page.find("pay-now").is_none());
    let payments: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == Method::Post && r.path.ends_with("/retry"))
        .collect();
    assert_eq!(payments.len(), 2);
    assert!(payments[0].idempotency_key.is_some());
    assert_eq!(
        payments[0].idempotency_key, payments[1].idempotency_key,
        "a payment sent again after no answer cannot be charged twice"
    );
    assert_eq!(
        payments[0].path,
        "/portal/email/subscriptions/live/sub_due/retry"
    );
}
