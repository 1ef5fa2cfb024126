//! The sign-in flow and the subscriptions view in headless Chromium, with the
//! network replaced at the API-client boundary (the real one runs in the e2e suite).
#![cfg(target_arch = "wasm32")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use leptos_router::components::Router;
use portal_core::api::{PortalMerchantGroup, VerifyResponse};
use portal_web::api::{ApiClient, HttpRequest, HttpResponse, NetworkError};
use portal_web::session;
use portal_web::{AppContext, CodeStep, SubscriptionsPage};
use serde_json::{json, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Answers requests from a script and remembers what was asked.
#[derive(Clone, Default)]
struct FakeServer {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
    answers: Arc<Mutex<VecDeque<Result<HttpResponse, NetworkError>>>>,
}

impl FakeServer {
    fn answer(&self, status: u16, body: Value) {
        self.answer_with_wait(status, body, None);
    }

    fn answer_with_wait(&self, status: u16, body: Value, retry_after: Option<u64>) {
        self.answers.lock().unwrap().push_back(Ok(HttpResponse {
            status,
            retry_after,
            body: body.to_string(),
        }));
    }

    fn go_offline_once(&self) {
        self.answers.lock().unwrap().push_back(Err(NetworkError));
    }

    fn client(&self) -> ApiClient {
        let server = self.clone();
        ApiClient::with_transport(Arc::new(move |request| {
            server.requests.lock().unwrap().push(request);
            let answer = server
                .answers
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Err(NetworkError));
            Box::pin(async move { answer })
        }))
    }

    fn requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().unwrap().clone()
    }

    fn bodies(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter_map(|r| r.body.as_deref())
            .map(|b| serde_json::from_str(b).unwrap())
            .collect()
    }
}

fn wrong_code(remaining: u32) -> Value {
    json!({"error": {"code": "validation_error", "message": "Wrong",
        "details": [{"path": "code", "issue": "incorrect", "attemptsRemaining": remaining}]}})
}

fn code_issue(issue: &str) -> Value {
    json!({"error": {"code": "validation_error", "message": "No", "details": [{"path": "code", "issue": issue}]}})
}

fn signed_in_answer() -> Value {
    json!({"sessionToken": "tok_1", "account": {"email": "ada@example.com", "name": "Ada"},
        "subscriptions": []})
}

struct Page {
    root: web_sys::Element,
    context: AppContext,
    server: FakeServer,
    signed_in: Arc<Mutex<Vec<VerifyResponse>>>,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

impl Page {
    fn mount(
        server: FakeServer,
        view: impl Fn(&AppContext, Arc<Mutex<Vec<VerifyResponse>>>) -> AnyView
            + Clone
            + Send
            + Sync
            + 'static,
    ) -> Page {
        session::clear();
        let document = document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let context = AppContext::new(server.client(), None);
        context.tick(1_000_000.0);
        let signed_in = Arc::new(Mutex::new(Vec::new()));
        let (ctx, sink) = (context.clone(), signed_in.clone());
        let handle = mount_to(root.clone().unchecked_into(), move || {
            provide_context(ctx.clone());
            let (ctx, sink, view) = (ctx.clone(), sink.clone(), view.clone());
            // Built inside the Router's children, so routing hooks find their Router.
            view! { <Router>{view(&ctx, sink)}</Router> }.into_any()
        });
        Page {
            root,
            context,
            server,
            signed_in,
            _handle: handle,
        }
    }

    fn code_step(server: FakeServer) -> Page {
        Page::mount(server, |_, sink| {
            view! {
                <CodeStep
                    email="ada@example.com".to_string()
                    on_use_another=|()| {}
                    on_signed_in=move |answer: VerifyResponse| sink.lock().unwrap().push(answer)
                />
            }
            .into_any()
        })
    }

