//! The email step against every email vector, and its error, focus and typo hint.
use leptos::prelude::*;
use portal_core::Email;
use portal_web::HINT_READ_MS;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use crate::harness::*;

#[wasm_bindgen_test]
fn every_email_vector_gets_the_native_verdict_in_the_browser() {
    let cases = portal_vectors::emails();
    assert!(cases.len() >= 80);
    for case in cases {
        match Email::parse(&case.input) {
            Ok(email) => {
                assert!(case.valid, "{:?}", case.input);
                assert_eq!(Some(email.as_str()), case.normalized.as_deref());
            }
            Err(reason) => {
                assert!(!case.valid, "{:?}", case.input);
                assert_eq!(
                    Some(reason.code()),
                    case.error.as_deref(),
                    "{:?}",
                    case.input
                );
            }
        }
    }
}

#[wasm_bindgen_test]
async fn the_email_field_shows_each_vectors_verdict() {
    for case in portal_vectors::emails() {
        let page = Mounted::email_step();
        page.type_text(&case.input).await;
        page.click("email-submit").await;
        if case.valid {
            // A typo hint stops the first submit; a second, once the hint has
            // been read, keeps the address as typed.
            if page.find::<web_sys::Element>("email-suggestion").is_some() {
                sleep(HINT_READ_MS).await;
                page.click("email-submit").await;
            }
            let submitted = page.submitted.lock().unwrap();
            assert_eq!(submitted.len(), 1, "{:?} goes on", case.input);
            assert_eq!(Some(submitted[0].as_str()), case.normalized.as_deref());
            assert_eq!(page.text("email-error"), "");
        } else {
            let expected = Email::parse(&case.input).unwrap_err();
            assert_eq!(Some(expected.code()), case.error.as_deref());
            assert_eq!(
                page.text("email-error"),
                expected.to_string(),
                "{:?}",
                case.input
            );
            assert!(
                page.submitted.lock().unwrap().is_empty(),
                "{:?} stays",
                case.input
            );
        }
    }
}

#[wasm_bindgen_test]
async fn an_error_is_linked_to_the_field_announced_and_focused() {
    let page = Mounted::email_step();
    page.type_text("ada@example").await;
    page.click("email-submit").await;

    let input = page.input();
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described_by = input.get_attribute("aria-describedby").unwrap_or_default();
    assert!(described_by.split(' ').any(|id| id == "email-error"));
    let message = document().get_element_by_id("email-error").unwrap();
    assert_eq!(
        message.text_content().unwrap(),
        "Add the ending of the domain, like .com"
    );
    assert_eq!(
        message.get_attribute("aria-live").as_deref(),
        Some("polite")
    );
    let focused = document().active_element().unwrap();
    assert_eq!(focused.id(), "email");

    // Fixing the address clears the error as it is typed.
    page.type_text("ada@example.com").await;
    assert_eq!(page.text("email-error"), "");
    assert_eq!(input.get_attribute("aria-invalid"), None);
    assert_eq!(input.get_attribute("aria-describedby"), None);
}

#[wasm_bindgen_test]
async fn the_typo_suggestion_fixes_the_field_in_one_click() {
    let page = Mounted::email_step();
    page.type_text("Ada@Gmial.com").await;
    page.click("email-submit").await;
    assert!(
        page.submitted.lock().unwrap().is_empty(),
        "the hint is shown first"
    );
    assert_eq!(page.text("email-suggestion"), "Did you mean ada@gmail.com?");

    page.click("email-suggestion-apply").await;
    assert_eq!(page.input().value(), "ada@gmail.com");
    assert!(page.find::<web_sys::Element>("email-suggestion").is_none());

    page.click("email-submit").await;
    let submitted = page.submitted.lock().unwrap();
    assert_eq!(
        submitted.iter().map(Email::as_str).collect::<Vec<_>>(),
        ["ada@gmail.com"]
    );
}

#[wasm_bindgen_test]
async fn a_hint_that_appears_as_the_button_is_pressed_stops_that_submit() {
    let page = Mounted::email_step();
    page.input().focus().unwrap();
    page.type_text("ada@gmial.com").await;
    // Pressing the button moves focus to it first: the field's blur shows the
    // hint, then the click submits (Firefox and Chromium order it so).
    let button = page.find::<HtmlElement>("email-submit").unwrap();
    button.focus().unwrap();
    button.click();
    settle().await;
    assert!(
        page.submitted.lock().unwrap().is_empty(),
        "a hint nobody had time to read does not count as seen"
    );
    assert_eq!(page.text("email-suggestion"), "Did you mean ada@gmail.com?");

    // A double click's second press does not count as reading it either.
    page.click("email-submit").await;
    assert!(page.submitted.lock().unwrap().is_empty());

    // Once read, submitting again keeps the address as typed.
    sleep(HINT_READ_MS).await;
    page.click("email-submit").await;
    let submitted = page.submitted.lock().unwrap();
    assert_eq!(
        submitted.iter().map(Email::as_str).collect::<Vec<_>>(),
        ["ada@gmial.com"]
    );
}

#[wasm_bindgen_test]
async fn a_correct_address_goes_on_at_the_first_submit() {
    let page = Mounted::email_step();
    page.type_text("  ada@Example.com ").await;
    page.click("email-submit").await;
    let submitted = page.submitted.lock().unwrap();
    assert_eq!(
        submitted.iter().map(Email::as_str).collect::<Vec<_>>(),
        ["ada@example.com"]
    );
}
