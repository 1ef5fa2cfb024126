//! What every page shares, and the only ways it changes: each named method
//! updates the signals and sessionStorage together, so the two never disagree.
//! Pages say where to go; each app's shell decides what going there means.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::embed;
pub use crate::notice::Notice;
use crate::route::Route;
use crate::session::{self, Session};
use portal_core::embed::PortalEvent;

/// Where a page asked to go, and whether in place of the current history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Navigation {
    pub route: Route,
    pub replace: bool,
}

#[derive(Clone)]
pub struct AppContext {
    pub api: ApiClient,
    session: RwSignal<Option<Session>>,
    notice: RwSignal<Option<Notice>>,
    /// The address to start the email step with.
    email: RwSignal<String>,
    /// The time in milliseconds, as countdowns see it: the app moves it with the
    /// real clock, tests move it by hand.
    now: RwSignal<f64>,
    navigation: RwSignal<Navigation>,
}

impl AppContext {
    pub fn new(api: ApiClient) -> AppContext {
        AppContext {
            api,
            session: RwSignal::new(session::load()),
            notice: RwSignal::new(None),
            email: RwSignal::new(session::remembered_email().unwrap_or_default()),
            now: RwSignal::new(js_sys::Date::now()),
            navigation: RwSignal::new(Navigation {
                route: Route::current(),
                replace: true,
            }),
        }
    }

    pub fn session(&self) -> ReadSignal<Option<Session>> {
        self.session.read_only()
    }

    pub fn notice(&self) -> ReadSignal<Option<Notice>> {
        self.notice.read_only()
    }

    pub fn email(&self) -> ReadSignal<String> {
        self.email.read_only()
    }

    pub fn now(&self) -> ReadSignal<f64> {
        self.now.read_only()
    }

    pub fn navigation(&self) -> ReadSignal<Navigation> {
        self.navigation.read_only()
    }

    /// The clock moved (the app's ticker, or a test).
    pub fn tick(&self, now_ms: f64) {
        self.now.set(now_ms);
    }

    /// Goes to a page, as following a link does.
    pub fn go(&self, route: Route) {
        self.navigation.set(Navigation {
            route,
            replace: false,
        });
    }

    /// Shows a page in place of this one, so the back button skips this one.
    pub fn redirect(&self, route: Route) {
        self.navigation.set(Navigation {
            route,
            replace: true,
        });
    }

    /// The back or forward button moved the address bar.
    pub fn address_changed(&self) {
        self.navigation.set(Navigation {
            route: Route::current(),
            replace: true,
        });
    }

    /// Signed in (the sign-in app's work; tests stand in for it): the session
    /// is kept for the tab.
    pub fn signed_in(&self, signed_in: Session) {
        session::save(&signed_in);
        self.session.set(Some(signed_in));
        embed::post(&PortalEvent::SignedIn);
    }

    /// Signing out on purpose: the session and the address are forgotten (a shared
    /// device), and the server is told; the request outlives the page.
    pub fn sign_out(&self) {
        let ended = self.session.get_untracked();
        session::clear();
        session::forget_email();
        self.email.set(String::new());
        self.session.set(None);
        self.notice.set(Some(Notice::SignedOut));
        embed::post(&PortalEvent::SignedOut);
        if let Some(ended) = ended {
            let api = self.api.clone();
            spawn_local(async move {
                let _ = api.signout(&ended.token).await;
            });
        }
    }

    /// The server ended the session (401): forget it, keep the address, explain.
    pub fn session_ended(&self) {
        if let Some(ended) = self.session.get_untracked() {
            self.email.set(ended.email);
        }
        session::clear();
        self.session.set(None);
        self.notice.set(Some(Notice::SessionEnded));
        embed::post(&PortalEvent::SignedOut);
    }
}
