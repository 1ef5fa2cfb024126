//! The lifecycle through the real HTTP route, case by case from
//! `core/tests/vectors/lifecycle.json` (which core's and the browser's tests read
//! too): every action the page offers is accepted, and what the page says after
//! it, read from the server's answer, is what the button promised.
use portal_core::api::{Mode, PortalAction, SubscriptionStatus};
use portal_core::lifecycle::{Change, State};
use portal_core::paths;
use r2d2_sqlite::rusqlite::params;
use reqwest::StatusCode;
use serde_json::{json, Value};

use portal_vectors::{LifecycleCase as Case, LifecycleState};

use crate::helpers::*;

/// The tenant that lists these actions (`None`: a group that lists none).
fn tenant_for(actions: &Option<Vec<String>>) -> String {
    match actions {
        None => "ten_lc_unlisted".to_string(),
        Some(list) if list.is_empty() => "ten_lc_none".to_string(),
        Some(list) => format!("ten_lc_{}", list.join("_")),
    }
}

/// One merchant per action list and one of ada's subscriptions per case.
async fn seed_every_case(app: &TestApp, cases: &[Case]) {
    let rows: Vec<(String, Option<String>, String, bool)> = cases
        .iter()
        .map(|c| {
            (
                tenant_for(&c.actions),
                c.actions.as_ref().map(|l| l.join(",")),
                c.status.clone(),
                c.cancel_at_period_end,
            )
        })
        .collect();
    app.store()
        .write(move |conn| {
            for (n, (tenant, actions, status, cancelling)) in rows.iter().enumerate() {
                conn.execute(
                    "INSERT OR IGNORE INTO merchants (tenant_id, name, actions, lists_actions)
                     VALUES (?1, ?1, ?2, ?3)",
                    params![
                        tenant,
                        actions.clone().unwrap_or_default(),
                        actions.is_some()
                    ],
                )?;
                conn.execute(
                    "INSERT INTO subscriptions (id, tenant_id, customer_id, mode, status,
                        cancel_at_period_end, current_period_end)
                     VALUES (?1, ?2, 'cus_ada', 'live', ?3, ?4, 1900000000)",
                    params![format!("sub_lc_{n}"), tenant, status, cancelling],
                )?;
            }
            Ok::<_, portal_server::store::StoreError>(())
        })
        .await
        .expect("seeding every case");
}

#[tokio::test]
async fn every_offered_action_is_accepted_and_every_case_answers_as_the_vectors_say() {
    let app = spawn_app().await;
    let cases = portal_vectors::lifecycle();
    seed_every_case(&app, &cases).await;
    let token = app.sign_in(ADA).await;

    // The listing carries each group's list as the merchant set it, and none where it set none.
    let listing: Value = app
        .get_with_session(paths::SUBSCRIPTIONS, &token)
        .await
        .json()
        .await
        .unwrap();
    let groups = listing["merchants"].as_array().unwrap();
    let unlisted = groups
        .iter()
        .find(|g| g["tenantId"] == "ten_lc_unlisted")
        .expect("the group without a list is listed");
    assert!(unlisted.get("actions").is_none(), "{unlisted}");
    let cancel_only = groups
        .iter()
        .find(|g| g["tenantId"] == "ten_lc_cancel")
        .unwrap();
    assert_eq!(cancel_only["actions"], json!(["cancel"]));

    let mut wrong = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let id = format!("sub_lc_{n}");
        let action = PortalAction::from(case.action.as_str());
        let path = paths::subscription_action(&Mode::Live, &id, &action);
        let body = case.at_period_end.map(|b| json!({ "atPeriodEnd": b }));
        let response = app.post_with_session(&path, &token, body).await;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let label = case.label();
        match (&case.result, case.refused.as_deref()) {
            (Some(expected), None) => {
                let got = LifecycleState {
                    status: answer["status"].as_str().unwrap_or_default().to_string(),
                    cancel_at_period_end: answer["cancelAtPeriodEnd"].as_bool().unwrap_or(false),
                };
                // What the page says after the action is read from the server's answer.
                let told = Change::between(
                    &State::new(
                        SubscriptionStatus::from(case.status.as_str()),
                        case.cancel_at_period_end,
                    ),
                    &State::new(
                        SubscriptionStatus::from(got.status.as_str()),
                        got.cancel_at_period_end,
                    ),
                );
                if status != StatusCode::OK || &got != expected {
                    wrong.push(format!("{label}: {status} {answer}, expected {expected:?}"));
                } else if Some(told.code()) != case.change.as_deref() {
                    wrong.push(format!(
                        "{label}: the page would say {:?}, the vectors promise {:?}",
                        told.code(),
                        case.change
                    ));
                }
            }
            (None, Some(refusal)) => {
                let expected = match refusal {
                    "not_offered" => StatusCode::FORBIDDEN,
                    "conflict" => StatusCode::CONFLICT,
                    _ => StatusCode::NOT_FOUND,
                };
                if status != expected {
                    wrong.push(format!("{label}: {status} {answer}, expected {expected}"));
                }
            }
            _ => panic!("{label}: a case has a result or a refusal"),
        }
    }
    let offered_wrong = wrong
        .iter()
        .filter(|w| w.contains("(offered: true)"))
        .count();
    assert!(
        wrong.is_empty(),
        "{} of {} cases answered otherwise ({offered_wrong} of them offered by the page):\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
