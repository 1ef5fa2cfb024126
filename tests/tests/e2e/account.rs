//! The account's other pages: saved cards (Duro's guard when the last valid
//! card would go), and the wallet, topped up through the dev checkout.
use anyhow::{ensure, Result};
use portal_e2e::*;

use portal_server::store::StoreError;

use super::{click_in_card, in_card, texts};

/// Each step in the light theme and the dark one (as an embedding page asks
/// for it), screenshots and axe-core at phone and desktop size; then 320 px.
async fn steps_in_both_themes(portal: &Portal, step: &str) -> Result<()> {
    portal.step(step).await?;
    portal
        .browser
        .execute("document.documentElement.dataset.theme = 'dark';", vec![])
        .await?;
    portal.step(&format!("{step}-dark")).await?;
    portal
        .browser
        .execute("delete document.documentElement.dataset.theme;", vec![])
        .await?;
    portal.size((320, 640)).await?;
    portal
        .assert_no_horizontal_scroll(&format!("{step} at 320 px"))
        .await?;
    portal.size(DESKTOP).await
}

async fn count(portal: &Portal, sql: &'static str) -> Result<i64> {
    portal
        .store()
        .run(move |conn| {
            conn.query_row(sql, [], |row| row.get(0))
                .map_err(StoreError::from)
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
}

fn on_card(id: &str, field: &str) -> String {
    format!("[data-card-id='{id}'] [data-testid='{field}']")
}

async fn click_css(portal: &Portal, css: &str) -> Result<()> {
    let element = portal.wait_for(css).await?;
    portal.click_on(&element, css).await
}

#[test]
fn saved_cards_show_expiry_and_the_default_and_removing_the_last_valid_card_is_refused_in_duros_words(
) {
    scenario(async |portal| {
        sign_in(portal, ADA).await?;
        portal.wait_for("[data-testid='subscription']").await?;
        portal.click("nav-cards").await?;
        portal.wait_path("/cards").await?;
        portal.wait_for("[data-testid='saved-card']").await?;
        ensure!(
            portal
                .exists("nav [aria-current='page'][href='/cards']")
                .await?
        );
        ensure!(
            portal
                .exists(&on_card("card_ada_mc", "default-badge"))
                .await?
        );
        ensure!(
            portal
                .exists(&on_card("card_ada_verve", "expired-badge"))
                .await?
        );
        let expiry = portal
            .wait_css_text(&on_card("card_ada_verve", "card-expiry"), |t| !t.is_empty())
            .await?;
        ensure!(expiry == "Expired 03/2024", "{expiry}");
        steps_in_both_themes(portal, "cards").await?;

        // Removing the default asks first, then promotes the next valid card.
        click_css(portal, &on_card("card_ada_mc", "remove-card")).await?;
        portal.by_test_id("confirm-remove").await?;
        steps_in_both_themes(portal, "cards-confirm-remove").await?;
        portal.click("confirm-remove").await?;
        let done = portal.wait_text("cards-done", |t| !t.is_empty()).await?;
        ensure!(
            done == "Removed Mastercard \u{2022}\u{2022}\u{2022}\u{2022} 9995.",
            "{done}"
        );
        portal
            .wait_for(&on_card("card_ada_visa", "default-badge"))
            .await?;

        // The Visa is now the only valid card, and Ada has live subscriptions.
        click_css(portal, &on_card("card_ada_visa", "remove-card")).await?;
        portal.click("confirm-remove").await?;
        let refused = portal.wait_text("cards-problem", |t| !t.is_empty()).await?;
        ensure!(
            refused == portal_core::payments::KEEP_ONE_VALID_CARD,
            "{refused}"
        );
        ensure!(
            portal
                .exists(&on_card("card_ada_visa", "default-badge"))
                .await?
        );
        ensure!(
            count(
                portal,
                "SELECT COUNT(*) FROM cards WHERE id = 'card_ada_visa'"
            )
            .await?
                == 1,
            "the card is still saved"
        );
        steps_in_both_themes(portal, "cards-guard").await?;

        // Back goes to the subscriptions, as a person expects of a page they moved from.
        portal.browser.back().await?;
        portal.wait_path("/subscriptions").await?;
        portal.wait_for("[data-testid='subscription']").await?;
        Ok(())
    });
}

#[test]
fn a_wallet_top_up_goes_through_the_checkout_and_comes_back_credited_with_the_card_saved() {
    scenario(async |portal| {
        // Opened signed out, the wallet's address is kept through the code step.
        let mails = portal.mails_to(ADA).await?.len();
        portal.open("/wallet").await?;
        portal.type_into("email-input", ADA).await?;
        portal.click("email-submit").await?;
        portal.by_test_id("code-step").await?;
        let code = portal.code_for(ADA, mails + 1).await?;
        portal.paste_into("code-input", &code).await?;
        portal.wait_path("/wallet").await?;
        let before = portal
            .wait_text("wallet-balance", |t| !t.is_empty())
            .await?;
        ensure!(before == "\u{20A6}12,500.00", "{before}");
        ensure!(portal.exists("[data-testid='wallet-txn']").await?);
        steps_in_both_themes(portal, "wallet").await?;

        // Below Duro's minimum: said at the field, nothing asked of the server.
        portal.type_into("topup-amount", "50").await?;
        portal.click("topup-submit").await?;
        let problem = portal.wait_text("topup-problem", |t| !t.is_empty()).await?;
        ensure!(problem.contains("\u{20A6}100.00"), "{problem}");
        ensure!(count(portal, "SELECT COUNT(*) FROM checkouts").await? == 0);
        steps_in_both_themes(portal, "wallet-below-minimum").await?;

        // As a person types it: the symbol and a grouping space.
        portal.type_into("topup-amount", "\u{20A6}1 000").await?;
        portal.click("topup-submit").await?;
        wait_until("the checkout page", || async {
            match portal.browser.current_url().await {
                Ok(url) if url.path().starts_with("/dev/checkout/") => Ok(Some(())),
                other => Err(format!("{other:?}")),
            }
        })
        .await?;
        let number = portal.wait_for("input[name='number']").await?;
        number.clear().await?;
        number.send_keys("5555 5555 5555 4444").await?;
        click_css(portal, "button[type='submit']").await?;

        portal.wait_path("/wallet").await?;
        let after = portal
            .wait_text("wallet-balance", |t| t == "\u{20A6}13,500.00")
            .await?;
        ensure!(after == "\u{20A6}13,500.00");
        let newest = portal
            .wait_css_text("[data-testid='wallet-txn']", |t| !t.is_empty())
            .await?;
        ensure!(
            newest.contains("Top-up") && newest.contains("+\u{20A6}1,000.00"),
            "{newest}"
        );
        ensure!(
            count(
                portal,
                "SELECT COUNT(*) FROM cards WHERE customer_id = 'cus_ada' AND last4 = '4444'"
            )
            .await?
                == 1,
            "the card that paid is saved"
        );
        steps_in_both_themes(portal, "wallet-topped-up").await?;
        portal.click("nav-cards").await?;
        portal
            .wait_css_text("[data-testid='saved-cards']", |t| t.contains("4444"))
            .await?;
        Ok(())
    });
}

async fn invoices_shown(portal: &Portal, rows: &str, count: usize) -> Result<Vec<String>> {
    wait_until(&format!("{count} invoices"), || async {
        match texts(portal, rows).await {
            Ok(found) if found.len() == count => Ok(Some(found)),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

#[test]
fn invoices_open_per_subscription_page_by_page_and_a_paid_one_has_a_receipt_that_prints_alone() {
    scenario(async |portal| {
        const SUB: &str = "sub_ada_active";
        sign_in(portal, ADA).await?;
        click_in_card(portal, SUB, "invoices-toggle").await?;
        let rows = in_card(SUB, "invoice");
        // Ten a page, newest first; the twelfth is one press away.
        let first = invoices_shown(portal, &rows, 10).await?;
        ensure!(
            first[0].contains("LF-0001") && first[0].contains("Paid"),
            "{first:?}"
        );
        click_in_card(portal, SUB, "more-invoices").await?;
        let all = invoices_shown(portal, &rows, 12).await?;
        ensure!(all[11].contains("LF-0012"), "{all:?}");
        ensure!(!portal.exists(&in_card(SUB, "more-invoices")).await?);
        steps_in_both_themes(portal, "invoices").await?;

        let receipt = portal.wait_for(&in_card(SUB, "open-receipt")).await?;
        portal.click_on(&receipt, "the first receipt").await?;
        let said = portal
            .wait_css_text(&in_card(SUB, "receipt"), |t| !t.is_empty())
            .await?;
        for part in [
            "Lagos Fresh Boxes",
            "Family box",
            "LF-0001",
            "\u{20A6}5,000.00",
            "Visa \u{2022}\u{2022}\u{2022}\u{2022} 4242",
        ] {
            ensure!(said.contains(part), "{part} in {said}");
        }
        steps_in_both_themes(portal, "receipt").await?;
        // On paper: the receipt alone, at the top of the first page.
        portal
            .printed(
                "receipt",
                "const receipt = document.querySelector('[data-testid=receipt]');
                 const hidden = (css) => getComputedStyle(document.querySelector(css)).visibility === 'hidden';
                 return receipt.getBoundingClientRect().top < 40 && getComputedStyle(receipt).visibility === 'visible'
                     && hidden('nav') && hidden('[data-testid=plan-name]');",
            )
            .await?;
        Ok(())
    });
}
