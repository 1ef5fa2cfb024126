//! Takes the code: typed, pasted in any common format, or filled in by the
//! phone; says what went wrong in plain words; resends after the cooldown.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use portal_core::api::{StartRequest, VerifyRequest};
use portal_core::limits::RESEND_COOLDOWN_SECONDS;
use portal_core::{OtpCode, OTP_CODE_DIGITS};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlInputElement};

use super::dom::{self, append, append_text, el, on, set_attr, text_el};
use crate::api::{ApiClient, SignInAnswer};
use crate::messages::{self, CodeProblem};

/// Paste, drop and one-time-code autofill bring many characters at once; typing
/// brings one. Only the former submits by itself.
pub fn arrived_all_at_once(input_type: &str, digits_before: usize, digits_now: usize) -> bool {
    matches!(
        input_type,
        "insertFromPaste" | "insertReplacementText" | "insertFromDrop"
    ) || digits_now > digits_before + 1
        || (input_type.is_empty() && digits_now == OTP_CODE_DIGITS)
}

/// The code form for one address. The page moves its clock (`tick`).
#[derive(Clone)]
pub struct CodeStep {
    pub root: Element,
    inner: Rc<Inner>,
}

struct Inner {
    api: ApiClient,
    email: String,
    input: HtmlInputElement,
    error_line: Element,
    status: Element,
    submit: Element,
    resend: Element,
    /// The digits in the field.
    value: RefCell<String>,
    problem: RefCell<Option<CodeProblem>>,
    /// The last code the server called wrong: never sent again by itself.
    last_wrong: RefCell<Option<String>>,
    /// When the code was (re)sent, and the time now, in the page's clock (ms).
    sent_at: Cell<f64>,
    now: Cell<f64>,
    checking: Cell<bool>,
    resending: Cell<bool>,
    on_signed_in: Box<dyn Fn(SignInAnswer)>,
}

impl CodeStep {
    pub fn new(
        api: ApiClient,
        email: String,
        now: f64,
        on_use_another: impl Fn() + 'static,
        on_signed_in: impl Fn(SignInAnswer) + 'static,
    ) -> Self {
        let root = el(
            "form",
            &[
                ("class", "stack"),
                ("novalidate", ""),
                ("data-testid", "code-step"),
            ],
        );
        let title = text_el("h1", &[("class", "title")], "Check your email");
        let lede = text_el("p", &[("class", "lede")], &messages::code_sent_to());
        let shown = text_el(
            "strong",
            &[("class", "email"), ("data-testid", "code-email")],
            &email,
        );
        append(&lede, &[&shown]);
        append_text(&lede, ".");
        append_text(&lede, &messages::code_lifetime());
        let field = el("div", &[("class", "field")]);
        let label = text_el("label", &[("for", "code")], "Sign-in code");
        let input: HtmlInputElement = el(
            "input",
            &[
                ("id", "code"),
                ("name", "code"),
                ("class", "code-input"),
                ("type", "text"),
                ("inputmode", "numeric"),
                ("autocomplete", "one-time-code"),
                ("pattern", "[0-9]*"),
                ("spellcheck", "false"),
                ("data-testid", "code-input"),
            ],
        )
        .unchecked_into();
        let error_line = el(
            "p",
            &[
                ("id", "code-error"),
                ("class", "field-error"),
                ("data-testid", "code-error"),
                ("aria-live", "assertive"),
            ],
        );
        let status = el(
            "p",
            &[
                ("class", "status-line"),
                ("role", "status"),
                ("data-testid", "code-status"),
            ],
        );
        append(&field, &[&label, &input, &error_line, &status]);
        let submit = el(
            "button",
            &[
                ("type", "submit"),
                ("class", "button primary"),
                ("data-testid", "code-submit"),
            ],
        );
        let resend = el(
            "button",
            &[("type", "button"), ("class", "button secondary")],
        );
        let another = text_el(
            "button",
            &[
                ("type", "button"),
                ("class", "link-button"),
                ("data-testid", "code-use-another"),
            ],
            "Use a different email",
        );
        on(&another, "click", move |_| on_use_another());
        append(&root, &[&title, &lede, &field, &submit, &resend, &another]);
        let step = CodeStep {
            root,
            inner: Rc::new(Inner {
                api,
                email,
                input,
                error_line,
                status,
                submit,
                resend,
                value: RefCell::new(String::new()),
                problem: RefCell::new(None),
                last_wrong: RefCell::new(None),
                sent_at: Cell::new(now),
                now: Cell::new(now),
                checking: Cell::new(false),
                resending: Cell::new(false),
                on_signed_in: Box::new(on_signed_in),
            }),
        };
        step.listen();
        step.render();
        step
    }

