//! Wallet top-ups: a checkout per request (one per Idempotency-Key), Duro's
//! ₦100 minimum, the dev checkout that credits the wallet once and saves the
//! card that paid, and no top-ups without dev mode.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app, spawn_app_with, TestApp, ADA, BOB};

const TOPUP: &str = "/portal/email/wallet/topup";

/// The checkout's path on this server (the URL names the configured public host).
async fn checkout_path(response: reqwest::Response) -> String {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let url = body["checkoutUrl"].as_str().unwrap();
    let path = url
        .strip_prefix("http://127.0.0.1:8080")
        .expect("an absolute URL on the portal's public host");
    assert!(path.starts_with("/dev/checkout/chk_"), "{path}");
    path.to_string()
}

async fn pay(app: &TestApp, path: &str, number: &str) -> reqwest::Response {
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    no_redirects
        .post(app.url(path))
        .form(&[("number", number), ("expiry", "12/30")])
        .send()
        .await
        .unwrap()
}

fn balance(app: &TestApp) -> i64 {
    app.count("SELECT balance FROM wallets WHERE customer_id = 'cus_ada'")
}

#[tokio::test]
async fn a_top_up_opens_a_checkout_that_credits_the_wallet_once_and_saves_the_card() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let before = balance(&app);
    let cards = app.count("SELECT COUNT(*) FROM cards WHERE customer_id = 'cus_ada'");
    let path = checkout_path(
        app.post_with_key(TOPUP, &token, "t1", json!({"amount": 10000}))
            .await,
    )
    .await;

    let page = app.get(&path).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Top up \u{20A6}100.00"), "{html}");
    assert!(
        html.contains("No money moves"),
        "the page says it is a test"
    );

    let paid = pay(&app, &path, "5555 5555 5555 4444").await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    assert_eq!(paid.headers()["location"], "http://127.0.0.1:8080/wallet");
    // The form sent again: still one credit.
    assert_eq!(
        pay(&app, &path, "5555 5555 5555 4444").await.status(),
        StatusCode::OK
    );
    assert_eq!(balance(&app), before + 10000);

    let wallet: Value = app
        .get_with_session("/portal/email/wallet", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(wallet["balance"], before + 10000);
    assert_eq!(wallet["transactions"][0]["amount"], 10000);
    assert_eq!(wallet["transactions"][0]["memo"], "Top-up");
    assert_eq!(wallet["transactions"][0]["balanceAfter"], before + 10000);
    let saved: Value = app
        .get_with_session("/portal/email/cards", &token)
        .await
        .json()
        .await
        .unwrap();
    let items = saved["items"].as_array().unwrap();
    assert_eq!(items.len() as i64, cards + 1);
    let new = items
        .iter()
        .find(|c| c["last4"] == "4444")
        .expect("the paying card is saved");
    assert_eq!(new["brand"], "mastercard");
    assert_eq!(new["isDefault"], false, "Ada already has a default card");
}

#[tokio::test]
async fn the_first_card_saved_by_a_top_up_becomes_the_default() {
    let app = spawn_app().await;
    {
        let conn = r2d2_sqlite::rusqlite::Connection::open(app.database()).unwrap();
        conn.execute("DELETE FROM cards WHERE customer_id = 'cus_bob'", [])
            .unwrap();
        conn.execute(
            "INSERT INTO wallets (customer_id, balance, currency, status) VALUES ('cus_bob', 0, 'NGN', 'active')",
            [],
        )
        .unwrap();
    }
    let token = app.sign_in(BOB).await;
    let path = checkout_path(
        app.post_with_session(TOPUP, &token, Some(json!({"amount": 25000})))
            .await,
    )
    .await;
    assert_eq!(
        pay(&app, &path, "4242424242424242").await.status(),
        StatusCode::SEE_OTHER
    );
    let saved: Value = app
        .get_with_session("/portal/email/cards", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["items"][0]["last4"], "4242");
    assert_eq!(saved["items"][0]["isDefault"], true);
}

