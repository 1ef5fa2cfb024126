//! The sign-in rules, each against a fresh server over real HTTP.

use crate::helpers::*;
use portal_server::Config;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn start_answers_the_normalized_address_and_mails_a_six_digit_code() {
    let app = spawn_app().await;
    let response = app.start("  Ada@Example.COM ").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "email": ADA })
    );
    let mails = app.wait_for_mails(ADA, 1).await;
    let code = mails[0]["code"].as_str().unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let subject = mails[0]["subject"].as_str().unwrap();
    assert!(
        subject.starts_with(code),
        "the code leads the subject for autofill: {subject}"
    );
    let body = mails[0]["body"].as_str().unwrap();
    assert!(
        body.contains(code)
            && body.contains("10 minutes")
            && body.contains("http://127.0.0.1:8080")
    );
}

#[tokio::test]
async fn on_any_free_port_without_a_public_url_the_mail_names_the_port_it_got() {
    let app =
        spawn_app_with(|config| config.public_url = Config::listening_url(config.listen)).await;
    assert_eq!(app.start(ADA).await.status(), StatusCode::OK);
    let mails = app.wait_for_mails(ADA, 1).await;
    let body = mails[0]["body"].as_str().unwrap();
    assert!(
        body.contains(&format!("Enter it at {} within", app.base)),
        "{body}"
    );
}

#[tokio::test]
async fn a_code_signs_in_and_returns_the_account_and_subscriptions() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    let response = app.verify(ADA, &code).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["account"],
        json!({ "email": ADA, "name": "Ada Lovelace" })
    );
    let token = body["sessionToken"].as_str().unwrap();
    assert!(token.len() >= 43, "256 bits in base64url");
    let merchants: Vec<&str> = body["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["merchantName"].as_str().unwrap())
        .collect();
    assert_eq!(
        merchants,
        [
            "FitHub Gyms",
            "Lagos Fresh Boxes",
            "Paperback Club",
            "Streamly"
        ]
    );
}

#[tokio::test]
async fn pasted_formats_of_the_code_are_accepted() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    let pasted: String = code
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let wide = char::from_u32(0xFF10 + c.to_digit(10).unwrap()).unwrap();
            if i == 3 {
                vec![' ', wide]
            } else {
                vec![wide]
            }
        })
        .collect();
    assert_eq!(app.verify(ADA, &pasted).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_code_works_once() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
    let (status, code_name, detail) = error_of(app.verify(ADA, &code).await).await;
    assert_eq!(
        (status, code_name.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
    );
    assert_eq!(detail, Some(("code".into(), "expired".into())));
}

#[tokio::test]
async fn a_used_code_says_it_has_expired_or_was_already_used() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
    let answer: Value = app.verify(ADA, &code).await.json().await.unwrap();
    // One answer for both, so a used code reveals nothing a stale one does not.
    assert_eq!(answer["error"]["details"][0]["issue"], "expired");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("expired or was already used"), "{message}");
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    app.advance(10 * 60);
    let (_, _, detail) = error_of(app.verify(ADA, &code).await).await;
    assert_eq!(detail, Some(("code".into(), "expired".into())));
    // A new code works.
    let code = app.request_code(ADA).await;
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_code_still_works_just_before_it_expires() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    app.advance(10 * 60 - 1);
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_code_says_how_many_tries_are_left() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    let response = app.verify(ADA, &wrong(&code)).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["details"][0]["issue"], "incorrect");
    assert_eq!(body["error"]["details"][0]["attemptsRemaining"], 4);
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn five_wrong_tries_kill_the_code() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    for attempt in 1..=5 {
        let (_, _, detail) = error_of(app.verify(ADA, &wrong(&code)).await).await;
        let expected = if attempt < 5 {
            "incorrect"
        } else {
            "attempts_exceeded"
        };
        assert_eq!(detail.unwrap().1, expected, "attempt {attempt}");
    }
    // The right code no longer works: the sixth guess is refused.
    let (_, _, detail) = error_of(app.verify(ADA, &code).await).await;
    assert_eq!(detail, Some(("code".into(), "attempts_exceeded".into())));
    // A new code does.
    let fresh = app.request_code(ADA).await;
    assert_eq!(app.verify(ADA, &fresh).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn eight_concurrent_correct_submissions_give_exactly_one_session() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    let answers = futures::future::join_all((0..8).map(|_| app.verify(ADA, &code))).await;
    let signed_in = answers
        .iter()
        .filter(|r| r.status() == StatusCode::OK)
        .count();
    assert_eq!(signed_in, 1);
}

