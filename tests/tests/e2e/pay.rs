//! Paying what is owed: the past-due customer who opened the portal because a
//! payment failed.
use anyhow::{ensure, Context, Result};
use portal_e2e::*;
use portal_server::store::StoreError;

use super::{card_text, click_in_card, held_subscription, in_card, wait_card_text};

const CARD: &str = "sub_ada_past_due";

/// Charges the server was asked to make for the past-due subscription.
async fn charges(portal: &Portal) -> Result<i64> {
    portal
        .store()
        .run(|conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM charges WHERE invoice_id = 'in_sub_ada_past_due_open'",
                [],
                |row| row.get(0),
            )
            .map_err(StoreError::from)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The element with focus: which card it is in.
async fn focused_card(portal: &Portal) -> Result<Option<String>> {
    let id = portal
        .browser
        .execute(
            "const card = document.activeElement && document.activeElement.closest('[data-id]');
             return card ? card.getAttribute('data-id') : null;",
            vec![],
        )
        .await?;
    Ok(id.as_str().map(str::to_string))
}

/// A deep link with a portal link's token, as the `link` command makes one.
async fn sign_in_from_deep_link(portal: &Portal, path: &str) -> Result<()> {
    let token = portal.link_token(ADA)?;
    sign_in_from(portal, &format!("{}#token={token}", portal.url(path))).await
}

/// The link a merchant's failed-payment email carries: minted by the merchant
/// API with the merchant's secret key, for one subscription.
async fn merchant_link(
    portal: &Portal,
    tenant: &'static str,
    subscription: &str,
) -> Result<String> {
    let now = portal.clock.now();
    let key = portal
        .store()
        .write(move |conn| {
            portal_server::links::create_key(conn, tenant, &portal_core::api::Mode::Live, now)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let answer: serde_json::Value = portal
        .http
        .post(portal.url("/v1/portal/links"))
        .bearer_auth(key)
        .json(&serde_json::json!({
            "email": ADA,
            "subscription": {"mode": "live", "id": subscription},
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    answer["url"]
        .as_str()
        .map(str::to_string)
        .context("the link's url")
}

/// Opens a portal link and signs in with the code it sends.
async fn sign_in_from(portal: &Portal, link: &str) -> Result<()> {
    let mails = portal.mails_to(ADA).await?.len();
    portal.goto(link).await?;
    portal.by_test_id("link-greeting").await?;
    portal.click("link-send").await?;
    portal.by_test_id("code-step").await?;
    let code = portal.code_for(ADA, mails + 1).await?;
    portal.paste_into("code-input", &code).await?;
    portal.wait_for("[data-testid='subscription']").await?;
    Ok(())
}

#[test]
fn a_deep_link_to_someone_elses_subscription_says_so_and_shows_the_list() {
    scenario(async |portal| {
        sign_in_from_deep_link(portal, "/subscriptions/live/sub_bob_active").await?;
        let said = portal.text_of("target-missing").await?;
        ensure!(said.contains("sub_bob_active"), "{said}");
        portal.wait_path("/subscriptions").await?;
        ensure!(!portal.exists(".targeted").await?);
        portal.step("deep-link-not-this-account").await?;
        Ok(())
    });
}

#[test]
fn a_past_due_customer_from_a_deep_link_sees_the_failed_charge_is_declined_and_pays_with_another_card(
) {
    scenario(async |portal| {
        let deep = "/subscriptions/live/sub_ada_past_due";
        let link = merchant_link(portal, "ten_fithub", CARD).await?;
        ensure!(link.starts_with(&portal.url(deep)), "{link}");
        sign_in_from(portal, &link).await?;
        // The link's subscription is kept through the code step: in the
        // address bar, marked, and focused.
        portal.wait_path(deep).await?;
        portal
            .wait_for("[data-id='sub_ada_past_due'].targeted")
            .await?;
        wait_until("the linked card to have focus", || async {
            match focused_card(portal).await {
                Ok(Some(id)) if id == CARD => Ok(Some(())),
                other => Err(format!("{other:?}")),
            }
        })
        .await?;
        ensure!(!portal.exists("[data-testid='target-missing']").await?);
        let token = portal.session_token().await?.context("session")?;
        let owed = card_text(portal, CARD, "owed").await?;
        ensure!(owed.contains("\u{20A6}45,000.00"), "{owed}");
        let failure = card_text(portal, CARD, "last-failure").await?;
        ensure!(
            failure.contains("Mastercard \u{2022}\u{2022}\u{2022}\u{2022} 9995")
                && failure.contains("not enough money"),
            "{failure}"
        );
        portal.step("payment-needed").await?;

        // Pay now with the default card, pressed twice in a row: one charge, declined.
        let pay = portal.wait_for(&in_card(CARD, "pay-now")).await?;
        portal
            .browser
            .execute(
                "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click(); arguments[0].click();",
                vec![serde_json::to_value(&pay)?],
            )
            .await?;
        let declined = wait_card_text(portal, CARD, "pay-declined", |t| !t.is_empty()).await?;
        ensure!(
            declined.contains("Mastercard \u{2022}\u{2022}\u{2022}\u{2022} 9995 was declined")
                && declined.contains("not enough money"),
            "{declined}"
        );
        ensure!(charges(portal).await? == 1, "a double press charged once");
        ensure!(held_subscription(portal, &token, CARD).await?["status"] == "past_due");
        portal.step("payment-declined").await?;

        // The expired card cannot be chosen; the Visa can, and pays.
        let expired = in_card(CARD, "pay-with") + "[value='card_ada_verve']";
        ensure!(portal.exists(&(expired + ":disabled")).await?);
        let visa = in_card(CARD, "pay-with") + "[value='card_ada_visa']";
        let choice = portal.wait_for(&visa).await?;
        portal.click_on(&choice, &visa).await?;
        ensure!(portal.exists(&(visa + ":checked")).await?);
        click_in_card(portal, CARD, "pay-now").await?;
        wait_card_text(portal, CARD, "status", |t| t == "Active").await?;
        let done = card_text(portal, CARD, "action-done").await?;
        ensure!(
            done.contains("Paid \u{20A6}45,000.00 with Visa \u{2022}\u{2022}\u{2022}\u{2022} 4242"),
            "{done}"
        );
        ensure!(!portal.exists(&in_card(CARD, "pay-now")).await?);
        ensure!(charges(portal).await? == 2);
        let held = held_subscription(portal, &token, CARD).await?;
        ensure!(held["status"] == "active", "{held}");
        portal.step("payment-paid").await?;
        Ok(())
    });
}
