//! The sign-in page: a portal link's greeting or the email step, then the code step.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use portal_core::api::StartRequest;
use portal_core::Email;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use super::code_step::CodeStep;
use super::dom::el;
use super::email_step::EmailStep;
use super::greeting::LinkGreeting;
use crate::api::{ApiClient, ClientError, SignInAnswer};
use crate::notice::Notice;
use crate::{handoff, messages, session};

/// The verify answer rehearsed on the code step (`SignInAnswer::rehearse`): a
/// list of 250 made-up merchants (~70 KB), read twice.
const REHEARSED_GROUPS: usize = 250;
const REHEARSED_READS: usize = 2;

enum Step {
    Greeting(LinkGreeting),
    Email(EmailStep),
    Code(CodeStep),
}

/// How the page starts.
pub struct Arriving {
    /// A portal link's token: in memory only, never in the URL or storage.
    pub link_token: Option<String>,
    /// Why the person is back here (the account app sent them), if it says.
    pub notice: Option<Notice>,
    /// The address to start the email step with.
    pub email: String,
    /// The page's clock, in ms (`Date.now()`; tests pick their own).
    pub now: f64,
}

#[derive(Clone)]
pub struct SignInPage {
    pub root: Element,
    inner: Rc<Inner>,
}

struct Inner {
    api: ApiClient,
    step: RefCell<Option<Step>>,
    link_token: RefCell<Option<String>>,
    notice: Cell<Option<Notice>>,
    email: RefCell<String>,
    now: Cell<f64>,
    /// Moves on with every step shown: an answer meant for a step that is gone
    /// (the person chose another address meanwhile) changes nothing.
    generation: Cell<u32>,
    on_signed_in: Box<dyn Fn(SignInAnswer)>,
}

impl SignInPage {
    pub fn new(
        api: ApiClient,
        arriving: Arriving,
        on_signed_in: impl Fn(SignInAnswer) + 'static,
    ) -> Self {
        let page = SignInPage {
            root: el("section", &[("class", "card"), ("data-testid", "sign-in")]),
            inner: Rc::new(Inner {
                api,
                step: RefCell::new(None),
                link_token: RefCell::new(arriving.link_token),
                notice: Cell::new(arriving.notice),
                email: RefCell::new(arriving.email),
                now: Cell::new(arriving.now),
                generation: Cell::new(0),
                on_signed_in: Box::new(on_signed_in),
            }),
        };
        if page.inner.link_token.borrow().is_some() {
            page.show_greeting();
        } else {
            page.show_email();
        }
        page
    }

    /// The clock moved: the code step's cooldown follows.
    pub fn tick(&self, now_ms: f64) {
        self.inner.now.set(now_ms);
        if let Some(Step::Code(step)) = &*self.inner.step.borrow() {
            step.tick(now_ms);
        }
    }

    fn show(&self, step: Step) {
        let root = match &step {
            Step::Greeting(greeting) => &greeting.root,
            Step::Email(email) => &email.root,
            Step::Code(code) => &code.root,
        };
        self.root.set_text_content(None);
        let _ = self.root.append_child(root);
        self.inner.generation.set(self.inner.generation.get() + 1);
        *self.inner.step.borrow_mut() = Some(step);
    }

    fn show_greeting(&self) {
        let (page, other) = (self.clone(), self.clone());
        let greeting = LinkGreeting::new(
            move || {
                let token = page.inner.link_token.borrow().clone();
                page.start(StartRequest {
                    token,
                    ..Default::default()
                });
            },
            move || other.use_another(),
        );
        self.show(Step::Greeting(greeting));
    }

    fn show_email(&self) {
        let page = self.clone();
        let notice = self.inner.notice.get().map(messages::notice);
        let step = EmailStep::new(&self.inner.email.borrow(), notice, move |email: Email| {
            page.start(StartRequest {
                email: Some(email.to_string()),
                ..Default::default()
            });
        });
        self.show(Step::Email(step));
    }

    fn show_code(&self, email: String) {
        let (page, on_signed_in) = (self.clone(), self.clone());
        let step = CodeStep::new(
            self.inner.api.clone(),
            email,
            self.inner.now.get(),
            move || page.use_another(),
            move |answer| (on_signed_in.inner.on_signed_in)(answer),
        );
        self.show(Step::Code(step.clone()));
        step.focus();
    }

    /// Shows a request under way, or its problem, on the step that asked.
    fn asking(&self, busy: bool, problem: Option<&str>) {
        match &*self.inner.step.borrow() {
            Some(Step::Greeting(greeting)) => {
                greeting.set_busy(busy);
                greeting.set_problem(problem);
            }
            Some(Step::Email(email)) => {
                email.set_busy(busy);
                email.set_problem(problem);
            }
            _ => {}
        }
    }

    /// Both the email form and the link greeting ask `start` for a code.
    fn start(&self, request: StartRequest) {
        // A new request takes the old problem away while it runs.
        self.asking(true, None);
        let (page, asked_on) = (self.clone(), self.inner.generation.get());
        spawn_local(async move {
            let answer = page.inner.api.start(&request).await;
            if page.inner.generation.get() != asked_on {
                return;
            }
            match answer {
                Ok(started) => {
                    // The link has done its work; the address is kept for the tab.
                    page.inner.link_token.replace(None);
                    page.inner.notice.set(None);
                    page.inner.email.replace(started.email.clone());
                    session::remember_email(&started.email);
                    page.show_code(started.email);
                    // The account app loads while the code is typed, and the
                    // verify answer's reading is rehearsed, in a task of its own.
                    handoff::prefetch_account();
                    super::dom::later(|| {
                        SignInAnswer::rehearse(REHEARSED_GROUPS, REHEARSED_READS);
                    });
                }
                Err(ClientError::Api { error, .. }) if error.detail_for("token").is_some() => {
                    // The server refused the portal link's token: forget it, say why.
                    page.inner.link_token.replace(None);
                    page.inner.notice.set(Some(Notice::LinkRefused));
                    page.show_email();
                }
                Err(error) => page.asking(false, Some(&messages::request_problem(&error))),
            }
        });
    }

    /// The person wants to sign in with another address: forget this one.
    fn use_another(&self) {
        self.inner.link_token.replace(None);
        self.inner.notice.set(None);
        self.inner.email.replace(String::new());
        session::forget_email();
        self.show_email();
    }
}