#[tokio::test]
async fn fifty_concurrent_wrong_guesses_are_evaluated_at_most_five_times() {
    let app = spawn_app().await;
    let code = app.request_code(ADA).await;
    let guess = wrong(&code);
    let answers = futures::future::join_all((0..50).map(|_| app.verify(ADA, &guess))).await;
    let mut incorrect = 0;
    for answer in answers {
        let (status, _, detail) = error_of(answer).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        match detail.unwrap().1.as_str() {
            "incorrect" => incorrect += 1,
            "attempts_exceeded" => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        incorrect, 4,
        "tries 1-4 are told 'incorrect', the 5th kills the code"
    );
    let conn = rusqlite_open(&app);
    let (attempts, failures): (i64, i64) = conn
        .query_row(
            "SELECT c.attempts, f.consecutive FROM codes c JOIN sign_in_failures f USING (email)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (attempts, failures),
        (5, 5),
        "only five guesses were compared"
    );
}

fn rusqlite_open(app: &TestApp) -> r2d2_sqlite::rusqlite::Connection {
    r2d2_sqlite::rusqlite::Connection::open(app.database()).unwrap()
}

#[tokio::test]
async fn twenty_failures_across_codes_lock_the_address_with_a_growing_wait() {
    let app = spawn_app().await;
    for round in 0..4 {
        let code = app.request_code(ADA).await;
        for _ in 0..5 {
            let (status, _, _) = error_of(app.verify(ADA, &wrong(&code)).await).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "round {round}");
        }
        // A dead code is not live, so the next start issues a new one at once.
    }
    // 20 consecutive failures: locked, even with the right code.
    let code = app.request_code(ADA).await;
    let locked = app.verify(ADA, &code).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        wait > 0 && wait <= 30,
        "first lock is at most 30 s, got {wait}"
    );
    assert_eq!(error_of(locked).await.1, "rate_limited");

    // After the lock, a further failure locks again for longer.
    app.advance(30);
    assert_eq!(
        app.verify(ADA, &wrong(&code)).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let locked = app.verify(ADA, &code).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(wait, 60);

    // A success resets the count.
    app.advance(60);
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
    app.advance(3600); // past the hourly limit on codes: five were sent
    let code = app.request_code(ADA).await;
    let (_, _, detail) = error_of(app.verify(ADA, &wrong(&code)).await).await;
    assert_eq!(detail.unwrap().1, "incorrect", "no lock after a success");
}

#[tokio::test]
async fn start_inside_the_cooldown_sends_nothing_new() {
    let app = spawn_app().await;
    app.request_code(ADA).await;
    app.advance(30);
    let again = app.start(ADA).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(
        again.json::<Value>().await.unwrap(),
        json!({ "email": ADA })
    );
    // Make sure the first mail is all there is, after a later mail to someone else landed.
    app.request_code(BOB).await;
    assert_eq!(app.mails_to(ADA).await.len(), 1);
}

