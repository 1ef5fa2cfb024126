//! Asks for the address, checks it with portal-core, and offers a fix for typos.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use portal_core::{Email, EmailError};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use super::dom::{self, append, append_text, el, on, set_attr, text_el};
use crate::messages;

/// How long a typo hint must have been on screen before a submit counts as
/// "seen, keep what I typed". The hint can appear on the very press of the
/// button (the field's blur comes first: Firefox and Chromium focus the button)
/// or between the two clicks of a double click; neither is a person's answer.
pub const HINT_READ_MS: f64 = 500.0;

/// The email form; the page tells it when a request is under way or failed.
#[derive(Clone)]
pub struct EmailStep {
    pub root: Element,
    inner: Rc<Inner>,
}

struct Inner {
    input: HtmlInputElement,
    error_line: Element,
    suggestion_box: Element,
    problem: Element,
    button: Element,
    error: RefCell<Option<EmailError>>,
    suggestion: RefCell<Option<Email>>,
    /// When the hint on screen appeared (`Date.now()`).
    hint_shown_at: Cell<f64>,
    busy: Cell<bool>,
    on_valid: Box<dyn Fn(Email)>,
}

impl EmailStep {
    /// `on_valid` gets the parsed address once it is valid (and any typo hint was seen).
    pub fn new(initial: &str, notice: Option<&str>, on_valid: impl Fn(Email) + 'static) -> Self {
        let root = el(
            "form",
            &[
                ("class", "stack"),
                ("novalidate", ""),
                ("data-testid", "email-step"),
            ],
        );
        let title = text_el(
            "h1",
            &[("class", "title"), ("tabindex", "-1")],
            "Sign in to manage your subscriptions",
        );
        append(&root, &[&title]);
        if let Some(notice) = notice {
            let line = text_el(
                "p",
                &[
                    ("class", "notice"),
                    ("role", "status"),
                    ("data-testid", "notice"),
                ],
                notice,
            );
            append(&root, &[&line]);
        }
        let lede = text_el("p", &[("class", "lede")], &messages::email_lede());
        let field = el("div", &[("class", "field")]);
        let label = text_el("label", &[("for", "email")], "Email address");
        let input: HtmlInputElement = el(
            "input",
            &[
                ("id", "email"),
                ("name", "email"),
                ("type", "email"),
                ("inputmode", "email"),
                ("autocomplete", "email"),
                ("autocapitalize", "off"),
                ("spellcheck", "false"),
                ("required", ""),
                ("data-testid", "email-input"),
            ],
        )
        .unchecked_into();
        input.set_value(initial);
        let error_line = el(
            "p",
            &[
                ("id", "email-error"),
                ("class", "field-error"),
                ("data-testid", "email-error"),
                ("aria-live", "polite"),
            ],
        );
        let suggestion_box = el(
            "div",
            &[
                ("id", "email-suggestion"),
                ("class", "suggestion"),
                ("aria-live", "polite"),
            ],
        );
        append(&field, &[&label, &input, &error_line, &suggestion_box]);
        let problem = dom::form_problem();
        let button = el(
            "button",
            &[
                ("type", "submit"),
                ("class", "button primary"),
                ("data-testid", "email-submit"),
            ],
        );
        append(&root, &[&lede, &field, &problem, &button]);
        let step = EmailStep {
            root,
            inner: Rc::new(Inner {
                input,
                error_line,
                suggestion_box,
                problem,
                button,
                error: RefCell::new(None),
                suggestion: RefCell::new(None),
                hint_shown_at: Cell::new(0.0),
                busy: Cell::new(false),
                on_valid: Box::new(on_valid),
            }),
        };
        step.set_busy(false);
        step.listen();
        step
    }

    fn listen(&self) {
        let inner = &self.inner;
        let step = self.clone();
        on(&inner.input, "input", move |_| step.edited());
        let step = self.clone();
        // Blur also fires when the step leaves the page with the field focused.
        on(&inner.input, "blur", move |_| {
            if step.root.is_connected() {
                if let Ok(email) = Email::parse(&step.inner.input.value()) {
                    step.show_hint(email.suggestion());
                }
            }
        });
        let step = self.clone();
        on(&self.root, "submit", move |event| {
            event.prevent_default();
            step.submit();
        });
    }

