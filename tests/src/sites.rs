//! Other sites for the embedding scenarios: a merchant's page that embeds the
//! portal with embed.js, and a plain static host that serves the built app
//! without any security header (a host that forgot `frame-ancestors`). Each
//! listens on 127.0.0.1 port 0; the merchant is reached as `localhost`, so it
//! is another site than the portal at 127.0.0.1 and storage partitioning applies.
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Result;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tokio::task::JoinHandle;
use tower_http::services::{ServeDir, ServeFile};

/// A site running until dropped.
pub struct Site {
    pub port: u16,
    task: JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(router: Router) -> Result<Site> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(Site { port, task })
}

/// What the merchant's page is asked to embed.
#[derive(serde::Deserialize)]
struct PageQuery {
    /// The portal's origin, where embed.js comes from.
    portal: String,
    token: Option<String>,
    theme: Option<String>,
    /// Adds a frame from another origin that posts forged messages.
    forger: Option<String>,
}

/// The merchant's account page: its own heading and text, the portal's element
/// and script, and a record of every message and event the page receives
/// (`window.__messages`, `window.__events`) for the test to read.
async fn merchant_page(Query(page): Query<PageQuery>) -> Html<String> {
    let attr = |name: &str, value: &Option<String>| {
        value
            .as_ref()
            .map(|v| format!(" data-{name}=\"{v}\""))
            .unwrap_or_default()
    };
    let forger = page
        .forger
        .as_ref()
        .map(|origin| {
            format!(
                "<iframe src=\"{origin}/forger\" title=\"Offers\" style=\"width:100%;height:60px;border:0\"></iframe>"
            )
        })
        .unwrap_or_default();
    Html(format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Coffee: your account</title>
<style>
  body {{ margin: 0; font-family: system-ui, sans-serif; background: #faf7f2; color: #2b2118; }}
  header {{ background: #3b2a1e; color: #fff; padding: 1rem 1.5rem; }}
  main {{ max-width: 48rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }}
  footer {{ padding: 1rem 1.5rem; border-top: 1px solid #e2d9cc; }}
</style>
</head>
<body>
<header><p><strong>Acme Coffee</strong></p></header>
<main>
<h1>Your account</h1>
<p>Manage the subscriptions you hold with us and other shops below.</p>
<div data-duro-portal{token}{theme}></div>
{forger}
</main>
<footer><p>Acme Coffee, 1 Bean Street</p></footer>
<script>
  window.__messages = [];
  window.__events = [];
  addEventListener('message', (e) => window.__messages.push({{ origin: e.origin, data: e.data }}));
  for (const type of ['ready', 'signed-in', 'signed-out', 'subscription-changed']) {{
    document.addEventListener('duro-portal:' + type, (e) => window.__events.push({{ type, detail: e.detail }}));
  }}
</script>
<script src="{portal}/embed.js"></script>
</body>
</html>"#,
        token = attr("token", &page.token),
        theme = attr("theme", &page.theme),
        portal = page.portal,
    ))
}

/// A page from another origin, framed beside the portal, that sends the portal
/// what only its parent may (an init with a token and a theme) and sends the
/// merchant's page what only the portal may (its events), again and again.
async fn forger_page(State(portal): State<String>) -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Offers</title></head>
<body><p>Offers</p><script>
  const forge = () => {{
    for (const frame of Array.from({{ length: parent.frames.length }}, (_, i) => parent.frames[i])) {{
      if (frame === window) continue;
      frame.postMessage({{ source: 'duro-portal-host', type: 'init', theme: 'dark', token: 'forged.token' }}, '*');
      frame.postMessage({{ source: 'duro-portal-host', type: 'init', theme: 'dark' }}, '{portal}');
    }}
    parent.postMessage({{ source: 'duro-portal', type: 'signed-out' }}, '*');
    parent.postMessage({{ source: 'duro-portal', type: 'height', height: 5 }}, '*');
    window.__forged = (window.__forged || 0) + 1;
  }};
  forge();
  setInterval(forge, 300);
</script></body></html>"#
    ))
}

/// A page that throws once it has loaded (after the harness has looked at it),
/// and leaves a promise rejected: what a crash looks like to the suite.
async fn broken_page() -> Html<&'static str> {
    Html(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Broken</title></head>
<body><p>Broken</p><script>
  setTimeout(() => { throw new Error('planted by the suite'); }, 400);
  setTimeout(() => { Promise.reject(new Error('planted rejection')); }, 400);
</script></body></html>"#,
    )
}

/// The merchant's site. `portal` is the origin its forger targets.
pub async fn merchant(portal: &str) -> Result<Site> {
    serve(
        Router::new()
            .route("/", get(merchant_page))
            .route("/broken", get(broken_page))
            .route("/forger", get(forger_page))
            .with_state(portal.to_string()),
    )
    .await
}

/// The built app on a plain static host, with no Content-Security-Policy, and
/// its `config.json` replaced by `config`.
pub async fn static_host(dist: PathBuf, config: serde_json::Value) -> Result<Site> {
    static_host_without(dist, config, None).await
}

/// The same host, answering 404 for files whose name ends with `missing` (a
/// deploy that lost a file, or a network that cut it off).
pub async fn static_host_without(
    dist: PathBuf,
    config: serde_json::Value,
    missing: Option<&'static str>,
) -> Result<Site> {
    let (site, _always) = static_host_cutting(dist, config, move |path| {
        missing.is_some_and(|missing| path.ends_with(missing))
    })
    .await?;
    Ok(site)
}

/// The same host, answering 404 for the paths `cut` picks while the switch it
/// returns is on (it starts on): a file the network lost once, then came back.
pub async fn static_host_cutting(
    dist: PathBuf,
    config: serde_json::Value,
    cut: impl Fn(&str) -> bool + Clone + Send + Sync + 'static,
) -> Result<(Site, Arc<AtomicBool>)> {
    let body = config.to_string();
    let files = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    let cutting = Arc::new(AtomicBool::new(true));
    let switch = Arc::clone(&cutting);
    let router = Router::new()
        .route(
            "/config.json",
            get(move || async move { ([("content-type", "application/json")], body) }),
        )
        .fallback_service(files)
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let cut = cut.clone();
                let cutting = Arc::clone(&cutting);
                async move {
                    if cutting.load(Ordering::SeqCst) && cut(request.uri().path()) {
                        return axum::http::StatusCode::NOT_FOUND.into_response();
                    }
                    next.run(request).await
                }
            },
        ));
    Ok((serve(router).await?, switch))
}