#[tokio::test]
async fn resend_mails_the_same_code_and_the_first_mail_still_works() {
    let app = spawn_app().await;
    let first = app.request_code(ADA).await;
    app.advance(5);
    assert_eq!(app.resend(ADA).await.status(), StatusCode::OK);
    let mails = app.wait_for_mails(ADA, 2).await;
    assert_eq!(mails[0]["code"], first.as_str());
    assert_eq!(app.verify(ADA, &first).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_sixth_code_in_an_hour_is_rate_limited_with_retry_after() {
    let app = spawn_app().await;
    app.request_code(ADA).await;
    for sent in 2..=5 {
        assert_eq!(
            app.resend(ADA).await.status(),
            StatusCode::OK,
            "send {sent}"
        );
    }
    let sixth = app.resend(ADA).await;
    assert_eq!(sixth.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: i64 = sixth.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((3500..=3600).contains(&wait), "{wait}");
    assert_eq!(error_of(sixth).await.1, "rate_limited");
    app.wait_for_mails(ADA, 5).await;
    // An hour later the window has moved on.
    app.advance(3600);
    assert_eq!(app.start(ADA).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn one_client_cannot_spray_many_addresses() {
    let app = spawn_app_with(|config| config.limits.starts_per_ip_per_hour = 3).await;
    for n in 0..3 {
        let response = app.start(&format!("person{n}@example.com")).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = app.start("person9@example.com").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_a_trusted_proxy() {
    // Untrusted: the header is ignored, so every request counts for the socket peer.
    let app = spawn_app_with(|config| config.limits.starts_per_ip_per_hour = 2).await;
    for n in 0..2 {
        let response = app
            .client
            .post(app.url("/portal/email/start"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({ "email": format!("p{n}@example.com") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let spoofed = app
        .client
        .post(app.url("/portal/email/start"))
        .header("x-forwarded-for", "203.0.113.99")
        .json(&json!({ "email": "p9@example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status(), StatusCode::TOO_MANY_REQUESTS);

    // Trusted: each forwarded client has its own allowance.
    let app = spawn_app_with(|config| {
        config.limits.starts_per_ip_per_hour = 2;
        config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for n in 0..4 {
        let response = app
            .client
            .post(app.url("/portal/email/start"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .json(&json!({ "email": format!("p{n}@example.com") }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answers_and_no_mail() {
    let app = spawn_app().await;
    let stranger = "nobody@example.com";
    let known = app.start(ADA).await;
    let unknown = app.start(stranger).await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({ "email": stranger })
    );
    app.wait_for_mails(ADA, 1).await;
    assert!(app.mails_to(stranger).await.is_empty());

    // Wrong codes, attempts exceeded and rate limits read the same, word for word.
    for _ in 0..5 {
        let a: Value = app.verify(ADA, "000000").await.json().await.unwrap();
        let b: Value = app.verify(stranger, "000000").await.json().await.unwrap();
        // A code of 000000 might be right for one of them; that is one in a million.
        assert_eq!(a, b);
    }
    for _ in 0..4 {
        app.resend(ADA).await;
        app.resend(stranger).await;
    }
    let a = app.resend(ADA).await;
    let b = app.resend(stranger).await;
    assert_eq!(a.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.status(), b.status());
    assert_eq!(a.headers()["retry-after"], b.headers()["retry-after"]);
    assert_eq!(
        a.json::<Value>().await.unwrap(),
        b.json::<Value>().await.unwrap()
    );
}

#[tokio::test]
async fn a_portal_link_token_prefills_the_address() {
    let app = spawn_app().await;
    let email = portal_core::Email::parse(ADA).unwrap();
    let token = app
        .secret
        .keys()
        .mint_link_token(&email, app.clock.now() + 3600);
    let response = app
        .post("/portal/email/start", json!({ "token": token }))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "email": ADA })
    );
    let code = app.newest_code(ADA, 1).await;
    // The token alone never signs in; with the code it does.
    let response = app
        .post(
            "/portal/email/verify",
            json!({ "token": token, "code": code }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_link_token_with_another_email_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let ada = portal_core::Email::parse(ADA).unwrap();
    let token = app
        .secret
        .keys()
        .mint_link_token(&ada, app.clock.now() + 3600);
    let mixed = app
        .post(
            "/portal/email/start",
            json!({ "token": token, "email": BOB }),
        )
        .await;
    let (status, code, detail) = error_of(mixed).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
    );
    assert_eq!(detail.map(|(path, _)| path).as_deref(), Some("email"));

    // The same address, however it is written, goes with its token.
    let agreeing = app
        .post(
            "/portal/email/start",
            json!({ "token": token, "email": " Ada@Example.COM " }),
        )
        .await;
    assert_eq!(agreeing.status(), StatusCode::OK);
    let code = app.newest_code(ADA, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(
        app.mails_to(ADA).await.len(),
        1,
        "the refused start mailed nobody"
    );
    assert!(app.mails_to(BOB).await.is_empty());

    // A wrong pairing at verify spends none of the owner's tries.
    let mixed = app
        .post(
            "/portal/email/verify",
            json!({ "token": token, "email": BOB, "code": wrong(&code) }),
        )
        .await;
    assert_eq!(
        error_of(mixed).await.2.map(|(path, _)| path).as_deref(),
        Some("email")
    );
    let guess: Value = app.verify(ADA, &wrong(&code)).await.json().await.unwrap();
    assert_eq!(guess["error"]["details"][0]["attemptsRemaining"], 4);
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn tampered_truncated_and_expired_tokens_are_refused() {
    let app = spawn_app().await;
    let email = portal_core::Email::parse(ADA).unwrap();
    let token = app
        .secret
        .keys()
        .mint_link_token(&email, app.clock.now() + 60);
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 10;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let other_server = portal_server::crypto::Secret::generate()
        .keys()
        .mint_link_token(&email, app.clock.now() + 60);
    for (bad, issue) in [
        (tampered, "invalid"),
        (token[..token.len() / 2].to_string(), "invalid"),
        ("!!!".to_string(), "malformed"),
        (other_server, "invalid"),
    ] {
        let response = app
            .post("/portal/email/start", json!({ "token": bad }))
            .await;
        let (status, code, detail) = error_of(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "validation_error")
        );
        assert_eq!(detail, Some(("token".into(), issue.into())));
    }
    app.advance(60);
    let response = app
        .post("/portal/email/start", json!({ "token": token }))
        .await;
    assert_eq!(
        error_of(response).await.2,
        Some(("token".into(), "expired".into()))
    );
    assert!(app.mails_to(ADA).await.is_empty());
}

#[tokio::test]
async fn sessions_end_after_thirty_idle_minutes() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    app.advance(29 * 60);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    app.advance(29 * 60);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    app.advance(30 * 60);
    let (status, code, _) = error_of(
        app.get_with_session("/portal/email/subscriptions", &token)
            .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
}

#[tokio::test]
async fn a_session_is_written_at_most_once_a_minute_and_its_idle_limit_holds() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let last_seen = || {
        rusqlite_open(&app)
            .query_row("SELECT last_seen_at FROM sessions", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
    };
    let signed_in_at = last_seen();
    app.advance(59);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    assert_eq!(
        last_seen(),
        signed_in_at,
        "a call within the minute only reads"
    );
    app.advance(1);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    assert_eq!(
        last_seen(),
        signed_in_at + 60,
        "a minute on, the idle time is written"
    );
    // Idle from the last write: 30 minutes later it has ended.
    app.advance(30 * 60);
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sessions_end_after_twelve_hours_even_when_active() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    for _ in 0..(12 * 60 / 20 - 1) {
        app.advance(20 * 60);
        assert_eq!(
            app.session_status("/portal/email/cards", &token).await,
            StatusCode::OK
        );
    }
    app.advance(20 * 60);
    assert_eq!(
        app.session_status("/portal/email/cards", &token).await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn signout_revokes_the_session_and_is_idempotent() {
    let app = spawn_app().await;
    let token = app.sign_in(ADA).await;
    let response = app
        .post_with_session("/portal/email/signout", &token, None)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("clear-site-data"));
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "ok": true })
    );
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::UNAUTHORIZED
    );
    let again = app
        .post_with_session("/portal/email/signout", &token, None)
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    let without = app
        .client
        .post(app.url("/portal/email/signout"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::OK);
}

#[tokio::test]
async fn codes_sessions_and_limits_survive_a_restart() {
    let mut app = spawn_app().await;
    let token = app.sign_in(BOB).await;
    let code = app.request_code(ADA).await;
    for _ in 0..4 {
        app.resend(ADA).await;
    }
    app.restart().await;
    assert_eq!(
        app.session_status("/portal/email/subscriptions", &token)
            .await,
        StatusCode::OK
    );
    assert_eq!(
        app.resend(ADA).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "hourly limit still holds"
    );
    assert_eq!(app.verify(ADA, &code).await.status(), StatusCode::OK);
}
