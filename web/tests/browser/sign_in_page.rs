//! The sign-in page around its steps: a portal link's greeting, the start
//! request's answers, and the move to the code step.
use leptos::prelude::document;
use portal_web::session;
use portal_web::{Arriving, Notice, SignInPage};
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

use crate::harness::*;

struct Shown {
    page: SignInPage,
    server: FakeServer,
}

impl Shown {
    fn new(server: FakeServer, link_token: Option<&str>, email: &str) -> Shown {
        session::forget_email();
        let page = SignInPage::new(
            server.client(),
            Arriving {
                link_token: link_token.map(str::to_string),
                notice: None,
                email: email.to_string(),
                now: 1_000_000.0,
            },
            |_| {},
        );
        document().body().unwrap().append_child(&page.root).unwrap();
        Shown { page, server }
    }

    fn find(&self, test_id: &str) -> Option<web_sys::HtmlElement> {
        self.page
            .root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    fn text(&self, test_id: &str) -> String {
        self.find(test_id)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    async fn click(&self, test_id: &str) {
        self.find(test_id)
            .unwrap_or_else(|| panic!("{test_id} is shown"))
            .click();
        settle().await;
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.page.root.remove();
    }
}

#[wasm_bindgen_test]
async fn a_portal_link_sends_its_token_then_asks_for_the_code_with_the_field_focused() {
    let server = FakeServer::default();
    server.answer(200, json!({"email": "ada@example.com"}));
    let shown = Shown::new(server, Some("plt_abc"), "");
    assert!(shown.find("link-greeting").is_some());
    assert!(shown.find("email-step").is_none(), "no address to type");

    shown.click("link-send").await;
    assert_eq!(shown.server.bodies(), [json!({"token": "plt_abc"})]);
    assert!(shown.find("link-greeting").is_none());
    assert_eq!(shown.text("code-email"), "ada@example.com");
    assert_eq!(document().active_element().unwrap().id(), "code");
    assert_eq!(
        session::remembered_email().as_deref(),
        Some("ada@example.com"),
        "the address is kept for the tab"
    );
}

#[wasm_bindgen_test]
async fn a_refused_link_falls_back_to_the_email_step_and_says_why() {
    let server = FakeServer::default();
    server.answer(
        422,
        json!({"error": {"code": "validation_error", "message": "Bad link",
            "details": [{"path": "token", "issue": "invalid"}]}}),
    );
    let shown = Shown::new(server, Some("plt_old"), "");
    shown.click("link-send").await;
    assert!(shown.find("email-step").is_some());
    assert_eq!(
        shown.text("notice"),
        portal_web::messages::notice(Notice::LinkRefused)
    );
}

#[wasm_bindgen_test]
async fn a_failed_start_is_said_on_the_form_and_the_button_comes_back() {
    let server = FakeServer::default();
    server.answer_with_wait(
        429,
        json!({"error": {"code": "rate_limited", "message": "Slow down"}}),
        Some(60),
    );
    let shown = Shown::new(server, None, "ada@example.com");
    let input: HtmlInputElement = shown.find("email-input").unwrap().unchecked_into();
    assert_eq!(input.value(), "ada@example.com", "the remembered address");
    shown.click("email-submit").await;
    assert_eq!(
        shown.text("form-problem"),
        "Too many requests. Please wait 1 minute and try again."
    );
    let button = shown.find("email-submit").unwrap();
    assert_eq!(button.text_content().unwrap(), "Email me a code");
    assert_eq!(button.get_attribute("aria-busy"), None);

    // Trying again takes the old problem away and goes on.
    shown
        .server
        .answer(200, json!({"email": "ada@example.com"}));
    shown.click("email-submit").await;
    assert_eq!(shown.server.requests().len(), 2);
    assert!(shown.find("code-step").is_some());
}

#[wasm_bindgen_test]
async fn another_address_from_the_code_step_starts_over_with_an_empty_field() {
    let server = FakeServer::default();
    server.answer(200, json!({"email": "ada@example.com"}));
    let shown = Shown::new(server, None, "ada@example.com");
    shown.click("email-submit").await;
    shown.click("code-use-another").await;
    let input: HtmlInputElement = shown.find("email-input").unwrap().unchecked_into();
    assert_eq!(input.value(), "");
    assert_eq!(session::remembered_email(), None, "forgotten for the tab");
}
