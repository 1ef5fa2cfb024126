//! A card as the HTML `SubscriptionCard` first renders, written into a string:
//! a big account's cards go on the page as text the browser parses in one call
//! per step, not as a score of calls across the wasm boundary and a dozen
//! reactive nodes each. A card becomes a `SubscriptionCard` when it is first
//! used (see `merchant_section`). A browser test holds this markup to the
//! component's for every state of the lifecycle vectors.
use std::fmt::Write;

use portal_core::api::{Mode, PortalAction, PortalSubscription};
use portal_core::lifecycle::{Offer, State};

use super::card_actions::{button_class, test_id};
use crate::messages;

/// What the card is made from: the same props `SubscriptionCard` takes.
pub struct CardFacts<'a> {
    pub subscription: &'a PortalSubscription,
    pub allowed: Option<&'a [PortalAction]>,
    pub merchant: &'a str,
    pub show_reference: bool,
}

/// Appends the card's `<li>`. Only for a card that owes nothing: one that owes
/// asks the server what is due as it is made, so it is made live at once.
pub fn push_card(out: &mut String, card: &CardFacts) {
    let s = card.subscription;
    let state = State::of(s);
    out.push_str("<li class=\"sub-card\" data-testid=\"subscription\" data-id=\"");
    push_escaped(out, &s.id);
    out.push_str("\"><div class=\"sub-head\"><h3 class=\"plan-name\" data-testid=\"plan-name\" tabindex=\"-1\">");
    push_escaped(out, &messages::plan_name(s));
    out.push_str("</h3><div class=\"badges\">");
    if s.mode == Some(Mode::Test) {
        out.push_str("<span class=\"badge test\" data-testid=\"test-badge\">Test</span>");
    }
    let (label, tone) = messages::status_badge(&state);
    let _ = write!(out, "<span class=\"badge {tone}\" data-testid=\"status\">");
    push_escaped(out, &label);
    out.push_str("</span></div></div>");
    match s.plan.as_deref() {
        Some(plan) => {
            out.push_str("<p class=\"price\" data-testid=\"price\">");
            push_escaped(out, &messages::price_line(plan));
        }
        None => {
            out.push_str("<p class=\"price muted\" data-testid=\"price\">");
            push_escaped(out, messages::NO_PLAN);
        }
    }
    out.push_str("</p>");
    if let Some(line) = messages::period_line(s) {
        out.push_str("<p class=\"period\" data-testid=\"period\">");
        push_escaped(out, &line);
        out.push_str("</p>");
    }
    if let Some(text) = messages::guidance(&s.status, card.merchant) {
        out.push_str("<p class=\"guidance\" data-testid=\"guidance\">");
        push_escaped(out, &text);
        out.push_str("</p>");
    }
    if card.show_reference {
        out.push_str("<p class=\"reference muted\" data-testid=\"reference\">Ref. ");
        push_escaped(out, &s.id);
        out.push_str("</p>");
    }
    let subject = messages::subject(s, card.show_reference);
    out.push_str(
        "<div class=\"invoices\"><button class=\"invoices-toggle\" type=\"button\" \
         data-testid=\"invoices-toggle\" aria-label=\"",
    );
    push_escaped(out, &messages::button_name(messages::INVOICES, &subject));
    out.push_str("\" aria-expanded=\"false\">");
    push_escaped(out, messages::INVOICES);
    out.push_str(
        "</button></div>\
         <p class=\"action-status\" role=\"status\" data-testid=\"action-done\"></p>\
         <p class=\"field-error\" role=\"alert\" data-testid=\"action-error\"></p>\
         <div class=\"actions\">",
    );
    let offers = state.offers(card.allowed);
    for Offer { change, .. } in &offers {
        let label = messages::action_label(*change);
        let _ = write!(
            out,
            "<button class=\"{}\" type=\"button\" data-testid=\"{}\" aria-label=\"",
            button_class(*change),
            test_id(*change)
        );
        push_escaped(out, &messages::button_name(label, &subject));
        out.push_str("\">");
        push_escaped(out, label);
        out.push_str("</button>");
    }
    out.push_str("</div>");
    for hint in offers
        .iter()
        .filter_map(|offer| messages::action_hint(offer.change, &state))
    {
        out.push_str("<p class=\"muted action-hint\" data-testid=\"action-hint\">");
        push_escaped(out, hint);
        out.push_str("</p>");
    }
    out.push_str("</li>");
}

/// Text as text, in an element or a quoted attribute.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}
