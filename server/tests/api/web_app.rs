//! The built app: served with its security headers, cache rules and SPA fallback.

use crate::helpers::*;
use base64::Engine;
use reqwest::StatusCode;
use sha2::Digest;

const LOADER: &str = "import init from '/app-0123456789abcdef.js'; await init();";

fn fake_dist() -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    let index = format!("<!doctype html><html><head><script type=\"module\">{LOADER}</script></head><body>portal</body></html>");
    std::fs::write(dist.path().join("index.html"), index).unwrap();
    std::fs::write(
        dist.path().join("app-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dist.path().join("app-0123456789abcdef.js.br"),
        b"compressed",
    )
    .unwrap();
    dist
}

#[tokio::test]
async fn the_page_carries_a_strict_csp_with_the_loaders_hash() {
    let dist = fake_dist();
    let app = spawn_app_with(|config| config.dist = Some(dist.path().to_path_buf())).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(LOADER.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(response.text().await.unwrap().contains("portal"));
}

#[tokio::test]
async fn the_csp_lets_the_app_call_the_api_host_its_config_names() {
    let dist = fake_dist();
    std::fs::write(
        dist.path().join("config.json"),
        r#"{"apiBase": "https://sandbox.useduro.com/"}"#,
    )
    .unwrap();
    let app = spawn_app_with(|config| config.dist = Some(dist.path().to_path_buf())).await;
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("connect-src 'self' https://sandbox.useduro.com;"),
        "{csp}"
    );
}

#[tokio::test]
async fn app_routes_fall_back_to_the_page_and_hashed_assets_cache_for_good() {
    let dist = fake_dist();
    let app = spawn_app_with(|config| {
        config.dist = Some(dist.path().to_path_buf());
        config.frame_ancestors = "https://shop.example.com".into();
    })
    .await;
    let route = app.get("/subscriptions").await;
    assert_eq!(route.status(), StatusCode::OK);
    assert_eq!(route.headers()["cache-control"], "no-cache");
    let csp = route.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors https://shop.example.com"));
    assert!(route.text().await.unwrap().contains("portal"));

    let asset = app
        .client
        .get(app.url("/app-0123456789abcdef.js"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.headers()["content-encoding"], "br");

    // The API keeps its own rules beside the app.
    let api = app.get("/portal/email/nothing").await;
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn config_json_carries_the_pages_that_may_frame_the_app_as_the_csp_does() {
    let dist = fake_dist();
    std::fs::write(
        dist.path().join("config.json"),
        r#"{"apiBase": "", "embedOrigins": ["https://stale.example.com"]}"#,
    )
    .unwrap();
    // A precompressed copy of the built file must not win over the served one.
    std::fs::write(dist.path().join("config.json.br"), b"stale").unwrap();
    let app = spawn_app_with(|config| {
        config.dist = Some(dist.path().to_path_buf());
        config.frame_ancestors = "'self' https://shop.example.com http://localhost:3000".into();
    })
    .await;
    let response = app
        .client
        .get(app.url("/config.json"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(response.headers().get("content-encoding").is_none());
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://shop.example.com http://localhost:3000"),
        "{csp}"
    );
    let config: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        config,
        serde_json::json!({
            "apiBase": "",
            "embedOrigins": ["'self'", "https://shop.example.com", "http://localhost:3000"]
        })
    );

    // Not framable: the list is empty, so the app in a frame shows nothing.
    let dist = fake_dist();
    let app = spawn_app_with(|config| config.dist = Some(dist.path().to_path_buf())).await;
    let config: serde_json::Value = app.get("/config.json").await.json().await.unwrap();
    assert_eq!(config, serde_json::json!({ "embedOrigins": [] }));
}
