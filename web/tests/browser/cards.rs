//! What each card says and offers, as a person and a screen reader meet it.
use std::collections::HashSet;

use portal_core::api::PortalMerchantGroup;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::harness::*;

/// An account like the demo's: look-alike boxes, every kind of merchant list,
/// and the statuses that ask something of the person.
fn account() -> Vec<PortalMerchantGroup> {
    let plan = |name: &str| json!({"id": "p", "name": name, "amount": 500000, "currency": "NGN", "interval": "month"});
    let sub = |id: &str, mode: &str, status: &str, cancelling: bool, name: &str| {
        json!({"id": id, "mode": mode, "status": status, "cancelAtPeriodEnd": cancelling,
               "currentPeriodEnd": "2026-12-01T12:00:00Z", "plan": plan(name)})
    };
    serde_json::from_value(json!([
        {"tenantId": "t1", "merchantName": "Lagos Fresh Boxes", "actions": ["cancel", "pause", "resume"],
         "subscriptions": [
            sub("sub_box_1", "live", "active", false, "Family box"),
            sub("sub_box_2", "live", "active", false, "Family box"),
            sub("sub_box_test", "test", "active", false, "Family box"),
            sub("sub_snack", "live", "paused", true, "Snack box")]},
        {"tenantId": "t2", "merchantName": "Streamly", "actions": ["cancel"],
         "subscriptions": [sub("sub_stream", "live", "trialing", false, "Premium")]},
        {"tenantId": "t3", "merchantName": "FitHub Gyms", "actions": [],
         "subscriptions": [
            sub("sub_overdue", "live", "past_due", false, "Quarterly"),
            sub("sub_unpaid", "test", "unpaid", false, "Quarterly"),
            sub("sub_incomplete", "test", "incomplete", false, "Day pass")]},
        {"tenantId": "t4", "merchantName": "Paperback Club",
         "subscriptions": [sub("sub_books", "live", "active", false, "Two books a month")]}
    ]))
    .unwrap()
}

fn card(page: &Page, id: &str) -> HtmlElement {
    page.root
        .query_selector(&format!("[data-id='{id}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("card {id}"))
        .unchecked_into()
}

fn in_card(page: &Page, id: &str, test_id: &str) -> Option<HtmlElement> {
    card(page, id)
        .query_selector(&format!("[data-testid='{test_id}']"))
        .unwrap()
        .map(|e| e.unchecked_into())
}

fn text_in(page: &Page, id: &str, test_id: &str) -> String {
    in_card(page, id, test_id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn click_in(page: &Page, id: &str, test_id: &str) {
    in_card(page, id, test_id)
        .unwrap_or_else(|| panic!("{test_id} on {id}"))
        .click();
    settle().await;
}

/// What a screen reader announces for a button: its aria-label, else its text.
fn accessible_name(button: &HtmlElement) -> String {
    button
        .get_attribute("aria-label")
        .unwrap_or_else(|| button.text_content().unwrap_or_default())
}

fn buttons(element: &HtmlElement) -> Vec<HtmlElement> {
    let list = element.query_selector_all("button").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into())
        .collect()
}

#[wasm_bindgen_test]
async fn every_button_names_the_subscription_it_acts_on() {
    let page = subscriptions_page(FakeServer::default(), Some(account()));
    settle().await;
    let mut names = Vec::new();
    for card in page.all("subscription") {
        let plan = card
            .query_selector("[data-testid='plan-name']")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap();
        for button in buttons(&card) {
            let name = accessible_name(&button);
            assert!(name.contains(&plan), "{name:?} names {plan:?}");
            names.push(name);
        }
    }
    let unique: HashSet<&String> = names.iter().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "every name is its own: {names:#?}"
    );
}

#[wasm_bindgen_test]
async fn cards_with_the_same_plan_are_told_apart_by_what_they_show() {
    let page = subscriptions_page(FakeServer::default(), Some(account()));
    settle().await;
    let shown: Vec<String> = page
        .all("subscription")
        .iter()
        .map(|card| card.inner_text())
        .collect();
    let unique: HashSet<&String> = shown.iter().collect();
    assert_eq!(unique.len(), shown.len(), "{shown:#?}");
}

#[wasm_bindgen_test]
async fn a_card_just_set_to_cancel_shows_one_consistent_status() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(account()));
    settle().await;
    click_in(&page, "sub_box_1", "action-cancel").await;
    server.answer(
        200,
        json!({"id": "sub_box_1", "status": "active", "cancelAtPeriodEnd": true,
               "currentPeriodEnd": "2026-12-01T12:00:00Z"}),
    );
    click_in(&page, "sub_box_1", "confirm-cancel-yes").await;
    let badge = text_in(&page, "sub_box_1", "status");
    let done = text_in(&page, "sub_box_1", "action-done");
    assert_eq!(
        badge, "Set to cancel",
        "not \"Active\" beside a cancellation"
    );
    assert!(done.starts_with("Set to cancel"), "{done}");
    assert!(text_in(&page, "sub_box_1", "period").starts_with("Cancels on"));
}

#[wasm_bindgen_test]
async fn overdue_unpaid_and_incomplete_cards_say_what_to_do() {
    let page = subscriptions_page(FakeServer::default(), Some(account()));
    settle().await;
    for id in ["sub_overdue", "sub_unpaid", "sub_incomplete"] {
        let guidance = text_in(&page, id, "guidance");
        assert!(guidance.contains("FitHub Gyms"), "{id}: {guidance:?}");
    }
    assert!(text_in(&page, "sub_overdue", "guidance").contains("card"));
    assert!(in_card(&page, "sub_books", "guidance").is_none());
}

#[wasm_bindgen_test]
async fn a_merchant_without_an_actions_list_is_offered_by_status_and_a_refusal_is_explained() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(account()));
    settle().await;
    assert!(in_card(&page, "sub_books", "action-pause").is_some());
    assert!(in_card(&page, "sub_books", "action-cancel").is_some());
    server.answer(
        403,
        json!({"error": {"code": "forbidden", "message": "Not in the portal."}}),
    );
    click_in(&page, "sub_books", "action-pause").await;
    assert_eq!(
        text_in(&page, "sub_books", "action-error"),
        "This merchant doesn\u{2019}t offer that here."
    );
    assert!(
        in_card(&page, "sub_books", "action-pause").is_none(),
        "not offered again"
    );
    assert_eq!(text_in(&page, "sub_books", "status"), "Active");
}

#[wasm_bindgen_test]
async fn a_paused_subscription_set_to_cancel_offers_to_resume_and_keep_it() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(account()));
    settle().await;
    let resume = in_card(&page, "sub_snack", "action-resume").expect("a resume button");
    assert_eq!(resume.text_content().unwrap(), "Resume and keep");
    assert!(text_in(&page, "sub_snack", "action-hint").contains("renews as before"));
    server.answer(
        200,
        json!({"id": "sub_snack", "status": "active", "cancelAtPeriodEnd": false,
               "currentPeriodEnd": "2026-12-01T12:00:00Z"}),
    );
    click_in(&page, "sub_snack", "action-resume").await;
    assert_eq!(
        text_in(&page, "sub_snack", "action-done"),
        "Resumed and kept: it will renew as before."
    );
    assert_eq!(text_in(&page, "sub_snack", "status"), "Active");
    assert!(text_in(&page, "sub_snack", "period").starts_with("Renews on"));
}
