//! The first step from a portal link: the address is known, one button sends the code.
use web_sys::Element;

use super::dom::{self, append, el, on, set_attr, text_el};
use crate::messages;

#[derive(Clone)]
pub struct LinkGreeting {
    pub root: Element,
    send: Element,
    problem: Element,
}

impl LinkGreeting {
    pub fn new(on_send: impl Fn() + 'static, on_use_another: impl Fn() + 'static) -> Self {
        let root = el(
            "div",
            &[("class", "stack"), ("data-testid", "link-greeting")],
        );
        let title = text_el(
            "h1",
            &[("class", "title"), ("tabindex", "-1")],
            "Sign in to manage your subscriptions",
        );
        let lede = text_el("p", &[("class", "lede")], &messages::link_lede());
        let problem = dom::form_problem();
        let send = el(
            "button",
            &[
                ("type", "button"),
                ("class", "button primary"),
                ("data-testid", "link-send"),
            ],
        );
        on(&send, "click", move |_| on_send());
        let another = text_el(
            "button",
            &[("type", "button"), ("class", "button secondary")],
            "Use a different email",
        );
        on(&another, "click", move |_| on_use_another());
        append(&root, &[&title, &lede, &problem, &send, &another]);
        let greeting = LinkGreeting {
            root,
            send,
            problem,
        };
        greeting.set_busy(false);
        greeting
    }

    /// A code is being requested: the button says so and takes no second click.
    pub fn set_busy(&self, busy: bool) {
        set_attr(&self.send, "disabled", busy.then_some(""));
        dom::show_busy(
            &self.send,
            busy.then_some(messages::SENDING),
            messages::SEND_CODE,
        );
    }

    pub fn set_problem(&self, problem: Option<&str>) {
        dom::show_problem(&self.problem, problem);
    }
}
