//! Invoices, paying what is owed, and saved cards: every change owner-checked,
//! one charge however often a payment is sent, Duro's card guards.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app, TestApp, ADA, BOB};

const PAST_DUE: &str = "/portal/email/subscriptions/live/sub_ada_past_due";

fn charges(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM charges")
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn invoice_page(app: &TestApp, token: &str, query: &str) -> Value {
    json_of(
        app.get_with_session(
            &format!("/portal/email/subscriptions/live/sub_ada_active/invoices{query}"),
            token,
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn invoices_come_newest_first_ten_a_page_and_the_cursor_reaches_every_one_once() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let first = invoice_page(&app, &token, "").await;
    let mut ids: Vec<String> = Vec::new();
    let mut created: Vec<String> = Vec::new();
    for page in [&first] {
        for item in page["items"].as_array().unwrap() {
            ids.push(item["id"].as_str().unwrap().into());
            created.push(item["createdAt"].as_str().unwrap().into());
        }
    }
    assert_eq!(ids.len(), 10);
    let cursor = first["nextCursor"].as_str().expect("a second page");
    let second = invoice_page(&app, &token, &format!("?cursor={cursor}")).await;
    for item in second["items"].as_array().unwrap() {
        ids.push(item["id"].as_str().unwrap().into());
        created.push(item["createdAt"].as_str().unwrap().into());
    }
    assert_eq!(second.get("nextCursor"), None, "the last page says so");
    assert_eq!(ids.len(), 12);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "no invoice twice: {ids:?}");
    let mut newest_first = created.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, newest_first);
    let paid = &first["items"][0];
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["amountPaid"], paid["amountDue"]);
    assert_eq!(paid["card"], json!({ "brand": "visa", "last4": "4242" }));
    assert_eq!(paid["lastFailure"], Value::Null);
}

#[tokio::test]
async fn a_cursor_from_elsewhere_or_made_up_is_refused() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    for cursor in ["in_sub_ada_paused_01", "nope", ""] {
        let answer = app
            .get_with_session(
                &format!(
                    "/portal/email/subscriptions/live/sub_ada_active/invoices?cursor={cursor}"
                ),
                &token,
            )
            .await;
        assert_eq!(
            error_of(answer).await.0,
            StatusCode::BAD_REQUEST,
            "{cursor:?}"
        );
    }
}

#[tokio::test]
async fn an_open_invoice_says_when_which_card_and_why_its_charge_failed() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let page = json_of(
        app.get_with_session(&format!("{PAST_DUE}/invoices"), &token)
            .await,
    )
    .await;
    let open = &page["items"][0];
    assert_eq!(open["status"], "open");
    assert_eq!(open["amountDue"], 4_500_000);
    assert_eq!(open["amountPaid"], 0);
    let failure = &open["lastFailure"];
    assert_eq!(
        failure["card"],
        json!({ "brand": "mastercard", "last4": "9995" })
    );
    assert!(failure["at"].as_str().unwrap().ends_with('Z'));
    assert!(
        failure["reason"]
            .as_str()
            .unwrap()
            .contains("not enough money"),
        "{failure}"
    );
}

#[tokio::test]
async fn paying_with_a_declining_card_says_why_and_another_card_pays_and_reactivates() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let declined = json_of(
        app.post_with_session(&format!("{PAST_DUE}/retry"), &token, None)
            .await,
    )
    .await;
    assert_eq!(declined["outcome"], "declined");
    assert!(declined["reason"]
        .as_str()
        .unwrap()
        .contains("not enough money"));
    assert_eq!(declined["subscription"]["status"], "past_due");
    assert_eq!(declined["invoice"]["status"], "open");

    let paid = json_of(
        app.post_with_session(
            &format!("{PAST_DUE}/retry"),
            &token,
            Some(json!({ "cardId": "card_ada_visa" })),
        )
        .await,
    )
    .await;
    assert_eq!(paid["outcome"], "paid");
    assert_eq!(paid.get("reason"), None);
    assert_eq!(paid["subscription"]["status"], "active");
    assert_eq!(paid["invoice"]["status"], "paid");
    assert_eq!(paid["invoice"]["amountPaid"], 4_500_000);
    assert_eq!(
        paid["invoice"]["card"],
        json!({ "brand": "visa", "last4": "4242" })
    );
    assert_eq!(charges(&app), 2);

    // The listing agrees; the default card did not change; nothing more is owed.
    let listing = json_of(
        app.get_with_session("/portal/email/subscriptions", &token)
            .await,
    )
    .await;
    let status = listing["merchants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["subscriptions"].as_array().unwrap())
        .find(|s| s["id"] == "sub_ada_past_due")
        .map(|s| s["status"].clone());
    assert_eq!(status, Some(json!("active")));
    let cards = json_of(app.get_with_session("/portal/email/cards", &token).await).await;
    assert_eq!(cards["items"][0]["id"], "card_ada_mc");
    assert_eq!(cards["items"][0]["isDefault"], true);
    let again = app
        .post_with_session(&format!("{PAST_DUE}/retry"), &token, None)
        .await;
    assert_eq!(error_of(again).await.0, StatusCode::CONFLICT);
    assert_eq!(charges(&app), 2);
}

#[tokio::test]
async fn an_expired_card_is_declined_as_expired() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let declined = json_of(
        app.post_with_session(
            "/portal/email/subscriptions/test/sub_ada_unpaid/retry",
            &token,
            Some(json!({ "cardId": "card_ada_verve" })),
        )
        .await,
    )
    .await;
    assert_eq!(declined["outcome"], "declined");
    assert!(declined["reason"].as_str().unwrap().contains("expired"));
    assert_eq!(declined["subscription"]["status"], "unpaid");
}

