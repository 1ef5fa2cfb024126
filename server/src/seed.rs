//! `seed --demo`: four merchants (one publishes no list of portal actions, as
//! Duro's own API), a customer with a subscription in every status, saved
//! cards that pay, decline and have expired, invoices paid and owed, a second
//! customer, and a third with none.
use portal_core::Email;
use r2d2_sqlite::rusqlite::{params, Connection};

use crate::store::{Store, StoreError};

const DAY: i64 = 24 * 60 * 60;

pub const DEMO_CUSTOMER: &str = "ada@example.com";
pub const OTHER_CUSTOMER: &str = "bob@example.com";
/// A customer with no subscriptions, for the empty state.
pub const EMPTY_CUSTOMER: &str = "cara@example.com";

/// id, merchant, customer, plan, mode, status, cancel at period end, days until the period ends.
type SubscriptionRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    bool,
    Option<i64>,
);

/// A customer with `merchants` × `each` live subscriptions (all actions allowed),
/// for trying and measuring a big account.
pub async fn seed_large_account(
    store: &Store,
    email: &Email,
    merchants: usize,
    each: usize,
    now: i64,
) -> anyhow::Result<()> {
    let email = email.to_string();
    store
        .write(move |conn| {
            let customer = format!("cus_large_{}", email.replace(['@', '.'], "_"));
            conn.execute(
                "INSERT INTO customers (id, email, name) VALUES (?1, ?2, 'Large Account')",
                params![customer, email],
            )?;
            for m in 0..merchants {
                let tenant = format!("{customer}_ten_{m:04}");
                let plan = format!("{customer}_plan_{m:04}");
                conn.execute(
                    "INSERT INTO merchants (tenant_id, name, actions) VALUES (?1, ?2, 'cancel,pause,resume')",
                    params![tenant, format!("Merchant {m:04}")],
                )?;
                conn.execute(
                    "INSERT INTO plans (id, tenant_id, name, amount, currency, interval, interval_count)
                     VALUES (?1, ?2, 'Monthly box', 500000, 'NGN', 'month', 1)",
                    params![plan, tenant],
                )?;
                for n in 0..each {
                    conn.execute(
                        "INSERT INTO subscriptions (id, tenant_id, customer_id, plan_id, mode, status, current_period_end)
                         VALUES (?1, ?2, ?3, ?4, 'live', 'active', ?5)",
                        params![format!("sub_{m:04}_{n:04}_{customer}"), tenant, customer, plan, now + (n as i64 + 1) * DAY],
                    )?;
                }
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(())
}

/// Seeds the demo data once; returns false when it is already there.
pub async fn seed_demo(store: &Store, now: i64) -> anyhow::Result<bool> {
    let added = store
        .write(move |conn| insert_demo(conn, now).map_err(StoreError::from))
        .await?;
    Ok(added)
}

fn insert_demo(conn: &Connection, now: i64) -> Result<bool, r2d2_sqlite::rusqlite::Error> {
    let seeded: i64 = conn.query_row(
        "SELECT COUNT(*) FROM customers WHERE email = ?1",
        [DEMO_CUSTOMER],
        |row| row.get(0),
    )?;
    if seeded > 0 {
        return Ok(false);
    }
    conn.execute_batch(
        "INSERT INTO merchants (tenant_id, name, actions) VALUES
           ('ten_lagosfresh', 'Lagos Fresh Boxes', 'cancel,pause,resume'),
           ('ten_streamly', 'Streamly', 'cancel'),
           ('ten_fithub', 'FitHub Gyms', '');
         INSERT INTO merchants (tenant_id, name, actions, lists_actions) VALUES
           ('ten_paperback', 'Paperback Club', '', 0);
         INSERT INTO plans (id, tenant_id, name, amount, currency, interval, interval_count) VALUES
           ('plan_family_box', 'ten_lagosfresh', 'Family box', 500000, 'NGN', 'month', 1),
           ('plan_snack_box', 'ten_lagosfresh', 'Snack box', 250000, 'NGN', 'week', 2),
           ('plan_premium', 'ten_streamly', 'Premium', 1999, 'USD', 'month', 1),
           ('plan_premium_annual', 'ten_streamly', 'Premium (annual)', 19900, 'USD', 'year', 1),
           ('plan_quarterly', 'ten_fithub', 'Quarterly membership', 4500000, 'NGN', 'month', 3),
           ('plan_two_books', 'ten_paperback', 'Two books a month', 750000, 'NGN', 'month', 1),
           ('plan_audiobooks', 'ten_paperback', 'Audiobook add-on', 200000, 'NGN', 'month', 1);
         INSERT INTO customers (id, email, name) VALUES
           ('cus_ada', 'ada@example.com', 'Ada Lovelace'),
           ('cus_bob', 'bob@example.com', NULL),
           ('cus_cara', 'cara@example.com', 'Cara Nwosu');",
    )?;
    let subscriptions: &[SubscriptionRow] = &[
        (
            "sub_ada_active",
            "ten_lagosfresh",
            "cus_ada",
            Some("plan_family_box"),
            "live",
            "active",
            false,
            Some(8),
        ),
        (
            "sub_ada_paused",
            "ten_lagosfresh",
            "cus_ada",
            Some("plan_snack_box"),
            "live",
            "paused",
            false,
            Some(20),
        ),
        (
            "sub_ada_test",
            "ten_lagosfresh",
            "cus_ada",
            Some("plan_family_box"),
            "test",
            "active",
            false,
            Some(3),
        ),
        (
            "sub_ada_incomplete",
            "ten_lagosfresh",
            "cus_ada",
            Some("plan_snack_box"),
            "test",
            "incomplete",
            false,
            None,
        ),
        (
            "sub_ada_expired",
            "ten_lagosfresh",
            "cus_ada",
            Some("plan_family_box"),
            "live",
            "expired",
            false,
            Some(-60),
        ),
        (
            "sub_ada_trialing",
            "ten_streamly",
            "cus_ada",
            Some("plan_premium"),
            "live",
            "trialing",
            false,
            Some(5),
        ),
        (
            "sub_ada_cancelling",
            "ten_streamly",
            "cus_ada",
            Some("plan_premium_annual"),
            "live",
            "active",
            true,
            Some(40),
        ),
        (
            "sub_ada_canceled",
            "ten_streamly",
            "cus_ada",
            Some("plan_premium"),
            "live",
            "canceled",
            false,
            Some(-30),
        ),
        (
            "sub_ada_past_due",
            "ten_fithub",
            "cus_ada",
            Some("plan_quarterly"),
            "live",
            "past_due",
            false,
            Some(2),
        ),
        (
            "sub_ada_unpaid",
            "ten_fithub",
            "cus_ada",
            Some("plan_quarterly"),
            "test",
            "unpaid",
            false,
            Some(-3),
        ),
        (
            "sub_ada_no_plan",
            "ten_fithub",
            "cus_ada",
            None,
            "live",
            "active",
            false,
            Some(12),
        ),
        (
            "sub_ada_books",
            "ten_paperback",
            "cus_ada",
            Some("plan_two_books"),
            "live",
            "active",
            false,
            Some(15),
        ),
        (
            "sub_ada_audiobooks",
            "ten_paperback",
            "cus_ada",
            Some("plan_audiobooks"),
            "live",
            "paused",
            true,
            Some(25),
        ),
        (
            "sub_bob_active",
            "ten_lagosfresh",
            "cus_bob",
            Some("plan_family_box"),
            "live",
            "active",
            false,
            Some(10),
        ),
    ];
    for (id, tenant, customer, plan, mode, status, cancelling, days) in subscriptions {
        conn.execute(
            "INSERT INTO subscriptions
               (id, tenant_id, customer_id, plan_id, mode, status, cancel_at_period_end, current_period_end)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![id, tenant, customer, plan, mode, status, cancelling, days.map(|d| now + d * DAY)],
        )?;
    }
    conn.execute_batch(
        // Ada's default card declines for insufficient funds (test card
        // ending 9995); her Visa pays; her Verve expired in 2024.
        "INSERT INTO cards (id, customer_id, brand, last4, exp_month, exp_year, is_default) VALUES
           ('card_ada_mc', 'cus_ada', 'mastercard', '9995', 1, 2030, 1),
           ('card_ada_visa', 'cus_ada', 'visa', '4242', 8, 2030, 0),
           ('card_ada_verve', 'cus_ada', 'verve', '0069', 3, 2024, 0),
           ('card_bob_verve', 'cus_bob', NULL, NULL, NULL, NULL, 1);
         INSERT INTO wallets (customer_id, balance, currency, status) VALUES
           ('cus_ada', 1250000, 'NGN', 'active');",
    )?;
    for (id, amount, balance_after, memo, merchant, days_ago) in [
        (
            "wtx_1",
            2_000_000i64,
            2_000_000i64,
            Some("Top-up"),
            None,
            20i64,
        ),
        (
            "wtx_2",
            -500_000,
            1_500_000,
            Some("Family box"),
            Some("Lagos Fresh Boxes"),
            12,
        ),
        (
            "wtx_3",
            -250_000,
            1_250_000,
            None,
            Some("Lagos Fresh Boxes"),
            4,
        ),
    ] {
        conn.execute(
            "INSERT INTO wallet_transactions (id, customer_id, amount, balance_after, memo, merchant_name, created_at)
             VALUES (?1, 'cus_ada', ?2, ?3, ?4, ?5, ?6)",
            params![id, amount, balance_after, memo, merchant, now - days_ago * DAY],
        )?;
    }
    insert_invoices(conn, now)?;
    Ok(true)
}

/// Paid invoices behind every live subscription with a plan, twelve of them
/// for the family box (more than a page); an open invoice with a failed charge
/// behind the past-due and the unpaid subscriptions.
fn insert_invoices(conn: &Connection, now: i64) -> Result<(), r2d2_sqlite::rusqlite::Error> {
    let paid: &[(&str, i64, &str, i64)] = &[
        ("sub_ada_active", 12, "LF", 30),
        ("sub_ada_paused", 2, "LF", 14),
        ("sub_ada_cancelling", 1, "ST", 365),
        ("sub_ada_past_due", 2, "FH", 90),
        ("sub_ada_books", 3, "PB", 30),
        ("sub_bob_active", 2, "LF", 30),
    ];
    let mut number = 0;
    for (subscription, count, prefix, every_days) in paid {
        for n in 1..=*count {
            number += 1;
            let start = now - (n + 1) * every_days * DAY;
            conn.execute(
                "INSERT INTO invoices (id, number, subscription_id, status, amount_due, amount_paid,
                                       currency, period_start, period_end, created_at, paid_at,
                                       paid_brand, paid_last4)
                 SELECT ?1, ?2, s.id, 'paid', p.amount, p.amount, p.currency, ?3, ?4, ?3, ?3 + 60,
                        'visa', '4242'
                 FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.id = ?5",
                params![
                    format!("in_{subscription}_{n:02}"),
                    format!("{prefix}-{number:04}"),
                    start,
                    start + every_days * DAY,
                    subscription
                ],
            )?;
        }
    }
    for (subscription, number, days_ago, brand, last4, decline) in [
        (
            "sub_ada_past_due",
            "FH-0101",
            5,
            "mastercard",
            "9995",
            "insufficient_funds",
        ),
        (
            "sub_ada_unpaid",
            "FH-0102",
            33,
            "verve",
            "0069",
            "expired_card",
        ),
    ] {
        let created = now - days_ago * DAY;
        conn.execute(
            "INSERT INTO invoices (id, number, subscription_id, status, amount_due, currency,
                                   period_start, period_end, created_at, failed_at,
                                   failed_brand, failed_last4, decline_code)
             SELECT ?1, ?2, s.id, 'open', p.amount, p.currency, ?3, ?4, ?3, ?3 + 3600, ?5, ?6, ?7
             FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.id = ?8",
            params![
                format!("in_{subscription}_open"),
                number,
                created,
                created + 90 * DAY,
                brand,
                last4,
                decline,
                subscription
            ],
        )?;
    }
    Ok(())
}
