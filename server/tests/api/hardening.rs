//! The edges an attacker reaches first: dev features only on purpose, and
//! connections that cannot be held open by sending slowly.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;
use portal_server::crypto::Secret;
use portal_server::{Application, Clock, Config};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn refusal(adjust: impl FnOnce(&mut Config)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), Secret::generate());
    adjust(&mut config);
    match Application::spawn(config, Clock::frozen(1_800_000_000)).await {
        Ok(_) => panic!("the server started"),
        Err(error) => format!("{error:#}"),
    }
}

#[tokio::test]
async fn without_smtp_or_dev_the_server_refuses_to_start_and_says_what_to_configure() {
    let message = refusal(|config| {
        config.dev = false;
        config.dev_clock = false;
    })
    .await;
    assert!(message.contains("--smtp-url"), "{message}");
    assert!(message.contains("--dev"), "{message}");
}

#[tokio::test]
async fn dev_mode_is_refused_on_an_address_other_machines_can_reach() {
    let message = refusal(|config| config.listen = "0.0.0.0:0".parse().unwrap()).await;
    assert!(message.contains("loopback"), "{message}");
    let message = refusal(|config| config.listen = "[::]:0".parse().unwrap()).await;
    assert!(message.contains("loopback"), "{message}");
}

#[tokio::test]
async fn the_dev_clock_needs_dev_mode() {
    let message = refusal(|config| {
        mail_by_smtp(config, "smtp://127.0.0.1:9");
        config.dev_clock = true;
    })
    .await;
    assert!(message.contains("--dev-clock needs --dev"), "{message}");
}

#[tokio::test]
async fn dev_mode_and_smtp_together_are_refused() {
    let message = refusal(|config| config.smtp_url = Some("smtp://127.0.0.1:9".into())).await;
    assert!(message.contains("Choose one"), "{message}");
}

/// The binary as an operator runs it: it must stop at once with the reason.
fn serve_refuses(args: &[&str], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("portal.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal-server"))
        .arg("serve")
        .args(["--database", database.to_str().unwrap(), "--api-only"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("portal-server {args:?} kept running");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "{args:?} exited successfully");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains(expected), "{args:?} said: {said}");
}

#[test]
fn the_binary_refuses_an_open_dev_door_with_a_clear_reason() {
    serve_refuses(&["--listen", "127.0.0.1:0"], "no way to send sign-in codes");
    serve_refuses(&["--dev", "--listen", "0.0.0.0:0"], "loopback");
    serve_refuses(
        &["--dev-clock", "--smtp-url", "smtp://127.0.0.1:9"],
        "--dev",
    );
}

#[tokio::test]
async fn with_mail_by_smtp_there_is_no_outbox_and_no_dev_clock() {
    let app = spawn_app_with(|config| mail_by_smtp(config, "smtp://127.0.0.1:9")).await;
    assert_eq!(app.get("/dev/outbox").await.status(), StatusCode::NOT_FOUND);
    let advanced = app
        .post(
            "/dev/clock/advance",
            serde_json::json!({ "seconds": 43200 }),
        )
        .await;
    assert_ne!(advanced.status(), StatusCode::OK);
}

/// Opens a connection and sends part of a request, then nothing.
async fn half_sent(base: &str, part: &str) -> TcpStream {
    let mut stream = TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    stream.write_all(part.as_bytes()).await.unwrap();
    stream
}

/// What the server sends before it closes the connection; fails if it keeps
/// the connection open longer than `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> String {
    let mut answer = Vec::new();
    match tokio::time::timeout(within, stream.read_to_end(&mut answer)).await {
        Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
        Err(_) => panic!("the server kept a stalled connection open past {within:?}"),
    }
}

