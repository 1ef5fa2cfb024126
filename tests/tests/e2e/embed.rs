//! The portal embedded in a merchant's page on another site (the merchant at
//! `localhost`, the portal at `127.0.0.1`), through embed.js.
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use portal_e2e::sites::{self, Site};
use portal_e2e::*;
use serde_json::{json, Value};

use super::{card_text, in_card, wait_card_text};

/// The merchant's page, embedding the portal at `portal` (an origin).
fn merchant_url(host: &str, site: &Site, portal: &str, extra: &str) -> String {
    format!("http://{host}:{}/?portal={portal}{extra}", site.port)
}

/// The merchant's site, its page at `localhost` allowed to frame the portal;
/// answers the site and that origin.
async fn merchant_allowed_to_frame(portal: &mut Portal) -> Result<(Site, String)> {
    let merchant = sites::merchant(&portal.base).await?;
    let origin = format!("http://localhost:{}", merchant.port);
    portal.allow_framing(&origin, &[]).await?;
    Ok((merchant, origin))
}

/// Clicks in the frame as a person does: the merchant's page is scrolled to
/// the element first. Its frame has no scrollbar, and WebKit does not let a
/// cross-site frame's `scrollIntoView` move the page around it.
async fn click_in_frame(portal: &Portal, css: &str) -> Result<()> {
    let element = portal.wait_for(css).await?;
    let middle = portal
        .browser
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return r.top + r.height / 2;",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    portal.browser.enter_parent_frame().await?;
    portal
        .browser
        .execute(
            "const frame = document.querySelector('iframe[data-duro-frame]');
             window.scrollBy(0, frame.getBoundingClientRect().top + arguments[0] - innerHeight / 2);",
            vec![middle],
        )
        .await?;
    enter_portal_frame(portal).await?;
    portal.click_on(&element, css).await
}

fn test_id(id: &str) -> String {
    format!("[data-testid='{id}']")
}

/// Into the portal's frame, once embed.js has made it.
async fn enter_portal_frame(portal: &Portal) -> Result<()> {
    portal.browser.enter_parent_frame().await.ok();
    let frame = portal.wait_for("iframe[data-duro-frame]").await?;
    frame.enter_frame().await?;
    Ok(())
}

/// What the merchant's page has received: every message from the portal's
/// origin, and the DOM events embed.js dispatched.
async fn received(portal: &Portal) -> Result<(Vec<Value>, Vec<Value>)> {
    portal.browser.enter_parent_frame().await.ok();
    let got = portal
        .browser
        .execute(
            "return [window.__messages.filter(m => m.origin === arguments[0]).map(m => m.data), window.__events];",
            vec![json!(portal.base)],
        )
        .await?;
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    Ok((list(&got[0]), list(&got[1])))
}

async fn event_types(portal: &Portal) -> Result<Vec<String>> {
    let (_, events) = received(portal).await?;
    Ok(events
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_string))
        .collect())
}

async fn wait_event(portal: &Portal, kind: &str) -> Result<()> {
    wait_until(&format!("the merchant's page to get {kind}"), || async {
        let types = event_types(portal).await.map_err(|e| e.to_string())?;
        Ok(types.iter().any(|t| t == kind).then_some(()))
    })
    .await
}

/// The frame's height in the merchant's page, and the portal's own scroll and
/// viewport heights inside it.
async fn heights(portal: &Portal) -> Result<(i64, i64, i64)> {
    portal.browser.enter_parent_frame().await.ok();
    let outer = portal
        .browser
        .execute(
            "return Math.round(document.querySelector('iframe[data-duro-frame]').getBoundingClientRect().height);",
            vec![],
        )
        .await?;
    enter_portal_frame(portal).await?;
    let inner = portal
        .browser
        .execute(
            "return [document.documentElement.scrollHeight, document.documentElement.clientHeight];",
            vec![],
        )
        .await?;
    let int = |v: &Value| v.as_i64().unwrap_or(-1);
    Ok((int(&outer), int(&inner[0]), int(&inner[1])))
}

/// The frame fits the portal: no scrollbar of its own (measured inside it).
async fn frame_fits(portal: &Portal, step: &str) -> Result<i64> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    wait_until(
        &format!("the frame to fit the portal at {step}"),
        || async {
            let (outer, scroll, client) = heights(portal).await.map_err(|e| e.to_string())?;
            if scroll <= client && (outer - client).abs() <= 1 && outer > 100 {
                Ok(Some(outer))
            } else {
                Err(format!(
                    "frame {outer}px; inside: {scroll}px of content in {client}px"
                ))
            }
        },
    )
    .await
}

/// Screenshots of the merchant's page with the portal in it, and axe-core on
/// both documents: the merchant's page and the portal inside the frame.
async fn embedded_step(portal: &Portal, step: &str) -> Result<()> {
    portal.browser.enter_parent_frame().await.ok();
    portal.step(&format!("embedded-{step}")).await?;
    enter_portal_frame(portal).await?;
    portal
        .assert_accessible(&format!("embedded-{step} (inside the frame)"))
        .await
}

