//! The code step: pasted, typed and autofilled codes, wrong and dead codes, resend.
use leptos::prelude::*;
use serde_json::json;
use wasm_bindgen_test::*;

use crate::harness::*;

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

#[wasm_bindgen_test]
async fn codes_in_arabic_persian_and_devanagari_digits_are_pasted_as_read() {
    for pasted in [
        "\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}",
        "\u{6f1}\u{6f2}\u{6f3} \u{6f4}\u{6f5}\u{6f6}",
        "\u{967}\u{968}\u{969}\u{96a}\u{96b}\u{96c}",
    ] {
        let server = FakeServer::default();
        server.answer(200, signed_in_answer());
        let page = Page::code_step(server);
        page.put_code(pasted, "insertFromPaste").await;
        assert_eq!(page.code_input().value(), "123456", "{pasted:?}");
        assert_eq!(page.server.bodies()[0]["code"], "123456", "{pasted:?}");
        assert_eq!(page.signed_in.lock().unwrap().len(), 1);
    }
}

#[wasm_bindgen_test]
async fn a_used_code_says_it_has_expired_or_was_already_used() {
    let server = FakeServer::default();
    server.answer(422, code_issue("expired"));
    let page = Page::code_step(server);
    page.put_code("123456", "insertFromPaste").await;
    assert_eq!(
        page.text("code-error"),
        "This code has expired or was already used. Send a new code to continue."
    );
}
