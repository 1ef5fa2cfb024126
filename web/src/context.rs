//! What every page shares, and the only ways it changes: each named method
//! updates the signals and sessionStorage together, so the two never disagree.
//! Pages say where to go; each app's shell decides what going there means.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiClient;
use crate::embed;
use crate::route::Route;
use crate::session::{self, Session};
use portal_core::embed::PortalEvent;

/// Why the sign-in page greets someone who is back there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    SessionEnded,
    SignedOut,
    LinkRefused,
}

impl Notice {
    /// A stable name, to carry the notice across a page load.
    pub fn code(self) -> &'static str {
        match self {
            Notice::SessionEnded => "session_ended",
            Notice::SignedOut => "signed_out",
            Notice::LinkRefused => "link_refused",
        }
    }

    pub fn from_code(code: &str) -> Option<Notice> {
        [Notice::SessionEnded, Notice::SignedOut, Notice::LinkRefused]
            .into_iter()
            .find(|notice| notice.code() == code)
    }
}

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
    /// A portal link's token: in memory only, never in the URL or storage.
    link_token: RwSignal<Option<String>>,
    notice: RwSignal<Option<Notice>>,
    /// The address to start the email step with.
    email: RwSignal<String>,
    /// The time in milliseconds, as countdowns see it: the app moves it with the
    /// real clock, tests move it by hand.
    now: RwSignal<f64>,
    navigation: RwSignal<Navigation>,
    /// Straight from sign-in: the list as the server sent it, for the account app.
    fresh_list: StoredValue<Option<String>>,
}

impl AppContext {
    pub fn new(api: ApiClient, link_token: Option<String>) -> AppContext {
        AppContext {
            api,
            session: RwSignal::new(session::load()),
            link_token: RwSignal::new(link_token),
            notice: RwSignal::new(None),
            email: RwSignal::new(session::remembered_email().unwrap_or_default()),
            now: RwSignal::new(js_sys::Date::now()),
            navigation: RwSignal::new(Navigation {
                route: Route::current(),
                replace: true,
            }),
            fresh_list: StoredValue::new(None),
        }
    }

    pub fn session(&self) -> ReadSignal<Option<Session>> {
        self.session.read_only()
    }

    pub fn link_token(&self) -> ReadSignal<Option<String>> {
        self.link_token.read_only()
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

    /// Someone arrives with a reason to be told (the account app sent them back).
    pub fn greet(&self, notice: Notice) {
        self.notice.set(Some(notice));
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

    /// A code went to `email`: the link has done its work, and the address is
    /// remembered for the tab.
    pub fn code_sent(&self, email: &str) {
        self.link_token.set(None);
        self.notice.set(None);
        self.email.set(email.to_string());
        session::remember_email(email);
    }

    /// The server refused the portal link's token: forget it and say why.
    pub fn link_refused(&self) {
        self.link_token.set(None);
        self.notice.set(Some(Notice::LinkRefused));
    }

    /// The person wants to sign in with another address: forget this one.
    pub fn use_another_email(&self) {
        self.link_token.set(None);
        self.notice.set(None);
        self.email.set(String::new());
        session::forget_email();
    }

    /// Signed in: the session is kept for the tab, and the list that came with it
    /// (JSON text) waits for the account app.
    pub fn signed_in(&self, signed_in: Session, list: Option<String>) {
        session::save(&signed_in);
        self.fresh_list.set_value(list);
        self.session.set(Some(signed_in));
        embed::post(&PortalEvent::SignedIn);
    }

    /// The list that came with sign-in, once.
    pub fn take_fresh_list(&self) -> Option<String> {
        self.fresh_list.try_update_value(Option::take).flatten()
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