#[tokio::test]
async fn slow_and_half_sent_requests_cannot_hold_the_server() {
    let app = spawn_app_with(|config| {
        config.connections.header_timeout = Duration::from_millis(500);
        config.connections.body_timeout = Duration::from_millis(500);
        config.connections.max_connections = 4;
    })
    .await;
    // Every slot taken: two requests whose headers never end, one whose body
    // never comes, and one kept-alive connection left idle after a request.
    let mut stalled = vec![
        half_sent(&app.base, "GET /healthz HTTP/1.1\r\nHost: x\r\n").await,
        half_sent(&app.base, "GET /healthz HTTP/1.1\r\nX-Slow: 1").await,
        half_sent(
            &app.base,
            "POST /portal/email/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .await,
    ];
    let mut idle = half_sent(&app.base, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    stalled.push(idle);

    // Someone else is still answered: the slots free as the timeouts end.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let answered = client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("answered while four connections stall");
    assert_eq!(answered.status(), StatusCode::OK);

    for (i, stream) in stalled.iter_mut().enumerate() {
        let said = closed_within(stream, Duration::from_secs(3)).await;
        if i == 2 {
            // The body that never came: an answer, in the API's envelope.
            assert!(said.starts_with("HTTP/1.1 4"), "{said}");
            assert!(said.contains("did not arrive in time"), "{said}");
        }
    }
    // And the server is whole afterwards.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

const OWNER: &str = "198.51.100.1";
const STRANGER: &str = "203.0.113.66";

/// A server behind a trusted proxy, so each test client has its own address.
async fn behind_a_proxy() -> TestApp {
    spawn_app_with(|config| config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await
}

async fn post_from(app: &TestApp, client: &str, path: &str, body: serde_json::Value) -> StatusCode {
    app.client
        .post(app.url(path))
        .header("x-forwarded-for", client)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

/// Asks for a code from `client`, as `request_code` does from no address in particular.
async fn request_code_from(app: &TestApp, client: &str, start: serde_json::Value) -> String {
    let email = start["email"].as_str().unwrap().to_string();
    let before = app.mails_to(&email).await.len();
    assert_eq!(
        post_from(app, client, "/portal/email/start", start).await,
        StatusCode::OK
    );
    app.newest_code(&email, before + 1).await
}

#[tokio::test]
async fn a_strangers_wrong_codes_lock_out_the_stranger_not_the_owner() {
    let app = behind_a_proxy().await;
    let start = serde_json::json!({ "email": ADA, "resend": true });
    let guess = serde_json::json!({ "email": ADA, "code": "000000" });
    // Four codes, each tried five times: twenty failures from one client.
    for _ in 0..4 {
        assert_eq!(
            post_from(&app, STRANGER, "/portal/email/start", start.clone()).await,
            StatusCode::OK
        );
        for _ in 0..5 {
            post_from(&app, STRANGER, "/portal/email/verify", guess.clone()).await;
        }
    }
    assert_eq!(
        post_from(&app, STRANGER, "/portal/email/verify", guess.clone()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the stranger is locked"
    );
    // The owner, from their own address, asks for a code and signs in.
    let code = request_code_from(&app, OWNER, start).await;
    let verified = post_from(
        &app,
        OWNER,
        "/portal/email/verify",
        serde_json::json!({ "email": ADA, "code": code }),
    )
    .await;
    assert_eq!(verified, StatusCode::OK);
}

#[tokio::test]
async fn a_stranger_cannot_use_up_the_owners_hourly_codes() {
    let app = behind_a_proxy().await;
    let resend = serde_json::json!({ "email": ADA, "resend": true });
    for _ in 0..5 {
        assert_eq!(
            post_from(&app, STRANGER, "/portal/email/start", resend.clone()).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        post_from(&app, STRANGER, "/portal/email/start", resend.clone()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post_from(&app, OWNER, "/portal/email/start", resend.clone()).await,
        StatusCode::OK
    );
    // All clients together still meet a ceiling: 20 codes an hour to one address.
    for n in 0..14 {
        let client = format!("192.0.2.{n}");
        assert_eq!(
            post_from(&app, &client, "/portal/email/start", resend.clone()).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        post_from(&app, "192.0.2.200", "/portal/email/start", resend).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_forwarded_entry_with_a_port_counts_as_its_address_not_the_one_before_it() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.limits.starts_per_ip_per_hour = 2;
    })
    .await;
    // The attacker varies the part they control; the proxy appended the real address.
    third_start_is_refused(&app, "p", |n| format!("6.6.6.{n}, 192.0.2.10:5555")).await;
    // And one IPv6 /64 is one client.
    third_start_is_refused(&app, "q", |n| format!("2001:db8:1:2::{n:x}")).await;
}

/// Starts for three new addresses from `client(n)`: with two starts an hour per
/// client, the third is refused when all three count as one client.
async fn third_start_is_refused(app: &TestApp, prefix: &str, client: impl Fn(u32) -> String) {
    for n in 0..3 {
        let status = post_from(
            app,
            &client(n),
            "/portal/email/start",
            serde_json::json!({ "email": format!("{prefix}{n}@example.com") }),
        )
        .await;
        let expected = if n < 2 {
            StatusCode::OK
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(status, expected, "start {n} from {}", client(n));
    }
}

#[tokio::test]
async fn a_request_id_is_kept_only_when_short_and_plain() {
    let app = spawn_app().await;
    let id_for = |sent: &'static str| {
        let request = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", sent);
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(id_for("proxy-7f3a.b_2").await, "proxy-7f3a.b_2");
    for unsafe_id in [
        "a\" level=ERROR msg=\"forged",
        "id with spaces",
        "%0aforged",
        "x-very-long-id-that-goes-on-and-on-and-on-past-sixty-four-characters-in-all",
    ] {
        let id = id_for(unsafe_id).await;
        assert_ne!(id, unsafe_id);
        assert_eq!(id.len(), 16, "the server's own hex id: {id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    }
}

#[tokio::test]
async fn a_clock_set_back_never_lengthens_a_code_or_a_session() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let code = app.request_code(BOB).await;
    // An NTP step of a few seconds changes nothing.
    app.advance(-30);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    // Set back by two hours: what was made "in the future" has ended.
    app.advance(-2 * 3600);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::UNAUTHORIZED
    );
    let (status, _, detail) = error_of(app.verify(BOB, &code).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail.unwrap().1, "expired");
}

#[tokio::test]
async fn a_path_that_does_not_decode_is_refused_in_the_api_envelope() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let response = app
        .post_with_session(
            "/portal/email/subscriptions/live/%FF%FE/pause",
            &token,
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let (_, code, _) = error_of(response).await;
    assert_eq!(code, "bad_request");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_in_the_envelope_and_the_server_goes_on() {
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    // The server's own boundary layers around a route that panics.
    let app = portal_server::app::boundary(
        axum::Router::new()
            .route(
                "/boom",
                get(|| async {
                    if std::hint::black_box(true) {
                        panic!("boom");
                    }
                    "not reached"
                }),
            )
            .route("/fine", get(|| async { "fine" })),
    );
    let get = |path: &str| Request::get(path).body(Body::empty()).unwrap();
    let response = app.clone().oneshot(get("/boom")).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(response.headers().contains_key("x-request-id"));
    let body = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["error"]["code"], "internal_error");
    assert!(
        !body.to_string().contains("boom"),
        "the panic's message stays in the log"
    );
    let after = app.oneshot(get("/fine")).await.unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_stranger_on_one_client_running_every_route_cannot_keep_the_owner_out() {
    let app = behind_a_proxy().await;
    let start = serde_json::json!({ "email": ADA });
    let resend = serde_json::json!({ "email": ADA, "resend": true });
    let guess = serde_json::json!({ "email": ADA, "code": "000000" });
    // The owner asks for a code.
    let code = request_code_from(&app, OWNER, start).await;
    // The stranger uses up their codes for the hour, spends every try they
    // have at the live code, and goes on guessing.
    let mut starts = Vec::new();
    for _ in 0..6 {
        starts.push(post_from(&app, STRANGER, "/portal/email/start", resend.clone()).await);
    }
    assert_eq!(
        starts.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{starts:?}"
    );
    for _ in 0..30 {
        post_from(&app, STRANGER, "/portal/email/verify", guess.clone()).await;
    }
    // The owner signs in with the mail's code at once.
    let verified = app
        .client
        .post(app.url("/portal/email/verify"))
        .header("x-forwarded-for", OWNER)
        .json(&serde_json::json!({ "email": ADA, "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), StatusCode::OK);
}

fn sign_in_rows(app: &TestApp) -> i64 {
    let conn = rusqlite::Connection::open(app.database()).unwrap();
    [
        "codes",
        "code_attempts",
        "sessions",
        "sign_in_failures",
        "code_sends",
        "ip_starts",
        "client_failures",
    ]
    .iter()
    .map(|table| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get::<_, i64>(0)
        })
        .unwrap()
    })
    .sum()
}

#[tokio::test]
async fn under_steady_traffic_the_sign_in_tables_stop_growing() {
    let app = spawn_app().await;
    let limits = app.app.as_ref().unwrap().state.config.limits.clone();
    for day in 0..4 {
        // A day's traffic: codes for strangers, wrong guesses, a sign-in.
        for n in 0..5 {
            let email = format!("p{day}-{n}@example.com");
            assert_eq!(app.start(&email).await.status(), StatusCode::OK);
            app.verify(&email, "000000").await;
        }
        app.sign_in(ADA).await;
        assert!(sign_in_rows(&app) > 0, "the day left rows");
        app.advance(25 * 3600);
        let (limits, now) = (limits.clone(), app.clock.now());
        app.store()
            .write(move |conn| portal_server::signin::sweep(conn, &limits, now))
            .await
            .unwrap();
        assert_eq!(sign_in_rows(&app), 0, "day {day}: what ended is gone");
    }
}

#[tokio::test]
async fn an_action_with_a_null_body_is_an_action_without_options() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let cancelled = app
        .post_with_session(
            "/portal/email/subscriptions/live/sub_ada_active/cancel",
            &token,
            Some(serde_json::Value::Null),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let body: serde_json::Value = cancelled.json().await.unwrap();
    assert_eq!(
        body["cancelAtPeriodEnd"], true,
        "the default: at the period's end"
    );
}

#[tokio::test]
async fn one_client_guessing_across_many_addresses_meets_an_hourly_limit() {
    let app = spawn_app_with(|config| {
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.limits.verify_failures_per_client_per_hour = 10;
    })
    .await;
    // Two addresses, five wrong codes each: ten failures from the stranger.
    for n in 0..3 {
        let email = format!("victim{n}@example.com");
        let start = serde_json::json!({ "email": email });
        assert_eq!(
            post_from(&app, STRANGER, "/portal/email/start", start).await,
            StatusCode::OK
        );
        let guess = serde_json::json!({ "email": email, "code": "000000" });
        let answer = post_from(&app, STRANGER, "/portal/email/verify", guess).await;
        let expected = if n < 2 {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(answer, expected, "address {n}");
        if n < 2 {
            for _ in 0..4 {
                let guess = serde_json::json!({ "email": email, "code": "000000" });
                post_from(&app, STRANGER, "/portal/email/verify", guess).await;
            }
        }
    }
    // Others are not affected, and the hour passes.
    let code = app.request_code(ADA).await;
    let owner = post_from(
        &app,
        OWNER,
        "/portal/email/verify",
        serde_json::json!({ "email": ADA, "code": code }),
    )
    .await;
    assert_eq!(owner, StatusCode::OK);
    app.advance(3601);
    let email = "victim9@example.com";
    assert_eq!(
        post_from(
            &app,
            STRANGER,
            "/portal/email/start",
            serde_json::json!({ "email": email })
        )
        .await,
        StatusCode::OK
    );
    let guess = serde_json::json!({ "email": email, "code": "000000" });
    assert_eq!(
        post_from(&app, STRANGER, "/portal/email/verify", guess).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn frame_ancestors_hold_only_origins_so_they_cannot_rewrite_the_policy() {
    // The same list core's tests and the app read (embed.json).
    for bad in portal_vectors::embed().refused {
        let message = refusal(|config| config.frame_ancestors = bad.clone()).await;
        assert!(message.contains("--frame-ancestors"), "{bad}: {message}");
    }
    let app = spawn_app_with(|config| {
        config.frame_ancestors =
            "'self' https://shop.example.com https://*.example.org:8443 http://localhost:3000"
                .into()
    })
    .await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_error_names_the_field_and_never_repeats_what_was_sent() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/portal/email/start",
            serde_json::json!({ "email": "ada@example.com", "resend": "<script>x</script>" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.unwrap();
    assert!(body.contains("resend"), "{body}");
    assert!(!body.contains("script"), "the value came back: {body}");
}
