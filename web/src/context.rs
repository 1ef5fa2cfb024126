//! What every page shares, and the only ways it changes: each named method
//! updates the signals and sessionStorage together, so the two never disagree.
//! Pages say where to go; each app's shell decides what going there means.
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiClient, NetworkError};
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
    navigation: RwSignal<Navigation>,
}

impl AppContext {
    pub fn new(api: ApiClient) -> AppContext {
        AppContext {
            api,
            session: RwSignal::new(session::load()),
            notice: RwSignal::new(None),
            navigation: RwSignal::new(Navigation {
                route: Route::current(),
                replace: true,
            }),
        }
    }

    /// For an account page made and never shown (the account app's warm-up,
    /// while the code is typed): signed in as no one, nothing read from or
    /// written to the tab's storage, on a page that goes nowhere, and a server
    /// no request reaches (each fails as if offline).
    pub fn unseen() -> AppContext {
        let nowhere: crate::api::Transport =
            std::sync::Arc::new(|_| Box::pin(async { Err(NetworkError) }));
        AppContext {
            api: ApiClient::with_transport(nowhere),
            session: RwSignal::new(Some(Session {
                token: String::new(),
                email: String::new(),
                name: None,
            })),
            notice: RwSignal::new(None),
            navigation: RwSignal::new(Navigation {
                route: Route::Subscriptions,
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

    pub fn navigation(&self) -> ReadSignal<Navigation> {
        self.navigation.read_only()
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

    /// The server ended the session (401): forget it, keep the address for the
    /// sign-in app (which reads it from the tab's storage), explain.
    pub fn session_ended(&self) {
        if let Some(ended) = self.session.get_untracked() {
            session::remember_email(&ended.email);
        }
        session::clear();
        self.session.set(None);
        self.notice.set(Some(Notice::SessionEnded));
        embed::post(&PortalEvent::SignedOut);
    }
}