#[tokio::test]
async fn a_declined_checkout_changes_nothing_and_says_why() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let before = (balance(&app), app.count("SELECT COUNT(*) FROM cards"));
    let path = checkout_path(
        app.post_with_session(TOPUP, &token, Some(json!({"amount": 50000})))
            .await,
    )
    .await;
    let declined = pay(&app, &path, "4000 0000 0000 9995").await;
    assert_eq!(declined.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(declined.text().await.unwrap().contains("not enough money"));
    assert_eq!(
        (balance(&app), app.count("SELECT COUNT(*) FROM cards")),
        before
    );
    // A typo is said on the page, and changes nothing either.
    let typo = pay(&app, &path, "4242").await;
    assert_eq!(typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (balance(&app), app.count("SELECT COUNT(*) FROM cards")),
        before
    );
}

#[tokio::test]
async fn a_repeated_top_up_with_the_same_key_gets_the_same_checkout() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let first = checkout_path(
        app.post_with_key(TOPUP, &token, "k", json!({"amount": 10000}))
            .await,
    )
    .await;
    let again = checkout_path(
        app.post_with_key(TOPUP, &token, "k", json!({"amount": 10000}))
            .await,
    )
    .await;
    assert_eq!(first, again);
    assert_eq!(app.count("SELECT COUNT(*) FROM checkouts"), 1);
    let other = app
        .post_with_key(TOPUP, &token, "k", json!({"amount": 20000}))
        .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM checkouts"), 1);
}

#[tokio::test]
async fn a_top_up_below_a_hundred_naira_is_refused_with_the_minimum() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    for amount in [9999, 0, -10000] {
        let refused = app
            .post_with_session(TOPUP, &token, Some(json!({"amount": amount})))
            .await;
        let (status, code, detail) = error_of(refused).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(code, "validation_error");
        assert_eq!(detail, Some(("amount".into(), "below_minimum".into())));
    }
    let refused = app
        .post_with_session(TOPUP, &token, Some(json!({"amount": "100"})))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM checkouts"), 0);
}

#[tokio::test]
async fn a_frozen_wallet_takes_no_top_up_and_a_customer_without_one_gets_404() {
    let app = spawn_app().await;
    let conn = r2d2_sqlite::rusqlite::Connection::open(app.database()).unwrap();
    conn.execute(
        "UPDATE wallets SET status = 'frozen' WHERE customer_id = 'cus_ada'",
        [],
    )
    .unwrap();
    let token = app.sign_in(ADA).await;
    let (status, _, _) = error_of(
        app.post_with_session(TOPUP, &token, Some(json!({"amount": 10000})))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let bob = app.sign_in(BOB).await;
    let (status, _, _) = error_of(
        app.post_with_session(TOPUP, &bob, Some(json!({"amount": 10000})))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("SELECT COUNT(*) FROM checkouts"), 0);
}

#[tokio::test]
async fn without_dev_mode_there_are_no_top_ups_and_no_checkout_pages() {
    let app = spawn_app_with(|config| {
        config.smtp_url = Some("smtp://127.0.0.1:9".into());
        config.dev = false;
        config.dev_clock = false;
    })
    .await;
    let conn = r2d2_sqlite::rusqlite::Connection::open(app.database()).unwrap();
    conn.execute(
        "INSERT INTO checkouts (id, customer_id, amount, currency, status, created_at)
         VALUES ('chk_x', 'cus_ada', 10000, 'NGN', 'pending', 1800000000)",
        [],
    )
    .unwrap();
    // A live session, made as verify makes one (no outbox without dev mode).
    let (token, hash) = portal_server::crypto::new_session_token();
    conn.execute(
        "INSERT INTO sessions (token_hash, email, created_at, last_seen_at)
         VALUES (?1, 'ada@example.com', 1800000000, 1800000000)",
        [&hash],
    )
    .unwrap();
    assert_eq!(
        app.session_status("/portal/email/wallet", &token).await,
        StatusCode::OK
    );
    let (status, _, _) = error_of(
        app.post_with_session(TOPUP, &token, Some(json!({"amount": 10000})))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get("/dev/checkout/chk_x").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        pay(&app, "/dev/checkout/chk_x", "4242424242424242")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(balance(&app), 1_250_000);
}