#[test]
fn a_merchant_page_on_another_site_runs_the_whole_sign_in_and_a_cancel_in_the_frame() {
    scenario(async |portal| {
        let (merchant, _) = merchant_allowed_to_frame(portal).await?;
        let token = portal.link_token(ADA)?;
        let page = merchant_url(
            "localhost",
            &merchant,
            &portal.base,
            &format!("&token={token}&theme=dark"),
        );
        portal.goto(&page).await?;
        // embed.js's frame: named, sandboxed to what the portal needs, and told
        // to send only the page's origin as the referrer.
        let attributes = portal
            .browser
            .execute(
                "const f = document.querySelector('iframe[data-duro-frame]');
                 return [f.title, f.getAttribute('sandbox'), f.referrerPolicy, f.src, f.hasAttribute('allow')];",
                vec![],
            )
            .await?;
        ensure!(
            attributes
                == json!([
                    "Your subscriptions",
                    "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox",
                    "origin",
                    format!("{}/", portal.base),
                    false
                ]),
            "the frame's attributes: {attributes}"
        );

        // The token came in a message: the greeting knows the address, the
        // frame's address never held the token.
        enter_portal_frame(portal).await?;
        portal.by_test_id("link-greeting").await?;
        let frame_src = portal
            .browser
            .execute("return location.href;", vec![])
            .await?;
        ensure!(
            !frame_src.to_string().contains("token"),
            "the token is in the frame's address: {frame_src}"
        );
        wait_event(portal, "ready").await?;
        enter_portal_frame(portal).await?;
        let theme = portal
            .browser
            .execute("return document.documentElement.dataset.theme;", vec![])
            .await?;
        ensure!(theme == "dark", "the page's theme hint: {theme}");
        let greeting_height = frame_fits(portal, "greeting").await?;
        embedded_step(portal, "link-greeting").await?;

        click_in_frame(portal, &test_id("link-send")).await?;
        portal.by_test_id("code-step").await?;
        let code = portal.code_for(ADA, 1).await?;
        portal.paste_into("code-input", &code).await?;
        portal.wait_for("[data-testid='subscription']").await?;
        wait_event(portal, "signed-in").await?;
        let list_height = frame_fits(portal, "subscriptions").await?;
        ensure!(
            list_height > greeting_height + 200,
            "the frame grew with the list: {greeting_height}px, then {list_height}px"
        );
        embedded_step(portal, "subscriptions").await?;
        // The screenshots resized the window; the frame follows before a click.
        frame_fits(portal, "subscriptions, after the screenshots").await?;

        click_in_frame(portal, &in_card("sub_ada_active", "action-cancel")).await?;
        click_in_frame(portal, &in_card("sub_ada_active", "confirm-cancel-yes")).await?;
        wait_card_text(portal, "sub_ada_active", "period", |t| {
            t.starts_with("Cancels on")
        })
        .await?;
        ensure!(card_text(portal, "sub_ada_active", "status").await? == "Set to cancel");
        wait_event(portal, "subscription-changed").await?;
        frame_fits(portal, "set to cancel").await?;
        let (mut messages, events) = received(portal).await?;
        let types = event_types(portal).await?;
        ensure!(
            types == ["ready", "signed-in", "subscription-changed"],
            "events: {types:?}"
        );
        let changed = events
            .iter()
            .find(|e| e["type"] == "subscription-changed")
            .context("subscription-changed")?;
        ensure!(
            changed["detail"]
                == json!({ "id": "sub_ada_active", "mode": "live", "status": "active" }),
            "{changed}"
        );

        // A reload of the merchant's page keeps the session in its frame: the
        // frame's storage is the merchant site's partition, kept for the tab.
        portal.browser.enter_parent_frame().await?;
        portal.reload().await?;
        enter_portal_frame(portal).await?;
        portal.wait_for("[data-testid='subscription']").await?;
        frame_fits(portal, "after a reload").await?;

        click_in_frame(portal, &test_id("sign-out")).await?;
        portal.by_test_id("email-input").await?;
        wait_event(portal, "signed-out").await?;
        frame_fits(portal, "signed out").await?;

        // What the merchant's page got (since its reload): the events, in order,
        // and nothing else; no token, code or address in any message.
        let types = event_types(portal).await?;
        ensure!(
            types == ["ready", "signed-out", "ready"],
            "events after the reload: {types:?}"
        );
        messages.extend(received(portal).await?.0);
        let allowed = [
            "hello",
            "ready",
            "height",
            "signed-in",
            "signed-out",
            "subscription-changed",
        ];
        for message in &messages {
            ensure!(message["source"] == "duro-portal", "{message}");
            ensure!(
                allowed.contains(&message["type"].as_str().unwrap_or_default()),
                "{message}"
            );
            let text = message.to_string();
            for secret in [ADA, code.as_str(), token.as_str(), "ada@"] {
                ensure!(!text.contains(secret), "{message} carries {secret}");
            }
        }
        println!(
            "{}: the merchant's page got {} messages from the portal: {:?}",
            portal.name,
            messages.len(),
            types
        );
        Ok(())
    });
}

