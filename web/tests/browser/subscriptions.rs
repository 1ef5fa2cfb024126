//! The subscriptions page: grouping, formatting, actions, an ended session.
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;
use portal_web::route::Route;
use portal_web::{messages, session, Notice};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::harness::*;

#[wasm_bindgen_test]
async fn subscriptions_are_grouped_by_merchant_and_formatted() {
    let page = subscriptions_page(FakeServer::default(), Some(demo_groups()));
    settle().await;
    let headings: Vec<String> = page
        .all("merchant")
        .iter()
        .map(|m| {
            m.query_selector("h2")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        headings,
        ["Lagos Fresh Boxes", "<img src=x onerror=alert(1)>"]
    );
    assert!(
        page.root.query_selector("img").unwrap().is_none(),
        "merchant text is never HTML"
    );
    assert!(js_sys::Reflect::get(&window(), &"hacked".into())
        .unwrap()
        .is_undefined());

    let cards = page.all("subscription");
    assert_eq!(cards.len(), 3);
    let text = |card: &HtmlElement, id: &str| {
        card.query_selector(&format!("[data-testid='{id}']"))
            .unwrap()
            .and_then(|e| e.text_content())
    };
    assert_eq!(
        text(&cards[0], "price").as_deref(),
        Some("\u{20a6}5,000.00 every month")
    );
    assert_eq!(text(&cards[0], "status").as_deref(), Some("Active"));
    let renews = text(&cards[0], "period").unwrap();
    assert!(
        renews.starts_with("Renews on") && renews.contains("2026"),
        "{renews}"
    );
    assert!(text(&cards[0], "test-badge").is_none());
    // Unknown status shown as text, null plan handled, test mode marked, no actions guessed.
    assert_eq!(
        text(&cards[1], "status").as_deref(),
        Some("suspended for review")
    );
    assert_eq!(
        text(&cards[1], "price").as_deref(),
        Some("Plan details unavailable")
    );
    assert_eq!(text(&cards[1], "test-badge").as_deref(), Some("Test"));
    assert!(cards[1]
        .query_selector(".actions button")
        .unwrap()
        .is_none());
    assert_eq!(
        text(&cards[2], "price").as_deref(),
        Some("$19.99 every 3 months")
    );
    assert!(text(&cards[2], "period").unwrap().starts_with("Ended"));
    assert!(
        cards[2]
            .query_selector(".actions button")
            .unwrap()
            .is_none(),
        "no actions listed: none offered"
    );
    assert_eq!(page.text("account-name"), "Signed in as Ada");
}

#[wasm_bindgen_test]
async fn cancel_asks_first_and_updates_the_card_from_the_answer() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(demo_groups()));
    settle().await;
    page.click("action-cancel").await;
    assert!(page.find("confirm-cancel").is_some());
    assert!(
        server.requests().is_empty(),
        "nothing happens before the confirm"
    );
    page.click("confirm-cancel-no").await;
    assert!(page.find("confirm-cancel").is_none());

    page.click("action-cancel").await;
    server.answer(
        200,
        json!({"id": "sub_a", "status": "active", "cancelAtPeriodEnd": true,
        "currentPeriodEnd": "2026-12-01T12:00:00Z"}),
    );
    page.click("confirm-cancel-yes").await;
    let request = &server.requests()[0];
    assert_eq!(
        request.path,
        "/portal/email/subscriptions/live/sub_a/cancel"
    );
    assert_eq!(request.session.as_deref(), Some("tok_1"));
    assert_eq!(request.body.as_deref(), Some(r#"{"atPeriodEnd":true}"#));
    assert!(page.text("period").starts_with("Cancels on"));
    assert!(page.find("action-keep").is_some());
}

#[wasm_bindgen_test]
async fn a_refused_action_changes_nothing_on_screen() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(demo_groups()));
    settle().await;
    server.answer(409, json!({"error": {"code": "conflict", "message": "Only an active subscription can be paused."}}));
    page.click("action-pause").await;
    assert_eq!(
        page.text("action-error"),
        "Only an active subscription can be paused."
    );
    assert_eq!(page.all("status")[0].text_content().unwrap(), "Active");
    assert_eq!(page.text("action-done"), "");
}

#[wasm_bindgen_test]
async fn an_ended_session_returns_to_sign_in_with_the_email_kept() {
    let server = FakeServer::default();
    server.answer(
        401,
        json!({"error": {"code": "unauthorized", "message": "Sign in"}}),
    );
    let page = subscriptions_page(server.clone(), None);
    settle().await;
    assert_eq!(server.requests()[0].path, "/portal/email/subscriptions");
    assert!(page.context.session().get_untracked().is_none());
    assert!(session::load().is_none(), "sessionStorage is cleared");
    assert_eq!(
        session::remembered_email().as_deref(),
        Some("ada@example.com"),
        "the sign-in app starts with the address"
    );
    assert_eq!(
        page.context.notice().get_untracked(),
        Some(Notice::SessionEnded)
    );
    assert_eq!(
        messages::notice(Notice::SessionEnded),
        "Your session ended \u{2014} sign in again."
    );
    assert_eq!(
        page.context.navigation().get_untracked().route,
        Route::SignIn,
        "the page asks for sign-in"
    );
}

