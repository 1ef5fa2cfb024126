//! What the browser tests share: a fake server at the API-client boundary, and
//! components mounted in their own container, removed when the test ends.
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use leptos::mount::mount_to;
use leptos::prelude::*;
use portal_core::api::PortalMerchantGroup;
use portal_core::Email;
use portal_web::api::{ApiClient, HttpRequest, HttpResponse, NetworkError, SignInAnswer};
use portal_web::session::{self, Session};
use portal_web::{AppContext, CodeStep, EmailStep, SubscriptionsPage};
use serde_json::{json, Value};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};

/// Answers requests from a script and remembers what was asked.
#[derive(Clone, Default)]
pub struct FakeServer {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
    answers: Arc<Mutex<VecDeque<Result<HttpResponse, NetworkError>>>>,
}

impl FakeServer {
    pub fn answer(&self, status: u16, body: Value) {
        self.answer_with_wait(status, body, None);
    }

    pub fn answer_with_wait(&self, status: u16, body: Value, retry_after: Option<u64>) {
        self.answers.lock().unwrap().push_back(Ok(HttpResponse {
            status,
            retry_after,
            body: body.to_string().into_bytes(),
        }));
    }

    pub fn go_offline_once(&self) {
        self.answers.lock().unwrap().push_back(Err(NetworkError));
    }

    pub fn client(&self) -> ApiClient {
        let server = self.clone();
        ApiClient::with_transport(Arc::new(move |request| {
            server.requests.lock().unwrap().push(request);
            let answer = server
                .answers
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Err(NetworkError));
            Box::pin(async move { answer })
        }))
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn bodies(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter_map(|r| r.body.as_deref())
            .map(|b| serde_json::from_str(b).unwrap())
            .collect()
    }
}

pub fn wrong_code(remaining: u32) -> Value {
    json!({"error": {"code": "validation_error", "message": "Wrong",
        "details": [{"path": "code", "issue": "incorrect", "attemptsRemaining": remaining}]}})
}

pub fn code_issue(issue: &str) -> Value {
    json!({"error": {"code": "validation_error", "message": "No", "details": [{"path": "code", "issue": issue}]}})
}

pub fn signed_in_answer() -> Value {
    json!({"sessionToken": "tok_1", "account": {"email": "ada@example.com", "name": "Ada"},
        "subscriptions": []})
}

pub struct Page {
    pub root: web_sys::Element,
    pub context: AppContext,
    pub server: FakeServer,
    pub signed_in: Arc<Mutex<Vec<SignInAnswer>>>,
    /// The sign-in app's code step keeps its own clock.
    code_step: Option<(CodeStep, Cell<f64>)>,
    _handle: Option<leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>>,
}

/// Where the tests' clock starts.
const START_MS: f64 = 1_000_000.0;

