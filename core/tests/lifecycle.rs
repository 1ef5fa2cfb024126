//! The lifecycle rules against `vectors/lifecycle.json`, which the server's HTTP
//! tests and the browser tests read too.
use portal_core::api::{PortalAction, SubscriptionStatus};
use portal_core::lifecycle::{Change, State};
use portal_vectors::LifecycleCase as Case;

fn listed(case: &Case) -> Option<Vec<PortalAction>> {
    case.actions.as_ref().map(|list| {
        list.iter()
            .map(|a| PortalAction::from(a.as_str()))
            .collect()
    })
}

fn before(case: &Case) -> State {
    State::new(
        SubscriptionStatus::from(case.status.as_str()),
        case.cancel_at_period_end,
    )
}

#[test]
fn every_status_flag_list_and_action_leads_where_the_vectors_say() {
    let cases = portal_vectors::lifecycle();
    assert_eq!(
        cases.len(),
        9 * 2 * 9 * 5,
        "every combination is in the file"
    );
    for case in &cases {
        let allowed = listed(case);
        let action = PortalAction::from(case.action.as_str());
        let answer = before(case).apply(
            allowed.as_deref(),
            &action,
            case.at_period_end.unwrap_or(true),
        );
        let label = case.label();
        match (&answer, &case.result, &case.refused) {
            (Ok(next), Some(expected), None) => {
                assert_eq!(next.status.as_str(), expected.status, "{label}");
                assert_eq!(
                    next.cancel_at_period_end, expected.cancel_at_period_end,
                    "{label}"
                );
                assert_eq!(
                    Some(Change::between(&before(case), next).code()),
                    case.change.as_deref(),
                    "{label}"
                );
            }
            (Err(refusal), None, Some(expected)) => assert_eq!(refusal.code(), expected, "{label}"),
            _ => panic!("{label}: got {answer:?}"),
        }
    }
}

#[test]
fn a_card_offers_exactly_the_actions_the_vectors_mark_offered() {
    let cases = portal_vectors::lifecycle();
    for state in cases.chunks(5) {
        let first = &state[0];
        let allowed = listed(first);
        let offers = before(first).offers(allowed.as_deref());
        let offered: Vec<&str> = offers.iter().map(|o| o.action.as_str()).collect();
        let expected: Vec<&str> = state
            .iter()
            .filter(|c| c.offered)
            .map(|c| c.action.as_str())
            .collect();
        assert_eq!(
            offered, expected,
            "{} cancelling={} actions={:?}",
            first.status, first.cancel_at_period_end, first.actions
        );
        // What an offer promises is what applying it does.
        for offer in offers {
            let case = state
                .iter()
                .find(|c| c.action == offer.action.as_str() && c.at_period_end != Some(false))
                .expect("the offered action's case");
            assert_eq!(Some(offer.change.code()), case.change.as_deref());
        }
    }
}

#[test]
fn paused_and_set_to_cancel_resumes_and_keeps_where_resume_is_allowed() {
    let state = State::new(SubscriptionStatus::Paused, true);
    let all = [
        PortalAction::Cancel,
        PortalAction::Pause,
        PortalAction::Resume,
    ];
    let offers = state.offers(Some(&all));
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].change, Change::ResumedAndKept);
    // A merchant that allows only cancel still lets the person undo it: kept, paused.
    let offers = state.offers(Some(&[PortalAction::Cancel]));
    assert_eq!(offers[0].change, Change::Kept);
    assert_eq!(
        state.apply(Some(&[PortalAction::Cancel]), &PortalAction::Resume, true),
        Ok(State::new(SubscriptionStatus::Paused, false))
    );
}

#[test]
fn a_group_without_a_list_offers_what_the_status_permits() {
    let active = State::new(SubscriptionStatus::Active, false);
    let offered: Vec<PortalAction> = active.offers(None).into_iter().map(|o| o.action).collect();
    assert_eq!(offered, [PortalAction::Pause, PortalAction::Cancel]);
    assert!(State::new(SubscriptionStatus::from("on_hold"), false)
        .offers(None)
        .is_empty());
}
