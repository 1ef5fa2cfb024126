//! The sign-in app: the only program of a first visit. It signs people in, then
//! loads the account app and hands over to it (`handoff`). It is built on
//! web-sys alone, without the account app's UI framework: two small forms do not
//! need one, and every byte here is downloaded by every visitor.
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use portal_core::embed::PortalEvent;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

mod code_step;
mod dom;
mod email_step;
mod greeting;
mod page;

pub use code_step::{arrived_all_at_once, CodeStep};
pub use email_step::{EmailStep, HINT_READ_MS};
pub use page::{Arriving, SignInPage};

use crate::api::{ApiClient, SignInAnswer};
use crate::chrome::{self, NOT_EMBEDDABLE, NOT_FOUND};
use crate::handoff::{self, Handoff};
use crate::notice::Notice;
use crate::route::Route;
use crate::session::{self, Session};
use crate::{config, embed, link, messages};
pub(crate) use dom::document;
use dom::{append, append_text, el, on, text_el};

/// How often the clock that countdowns read moves on.
const TICK_MS: i32 = 500;

/// Starts the app: takes the link token, loads config.json, then replaces the
/// static skeleton with the live app (or a clear error screen).
pub fn start() {
    console_error_panic_hook::set_once();
    let mut arrival = link::take_arrival();
    crate::route::keep_target();
    let framed = embed::framed();
    spawn_local(async move {
        let config = config::load().await;
        // In a frame, nothing but the static skeleton until the parent has shown
        // it is a page allowed to embed the portal.
        let embedded = match &config {
            Ok(config) if framed => Some(embed::handshake(config.embed_origins.clone()).await),
            _ => None,
        };
        if let Some(Some(init)) = &embedded {
            arrival.token = arrival.token.take().or(init.token.clone());
            embed::report_height();
        }
        if let Some(skeleton) = document().get_element_by_id("boot") {
            skeleton.remove();
        }
        let Some(body) = document().body() else {
            return;
        };
        if matches!(embedded, Some(None)) {
            return body.set_inner_html(NOT_EMBEDDABLE);
        }
        let main = el(
            "main",
            &[("id", "main"), ("class", "page"), ("tabindex", "-1")],
        );
        let _ = body.append_child(&main);
        match config {
            Ok(config) => Shell::start(config.api_base, arrival, main),
            Err(problem) => config_error(&main, &problem),
        }
        embed::post(&PortalEvent::Ready);
    });
}

/// The app around its pages: which one the address shows, the clock, and the
/// way out to the account app.
struct Shell {
    api: ApiClient,
    api_base: String,
    main: Element,
    /// What the address brought (a link's token, a notice), for the first
    /// sign-in page shown only.
    link_token: RefCell<Option<String>>,
    notice: Cell<Option<Notice>>,
    session: RefCell<Option<Session>>,
    /// Straight from sign-in: the list as the server sent it, for the account app.
    fresh_list: RefCell<Option<Vec<u8>>>,
    shown: Cell<Option<Route>>,
    sign_in: RefCell<Option<SignInPage>>,
    ticker: Cell<Option<i32>>,
    back_or_forward: RefCell<Option<js_sys::Function>>,
}

impl Shell {
    fn start(api_base: String, arrival: link::Arrival, main: Element) {
        let shell = Rc::new(Shell {
            api: ApiClient::http(&api_base),
            api_base,
            main,
            link_token: RefCell::new(arrival.token),
            notice: Cell::new(arrival.notice.as_deref().and_then(Notice::from_code)),
            session: RefCell::new(session::load()),
            fresh_list: RefCell::new(None),
            shown: Cell::new(None),
            sign_in: RefCell::new(None),
            ticker: Cell::new(None),
            back_or_forward: RefCell::new(None),
        });
        let Some(window) = web_sys::window() else {
            return;
        };
        let ticking = Rc::clone(&shell);
        let tick: js_sys::Function = Closure::<dyn FnMut()>::new(move || {
            if let Some(page) = &*ticking.sign_in.borrow() {
                page.tick(js_sys::Date::now());
            }
        })
        .into_js_value()
        .unchecked_into();
        shell.ticker.set(
            window
                .set_interval_with_callback_and_timeout_and_arguments_0(&tick, TICK_MS)
                .ok(),
        );
        let history = Rc::clone(&shell);
        let moved: js_sys::Function =
            Closure::<dyn FnMut()>::new(move || history.go(Route::current(), true))
                .into_js_value()
                .unchecked_into();
        let _ = window.add_event_listener_with_callback("popstate", &moved);
        shell.back_or_forward.replace(Some(moved));
        shell.go(Route::current(), true);
    }

