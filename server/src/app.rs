//! The router and a running server that tests can start on port 0 and stop.
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Method, Request};
use axum::routing::{any, delete, get, post};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use portal_core::api::SESSION_HEADER;
use portal_core::paths;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tower::util::MapRequestLayer;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::crypto::random_bytes;
use crate::latency::{record_latency, Latency};
use crate::mail::{MailMetrics, Mailer};
use crate::routes::{self, auth, billing, dev, links, portal, wallet};
use crate::state::{AppState, Config, ConnectionLimits};
use crate::store::Store;
use crate::web_app::{self, AppHeaders, ServedConfig};

#[derive(Clone, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id: String = random_bytes::<8>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

pub fn build_state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    let store = Store::open(&config.database)?;
    let mailer = Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        &config.public_url,
    )?;
    Ok(AppState {
        keys: config.secret.keys(),
        config: Arc::new(config),
        store,
        clock,
        mailer,
        metrics: Arc::new(MailMetrics::default()),
        latency: Latency::default(),
        processor: Arc::new(crate::billing::TestProcessor),
    })
}

pub fn router(state: AppState) -> anyhow::Result<Router> {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.config.allow_origins.clone()))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static(SESSION_HEADER),
            HeaderName::from_static(paths::IDEMPOTENCY_HEADER),
        ])
        .expose_headers([header::RETRY_AFTER]);

    let api = Router::new()
        .route(paths::START, post(auth::email_start))
        .route(paths::VERIFY, post(auth::email_verify))
        .route(paths::SIGNOUT, post(auth::email_signout))
        .route(paths::SUBSCRIPTIONS, get(portal::subscriptions))
        .route(
            paths::SUBSCRIPTION_ACTION,
            post(portal::subscription_action),
        )
        .route(paths::CARDS, get(portal::cards))
        .route(paths::WALLET, get(portal::wallet))
        .route(paths::INVOICES, get(billing::invoices))
        .route(paths::RETRY, post(billing::retry))
        .route(paths::CARD_DEFAULT, post(billing::card_default))
        .route(paths::CARD, delete(billing::remove_card))
        .route(paths::WALLET_TOPUP, post(wallet::topup))
        .route(paths::PORTAL_LINKS, post(links::create))
        // Everything above is timed per route; the dev and catch-all routes below are not.
        .route_layer(axum::middleware::from_fn_with_state(
            state.latency.clone(),
            record_latency,
        ))
        .route(
            crate::wallet::CHECKOUT_PATH,
            get(wallet::checkout_page).post(wallet::checkout_pay),
        )
        .route("/dev/outbox", get(dev::dev_outbox))
        .route("/dev/clock/advance", post(dev::dev_clock_advance))
        .route("/dev/latency", get(dev::dev_latency))
        .route("/dev/latency/reset", post(dev::dev_latency_reset))
        .route("/healthz", get(routes::healthz))
        .route("/openapi.json", get(crate::openapi::openapi_json))
        .route("/portal/{*rest}", any(routes::api_not_found))
        .route("/dev/{*rest}", any(routes::api_not_found))
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn(web_app::api_headers))
        .layer(cors)
        .with_state(state.clone());

    let app = match &state.config.dist {
        Some(dist) => {
            let ancestors = crate::state::frame_ancestors(&state.config.frame_ancestors)?;
            let config = ServedConfig::load(dist, &ancestors)?;
            let headers = AppHeaders::new(dist, &ancestors, config.api_origin.as_slice())?;
            let files = ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(ServeFile::new(dist.join("index.html")));
            let config = config.body;
            Router::new()
                // Built beside the app, served with this server's embedOrigins.
                .route(
                    "/config.json",
                    get(move || async move {
                        ([(header::CONTENT_TYPE, "application/json")], config)
                    }),
                )
                .fallback_service(files)
                .layer(axum::middleware::from_fn_with_state(
                    headers.csp,
                    web_app::app_headers,
                ))
        }
        None => Router::new().fallback(routes::api_not_found),
    };

    Ok(boundary(api.merge(app)))
}

/// What every request passes through, outside the routes: a panic becomes the
/// API's 500, internal errors are logged with the request's id, and every
/// request gets the server's own id.
pub fn boundary(routes: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    routes
        .layer(CatchPanicLayer::custom(crate::error::panic_answer))
        // Inside the trace span, so an internal error's log line carries the request id.
        .layer(axum::middleware::from_fn(crate::error::log_internal_errors))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
        // A client's (or proxy's) id is kept only when short and plain, so it
        // can tie log lines together but never forge one; else the server's own.
        .layer(MapRequestLayer::new(|mut request: Request<axum::body::Body>| {
            let safe = request
                .headers()
                .get("x-request-id")
                .is_some_and(|id| is_safe_request_id(id.as_bytes()));
            if !safe {
                request.headers_mut().remove("x-request-id");
            }
            request
        }))
}

/// At most 64 characters of letters, digits, `-`, `_` and `.`.
pub fn is_safe_request_id(id: &[u8]) -> bool {
    (1..=64).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A server bound to its port and serving in the background.
pub struct Application {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    sweeper: tokio::task::JoinHandle<()>,
}

impl Application {
    pub async fn spawn(config: Config, clock: Clock) -> anyhow::Result<Application> {
        config.check()?;
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let mut config = config;
        // Mails and links name the public URL: with none given and any free port
        // asked for, it is the port the system gave, not ":0".
        if config.listen.port() == 0 && config.public_url == Config::listening_url(config.listen) {
            config.public_url = Config::listening_url(addr);
        }
        let limits = config.connections.clone();
        let state = build_state(config, clock)?;
        let app = router(state.clone())?.layer(RequestBodyTimeoutLayer::new(limits.body_timeout));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app, limits, stopped));
        let sweeper = tokio::spawn(sweep_on_schedule(state.clone()));
        Ok(Application {
            addr,
            state,
            stop,
            server,
            sweeper,
        })
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.sweeper.abort();
        let _ = self.stop.send(());
        self.server.await??;
        Ok(())
    }

    /// Serves until SIGINT or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(self) -> anyhow::Result<()> {
        shutdown_signal().await;
        tracing::info!("shutting down");
        self.stop().await
    }
}

/// How often expired codes, ended sessions and old failures are deleted.
const SWEEP_EVERY: Duration = Duration::from_secs(10 * 60);

async fn sweep_on_schedule(state: AppState) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let (limits, now) = (state.config.limits.clone(), state.clock.now());
        let swept = state
            .store
            .write(move |conn| crate::signin::sweep(conn, &limits, now))
            .await;
        match swept {
            Ok(deleted) => tracing::debug!(deleted, "swept expired sign-in rows"),
            Err(error) => tracing::warn!(%error, "sweeping expired sign-in rows failed"),
        }
    }
}

/// axum::serve with the limits it does not offer: a header (and keep-alive
/// idle) timeout and a cap on open connections, each connection HTTP/1.1.
async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    loop {
        // At the cap, stop accepting: further connections wait in the kernel's
        // backlog until a slot frees (the timeouts bound how long that takes).
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut stopped => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it
                    // was taken: wait a little rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        // Without it, Nagle's algorithm holds a small answer's second write until
        // the client acknowledges the first, which clients delay ~40 ms.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "TCP_NODELAY could not be set on a connection");
        }
        let service = app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout);
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %remote, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    // Requests in flight finish; idle connections close now.
    graceful.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
