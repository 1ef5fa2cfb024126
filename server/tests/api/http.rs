//! Bad input of every class gets the error envelope, never a bare status or a page.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_body_over_four_kilobytes_is_refused() {
    let app = spawn_app().await;
    let body = json!({ "email": format!("{}@example.com", "a".repeat(5000)) });
    let response = app
        .raw_post(
            "/portal/email/start",
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await;
    let (status, code, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let app = spawn_app().await;
    for body in [
        "{\"email\":",
        "not json",
        "[1,2]",
        "\"ada@example.com\"",
        "",
    ] {
        let response = app
            .raw_post(
                "/portal/email/start",
                Some("application/json"),
                body.as_bytes().to_vec(),
            )
            .await;
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{body:?}"
        );
    }
}

#[tokio::test]
async fn another_content_type_is_refused_so_forms_cannot_send_mail() {
    let app = spawn_app().await;
    for content_type in [
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        None,
    ] {
        let response = app
            .raw_post(
                "/portal/email/start",
                content_type,
                br#"{"email":"ada@example.com"}"#.to_vec(),
            )
            .await;
        let (status, code, _) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_request")
        );
    }
    let charset = app
        .raw_post(
            "/portal/email/start",
            Some("application/json; charset=utf-8"),
            br#"{"email":"ada@example.com"}"#.to_vec(),
        )
        .await;
    assert_eq!(charset.status(), StatusCode::OK);
    app.wait_for_mails(ADA, 1).await;
}

#[tokio::test]
async fn a_field_of_the_wrong_type_names_the_field() {
    let app = spawn_app().await;
    let response = app
        .post("/portal/email/start", json!({ "email": 42 }))
        .await;
    let (status, code, detail) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
    );
    assert_eq!(detail.unwrap().0, "email");
    let response = app
        .post(
            "/portal/email/start",
            json!({ "email": ADA, "resend": "yes" }),
        )
        .await;
    assert_eq!(error_of(response).await.2.unwrap().0, "resend");
}

#[tokio::test]
async fn an_invalid_or_missing_email_is_a_validation_error_on_email() {
    let app = spawn_app().await;
    for (body, issue) in [
        (json!({ "email": "ada@example" }), "domain_no_dot"),
        (json!({ "email": "" }), "empty"),
        (json!({}), "empty"),
        (json!({ "email": "ada@@example.com" }), "multiple_at"),
    ] {
        let response = app.post("/portal/email/start", body.clone()).await;
        let (status, code, detail) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_error"),
            "{body}"
        );
        assert_eq!(detail, Some(("email".into(), issue.into())), "{body}");
    }
}