    fn listen(&self) {
        let inner = &self.inner;
        let step = self.clone();
        on(&inner.input, "input", move |event| {
            let input_type = event
                .dyn_ref::<web_sys::InputEvent>()
                .map(|e| e.input_type())
                .unwrap_or_default();
            step.edited(&input_type);
        });
        let step = self.clone();
        on(&self.root, "submit", move |event| {
            event.prevent_default();
            step.submit(false);
        });
        let step = self.clone();
        on(&inner.resend, "click", move |_| step.resend());
    }

    /// Puts the cursor in the field, so typing or pasting can start at once.
    pub fn focus(&self) {
        dom::focus(&self.inner.input);
    }

    /// The clock moved (the app's ticker, or a test): the cooldown follows.
    pub fn tick(&self, now_ms: f64) {
        self.inner.now.set(now_ms);
        self.render_resend();
    }

    fn remaining(&self) -> u64 {
        let elapsed = ((self.inner.now.get() - self.inner.sent_at.get()) / 1000.0).max(0.0) as u64;
        u64::from(RESEND_COOLDOWN_SECONDS).saturating_sub(elapsed)
    }

    fn offer_new(&self) -> bool {
        self.inner
            .problem
            .borrow()
            .as_ref()
            .is_some_and(|p| p.offer_new_code)
    }

    /// Keeps the field to its digits (any script, separators dropped); a whole
    /// code arriving at once (pasted or autofilled) signs in by itself.
    fn edited(&self, input_type: &str) {
        let inner = &self.inner;
        let clean = OtpCode::normalize_partial(&inner.input.value());
        let all_at_once = arrived_all_at_once(input_type, inner.value.borrow().len(), clean.len());
        if inner.input.value() != clean {
            inner.input.set_value(&clean);
        }
        let complete = clean.len() == OTP_CODE_DIGITS;
        *inner.value.borrow_mut() = clean;
        // A problem with the typed code goes as it is edited; a dead code's stays.
        if inner
            .problem
            .borrow()
            .as_ref()
            .is_some_and(|p| !p.offer_new_code)
        {
            self.show_problem(None);
        }
        if all_at_once && complete {
            self.submit(true);
        }
    }

    fn submit(&self, automatic: bool) {
        let inner = &self.inner;
        if inner.checking.get() {
            return;
        }
        let code = match OtpCode::parse(&inner.value.borrow()) {
            Ok(code) => code,
            Err(reason) => {
                self.show_problem(Some(CodeProblem {
                    message: messages::code_shape_problem(&reason),
                    offer_new_code: false,
                }));
                self.focus();
                return;
            }
        };
        // The server already called this code wrong: sending it again would only
        // spend a try. Typed or pasted, it waits for a different code.
        if inner.last_wrong.borrow().as_deref() == Some(code.as_str()) {
            if !automatic {
                self.focus();
            }
            return;
        }
        inner.status.set_text_content(None);
        inner.checking.set(true);
        self.render();
        let request = VerifyRequest {
            code: code.to_string(),
            email: Some(inner.email.clone()),
            token: None,
        };
        let step = self.clone();
        spawn_local(async move {
            let answer = step.inner.api.verify(&request).await;
            step.inner.checking.set(false);
            step.render();
            match answer {
                Ok(signed_in) => (step.inner.on_signed_in)(signed_in),
                Err(error) => {
                    if error.api_error().and_then(|e| e.code_issue()).is_some() {
                        *step.inner.last_wrong.borrow_mut() = Some(request.code);
                    }
                    step.show_problem(Some(messages::code_problem(&error)));
                    step.focus();
                }
            }
        });
    }

