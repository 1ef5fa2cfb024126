//! Who may frame the portal and what passes between frame and parent, from the
//! shared `embed.json` (the e2e suite drives embed.js with the same messages).
use portal_core::embed::{Ancestors, HostMessage, PortalEvent, Theme};

#[test]
fn an_origin_may_frame_the_portal_only_when_the_list_allows_it() {
    for case in portal_vectors::embed().origins {
        let ancestors = Ancestors::parse_directive(&case.allowed)
            .unwrap_or_else(|e| panic!("{:?} should parse: {e}", case.allowed));
        assert_eq!(
            ancestors.allow(&case.origin, case.own.as_deref()),
            case.allow,
            "{:?} framed by {:?}",
            case.allowed,
            case.origin
        );
    }
}

#[test]
fn a_list_that_could_rewrite_the_policy_is_refused_with_what_to_write() {
    for bad in portal_vectors::embed().refused {
        let error = Ancestors::parse_directive(&bad).expect_err(&bad);
        assert!(
            error.to_string().contains("'none', or 'self'"),
            "{bad}: {error}"
        );
    }
}

#[test]
fn the_directive_and_the_config_list_say_the_same_thing() {
    let directive =
        "'self' https://SHOP.example.com:443 https://*.example.org:8443 http://localhost:3000";
    let ancestors = Ancestors::parse_directive(directive).unwrap();
    assert_eq!(
        ancestors.directive(),
        "'self' https://shop.example.com https://*.example.org:8443 http://localhost:3000"
    );
    let entries = ancestors.entries();
    let from_config = Ancestors::from_list(entries.iter().map(String::as_str)).unwrap();
    assert_eq!(from_config, ancestors);
    // A wildcard cannot be a message's target; only exact origins get the hello.
    assert_eq!(
        ancestors.exact_origins(),
        ["https://shop.example.com", "http://localhost:3000"]
    );
    assert_eq!(
        Ancestors::parse_directive("'none'").unwrap().directive(),
        "'none'"
    );
    assert!(Ancestors::from_list([]).unwrap().is_empty());
}

#[test]
fn only_a_well_formed_init_from_the_host_is_accepted() {
    for case in portal_vectors::embed().host_messages {
        let init = serde_json::from_value::<HostMessage>(case.message.clone())
            .ok()
            .and_then(HostMessage::init);
        assert_eq!(init.is_some(), case.init, "{}", case.message);
    }
    let init = serde_json::from_str::<HostMessage>(
        r#"{"source":"duro-portal-host","type":"init","token":"abc.def","theme":"dark"}"#,
    )
    .unwrap()
    .init()
    .unwrap();
    assert_eq!(init.theme, Some(Theme::Dark));
    assert_eq!(init.token.as_deref(), Some("abc.def"));
    assert!(
        !format!("{init:?}").contains("abc.def"),
        "the token is redacted"
    );
}

#[test]
fn the_portal_posts_its_events_in_the_shared_shape() {
    let events = [
        PortalEvent::Hello,
        PortalEvent::Ready,
        PortalEvent::Height { height: 612 },
        PortalEvent::SignedIn,
        PortalEvent::SignedOut,
        PortalEvent::SubscriptionChanged {
            id: "sub_1".into(),
            mode: "live".into(),
            status: "canceled".into(),
        },
    ];
    let cases = portal_vectors::embed().portal_events;
    assert_eq!(cases.len(), events.len());
    for (event, case) in events.iter().zip(cases) {
        let posted = serde_json::to_value(event.message()).unwrap();
        assert_eq!(posted, case.message, "{}", case.event);
        assert_eq!(posted["type"], case.event.as_str());
    }
}