#[wasm_bindgen_test]
async fn an_empty_account_says_so_and_offers_another_address() {
    let page = subscriptions_page(FakeServer::default(), Some(vec![]));
    settle().await;
    assert!(page
        .text("empty")
        .contains("No subscriptions for this address"));
}

#[wasm_bindgen_test]
async fn a_card_shown_as_html_takes_its_first_click_as_the_component_with_focus_and_its_mark() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(demo_groups()));
    settle().await;
    let card = || {
        page.root
            .query_selector("[data-id='sub_a']")
            .unwrap()
            .expect("sub_a's card")
    };
    let written = card();
    // As a deep link leaves it.
    written.class_list().add_1("targeted").unwrap();
    server.answer(
        200,
        json!({"id": "sub_a", "status": "paused", "cancelAtPeriodEnd": false}),
    );
    page.click("action-pause").await;
    let live = card();
    assert!(written.parent_node().is_none(), "the written card gave way");
    assert!(live.class_list().contains("targeted"), "the mark stays");
    let pauses = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/sub_a/pause"))
        .count();
    assert_eq!(pauses, 1, "one click, one request");
    assert!(page.text("action-done").starts_with("Paused."));
    let focused = document().active_element().expect("something has focus");
    assert!(
        live.contains(Some(&focused)),
        "focus stays in the card: {:?}",
        focused.get_attribute("data-testid")
    );
    assert_eq!(page.all("subscription").len(), 3, "no card lost or doubled");
}

/// An account over `MANY_CARDS`: a small merchant, one without subscriptions,
/// one whose 150 cards take several steps, and one after it.
fn big_groups() -> Vec<PortalMerchantGroup> {
    let sub = |id: String, day: usize| {
        json!({"id": id, "status": "active", "cancelAtPeriodEnd": false,
               "currentPeriodEnd": format!("2027-01-{:02}T12:00:00Z", day % 28 + 1),
               "plan": {"id": "p", "name": "Box", "amount": 500, "currency": "USD",
                        "interval": "month", "intervalCount": 1}})
    };
    let subs = |prefix: &str, count: usize| {
        (0..count)
            .map(|i| sub(format!("{prefix}_{i:03}"), i))
            .collect::<Vec<_>>()
    };
    serde_json::from_value(json!([
        {"tenantId": "small", "merchantName": "Small", "actions": ["pause"], "subscriptions": subs("small", 5)},
        {"tenantId": "none", "merchantName": "None yet", "subscriptions": []},
        {"tenantId": "big", "merchantName": "Big", "actions": ["pause"], "subscriptions": subs("big", 150)},
        {"tenantId": "last", "merchantName": "Last", "actions": ["pause"], "subscriptions": subs("last", 3)},
    ]))
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_big_account_arrives_in_steps_with_every_card_under_its_merchant_in_order() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(big_groups()));
    settle().await;
    // The first cards come with the page, the rest in later tasks.
    assert!(page.all("subscription").len() < 158);
    for _ in 0..100 {
        if page.all("subscription").len() == 158 {
            break;
        }
        sleep(5.0).await;
    }
    let sections = page.all("merchant");
    let names: Vec<String> = sections
        .iter()
        .map(|s| {
            s.query_selector("h2")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(names, ["Small", "None yet", "Big", "Last"]);
    for (section, (prefix, count)) in
        sections
            .iter()
            .zip([("small", 5), ("none", 0), ("big", 150), ("last", 3)])
    {
        let list = section
            .query_selector_all("[data-testid='subscription']")
            .unwrap();
        let ids: Vec<String> = (0..list.length())
            .map(|i| {
                list.item(i)
                    .unwrap()
                    .unchecked_into::<HtmlElement>()
                    .dataset()
                    .get("id")
                    .unwrap()
            })
            .collect();
        let expected: Vec<String> = (0..count).map(|i| format!("{prefix}_{i:03}")).collect();
        assert_eq!(ids, expected, "{prefix}'s cards, once each, in order");
        // Each section is named by its heading.
        let heading = section.query_selector("h2").unwrap().unwrap();
        assert_eq!(section.get_attribute("aria-labelledby"), Some(heading.id()));
    }

    // A card written in a later step, in the merchant after the big one, is
    // the one made live by its click: the place of a section and a card is
    // found among the right parents.
    server.answer(
        200,
        json!({"id": "last_001", "status": "paused", "cancelAtPeriodEnd": false}),
    );
    let card = |id: &str| {
        page.root
            .query_selector(&format!("[data-id='{id}']"))
            .unwrap()
            .unwrap()
    };
    card("last_001")
        .query_selector("[data-testid='action-pause']")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    let paused: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.ends_with("/pause"))
        .collect();
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert!(paused[0].ends_with("/last_001/pause"), "{paused:?}");
    let done = card("last_001")
        .query_selector("[data-testid='action-done']")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default();
    assert!(done.starts_with("Paused."), "{done}");
    assert_eq!(
        page.all("subscription").len(),
        158,
        "no card lost or doubled"
    );
}

