//! What every page shares, and the only ways it changes: each named method
//! updates the signals and sessionStorage together, so the two never disagree.
use leptos::prelude::*;
use leptos::task::spawn_local;
use portal_core::api::{PortalAccount, PortalMerchantGroup, VerifyResponse};

use crate::api::ApiClient;
use crate::messages;
use crate::route::Route;
use crate::session::{self, Session};

/// The answer of a sign-in that just happened, so the list shows without a second request.
#[derive(Debug, Clone)]
pub struct FreshSignIn {
    pub account: PortalAccount,
    pub merchants: Vec<PortalMerchantGroup>,
}

#[derive(Clone)]
pub struct AppContext {
    pub api: ApiClient,
    session: RwSignal<Option<Session>>,
    /// A portal link's token: in memory only, never in the URL or storage.
    link_token: RwSignal<Option<String>>,
    /// A line for the sign-in page, e.g. why the person is back there.
    notice: RwSignal<Option<&'static str>>,
    /// The address to start the email step with.
    email: RwSignal<String>,
    fresh: StoredValue<Option<FreshSignIn>>,
    /// The time in milliseconds, as countdowns see it: the app moves it with the
    /// real clock, tests move it by hand.
    now: RwSignal<f64>,
    /// The page shown, as the address bar says.
    route: RwSignal<Route>,
}

impl AppContext {
    pub fn new(api: ApiClient, link_token: Option<String>) -> AppContext {
        AppContext {
            api,
            session: RwSignal::new(session::load()),
            link_token: RwSignal::new(link_token),
            notice: RwSignal::new(None),
            email: RwSignal::new(session::remembered_email().unwrap_or_default()),
            fresh: StoredValue::new(None),
            now: RwSignal::new(js_sys::Date::now()),
            route: RwSignal::new(Route::current()),
        }
    }

    pub fn route(&self) -> ReadSignal<Route> {
        self.route.read_only()
    }

    /// Goes to a page, as following a link does.
    pub fn go(&self, route: Route) {
        route.show(false);
        self.route.set(route);
    }

    /// Shows a page in place of this one, so the back button skips this one.
    pub fn redirect(&self, route: Route) {
        route.show(true);
        self.route.set(route);
    }

    /// The back or forward button moved the address bar.
    pub fn address_changed(&self) {
        self.route.set(Route::current());
    }

    pub fn session(&self) -> ReadSignal<Option<Session>> {
        self.session.read_only()
    }

    pub fn link_token(&self) -> ReadSignal<Option<String>> {
        self.link_token.read_only()
    }

    pub fn notice(&self) -> ReadSignal<Option<&'static str>> {
        self.notice.read_only()
    }

    pub fn email(&self) -> ReadSignal<String> {
        self.email.read_only()
    }

    pub fn now(&self) -> ReadSignal<f64> {
        self.now.read_only()
    }

    /// The clock moved (the app's ticker, or a test).
    pub fn tick(&self, now_ms: f64) {
        self.now.set(now_ms);
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
        self.notice.set(Some(messages::LINK_REFUSED));
    }

    /// The person wants to sign in with another address: forget this one.
    pub fn use_another_email(&self) {
        self.link_token.set(None);
        self.notice.set(None);
        self.email.set(String::new());
        session::forget_email();
    }

    pub fn signed_in(&self, answer: VerifyResponse) {
        let signed_in = Session {
            token: answer.session_token,
            email: answer.account.email.clone(),
            name: answer.account.name.clone(),
        };
        session::save(&signed_in);
        self.fresh.set_value(Some(FreshSignIn {
            account: answer.account,
            merchants: answer.subscriptions,
        }));
        self.session.set(Some(signed_in));
    }

    /// The sign-in's answer, once: the first page to ask shows it.
    pub fn take_fresh_sign_in(&self) -> Option<FreshSignIn> {
        self.fresh.try_update_value(Option::take).flatten()
    }

    /// Signing out on purpose: the session and the address are forgotten (a shared
    /// device), and the server is told; the page does not wait for it.
    pub fn sign_out(&self) {
        let ended = self.session.get_untracked();
        session::clear();
        session::forget_email();
        self.email.set(String::new());
        self.session.set(None);
        self.notice.set(Some(messages::SIGNED_OUT));
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
        self.notice.set(Some(messages::SESSION_ENDED));
    }
}
