//! The signed-in portal: listing, actions, ownership, cards and wallet.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn subscription(app: &TestApp, token: &str, id: &str) -> Value {
    let body: Value = app
        .get_with_session("/portal/email/subscriptions", token)
        .await
        .json()
        .await
        .unwrap();
    body["merchants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["subscriptions"].as_array().unwrap().clone())
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} is listed"))
}

#[tokio::test]
async fn the_listing_groups_every_subscription_by_merchant() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let response = app
        .get_with_session("/portal/email/subscriptions", &token)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    let groups = body["merchants"].as_array().unwrap();
    assert_eq!(groups.len(), 4);
    let streamly = groups
        .iter()
        .find(|g| g["merchantName"] == "Streamly")
        .unwrap();
    assert_eq!(streamly["actions"], json!(["cancel"]));
    // A merchant that publishes no list: the group carries none, as at Duro.
    let paperback = groups
        .iter()
        .find(|g| g["merchantName"] == "Paperback Club")
        .unwrap();
    assert!(paperback.get("actions").is_none(), "{paperback}");
    let statuses: std::collections::BTreeSet<&str> = groups
        .iter()
        .flat_map(|g| g["subscriptions"].as_array().unwrap())
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    for status in [
        "incomplete",
        "trialing",
        "active",
        "past_due",
        "paused",
        "unpaid",
        "canceled",
        "expired",
    ] {
        assert!(statuses.contains(status), "{status} is in the demo data");
    }
    let no_plan = subscription(&app, &token, "sub_ada_no_plan").await;
    assert_eq!(no_plan["plan"], Value::Null);
    let active = subscription(&app, &token, "sub_ada_active").await;
    assert_eq!(active["plan"]["amount"], 500000);
    assert_eq!(active["plan"]["currency"], "NGN");
    assert_eq!(active["mode"], "live");
    assert!(active["currentPeriodEnd"].as_str().unwrap().ends_with('Z'));
    // Nobody else's subscriptions are listed.
    assert!(!body.to_string().contains("sub_bob"));
}

#[tokio::test]
async fn cancel_at_period_end_then_keep_the_subscription() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let path = "/portal/email/subscriptions/live/sub_ada_active";
    let response = app
        .post_with_session(
            &format!("{path}/cancel"),
            &token,
            Some(json!({ "atPeriodEnd": true })),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["id"], "sub_ada_active");
    assert_eq!(answer["status"], "active");
    assert_eq!(answer["cancelAtPeriodEnd"], true);
    assert!(answer["currentPeriodEnd"].is_string());
    assert_eq!(
        subscription(&app, &token, "sub_ada_active").await["cancelAtPeriodEnd"],
        true
    );

    let response = app
        .post_with_session(&format!("{path}/resume"), &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap()["cancelAtPeriodEnd"],
        false
    );
}

#[tokio::test]
async fn cancel_without_a_body_defaults_to_the_period_end() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let response = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_trialing/cancel",
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        (
            answer["status"].as_str(),
            answer["cancelAtPeriodEnd"].as_bool()
        ),
        (Some("trialing"), Some(true))
    );
}

#[tokio::test]
async fn pause_and_resume_where_the_merchant_allows() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let base = "/portal/email/subscriptions/live/sub_ada_active";
    let paused: Value = app
        .post_with_session(&format!("{base}/pause"), &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(paused["status"], "paused");
    let again = app
        .post_with_session(&format!("{base}/pause"), &token, None)
        .await;
    assert_eq!(error_of(again).await.0, StatusCode::CONFLICT);
    let resumed: Value = app
        .post_with_session(&format!("{base}/resume"), &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resumed["status"], "active");
    let active_resume = app
        .post_with_session(&format!("{base}/resume"), &token, None)
        .await;
    let (status, code, _) = error_of(active_resume).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
}

#[tokio::test]
async fn resuming_a_paused_subscription_set_to_cancel_also_keeps_it() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    // Paperback Club publishes no list of actions: the status decides.
    let answer: Value = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_audiobooks/resume",
            &token,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&answer["status"], &answer["cancelAtPeriodEnd"]),
        (&json!("active"), &json!(false)),
        "{answer}"
    );
    let held = subscription(&app, &token, "sub_ada_audiobooks").await;
    assert_eq!(
        (&held["status"], &held["cancelAtPeriodEnd"]),
        (&json!("active"), &json!(false))
    );
}

