//! Every state of `core/tests/vectors/lifecycle.json` on a real card: it shows
//! exactly the buttons the vectors offer, each sends its action, and with the
//! server's answer the card says what the vectors say happened.
use std::sync::Arc;

use leptos::prelude::*;
use portal_core::api::{PortalAction, PortalSubscription};
use portal_web::api::Method;
use portal_web::SubscriptionCard;
use serde_json::json;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

use portal_vectors::LifecycleCase as Case;

use crate::harness::*;

/// A card for the case's subscription, signed in, the network faked.
fn card_page(server: FakeServer, case: &Case) -> Page {
    let subscription: PortalSubscription = serde_json::from_value(json!({
        "id": "sub_1", "mode": "live", "status": case.status,
        "cancelAtPeriodEnd": case.cancel_at_period_end,
        "currentPeriodEnd": "2026-12-01T12:00:00Z",
        "plan": {"id": "p", "name": "Family box", "amount": 500000, "interval": "month"}
    }))
    .unwrap();
    let allowed: Option<Arc<[PortalAction]>> = case.actions.as_ref().map(|list| {
        list.iter()
            .map(|a| PortalAction::from(a.as_str()))
            .collect()
    });
    Page::mount(server, move |context, _| {
        sign_in_as_ada(context);
        let (subscription, allowed) = (subscription.clone(), allowed.clone());
        view! {
            <ul>
                <SubscriptionCard subscription allowed merchant="Lagos Fresh Boxes"/>
            </ul>
        }
        .into_any()
    })
}

/// The action each button sends.
fn offered_actions(page: &Page) -> Vec<&'static str> {
    let list = page.root.query_selector_all(".actions button").unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().unchecked_into::<HtmlElement>())
        .map(
            |button| match button.get_attribute("data-testid").as_deref() {
                Some("action-pause") => "pause",
                Some("action-resume" | "action-keep") => "resume",
                Some("action-cancel") => "cancel",
                other => panic!("a button that sends no action: {other:?}"),
            },
        )
        .collect()
}

/// How the card's words after the action begin, for each change the vectors name.
fn told(change: &str) -> &'static str {
    match change {
        "paused" => "Paused.",
        "resumed" => "Resumed.",
        "resumed_and_kept" => "Resumed and kept: it will renew as before.",
        "kept" => "Kept:",
        "set_to_cancel" => "Set to cancel:",
        "canceled" => "Canceled.",
        other => panic!("an offered action never leads to {other}"),
    }
}

#[wasm_bindgen_test]
async fn every_state_offers_exactly_the_actions_the_vectors_offer() {
    let cases = portal_vectors::lifecycle();
    for state in cases.chunks(5) {
        let page = card_page(FakeServer::default(), &state[0]);
        settle().await;
        let expected: Vec<&str> = state
            .iter()
            .filter(|c| c.offered)
            .map(|c| c.action.as_str())
            .collect();
        assert_eq!(
            offered_actions(&page),
            expected,
            "{} cancelling={} actions={:?}",
            state[0].status,
            state[0].cancel_at_period_end,
            state[0].actions
        );
    }
}