    fn find(&self, test_id: &str) -> Option<HtmlElement> {
        self.root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    fn all(&self, test_id: &str) -> Vec<HtmlElement> {
        let list = self
            .root
            .query_selector_all(&format!("[data-testid='{test_id}']"))
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }

    fn text(&self, test_id: &str) -> String {
        self.find(test_id)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    fn code_input(&self) -> HtmlInputElement {
        self.find("code-input").unwrap().unchecked_into()
    }

    /// Puts text into the code field the way the browser reports it.
    async fn put_code(&self, text: &str, input_type: &str) {
        let input = self.code_input();
        input.set_value(text);
        let init = web_sys::InputEventInit::new();
        init.set_bubbles(true);
        init.set_input_type(input_type);
        let event = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
        input.dispatch_event(&event).unwrap();
        settle().await;
    }

    fn advance_clock(&self, ms: f64) {
        let now = self.context.now().get_untracked();
        self.context.tick(now + ms);
    }

    async fn click(&self, test_id: &str) {
        self.find(test_id)
            .unwrap_or_else(|| panic!("{test_id} is shown"))
            .click();
        settle().await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Lets the reactive system and the (instant) fake network finish.
async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
}

#[wasm_bindgen_test]
async fn a_pasted_code_with_a_space_signs_in_by_itself() {
    let server = FakeServer::default();
    server.answer(200, signed_in_answer());
    let page = Page::code_step(server);
    page.put_code("123 456", "insertFromPaste").await;
    assert_eq!(page.code_input().value(), "123456");
    let bodies = page.server.bodies();
    assert_eq!(
        bodies,
        [json!({"code": "123456", "email": "ada@example.com"})]
    );
    assert_eq!(page.signed_in.lock().unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn full_width_and_hyphenated_pastes_are_normalized() {
    for pasted in [
        "\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}",
        "123-456",
        "12.34.56",
    ] {
        let server = FakeServer::default();
        server.answer(200, signed_in_answer());
        let page = Page::code_step(server);
        page.put_code(pasted, "insertFromPaste").await;
        assert_eq!(page.server.bodies()[0]["code"], "123456", "{pasted:?}");
    }
}

#[wasm_bindgen_test]
async fn autofill_submits_but_typing_waits_for_the_button() {
    let server = FakeServer::default();
    server.answer(200, signed_in_answer());
    let page = Page::code_step(server.clone());
    let mut typed = String::new();
    for digit in "123456".chars() {
        typed.push(digit);
        page.put_code(&typed, "insertText").await;
    }
    assert!(
        server.requests().is_empty(),
        "typing the sixth digit does not submit"
    );
    page.click("code-submit").await;
    assert_eq!(server.requests().len(), 1);

    let server = FakeServer::default();
    server.answer(200, signed_in_answer());
    let page = Page::code_step(server.clone());
    page.put_code("654321", "insertReplacementText").await;
    assert_eq!(
        server.bodies()[0]["code"],
        "654321",
        "a phone's one-time-code autofill submits"
    );
}

#[wasm_bindgen_test]
async fn a_wrong_code_is_explained_linked_focused_and_never_sent_again() {
    let server = FakeServer::default();
    server.answer(422, wrong_code(4));
    let page = Page::code_step(server.clone());
    page.put_code("111111", "insertFromPaste").await;
    assert_eq!(
        page.text("code-error"),
        "That code isn\u{2019}t right. You have 4 tries left."
    );
    let input = page.code_input();
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("code-error")
    );
    assert_eq!(
        page.find("code-error")
            .unwrap()
            .get_attribute("aria-live")
            .as_deref(),
        Some("assertive")
    );
    assert_eq!(document().active_element().unwrap().id(), "code");

    // The same code again, pasted or by the button: nothing is sent.
    page.put_code("111111", "insertFromPaste").await;
    page.click("code-submit").await;
    assert_eq!(server.requests().len(), 1);
    // A different code goes.
    server.answer(200, signed_in_answer());
    page.put_code("222222", "insertFromPaste").await;
    assert_eq!(server.requests().len(), 2);
    assert_eq!(page.signed_in.lock().unwrap().len(), 1);
}

#[wasm_bindgen_test]
async fn an_expired_or_exhausted_code_offers_a_new_one() {
    for (issue, words) in [
        ("expired", "expired"),
        ("attempts_exceeded", "Too many wrong tries"),
    ] {
        let server = FakeServer::default();
        server.answer(422, code_issue(issue));
        let page = Page::code_step(server.clone());
        page.put_code("111111", "insertFromPaste").await;
        assert!(page.text("code-error").contains(words), "{issue}");
        assert!(page.find("code-resend").is_none());
        server.answer(200, json!({"email": "ada@example.com"}));
        page.click("code-new").await;
        let start = &server.bodies()[1];
        assert_eq!(start, &json!({"email": "ada@example.com", "resend": true}));
        assert_eq!(
            page.text("code-error"),
            "",
            "the problem is gone with the new code"
        );
        assert!(page.text("code-status").contains("sent the code again"));
        assert_eq!(page.code_input().value(), "");
    }
}

#[wasm_bindgen_test]
async fn rate_limits_say_how_long_to_wait() {
    let server = FakeServer::default();
    server.answer_with_wait(
        429,
        json!({"error": {"code": "rate_limited", "message": "Slow down"}}),
        Some(90),
    );
    let page = Page::code_step(server);
    page.put_code("111111", "insertFromPaste").await;
    assert_eq!(
        page.text("code-error"),
        "Too many tries. Please wait 2 minutes and try again."
    );
}

#[wasm_bindgen_test]
async fn offline_keeps_the_typed_code_and_retry_works() {
    let server = FakeServer::default();
    server.go_offline_once();
    let page = Page::code_step(server.clone());
    page.put_code("123456", "insertFromPaste").await;
    assert!(page.text("code-error").contains("couldn\u{2019}t reach"));
    assert_eq!(page.code_input().value(), "123456", "what was typed stays");
    server.answer(200, signed_in_answer());
    page.click("code-submit").await;
    assert_eq!(page.signed_in.lock().unwrap().len(), 1);
    assert_eq!(server.requests().len(), 2);
}

#[wasm_bindgen_test]
async fn the_resend_countdown_follows_the_clock() {
    let server = FakeServer::default();
    let page = Page::code_step(server.clone());
    let resend = page.find("code-resend").unwrap();
    assert_eq!(resend.text_content().unwrap(), "Resend code in 1:00");
    assert!(resend.has_attribute("disabled"));
    page.advance_clock(18_000.0);
    settle().await;
    assert_eq!(page.text("code-resend"), "Resend code in 0:42");
    page.advance_clock(42_000.0);
    settle().await;
    let resend = page.find("code-resend").unwrap();
    assert_eq!(resend.text_content().unwrap(), "Resend code");
    assert!(!resend.has_attribute("disabled"));
    server.answer(200, json!({"email": "ada@example.com"}));
    page.click("code-resend").await;
    assert_eq!(
        server.bodies()[0],
        json!({"email": "ada@example.com", "resend": true})
    );
    assert_eq!(
        page.text("code-resend"),
        "Resend code in 1:00",
        "the cooldown starts over"
    );
}

fn demo_groups() -> Vec<PortalMerchantGroup> {
    serde_json::from_value(json!([
        {"tenantId": "t1", "merchantName": "Lagos Fresh Boxes", "actions": ["cancel", "pause", "resume"],
         "subscriptions": [
            {"id": "sub_a", "mode": "live", "status": "active", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": "2026-12-01T12:00:00Z",
             "plan": {"id": "p", "name": "Family box", "amount": 500000, "currency": "NGN", "interval": "month", "intervalCount": 1}},
            {"id": "sub_b", "mode": "test", "status": "suspended_for_review", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": null, "plan": null}
         ]},
        {"tenantId": "t2", "merchantName": "<img src=x onerror=alert(1)>", "subscriptions": [
            {"id": "sub_c", "status": "canceled", "currentPeriodEnd": "2026-10-01T00:00:00Z",
             "plan": {"id": "q", "name": "<script>window.hacked=1</script>", "amount": 1999, "currency": "USD", "interval": "month", "intervalCount": 3}}
         ]}
    ]))
    .unwrap()
}

fn subscriptions_page(server: FakeServer, fresh: Option<Vec<PortalMerchantGroup>>) -> Page {
    Page::mount(server, move |context, _| {
        let groups = fresh.clone().unwrap_or_default();
        context.signed_in(VerifyResponse {
            session_token: "tok_1".into(),
            account: portal_core::api::PortalAccount {
                email: "ada@example.com".into(),
                name: Some("Ada".into()),
            },
            subscriptions: groups,
        });
        if fresh.is_none() {
            // Signed in earlier (a reload): the page loads the list itself.
            context.take_fresh_sign_in();
        }
        view! { <SubscriptionsPage/> }.into_any()
    })
}

#[wasm_bindgen_test]
async fn subscriptions_are_grouped_by_merchant_and_formatted() {
    let page = subscriptions_page(FakeServer::default(), Some(demo_groups()));
    settle().await;
    let headings: Vec<String> = page
        .all("merchant")
        .iter()
        .map(|m| {
            m.query_selector("h2")
                .unwrap()
                .unwrap()
                .text_content()
                .unwrap()
        })
        .collect();
    assert_eq!(
        headings,
        ["Lagos Fresh Boxes", "<img src=x onerror=alert(1)>"]
    );
    assert!(
        page.root.query_selector("img").unwrap().is_none(),
        "merchant text is never HTML"
    );
    assert!(js_sys::Reflect::get(&window(), &"hacked".into())
        .unwrap()
        .is_undefined());

    let cards = page.all("subscription");
    assert_eq!(cards.len(), 3);
    let text = |card: &HtmlElement, id: &str| {
        card.query_selector(&format!("[data-testid='{id}']"))
            .unwrap()
            .and_then(|e| e.text_content())
    };
    assert_eq!(
        text(&cards[0], "price").as_deref(),
        Some("\u{20a6}5,000.00 every month")
    );
    assert_eq!(text(&cards[0], "status").as_deref(), Some("Active"));
    let renews = text(&cards[0], "period").unwrap();
    assert!(
        renews.starts_with("Renews on") && renews.contains("2026"),
        "{renews}"
    );
    assert!(text(&cards[0], "test-badge").is_none());
    // Unknown status shown as text, null plan handled, test mode marked, no actions guessed.
    assert_eq!(
        text(&cards[1], "status").as_deref(),
        Some("suspended for review")
    );
    assert_eq!(
        text(&cards[1], "price").as_deref(),
        Some("Plan details unavailable")
    );
    assert_eq!(text(&cards[1], "test-badge").as_deref(), Some("Test"));
    assert!(cards[1].query_selector("button").unwrap().is_none());
    assert_eq!(
        text(&cards[2], "price").as_deref(),
        Some("$19.99 every 3 months")
    );
    assert!(text(&cards[2], "period").unwrap().starts_with("Ended"));
    assert!(
        cards[2].query_selector("button").unwrap().is_none(),
        "no actions listed: none offered"
    );
    assert_eq!(page.text("account-name"), "Signed in as Ada");
}

#[wasm_bindgen_test]
async fn cancel_asks_first_and_updates_the_card_from_the_answer() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(demo_groups()));
    settle().await;
    page.click("action-cancel").await;
    assert!(page.find("confirm-cancel").is_some());
    assert!(
        server.requests().is_empty(),
        "nothing happens before the confirm"
    );
    page.click("confirm-cancel-no").await;
    assert!(page.find("confirm-cancel").is_none());

    page.click("action-cancel").await;
    server.answer(
        200,
        json!({"id": "sub_a", "status": "active", "cancelAtPeriodEnd": true,
        "currentPeriodEnd": "2026-12-01T12:00:00Z"}),
    );
    page.click("confirm-cancel-yes").await;
    let request = &server.requests()[0];
    assert_eq!(
        request.path,
        "/portal/email/subscriptions/live/sub_a/cancel"
    );
    assert_eq!(request.session.as_deref(), Some("tok_1"));
    assert_eq!(request.body.as_deref(), Some(r#"{"atPeriodEnd":true}"#));
    assert!(page.text("period").starts_with("Cancels on"));
    assert!(page.find("action-keep").is_some());
}

#[wasm_bindgen_test]
async fn a_refused_action_changes_nothing_on_screen() {
    let server = FakeServer::default();
    let page = subscriptions_page(server.clone(), Some(demo_groups()));
    settle().await;
    server.answer(409, json!({"error": {"code": "conflict", "message": "Only an active subscription can be paused."}}));
    page.click("action-pause").await;
    assert_eq!(
        page.text("action-error"),
        "Only an active subscription can be paused."
    );
    assert_eq!(page.all("status")[0].text_content().unwrap(), "Active");
    assert_eq!(page.text("action-done"), "");
}

#[wasm_bindgen_test]
async fn an_ended_session_returns_to_sign_in_with_the_email_kept() {
    let server = FakeServer::default();
    server.answer(
        401,
        json!({"error": {"code": "unauthorized", "message": "Sign in"}}),
    );
    let page = subscriptions_page(server.clone(), None);
    settle().await;
    assert_eq!(server.requests()[0].path, "/portal/email/subscriptions");
    assert!(page.context.session().get_untracked().is_none());
    assert!(session::load().is_none(), "sessionStorage is cleared");
    assert_eq!(page.context.email().get_untracked(), "ada@example.com");
    assert_eq!(
        page.context.notice().get_untracked(),
        Some("Your session ended \u{2014} sign in again.")
    );
    assert_eq!(window().location().pathname().unwrap(), "/");
}

#[wasm_bindgen_test]
async fn an_empty_account_says_so_and_offers_another_address() {
    let page = subscriptions_page(FakeServer::default(), Some(vec![]));
    settle().await;
    assert!(page
        .text("empty")
        .contains("No subscriptions for this address"));
}