#[tokio::test]
async fn another_customers_subscription_or_card_is_not_found_and_nothing_is_charged() {
    let app = spawn_app().await;
    let bob = app.sign_in(BOB).await;
    for path in [format!("{PAST_DUE}/retry")] {
        let answer = app.post_with_session(&path, &bob, None).await;
        assert_eq!(error_of(answer).await.0, StatusCode::NOT_FOUND);
    }
    let invoices = app
        .get_with_session(&format!("{PAST_DUE}/invoices"), &bob)
        .await;
    assert_eq!(error_of(invoices).await.0, StatusCode::NOT_FOUND);
    let ada = app.sign_in(ADA).await;
    let with_bobs_card = app
        .post_with_session(
            &format!("{PAST_DUE}/retry"),
            &ada,
            Some(json!({ "cardId": "card_bob_verve" })),
        )
        .await;
    assert_eq!(error_of(with_bobs_card).await.0, StatusCode::NOT_FOUND);
    let wrong_mode = app
        .post_with_session(
            "/portal/email/subscriptions/test/sub_ada_past_due/retry",
            &ada,
            None,
        )
        .await;
    assert_eq!(error_of(wrong_mode).await.0, StatusCode::NOT_FOUND);
    for (path, default) in [
        ("/portal/email/cards/card_ada_visa/default", true),
        ("/portal/email/cards/card_ada_visa", false),
    ] {
        let answer = if default {
            app.post_with_session(path, &bob, None).await
        } else {
            app.delete_with_session(path, &bob).await
        };
        assert_eq!(error_of(answer).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(charges(&app), 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cards WHERE customer_id = 'cus_ada'"),
        3
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invoices WHERE status = 'open'"),
        2
    );
}

#[tokio::test]
async fn two_payments_sent_at_once_charge_once() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let path = format!("{PAST_DUE}/retry");
    let body = Some(json!({ "cardId": "card_ada_visa" }));
    let (a, b) = tokio::join!(
        app.post_with_session(&path, &token, body.clone()),
        app.post_with_session(&path, &token, body.clone()),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(charges(&app), 1);
}

#[tokio::test]
async fn a_repeated_idempotency_key_replays_the_first_answer_and_charges_nothing() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let path = format!("{PAST_DUE}/retry");
    let (a, b) = tokio::join!(
        app.post_with_key(&path, &token, "pay-1", json!({ "cardId": "card_ada_visa" })),
        app.post_with_key(&path, &token, "pay-1", json!({ "cardId": "card_ada_visa" })),
    );
    let (a, b) = (json_of(a).await, json_of(b).await);
    assert_eq!(a, b);
    assert_eq!(a["outcome"], "paid");
    assert_eq!(charges(&app), 1);

    // A decline is replayed too, rather than charged again.
    let unpaid = "/portal/email/subscriptions/test/sub_ada_unpaid/retry";
    let first = json_of(app.post_with_key(unpaid, &token, "pay-2", json!({})).await).await;
    let replayed = json_of(app.post_with_key(unpaid, &token, "pay-2", json!({})).await).await;
    assert_eq!(first["outcome"], "declined");
    assert_eq!(first, replayed);
    assert_eq!(charges(&app), 2);

    // The same key for another request is refused, and charges nothing.
    let reused = app
        .post_with_key(
            unpaid,
            &token,
            "pay-2",
            json!({ "cardId": "card_ada_visa" }),
        )
        .await;
    assert_eq!(
        error_of(reused).await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_error".into(),
            Some(("Idempotency-Key".into(), "reused".into()))
        )
    );
    assert_eq!(charges(&app), 2);
    let blank = app.post_with_key(unpaid, &token, " ", json!({})).await;
    assert_eq!(error_of(blank).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_subscription_that_owes_nothing_is_not_charged() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let answer = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_active/retry",
            &token,
            None,
        )
        .await;
    assert_eq!(error_of(answer).await.0, StatusCode::CONFLICT);
    assert_eq!(charges(&app), 0);
}

async fn card_ids(answer: reqwest::Response) -> Vec<(String, bool)> {
    json_of(answer).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["isDefault"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_card_becomes_the_default_unless_it_has_expired() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let cards = card_ids(
        app.post_with_session("/portal/email/cards/card_ada_visa/default", &token, None)
            .await,
    )
    .await;
    assert_eq!(
        cards,
        [
            ("card_ada_visa".to_string(), true),
            ("card_ada_mc".to_string(), false),
            ("card_ada_verve".to_string(), false)
        ]
    );
    let expired = app
        .post_with_session("/portal/email/cards/card_ada_verve/default", &token, None)
        .await;
    assert_eq!(error_of(expired).await.0, StatusCode::CONFLICT);
}

#[tokio::test]
async fn removing_the_default_promotes_the_next_valid_card_and_the_last_valid_card_stays() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let cards = card_ids(
        app.delete_with_session("/portal/email/cards/card_ada_mc", &token)
            .await,
    )
    .await;
    assert_eq!(
        cards,
        [
            ("card_ada_visa".to_string(), true),
            ("card_ada_verve".to_string(), false)
        ],
        "the valid Visa, not the expired Verve, becomes the default"
    );
    let refused = app
        .delete_with_session("/portal/email/cards/card_ada_visa", &token)
        .await;
    let status = refused.status();
    let body: Value = refused.json().await.unwrap();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        body["error"]["message"],
        portal_core::payments::KEEP_ONE_VALID_CARD
    );
    // An expired card can always go.
    let cards = card_ids(
        app.delete_with_session("/portal/email/cards/card_ada_verve", &token)
            .await,
    )
    .await;
    assert_eq!(cards, [("card_ada_visa".to_string(), true)]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM cards WHERE customer_id = 'cus_ada'"),
        1
    );
}