/// A container for one test's page, removed with it.
fn container() -> web_sys::Element {
    let document = document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

impl Page {
    pub fn mount(
        server: FakeServer,
        view: impl Fn(&AppContext, Arc<Mutex<Vec<SignInAnswer>>>) -> AnyView
            + Clone
            + Send
            + Sync
            + 'static,
    ) -> Page {
        session::clear();
        let root = container();
        let context = AppContext::new(server.client());
        let signed_in = Arc::new(Mutex::new(Vec::new()));
        let (ctx, sink) = (context.clone(), signed_in.clone());
        let handle = mount_to(root.clone().unchecked_into(), move || {
            provide_context(ctx.clone());
            let (ctx, sink, view) = (ctx.clone(), sink.clone(), view.clone());
            view(&ctx, sink)
        });
        Page {
            root,
            context,
            server,
            signed_in,
            code_step: None,
            _handle: Some(handle),
        }
    }

    /// The sign-in app's code step, for ada@example.com, in a container.
    pub fn code_step(server: FakeServer) -> Page {
        session::clear();
        let root = container();
        let signed_in = Arc::new(Mutex::new(Vec::new()));
        let sink = signed_in.clone();
        let step = CodeStep::new(
            server.client(),
            "ada@example.com".to_string(),
            START_MS,
            || {},
            move |answer: SignInAnswer| sink.lock().unwrap().push(answer),
        );
        root.append_child(&step.root).unwrap();
        Page {
            root,
            context: AppContext::new(server.client()),
            server,
            signed_in,
            code_step: Some((step, Cell::new(START_MS))),
            _handle: None,
        }
    }

    pub fn find(&self, test_id: &str) -> Option<HtmlElement> {
        self.root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    pub fn all(&self, test_id: &str) -> Vec<HtmlElement> {
        let list = self
            .root
            .query_selector_all(&format!("[data-testid='{test_id}']"))
            .unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().unchecked_into())
            .collect()
    }

    pub fn text(&self, test_id: &str) -> String {
        self.find(test_id)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    pub fn code_input(&self) -> HtmlInputElement {
        self.find("code-input").unwrap().unchecked_into()
    }

    /// Puts text into the code field the way the browser reports it.
    pub async fn put_code(&self, text: &str, input_type: &str) {
        let input = self.code_input();
        input.set_value(text);
        let init = web_sys::InputEventInit::new();
        init.set_bubbles(true);
        init.set_input_type(input_type);
        let event = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
        input.dispatch_event(&event).unwrap();
        settle().await;
    }

    /// Moves the code step's clock (only the sign-in app's code step counts down).
    pub fn advance_clock(&self, ms: f64) {
        let (step, now) = self
            .code_step
            .as_ref()
            .expect("a clock to move: Page::code_step");
        now.set(now.get() + ms);
        step.tick(now.get());
    }

    pub async fn click(&self, test_id: &str) {
        self.find(test_id)
            .unwrap_or_else(|| panic!("{test_id} is shown"))
            .click();
        settle().await;
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.root.remove();
    }
}

/// Keeps every change to the document, however brief, from its making until
/// it is dropped (`count` drops it).
pub struct PageChanges {
    observer: web_sys::MutationObserver,
    seen: js_sys::Array,
    _keep: wasm_bindgen::closure::Closure<dyn FnMut(js_sys::Array)>,
}

impl PageChanges {
    pub fn watch() -> PageChanges {
        let seen = js_sys::Array::new();
        let keeping = seen.clone();
        let keep = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
            move |records: js_sys::Array| {
                records.for_each(&mut |record, _, _| {
                    keeping.push(&record);
                })
            },
        );
        let observer = web_sys::MutationObserver::new(keep.as_ref().unchecked_ref()).unwrap();
        let everything = web_sys::MutationObserverInit::new();
        everything.set_subtree(true);
        everything.set_child_list(true);
        everything.set_attributes(true);
        everything.set_character_data(true);
        let document = web_sys::window().unwrap().document().unwrap();
        observer
            .observe_with_options(&document, &everything)
            .unwrap();
        PageChanges {
            observer,
            seen,
            _keep: keep,
        }
    }

    /// The changes so far, those not yet reported included.
    pub fn records(&self) -> Vec<web_sys::MutationRecord> {
        self.observer.take_records().for_each(&mut |record, _, _| {
            self.seen.push(&record);
        });
        self.seen
            .iter()
            .map(|record| record.unchecked_into())
            .collect()
    }

    /// How many changes so far; stops watching.
    pub fn count(self) -> usize {
        self.records().len()
    }
}

impl Drop for PageChanges {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// An input in the page, with the focus, as the code field has it while the
/// account app warms up; taken away when dropped.
pub struct FocusedInput(HtmlElement);

impl FocusedInput {
    pub fn in_page() -> FocusedInput {
        let document = web_sys::window().unwrap().document().unwrap();
        let input: HtmlElement = document.create_element("input").unwrap().unchecked_into();
        document.body().unwrap().append_child(&input).unwrap();
        input.focus().unwrap();
        FocusedInput(input)
    }

    pub fn has_focus(&self) -> bool {
        let document = web_sys::window().unwrap().document().unwrap();
        document
            .active_element()
            .is_some_and(|active| active == *self.0)
    }
}

impl Drop for FocusedInput {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Waits real time, as a person reading the screen does.
pub async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.ceil() as i32)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Lets the reactive system and the (instant) fake network finish: both run
/// their work as microtasks, so a few turns of the microtask queue do.
pub async fn settle() {
    for _ in 0..4 {
        tick().await;
    }
}

/// One turn of the microtask queue.
pub async fn tick() {
    let done = js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED);
    wasm_bindgen_futures::JsFuture::from(done).await.unwrap();
}

pub fn demo_groups() -> Vec<PortalMerchantGroup> {
    serde_json::from_value(json!([
        {"tenantId": "t1", "merchantName": "Lagos Fresh Boxes", "actions": ["cancel", "pause", "resume"],
         "subscriptions": [
            {"id": "sub_a", "mode": "live", "status": "active", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": "2026-12-01T12:00:00Z",
             "plan": {"id": "p", "name": "Family box", "amount": 500000, "currency": "NGN", "interval": "month", "intervalCount": 1}},
            {"id": "sub_b", "mode": "test", "status": "suspended_for_review", "cancelAtPeriodEnd": false,
             "currentPeriodEnd": null, "plan": null}
         ]},
        {"tenantId": "t2", "merchantName": "<img src=x onerror=alert(1)>", "subscriptions": [
            {"id": "sub_c", "status": "canceled", "currentPeriodEnd": "2026-10-01T00:00:00Z",
             "plan": {"id": "q", "name": "<script>window.hacked=1</script>", "amount": 1999, "currency": "USD", "interval": "month", "intervalCount": 3}}
         ]}
    ]))
    .unwrap()
}

pub fn subscriptions_page(server: FakeServer, fresh: Option<Vec<PortalMerchantGroup>>) -> Page {
    Page::mount(server, move |context, _| {
        sign_in_as_ada(context);
        // Without a fresh list (signed in earlier, a reload), the page loads it itself.
        view! { <SubscriptionsPage fresh=fresh.clone()/> }.into_any()
    })
}

/// Ada's session, as the sign-in app leaves it.
pub fn sign_in_as_ada(context: &AppContext) {
    let ada = Session {
        token: "tok_1".into(),
        email: "ada@example.com".into(),
        name: Some("Ada".into()),
    };
    context.signed_in(ada);
}

/// The sign-in app's `EmailStep` in its own container, recording what it hands on.
pub struct Mounted {
    pub root: web_sys::Element,
    pub submitted: Arc<Mutex<Vec<Email>>>,
}

impl Mounted {
    pub fn email_step() -> Mounted {
        let root = container();
        let submitted = Arc::new(Mutex::new(Vec::new()));
        let sink = submitted.clone();
        let step = EmailStep::new("", None, move |email: Email| {
            sink.lock().unwrap().push(email)
        });
        root.append_child(&step.root).unwrap();
        Mounted { root, submitted }
    }

    pub fn find<T: JsCast>(&self, test_id: &str) -> Option<T> {
        self.root
            .query_selector(&format!("[data-testid='{test_id}']"))
            .unwrap()
            .map(|e| e.unchecked_into())
    }

    pub fn input(&self) -> HtmlInputElement {
        self.find("email-input").unwrap()
    }

    pub fn text(&self, test_id: &str) -> String {
        self.find::<web_sys::Element>(test_id)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    pub async fn type_text(&self, text: &str) {
        let input = self.input();
        input.set_value(text);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
        input.dispatch_event(&event).unwrap();
        tick().await;
    }

    pub async fn click(&self, test_id: &str) {
        self.find::<HtmlElement>(test_id).unwrap().click();
        tick().await;
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}