#[tokio::test]
async fn an_action_the_merchant_does_not_offer_is_forbidden_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    // Streamly offers cancel only; FitHub offers nothing.
    let pause = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_trialing/pause",
            &token,
            None,
        )
        .await;
    let (status, code, _) = error_of(pause).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let cancel = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_past_due/cancel",
            &token,
            None,
        )
        .await;
    assert_eq!(cancel.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        subscription(&app, &token, "sub_ada_trialing").await["status"],
        "trialing"
    );
    assert_eq!(
        subscription(&app, &token, "sub_ada_past_due").await["cancelAtPeriodEnd"],
        false
    );
}

#[tokio::test]
async fn another_customers_subscription_is_not_found_and_unchanged() {
    let app = spawn_app().await;
    let ada = app.sign_in(ADA).await;
    let response = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_bob_active/cancel",
            &ada,
            None,
        )
        .await;
    let (status, code, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let bob = app.sign_in(BOB).await;
    assert_eq!(
        subscription(&app, &bob, "sub_bob_active").await["cancelAtPeriodEnd"],
        false
    );
}

#[tokio::test]
async fn the_mode_in_the_path_must_match() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let wrong_mode = app
        .post_with_session(
            "/portal/email/subscriptions/test/sub_ada_active/pause",
            &token,
            None,
        )
        .await;
    assert_eq!(wrong_mode.status(), StatusCode::NOT_FOUND);
    let unknown_mode = app
        .post_with_session(
            "/portal/email/subscriptions/staging/sub_ada_active/pause",
            &token,
            None,
        )
        .await;
    assert_eq!(unknown_mode.status(), StatusCode::NOT_FOUND);
    let unknown_action = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_active/delete",
            &token,
            None,
        )
        .await;
    assert_eq!(error_of(unknown_action).await.1, "not_found");
    assert_eq!(
        subscription(&app, &token, "sub_ada_active").await["status"],
        "active"
    );
}

#[tokio::test]
async fn every_portal_call_needs_a_live_session() {
    let app = spawn_app().await;
    for path in [
        "/portal/email/subscriptions",
        "/portal/email/cards",
        "/portal/email/wallet",
    ] {
        let missing = app.get(path).await;
        let (status, code, _) = error_of(missing).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{path}"
        );
        let forged = app.get_with_session(path, "not-a-session").await;
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let action = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_active/cancel",
            "nope",
            None,
        )
        .await;
    assert_eq!(action.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn cards_and_wallet_are_the_customers_own() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let cards: Value = app
        .get_with_session("/portal/email/cards", &token)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = cards["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["card_ada_mc", "card_ada_verve", "card_ada_visa"]);
    assert_eq!(cards["items"][0]["isDefault"], true);
    let wallet: Value = app
        .get_with_session("/portal/email/wallet", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wallet["balance"], 1250000);
    assert_eq!(wallet["status"], "active");
    assert_eq!(wallet["transactions"].as_array().unwrap().len(), 3);

    let bob = app.sign_in(BOB).await;
    let cards: Value = app
        .get_with_session("/portal/email/cards", &bob)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cards["items"][0]["brand"], Value::Null);
    let no_wallet = app.get_with_session("/portal/email/wallet", &bob).await;
    assert_eq!(error_of(no_wallet).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unknown_address_that_signs_in_sees_an_empty_account() {
    let app = spawn_app().await;
    let stranger = "nobody@example.com";
    app.start(stranger).await;
    // Nobody mailed: read the code the way only the server could, to show the empty answer.
    let conn = r2d2_sqlite::rusqlite::Connection::open(app.database()).unwrap();
    let seed: Vec<u8> = conn
        .query_row("SELECT seed FROM codes WHERE email = ?1", [stranger], |r| {
            r.get(0)
        })
        .unwrap();
    let code = app
        .secret
        .keys()
        .code_from_seed(&portal_core::Email::parse(stranger).unwrap(), &seed);
    let response = app.verify(stranger, code.as_str()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["account"], json!({ "email": stranger, "name": null }));
    assert_eq!(body["subscriptions"], json!([]));
}
