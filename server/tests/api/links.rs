//! The merchant API's portal links: a secret key as a bearer token, a link that
//! pre-fills the address and may land on one of the merchant's subscriptions
//! held by that address, and nothing for anyone else.
use portal_core::api::Mode;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{error_of, spawn_app, TestApp, ADA, BOB};

const LINKS: &str = "/v1/portal/links";

async fn key(app: &TestApp, tenant: &str, mode: Mode) -> String {
    let (tenant, now) = (tenant.to_string(), app.clock.now());
    app.store()
        .write(move |conn| portal_server::links::create_key(conn, &tenant, &mode, now))
        .await
        .unwrap()
}

async fn mint(app: &TestApp, authorization: Option<&str>, body: Value) -> Response {
    let mut request = app.client.post(app.url(LINKS)).json(&body);
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.unwrap()
}

/// The token a link carries in its fragment, after the page it opens.
fn split(url: &str) -> (String, String) {
    let (page, token) = url.split_once("#token=").expect("a token in the fragment");
    (page.to_string(), token.to_string())
}

#[tokio::test]
async fn a_merchant_mints_a_link_that_lands_on_its_subscription_and_prefills_the_address() {
    let app = spawn_app().await;
    let key = key(&app, "ten_fithub", Mode::Live).await;
    assert!(key.starts_with("sk_live_"), "{key}");
    let response = mint(
        &app,
        Some(&format!("Bearer {key}")),
        json!({
            "email": ADA,
            "subscription": {"mode": "live", "id": "sub_ada_past_due"},
            "ttlSeconds": 3600,
        }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let (page, token) = split(body["url"].as_str().unwrap());
    assert_eq!(
        page,
        "http://127.0.0.1:8080/subscriptions/live/sub_ada_past_due"
    );
    assert_eq!(
        body["expiresAt"].as_str(),
        portal_server::store::timestamp(app.clock.now() + 3600).as_deref()
    );

    // The token pre-fills the address (and mails a code); it signs no one in.
    let start = app
        .post("/portal/email/start", json!({ "token": token }))
        .await;
    assert_eq!(start.status(), StatusCode::OK);
    assert_eq!(
        start.json::<Value>().await.unwrap(),
        json!({ "email": ADA })
    );
    // The database holds the key's hash, never a key that works.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM merchant_keys WHERE CAST(key_hash AS TEXT) LIKE 'sk_%'"),
        0
    );
}

#[tokio::test]
async fn a_link_without_a_target_opens_the_portal_and_lives_a_week() {
    let app = spawn_app().await;
    let key = key(&app, "ten_lagosfresh", Mode::Test).await;
    let response = mint(
        &app,
        Some(&format!("Bearer {key}")),
        json!({ "email": BOB }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let (page, _) = split(body["url"].as_str().unwrap());
    assert_eq!(page, "http://127.0.0.1:8080/");
    assert_eq!(
        body["expiresAt"].as_str(),
        portal_server::store::timestamp(app.clock.now() + 7 * 24 * 3600).as_deref()
    );
}

#[tokio::test]
async fn without_a_secret_key_this_server_issued_the_answer_is_401_with_a_challenge() {
    let app = spawn_app().await;
    let session = app.sign_in(ADA).await;
    let body = json!({ "email": ADA });
    for authorization in [
        None,
        Some("Bearer sk_test_not_a_key_we_issued".to_string()),
        Some(format!("Bearer {session}")),
        Some("Basic c2tfdGVzdF86".to_string()),
        Some("Bearer ".to_string()),
    ] {
        let response = mint(&app, authorization.as_deref(), body.clone()).await;
        assert!(
            response
                .headers()
                .get("www-authenticate")
                .is_some_and(|v| v.to_str().unwrap().starts_with("Bearer")),
            "{authorization:?}"
        );
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{authorization:?}"
        );
    }
}

#[tokio::test]
async fn a_link_never_names_another_merchants_or_another_customers_subscription() {
    let app = spawn_app().await;
    let fithub = format!("Bearer {}", key(&app, "ten_fithub", Mode::Live).await);
    // Ada's, at another merchant.
    let other_merchant = mint(
        &app,
        Some(&fithub),
        json!({"email": ADA, "subscription": {"mode": "live", "id": "sub_ada_active"}}),
    )
    .await;
    assert_eq!(error_of(other_merchant).await.0, StatusCode::NOT_FOUND);
    // This merchant's, but not Bob's.
    let other_customer = mint(
        &app,
        Some(&fithub),
        json!({"email": BOB, "subscription": {"mode": "live", "id": "sub_ada_past_due"}}),
    )
    .await;
    assert_eq!(error_of(other_customer).await.0, StatusCode::NOT_FOUND);
    // A test key names test subscriptions only.
    let test_key = format!("Bearer {}", key(&app, "ten_fithub", Mode::Test).await);
    let wrong_mode = mint(
        &app,
        Some(&test_key),
        json!({"email": ADA, "subscription": {"mode": "live", "id": "sub_ada_past_due"}}),
    )
    .await;
    let (status, _, detail) = error_of(wrong_mode).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail.unwrap().0, "subscription.mode");
}

#[tokio::test]
async fn a_bad_address_or_lifetime_is_refused_by_its_field() {
    let app = spawn_app().await;
    let key = format!("Bearer {}", key(&app, "ten_fithub", Mode::Live).await);
    for (body, field) in [
        (json!({"email": "ada@"}), "email"),
        (json!({"email": ADA, "ttlSeconds": 59}), "ttlSeconds"),
        (
            json!({"email": ADA, "ttlSeconds": 31 * 24 * 3600}),
            "ttlSeconds",
        ),
        (json!({"email": ADA, "ttlSeconds": "soon"}), "ttlSeconds"),
    ] {
        let (status, _, detail) = error_of(mint(&app, Some(&key), body.clone()).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(detail.map(|d| d.0).as_deref(), Some(field), "{body}");
    }
}

#[tokio::test]
async fn a_key_is_issued_only_to_a_merchant_this_server_has() {
    let app = spawn_app().await;
    let (tenant, now) = ("ten_nobody".to_string(), app.clock.now());
    let issued = app
        .store()
        .write(move |conn| portal_server::links::create_key(conn, &tenant, &Mode::Test, now))
        .await;
    assert!(issued.is_err());
    assert_eq!(app.count("SELECT COUNT(*) FROM merchant_keys"), 0);
}