#[test]
fn a_page_that_may_not_frame_the_portal_gets_nothing_even_without_the_header() {
    scenario(async |portal| {
        let (merchant, allowed) = merchant_allowed_to_frame(portal).await?;

        // The same page from another origin (127.0.0.1, not allowed): the
        // browser blocks the frame (CSP frame-ancestors).
        let page = merchant_url("127.0.0.1", &merchant, &portal.base, "");
        portal.goto(&page).await?;
        portal.wait_for("iframe[data-duro-frame]").await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        enter_portal_frame(portal).await?;
        ensure!(
            portal
                .browser
                .find_all(Locator::Css("[data-testid]"))
                .await?
                .is_empty(),
            "the blocked frame shows the portal"
        );
        let (messages, events) = received(portal).await?;
        ensure!(
            messages.is_empty() && events.is_empty(),
            "{messages:?} {events:?}"
        );
        portal.step("embedded-blocked").await?;

        // A static host that forgot the header: the browser lets anyone frame
        // it, so the app's own check is all there is.
        let host = sites::static_host(
            dist()?,
            json!({ "apiBase": portal.base, "embedOrigins": [allowed] }),
        )
        .await?;
        let host_origin = format!("http://127.0.0.1:{}", host.port);
        portal
            .allow_framing(&allowed, std::slice::from_ref(&host_origin))
            .await?;
        let page = merchant_url("127.0.0.1", &merchant, &host_origin, "&token=abc.def");
        portal.goto(&page).await?;
        enter_portal_frame(portal).await?;
        portal.by_test_id("not-embeddable").await?;
        // Its init (with a token), once more now that the portal surely listens.
        portal.browser.enter_parent_frame().await?;
        portal
            .browser
            .execute(
                "document.querySelector('iframe[data-duro-frame]').contentWindow.postMessage(
                   { source: 'duro-portal-host', type: 'init', token: 'abc.def' }, arguments[0]);",
                vec![json!(host_origin)],
            )
            .await?;
        enter_portal_frame(portal).await?;
        for hidden in ["email-input", "link-greeting", "subscription"] {
            ensure!(
                !portal.exists(&format!("[data-testid='{hidden}']")).await?,
                "{hidden} is shown to a page that may not frame the portal"
            );
        }
        let ignored = portal
            .browser
            .execute(
                "return document.documentElement.dataset.embedIgnored;",
                vec![],
            )
            .await?;
        ensure!(
            ignored.as_str().and_then(|n| n.parse::<u32>().ok()) >= Some(1),
            "the init from the wrong page was not counted: {ignored}"
        );
        let (_, events) = received(portal).await?;
        ensure!(events.is_empty(), "{events:?}");
        embedded_step(portal, "not-embeddable").await?;

        // The allowed page gets the portal from the same static host.
        let page = merchant_url("localhost", &merchant, &host_origin, "");
        portal.goto(&page).await?;
        enter_portal_frame(portal).await?;
        portal.by_test_id("email-input").await?;
        Ok(())
    });
}

#[test]
fn forged_messages_from_another_window_are_ignored_and_counted() {
    scenario(async |portal| {
        let (merchant, _) = merchant_allowed_to_frame(portal).await?;
        // Beside the portal, a frame from another origin forges messages both ways.
        let forger = format!("&theme=light&forger=http://127.0.0.1:{}", merchant.port);
        let page = merchant_url("localhost", &merchant, &portal.base, &forger);
        portal.goto(&page).await?;
        enter_portal_frame(portal).await?;
        portal.by_test_id("email-input").await?;

        // The real parent too, sending what is not an init.
        portal.browser.enter_parent_frame().await?;
        portal
            .browser
            .execute(
                "const frame = document.querySelector('iframe[data-duro-frame]').contentWindow;
                 frame.postMessage('init', arguments[0]);
                 frame.postMessage({ source: 'duro-portal-host', type: 'init', token: 42 }, arguments[0]);
                 frame.postMessage({ source: 'duro-portal-host', type: 'sign-out' }, arguments[0]);",
                vec![json!(portal.base)],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        enter_portal_frame(portal).await?;
        let seen = portal
            .browser
            .execute(
                "return [document.documentElement.dataset.embedIgnored, document.documentElement.dataset.theme];",
                vec![],
            )
            .await?;
        let ignored = seen[0]
            .as_str()
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0);
        ensure!(ignored >= 5, "ignored {ignored} messages: {seen}");
        ensure!(seen[1] == "light", "the forged theme was applied: {seen}");
        ensure!(
            !portal.exists("[data-testid='link-greeting']").await?,
            "the forged token was used"
        );

        // The merchant's page: the forger's fake events were not passed on, and
        // its fake height did not shrink the frame.
        let types = event_types(portal).await?;
        ensure!(types == ["ready"], "events: {types:?}");
        frame_fits(portal, "beside a forger").await?;
        embedded_step(portal, "beside-a-forger").await?;
        Ok(())
    });
}