    /// Mails the code again (or a new one, where the old one is dead) and starts over.
    fn resend(&self) {
        let inner = &self.inner;
        let waiting = self.remaining() > 0 && !self.offer_new();
        if inner.resending.get() || waiting {
            return;
        }
        inner.resending.set(true);
        self.render_resend();
        let request = StartRequest {
            email: Some(inner.email.clone()),
            resend: Some(true),
            ..Default::default()
        };
        let step = self.clone();
        spawn_local(async move {
            let answer = step.inner.api.start(&request).await;
            let inner = &step.inner;
            inner.resending.set(false);
            match answer {
                Ok(_) => {
                    inner.sent_at.set(inner.now.get());
                    *inner.last_wrong.borrow_mut() = None;
                    inner.value.borrow_mut().clear();
                    inner.input.set_value("");
                    step.show_problem(None);
                    inner.status.set_text_content(Some(messages::CODE_RESENT));
                    step.focus();
                }
                Err(error) => step.show_problem(Some(CodeProblem {
                    message: messages::request_problem(&error),
                    offer_new_code: false,
                })),
            }
            step.render_resend();
        });
    }

    fn show_problem(&self, problem: Option<CodeProblem>) {
        let inner = &self.inner;
        let invalid = problem.is_some().then_some("true");
        inner
            .error_line
            .set_text_content(problem.as_ref().map(|p| p.message.as_str()));
        set_attr(&inner.input, "aria-invalid", invalid);
        set_attr(
            &inner.input,
            "aria-describedby",
            problem.is_some().then_some("code-error"),
        );
        *inner.problem.borrow_mut() = problem;
        self.render_resend();
    }

    fn render(&self) {
        let inner = &self.inner;
        let checking = inner.checking.get();
        set_attr(&inner.submit, "aria-disabled", checking.then_some("true"));
        dom::show_busy(
            &inner.submit,
            checking.then_some(messages::CHECKING),
            messages::SIGN_IN,
        );
        self.render_resend();
    }

    /// Resend after the cooldown, or "Send a new code" at once when the old one is dead.
    fn render_resend(&self) {
        let (button, sending) = (&self.inner.resend, self.inner.resending.get());
        if self.offer_new() {
            set_attr(button, "data-testid", Some("code-new"));
            set_attr(button, "disabled", None);
            dom::show_busy(
                button,
                sending.then_some(messages::SENDING),
                messages::SEND_NEW_CODE,
            );
        } else {
            let remaining = self.remaining();
            set_attr(button, "data-testid", Some("code-resend"));
            set_attr(button, "disabled", (remaining > 0 || sending).then_some(""));
            dom::show_busy(
                button,
                sending.then_some(messages::SENDING),
                &messages::resend_label(remaining),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pastes_and_autofill_arrive_at_once_and_typing_does_not() {
        assert!(arrived_all_at_once("insertFromPaste", 0, 6));
        assert!(arrived_all_at_once("insertReplacementText", 0, 6));
        assert!(arrived_all_at_once("insertFromDrop", 2, 6));
        assert!(
            !arrived_all_at_once("insertText", 5, 6),
            "the sixth typed digit"
        );
        // Some browsers fill a one-time code without an input type, or in one step.
        assert!(arrived_all_at_once("", 0, 6));
        assert!(arrived_all_at_once("insertText", 0, 6));
    }
}