#[wasm_bindgen_test]
async fn every_offered_action_is_sent_and_the_card_says_what_the_answer_means() {
    for case in portal_vectors::lifecycle()
        .into_iter()
        .filter(|c| c.offered)
    {
        let label = case.label();
        let server = FakeServer::default();
        let page = card_page(server.clone(), &case);
        settle().await;
        let result = case.result.clone().expect("an offered case has a result");
        server.answer(
            200,
            json!({"id": "sub_1", "status": result.status,
                   "cancelAtPeriodEnd": result.cancel_at_period_end}),
        );
        let button = match case.action.as_str() {
            "pause" => "action-pause",
            "cancel" => "action-cancel",
            _ if page.find("action-keep").is_some() => "action-keep",
            _ => "action-resume",
        };
        page.click(button).await;
        if case.action == "cancel" {
            page.click("confirm-cancel-yes").await;
        }
        // A past-due card also asks what is owed; the action is the one POST.
        let requests = server.requests();
        let request = requests
            .iter()
            .find(|r| r.method == Method::Post)
            .expect("the action was sent");
        assert_eq!(
            request.path,
            format!("/portal/email/subscriptions/live/sub_1/{}", case.action),
            "{label}"
        );
        if case.at_period_end == Some(true) {
            assert_eq!(
                request.body.as_deref(),
                Some(r#"{"atPeriodEnd":true}"#),
                "{label}"
            );
        }
        let done = page.text("action-done");
        let expected = told(case.change.as_deref().unwrap_or_default());
        assert!(done.starts_with(expected), "{label}: {done:?}");
    }
}

/// The element's markup as a person's page holds it: comments (the component's
/// place markers) left out, neighbouring text joined.
fn markup(element: &web_sys::Element) -> String {
    fn strip_comments(node: &web_sys::Node) {
        let children = node.child_nodes();
        for i in (0..children.length()).rev() {
            let child = children.item(i).unwrap();
            if child.node_type() == web_sys::Node::COMMENT_NODE {
                node.remove_child(&child).unwrap();
            } else {
                strip_comments(&child);
            }
        }
    }
    let copy = element.clone_node_with_deep(true).unwrap();
    strip_comments(&copy);
    copy.normalize();
    copy.unchecked_into::<web_sys::Element>().outer_html()
}

#[wasm_bindgen_test]
async fn a_card_written_as_html_is_the_card_the_component_makes_in_every_state() {
    use portal_web::{push_card, CardFacts};
    let variants = [
        // Mode, plan name (None: no plan), whether the reference shows.
        (Some("live"), Some("Family box"), false),
        (Some("test"), Some("<b>Tom & \"Jerry\"</b>"), true),
        (None, None, false),
    ];
    let mut compared = 0;
    for case in portal_vectors::lifecycle() {
        for (mode, plan, show_reference) in variants {
            let mut raw = json!({
                "id": "sub_1", "status": case.status,
                "cancelAtPeriodEnd": case.cancel_at_period_end,
                "currentPeriodEnd": "2026-12-01T12:00:00Z",
            });
            if let Some(mode) = mode {
                raw["mode"] = json!(mode);
            }
            if let Some(name) = plan {
                raw["plan"] =
                    json!({"id": "p", "name": name, "amount": 500000, "interval": "month"});
            }
            let subscription: PortalSubscription = serde_json::from_value(raw).unwrap();
            // A card that owes is made live at once (it asks what is due).
            if subscription.status.owes_payment() {
                continue;
            }
            let allowed: Option<Arc<[PortalAction]>> = case.actions.as_ref().map(|list| {
                list.iter()
                    .map(|a| PortalAction::from(a.as_str()))
                    .collect()
            });
            let mut written = String::new();
            push_card(
                &mut written,
                &CardFacts {
                    subscription: &subscription,
                    allowed: allowed.as_deref(),
                    merchant: "Lagos Fresh <Boxes>",
                    show_reference,
                },
            );
            let page = Page::mount(FakeServer::default(), move |context, _| {
                sign_in_as_ada(context);
                let (subscription, allowed) = (subscription.clone(), allowed.clone());
                view! {
                    <ul>
                        <SubscriptionCard subscription allowed merchant="Lagos Fresh <Boxes>" show_reference/>
                    </ul>
                }
                .into_any()
            });
            settle().await;
            let made = page.root.query_selector("li").unwrap().unwrap();
            let holder = document().create_element("ul").unwrap();
            holder.set_inner_html(&written);
            let parsed = holder.first_element_child().unwrap();
            assert_eq!(
                markup(&parsed),
                markup(&made),
                "{} {:?} {mode:?} {plan:?}",
                case.label(),
                case.actions
            );
            compared += 1;
        }
    }
    assert!(compared > 30, "only {compared} cards compared");
}