#[tokio::test]
async fn the_code_shape_is_checked_before_anything_else() {
    let app = spawn_app().await;
    for (code, issue) in [
        ("12345", "too_short"),
        ("1234567", "too_long"),
        ("12a456", "not_digits"),
        ("", "empty"),
    ] {
        // No code was ever sent to this address: the shape decides, not the database.
        let response = app.verify(ADA, code).await;
        let (status, _, detail) = error_of(response).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(detail, Some(("code".into(), issue.into())), "{code:?}");
    }
    let missing = app
        .post("/portal/email/verify", json!({ "email": ADA }))
        .await;
    assert_eq!(error_of(missing).await.2.unwrap().0, "code");
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_with_the_envelope() {
    let app = spawn_app().await;
    let response = app.get("/portal/email/nothing").await;
    let (status, code, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let response = app.get("/portal/email/start").await;
    let (status, code, _) = error_of(response).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "bad_request")
    );
    let api_only = app.get("/some/app/route").await;
    assert_eq!(error_of(api_only).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_api_answer_is_no_store_and_carries_a_request_id() {
    let app = spawn_app().await;
    let ok = app.start(ADA).await;
    assert_eq!(ok.headers()["cache-control"], "no-store");
    assert!(ok.headers().contains_key("x-request-id"));
    let error = app
        .post("/portal/email/start", json!({ "email": "x" }))
        .await;
    assert_eq!(error.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(|config| {
        config.allow_origins = vec!["https://portal.example.com".parse().unwrap()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/portal/email/start"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,x-portal-session",
            )
            .send()
    };
    let allowed = preflight("https://portal.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://portal.example.com"
    );
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        allowed_headers.contains("x-portal-session") && allowed_headers.contains("content-type")
    );
    let other = preflight("https://evil.example.com").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let response = app
        .client
        .post(app.url("/portal/email/start"))
        .header("origin", "https://portal.example.com")
        .json(&json!({ "email": ADA }))
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(exposed.contains("retry-after"));
}

#[tokio::test]
async fn dev_endpoints_are_refused_when_off() {
    let app = spawn_app_with(|config| config.dev_clock = false).await;
    let response = app
        .post("/dev/clock/advance", json!({ "seconds": 60 }))
        .await;
    assert_eq!(error_of(response).await.0, StatusCode::FORBIDDEN);

    let app = spawn_app().await;
    let response = app
        .post("/dev/clock/advance", json!({ "seconds": 660 }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap()["now"],
        1_800_000_660i64
    );
    let response = app
        .post("/dev/clock/advance", json!({ "seconds": -5 }))
        .await;
    assert_eq!(error_of(response).await.2.unwrap().0, "seconds");
}

#[tokio::test]
async fn in_dev_mode_the_server_reports_its_own_latency_per_route() {
    let app = spawn_app().await;
    app.start(ADA).await;
    app.start(BOB).await;
    app.get("/healthz").await;
    let report: Value = app.get("/dev/latency").await.json().await.unwrap();
    let start = &report["routes"]["/portal/email/start"];
    assert_eq!(start["count"], 2, "{report}");
    assert!(start["p99"].as_u64().unwrap() >= start["p50"].as_u64().unwrap());
    assert!(
        report["routes"].get("/dev/latency").is_none(),
        "dev routes are not timed"
    );
    app.post("/dev/latency/reset", json!({})).await;
    let report: Value = app.get("/dev/latency").await.json().await.unwrap();
    assert_eq!(report["routes"].get("/portal/email/start"), None);

    // With mail by SMTP there is no dev mode, and no latency report.
    let app = spawn_app_with(|config| mail_by_smtp(config, "smtp://127.0.0.1:9")).await;
    assert_eq!(
        error_of(app.get("/dev/latency").await).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn healthz_answers() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                refs.push(target.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_describes_every_endpoint_and_every_reference_resolves() {
    let app = spawn_app().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for (path, method) in [
        ("/portal/email/start", "post"),
        ("/portal/email/verify", "post"),
        ("/portal/email/signout", "post"),
        ("/portal/email/subscriptions", "get"),
        ("/portal/email/subscriptions/{mode}/{id}/{action}", "post"),
        ("/portal/email/cards", "get"),
        ("/portal/email/wallet", "get"),
        ("/portal/email/subscriptions/{mode}/{id}/invoices", "get"),
        ("/portal/email/subscriptions/{mode}/{id}/retry", "post"),
        ("/portal/email/cards/{id}/default", "post"),
        ("/portal/email/cards/{id}", "delete"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    // What Duro describes without a published path is marked as this project's choice.
    for (path, method, ours) in [
        ("/portal/email/verify", "post", false),
        (
            "/portal/email/subscriptions/{mode}/{id}/invoices",
            "get",
            true,
        ),
        (
            "/portal/email/subscriptions/{mode}/{id}/retry",
            "post",
            true,
        ),
        ("/portal/email/cards/{id}/default", "post", true),
        ("/portal/email/cards/{id}", "delete", true),
        ("/portal/email/wallet/topup", "post", true),
        ("/v1/portal/links", "post", true),
    ] {
        let operation = &doc["paths"][path][method];
        assert!(operation.is_object(), "{method} {path}");
        let words = format!("{} {}", operation["summary"], operation["description"]);
        assert_eq!(
            words.contains("Project choice"),
            ours,
            "{method} {path}: {words}"
        );
    }
    let verify_ok = &doc["paths"]["/portal/email/verify"]["post"]["responses"]["200"];
    assert!(verify_ok.to_string().contains("VerifyResponse"));
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 10);
    for target in refs {
        let name = target
            .strip_prefix("#/components/schemas/")
            .expect("local schema ref");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{target} resolves"
        );
    }
    let status = &doc["components"]["schemas"]["SubscriptionStatus"];
    assert!(status["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("past_due")));
}
