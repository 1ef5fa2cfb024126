//! The API models read the contract's examples and survive what Duro may add.
use portal_core::api::*;

#[test]
fn verify_example_round_trips() {
    let json = portal_vectors::VERIFY_EXAMPLE;
    let answer: VerifyResponse = serde_json::from_str(json).unwrap();
    assert_eq!(answer.account.name.as_deref(), Some("Ada Lovelace"));
    let sub = &answer.subscriptions[0].subscriptions[0];
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.mode, Some(Mode::Live));
    assert_eq!(
        sub.plan.as_ref().unwrap().price().to_string(),
        "\u{20a6}5,000.00"
    );
    let again: serde_json::Value = serde_json::to_value(&answer).unwrap();
    let original: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(again, original);
}

#[test]
fn absent_mode_null_plan_unknown_status_and_extra_fields_are_accepted() {
    let json = r#"{"merchants":[{"tenantId":"t","merchantName":"M","logo":"x.png",
        "subscriptions":[{"id":"sub_1","status":"suspended_for_review","plan":null,
        "currentPeriodEnd":null,"futureField":{"a":1}}]}]}"#;
    let answer: SubscriptionsResponse = serde_json::from_str(json).unwrap();
    let group = &answer.merchants[0];
    let sub = &group.subscriptions[0];
    assert_eq!(sub.mode, None);
    assert_eq!(sub.plan, None);
    assert!(!sub.cancel_at_period_end);
    assert_eq!(
        sub.status,
        SubscriptionStatus::Unknown("suspended_for_review".into())
    );
    assert_eq!(sub.status.as_str(), "suspended_for_review");
    assert_eq!(group.actions, None);
    assert_eq!(group.allowed(), None, "no list: the status decides");
}

#[test]
fn every_documented_status_is_known() {
    for wire in [
        "incomplete",
        "trialing",
        "active",
        "past_due",
        "paused",
        "unpaid",
        "canceled",
        "expired",
    ] {
        let status = SubscriptionStatus::from(wire);
        assert!(!matches!(status, SubscriptionStatus::Unknown(_)), "{wire}");
        assert_eq!(serde_json::to_value(&status).unwrap(), wire);
    }
}

#[test]
fn error_envelope_reads_code_issue() {
    let json = r#"{"error":{"code":"validation_error","message":"Wrong code",
        "details":[{"path":"code","issue":"attempts_exceeded"}]}}"#;
    let envelope: ErrorEnvelope = serde_json::from_str(json).unwrap();
    assert_eq!(envelope.error.code, ErrorCode::ValidationError);
    assert_eq!(
        envelope.error.code_issue(),
        Some(CodeIssue::AttemptsExceeded)
    );
    assert_eq!(envelope.error.code.http_status(), 422);
}

#[test]
fn unknown_error_code_is_kept() {
    let json = r#"{"error":{"code":"payment_required","message":"Pay"}}"#;
    let envelope: ErrorEnvelope = serde_json::from_str(json).unwrap();
    assert_eq!(
        envelope.error.code,
        ErrorCode::Unknown("payment_required".into())
    );
    assert_eq!(envelope.error.code_issue(), None);
    assert_eq!(envelope.error.details, None);
}

#[test]
fn requests_leave_out_what_is_not_set() {
    let start = StartRequest {
        email: Some("ada@example.com".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&start).unwrap(),
        r#"{"email":"ada@example.com"}"#
    );
    let cancel = CancelRequest {
        at_period_end: Some(true),
    };
    assert_eq!(
        serde_json::to_string(&cancel).unwrap(),
        r#"{"atPeriodEnd":true}"#
    );
}

#[test]
fn action_answer_with_only_an_id_is_accepted() {
    let answer: PortalSubscriptionAction = serde_json::from_str(r#"{"id":"sub_1"}"#).unwrap();
    assert_eq!(answer.status, None);
    assert_eq!(answer.cancel_at_period_end, None);
}

#[test]
fn wallet_and_cards_read_documented_shapes() {
    let wallet: WalletResponse = serde_json::from_str(
        r#"{"balance":150000,"currency":"NGN","status":"frozen","transactions":[
        {"id":"wtx_1","amount":-5000,"balanceAfter":150000,"memo":null,"merchantName":"M",
         "createdAt":"2026-11-01T10:00:00Z"}]}"#,
    )
    .unwrap();
    assert_eq!(wallet.status, WalletStatus::Frozen);
    let cards: CardsResponse = serde_json::from_str(
        r#"{"items":[{"id":"card_1","brand":null,"last4":"4242","expMonth":null,"expYear":2030,"isDefault":true}]}"#,
    )
    .unwrap();
    assert_eq!(cards.items[0].last4.as_deref(), Some("4242"));
    assert_eq!(cards.items[0].brand, None);
}