    /// A request is under way: the button shows it and a second submit does nothing.
    pub fn set_busy(&self, busy: bool) {
        let inner = &self.inner;
        inner.busy.set(busy);
        let flag = busy.then_some("true");
        set_attr(&inner.button, "aria-disabled", flag);
        dom::show_busy(
            &inner.button,
            busy.then_some(messages::SENDING),
            messages::SEND_CODE,
        );
    }

    pub fn set_problem(&self, problem: Option<&str>) {
        dom::show_problem(&self.inner.problem, problem);
    }

    fn edited(&self) {
        self.show_suggestion(None);
        // Once an error is shown, clear or update it as the person fixes the address.
        if self.inner.error.borrow().is_some() {
            self.show_error(Email::parse(&self.inner.input.value()).err());
        }
    }

    fn submit(&self) {
        let inner = &self.inner;
        if inner.busy.get() {
            return;
        }
        match Email::parse(&inner.input.value()) {
            Err(reason) => {
                self.show_error(Some(reason));
                self.show_suggestion(None);
                dom::focus(&inner.input);
            }
            Ok(email) => {
                self.show_error(None);
                let hint = email.suggestion();
                // A typo hint the person has not seen yet stops the submit;
                // submitting again once it has been read keeps the address as typed.
                let read = *inner.suggestion.borrow() == hint
                    && js_sys::Date::now() - inner.hint_shown_at.get() >= HINT_READ_MS;
                if hint.is_some() && !read {
                    self.show_hint(hint);
                    return;
                }
                (inner.on_valid)(email);
            }
        }
    }

    fn show_hint(&self, hint: Option<Email>) {
        if hint.is_some() && *self.inner.suggestion.borrow() != hint {
            self.inner.hint_shown_at.set(js_sys::Date::now());
        }
        self.show_suggestion(hint);
    }

    fn show_error(&self, error: Option<EmailError>) {
        let inner = &self.inner;
        let text = error.as_ref().map(messages::email_problem);
        inner.error_line.set_text_content(text.as_deref());
        set_attr(
            &inner.input,
            "aria-invalid",
            error.is_some().then_some("true"),
        );
        *inner.error.borrow_mut() = error;
        self.describe();
    }

    /// "Did you mean ada@gmail.com?", with the fix one click away.
    fn show_suggestion(&self, suggestion: Option<Email>) {
        let inner = &self.inner;
        if *inner.suggestion.borrow() == suggestion {
            return;
        }
        inner.suggestion_box.set_text_content(None);
        if let Some(fixed) = &suggestion {
            let line = el("p", &[("data-testid", "email-suggestion")]);
            let apply = text_el(
                "button",
                &[
                    ("type", "button"),
                    ("class", "link-button"),
                    ("data-testid", "email-suggestion-apply"),
                ],
                fixed.as_str(),
            );
            let (step, fixed) = (self.clone(), fixed.clone());
            on(&apply, "click", move |_| {
                step.inner.input.set_value(fixed.as_str());
                step.show_error(None);
                step.show_suggestion(None);
                dom::focus(&step.inner.input);
            });
            append_text(&line, "Did you mean ");
            append(&line, &[&apply]);
            append_text(&line, "?");
            append(&inner.suggestion_box, &[&line]);
        }
        *inner.suggestion.borrow_mut() = suggestion;
        self.describe();
    }

    fn describe(&self) {
        let inner = &self.inner;
        let mut ids = Vec::new();
        if inner.error.borrow().is_some() {
            ids.push("email-error");
        }
        if inner.suggestion.borrow().is_some() {
            ids.push("email-suggestion");
        }
        let ids = ids.join(" ");
        set_attr(
            &inner.input,
            "aria-describedby",
            (!ids.is_empty()).then_some(ids.as_str()),
        );
    }
}