#[wasm_bindgen_test]
async fn warming_up_the_account_app_while_the_code_is_typed_shows_nothing_and_keeps_the_focus() {
    let input = FocusedInput::in_page();
    // What the account's pages, made for real with a context of no one, must
    // leave as it was: the address, the history, the tab's storage.
    let address = window().location().href().unwrap();
    let history = window().history().unwrap().length().unwrap();
    let stored = || {
        let storage = window().session_storage().unwrap().unwrap();
        (0..storage.length().unwrap())
            .map(|i| {
                let key = storage.key(i).unwrap().unwrap();
                let value = storage.get_item(&key).unwrap();
                (key, value)
            })
            .collect::<Vec<_>>()
    };
    let before = stored();
    let changes = PageChanges::watch();
    // As the sign-in app's loading of the module runs it.
    portal_web::account_app::start();
    // The made-up page is made in one task, and laid out and dropped in a
    // later one (after a rehearsal: a while, in a debug build in some browsers).
    let mut waited = 0.0;
    while changes.records().len() < 2 && waited < 5_000.0 {
        sleep(25.0).await;
        waited += 25.0;
    }
    // Nothing more comes after it.
    sleep(50.0).await;
    // The page only ever holds it within that task (so it is never drawn),
    // hidden and inert, and not after it. (Its own contents are dropped once
    // it has left: changes to it, not to the page.)
    let records = changes.records();
    let nodes = |list: web_sys::NodeList| (0..list.length()).filter_map(move |n| list.item(n));
    let added: Vec<web_sys::Node> = records
        .iter()
        .flat_map(|r| nodes(r.added_nodes()))
        .collect();
    assert_eq!(added.len(), 1, "one element put in the page");
    let made_up = &added[0];
    let to_the_page: Vec<_> = records
        .iter()
        .filter(|r| r.target().as_ref() != Some(made_up))
        .collect();
    assert_eq!(
        to_the_page.len(),
        2,
        "put in the page once, taken away once"
    );
    let removed: Vec<web_sys::Node> = to_the_page
        .iter()
        .flat_map(|r| nodes(r.removed_nodes()))
        .collect();
    assert_eq!(removed, added, "what was put in the page was taken away");
    assert!(!made_up.is_connected());
    let made_up: &web_sys::Element = made_up.unchecked_ref();
    assert_eq!(
        made_up.get_attribute("aria-hidden").as_deref(),
        Some("true")
    );
    assert!(made_up.has_attribute("inert"));
    // As the element's style holds them: not a `style` attribute written as
    // text, which the server's Content Security Policy refuses.
    let style = made_up.unchecked_ref::<HtmlElement>().style();
    assert_eq!(style.get_property_value("visibility").unwrap(), "hidden");
    assert_eq!(style.get_property_value("position").unwrap(), "fixed");
    assert!(input.has_focus());
    assert_eq!(window().location().href().unwrap(), address);
    assert_eq!(window().history().unwrap().length().unwrap(), history);
    assert_eq!(stored(), before);
    assert_eq!(
        window()
            .document()
            .unwrap()
            .query_selector_all("[data-testid='subscription'], h1.title")
            .unwrap()
            .length(),
        0
    );
}

#[wasm_bindgen_test]
async fn on_an_account_pages_address_the_warm_up_makes_nothing_and_leaves_the_address() {
    /// Puts the address back as it was, the test failed or not.
    struct Address(String);
    impl Drop for Address {
        fn drop(&mut self) {
            let history = window().history().unwrap();
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&self.0));
        }
    }
    let _back = Address(window().location().href().unwrap());
    // A deep link to a subscription the made-up list does not hold: a made-up
    // page would say it is missing and put the list's address in its place.
    let deep = "/subscriptions/live/sub_not_made_up";
    window()
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(deep))
        .unwrap();
    let changes = PageChanges::watch();
    portal_web::account_app::start();
    // Timers of the same delay run in the order they were set: the warm-up's
    // first task before this one's, and the task it would set (laying the page
    // out) before the second.
    sleep(0.0).await;
    sleep(0.0).await;
    assert_eq!(changes.count(), 0, "nothing put in the page");
    assert_eq!(window().location().pathname().unwrap(), deep);
}

#[wasm_bindgen_test]
fn rehearsing_a_big_list_writes_its_cards_and_shows_nothing() {
    let input = FocusedInput::in_page();
    let changes = PageChanges::watch();
    // As one of the account app's tasks on the code step: 25 reads of the
    // made-up list of four. Synchronous, so the count below is all of it.
    let cards = portal_web::rehearse_list(25);
    assert_eq!(changes.count(), 0, "nothing of it reaches the page");
    assert_eq!(cards, 100, "every card read is written");
    assert!(input.has_focus());
}
