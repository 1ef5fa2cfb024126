//! Serves the built web app from dist/ with its security and cache headers.
use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portal_core::config::ApiBase;
use portal_core::embed::Ancestors;
use sha2::{Digest, Sha256};

/// `'sha256-…'` sources for every inline `<script>` in index.html (Trunk's loader),
/// so the CSP can allow exactly those without `'unsafe-inline'`.
pub fn inline_script_hashes(index_html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = index_html;
    while let Some(open) = rest.find("<script") {
        let after_open = &rest[open..];
        let Some(tag_end) = after_open.find('>') else {
            break;
        };
        let tag = &after_open[..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = after_open[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let body = &after_open[body_start..body_start + close];
            hashes.push(format!(
                "'sha256-{}'",
                STANDARD.encode(Sha256::digest(body.as_bytes()))
            ));
        }
        rest = &after_open[body_start + close..];
    }
    hashes
}

/// `config.json` as this server serves it: the built file with `embedOrigins`
/// set from `--frame-ancestors`, so the pages that may frame the app are
/// configured once (the CSP and the app's own check read the same list).
pub struct ServedConfig {
    pub body: String,
    /// The origin (`scheme://host[:port]`) of the API host it names, if any,
    /// so the CSP lets the app call it.
    pub api_origin: Option<String>,
}

impl ServedConfig {
    pub fn load(dist: &Path, ancestors: &Ancestors) -> anyhow::Result<ServedConfig> {
        let path = dist.join("config.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "{}".to_string(),
            Err(e) => anyhow::bail!("{}: {e}", path.display()),
        };
        let mut config: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not a JSON object: {e}", path.display()))?;
        let entries = ancestors.entries();
        if let Some(built) = config.get("embedOrigins") {
            if *built != serde_json::json!(entries) {
                tracing::warn!(
                    "{} lists embedOrigins {built}; this server serves {entries:?} from --frame-ancestors instead",
                    path.display()
                );
            }
        }
        config.insert("embedOrigins".into(), serde_json::json!(entries));
        // The app refuses a wrong apiBase with the same rule; refused here, the
        // server does not start, instead of serving an app that cannot sign in.
        let base = match config.get("apiBase") {
            None => "",
            Some(serde_json::Value::String(base)) => base.as_str(),
            Some(other) => anyhow::bail!("config.json apiBase {other} is not a string"),
        };
        let api_origin = ApiBase::parse(base)
            .map_err(|e| anyhow::anyhow!("config.json: {e}"))?
            .origin()
            .map(str::to_string);
        Ok(ServedConfig {
            body: serde_json::Value::Object(config).to_string(),
            api_origin,
        })
    }
}

pub struct AppHeaders {
    pub csp: HeaderValue,
}

impl AppHeaders {
    pub fn new(
        dist: &Path,
        frame_ancestors: &Ancestors,
        connect_origins: &[String],
    ) -> anyhow::Result<AppHeaders> {
        let index = std::fs::read_to_string(dist.join("index.html")).map_err(|e| {
            anyhow::anyhow!(
                "{}/index.html is missing ({e}); build the app with `cargo xtask build`",
                dist.display()
            )
        })?;
        let scripts = inline_script_hashes(&index).join(" ");
        let connect = std::iter::once("'self'".to_string())
            .chain(connect_origins.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {scripts}; style-src 'self'; \
             img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors {}",
            frame_ancestors.directive()
        );
        Ok(AppHeaders {
            csp: HeaderValue::from_str(&csp)?,
        })
    }
}

/// `cargo xtask build` names built assets by their bytes, `name-<16 hex>.ext`
/// (the wasm `name-<16 hex>_bg.wasm`): those never change, so they may be cached
/// for good.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default().as_bytes();
    (0..file.len()).any(|dash| {
        file[dash] == b'-'
            && file.len() > dash + 17
            && file[dash + 1..dash + 17].iter().all(u8::is_ascii_hexdigit)
            && matches!(file[dash + 17], b'.' | b'_')
    })
}

pub async fn app_headers(
    axum::extract::State(csp): axum::extract::State<HeaderValue>,
    request: Request,
    next: Next,
) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    let succeeded = response.status().is_success();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let cache = if hashed && succeeded {
        "public, max-age=31536000, immutable"
    } else {
        // index.html, config.json and the like: always check for a newer one.
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// API answers must never be stored by a browser or proxy.
pub async fn api_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = r#"<script type="module">init()</script><script src="/a.js"></script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let expected = STANDARD.encode(Sha256::digest(b"init()"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
    }

    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(
            is_hashed_asset("/portal-web-4a94b813f3c0e7d6_bg.wasm")
                || is_hashed_asset("/portal-web-4a94b813f3c0e7d6.js")
        );
        assert!(is_hashed_asset("/style-7f546c9fde2c21d9.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/config.json"));
        assert!(!is_hashed_asset("/favicon.svg"));
        assert!(!is_hashed_asset("/subscriptions"));
        assert!(
            !is_hashed_asset("/a-0123456789abcdefg.js"),
            "17 characters is not a Trunk hash"
        );
    }

    fn served(config: &str) -> anyhow::Result<ServedConfig> {
        let dist = tempfile::tempdir()?;
        std::fs::write(dist.path().join("config.json"), config)?;
        ServedConfig::load(dist.path(), &Ancestors::default())
    }

    #[test]
    fn the_api_base_the_app_would_refuse_stops_the_server() {
        for bad in [
            r#"{"apiBase": 42}"#,
            r#"{"apiBase": "https://api.example/?x=1"}"#,
            r#"{"apiBase": "https://"}"#,
            r#"{"apiBase": "sandbox.useduro.com"}"#,
        ] {
            let problem = served(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(problem.contains("apiBase"), "{bad}: {problem:?}");
        }
        let config = served(r#"{"apiBase": "https://api.example/v1/"}"#).unwrap();
        assert_eq!(config.api_origin.as_deref(), Some("https://api.example"));
        assert_eq!(served("{}").unwrap().api_origin, None);
    }
}