    /// Shows the page for `asked`, and puts it in the address bar: a redirect
    /// (no session for the account; a session at sign-in) replaces the entry.
    fn go(self: &Rc<Self>, asked: Route, replace: bool) {
        let signed_in = self.session.borrow().is_some();
        let route = match asked {
            Route::Subscriptions if !signed_in => Route::SignIn,
            Route::SignIn if signed_in => Route::Subscriptions,
            route => route,
        };
        route.show(replace || route != asked);
        if self.shown.replace(Some(route)) == Some(route) {
            return;
        }
        self.sign_in.replace(None);
        self.main.set_text_content(None);
        match route {
            Route::SignIn => self.show_sign_in(),
            Route::Subscriptions => self.open_account(Handoff {
                api_base: self.api_base.clone(),
                subscriptions: self.fresh_list.take(),
                embed_parent: embed::parent_origin(),
            }),
            Route::NotFound => self.main.set_inner_html(NOT_FOUND),
        }
    }

    fn show_sign_in(self: &Rc<Self>) {
        let arriving = Arriving {
            link_token: self.link_token.take(),
            notice: self.notice.take(),
            email: session::remembered_email().unwrap_or_default(),
            now: js_sys::Date::now(),
        };
        let shell = Rc::clone(self);
        let page = SignInPage::new(self.api.clone(), arriving, move |answer| {
            shell.signed_in(answer)
        });
        append(&self.main, &[&page.root]);
        self.sign_in.replace(Some(page));
    }

    /// Signed in: the session is kept for the tab, and the list that came with it
    /// (JSON text) waits for the account app.
    fn signed_in(self: &Rc<Self>, answer: SignInAnswer) {
        let signed_in = Session {
            token: answer.session_token,
            email: answer.account.email,
            name: answer.account.name,
        };
        session::save(&signed_in);
        self.fresh_list.replace(
            answer
                .subscriptions
                .map(|raw| raw.get().as_bytes().to_vec()),
        );
        self.session.replace(Some(signed_in));
        embed::post(&PortalEvent::SignedIn);
        self.go(Route::Subscriptions, false);
    }

    /// Loads the account app, shows the list's skeleton meanwhile, and leaves the
    /// page to it; if it cannot be loaded, says so and offers to try again.
    fn open_account(self: &Rc<Self>, handoff: Handoff) {
        let skeleton = el(
            "div",
            &[
                ("class", "merchants"),
                ("aria-busy", "true"),
                ("data-testid", "loading"),
            ],
        );
        skeleton.set_inner_html(&chrome::skeleton_inner());
        self.main.set_text_content(None);
        append(&self.main, &[&skeleton]);
        // Once the account app is on the page, this one leaves it (in a frame of
        // its own: the call comes from inside the account app's start).
        let leaving = Rc::clone(self);
        handoff::give(&handoff, move || {
            let leave = Closure::once_into_js(move || leaving.leave());
            if let Some(window) = web_sys::window() {
                let _ = window.request_animation_frame(leave.unchecked_ref());
            }
        });
        let shell = Rc::clone(self);
        spawn_local(async move {
            if handoff::open_account().await.is_ok() {
                return;
            }
            let failed = el(
                "section",
                &[
                    ("class", "card stack"),
                    ("role", "alert"),
                    ("data-testid", "load-error"),
                ],
            );
            let again = text_el(
                "button",
                &[("type", "button"), ("class", "button primary")],
                "Try again",
            );
            let retry = Rc::clone(&shell);
            on(&again, "click", move |_| {
                retry.open_account(handoff.clone())
            });
            append(
                &failed,
                &[&text_el("p", &[], messages::ACCOUNT_UNREACHABLE), &again],
            );
            shell.main.set_text_content(None);
            append(&shell.main, &[&failed]);
        });
    }

    /// The account app is on the page: this app's page, clock and listeners go.
    fn leave(&self) {
        self.main.remove();
        self.sign_in.replace(None);
        if let Some(window) = web_sys::window() {
            if let Some(ticker) = self.ticker.take() {
                window.clear_interval_with_handle(ticker);
            }
            if let Some(moved) = self.back_or_forward.take() {
                let _ = window.remove_event_listener_with_callback("popstate", &moved);
            }
        }
    }
}

/// config.json is missing or wrong: say so, to the person and to the site's owner.
fn config_error(main: &Element, problem: &str) {
    let section = el(
        "section",
        &[
            ("class", "card stack"),
            ("role", "alert"),
            ("data-testid", "config-error"),
        ],
    );
    let owner = text_el("p", &[("class", "muted")], "For the site\u{2019}s owner: ");
    append_text(&owner, problem);
    append(
        &section,
        &[
            &text_el(
                "h1",
                &[("class", "title")],
                "The portal is not set up correctly",
            ),
            &text_el("p", &[], messages::CONFIG_UNREADABLE),
            &owner,
        ],
    );
    append(main, &[&section]);
}
