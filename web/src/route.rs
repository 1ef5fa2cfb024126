//! Two pages need no router: the address's path picks the page, and the
//! history API moves between them (the back button included). A deep link to
//! one subscription (`/subscriptions/{mode}/{id}`) is the subscriptions page
//! with a target, kept through sign-in. The sign-in app keeps the path as it
//! came; the account app reads it (`portal_core::paths::DeepLink`), so the
//! first visit carries no parser for it.
use std::cell::RefCell;

const DEEP: &str = "/subscriptions/";

thread_local! {
    /// The subscription path the address asked for when the page loaded; the
    /// address bar shows it again once the person is in.
    static TARGET: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The account's other pages: `/cards`, `/wallet`. Signed out, they are kept
/// through sign-in like a deep link.
const OTHER_PAGES: [&str; 2] = ["/cards", "/wallet"];

/// The deep link's path in the address bar as the page loads, kept for after sign-in.
pub fn keep_target() -> Option<String> {
    let path = web_sys::window().and_then(|w| w.location().pathname().ok())?;
    let other = OTHER_PAGES.contains(&path.trim_end_matches('/'));
    let target = (other || (path.len() > DEEP.len() && path.starts_with(DEEP))).then_some(path);
    TARGET.with(|kept| kept.borrow_mut().clone_from(&target));
    target
}

/// Forgets the target (it was shown, or it is not this account's).
pub fn drop_target() {
    TARGET.with(|kept| kept.borrow_mut().take());
}

/// The signed-in pages, all in the account app; `Route::Subscriptions` stands
/// for any of them in the sign-in app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountView {
    Subscriptions,
    Cards,
    Wallet,
}

impl AccountView {
    pub const ALL: [AccountView; 3] = [
        AccountView::Subscriptions,
        AccountView::Cards,
        AccountView::Wallet,
    ];

    /// The view a path shows; `None` for a path outside the account.
    pub fn from_path(path: &str) -> Option<AccountView> {
        match path.trim_end_matches('/') {
            "/cards" => Some(AccountView::Cards),
            "/wallet" => Some(AccountView::Wallet),
            "/subscriptions" => Some(AccountView::Subscriptions),
            deep if deep.starts_with(DEEP) => Some(AccountView::Subscriptions),
            _ => None,
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            AccountView::Subscriptions => "/subscriptions",
            AccountView::Cards => "/cards",
            AccountView::Wallet => "/wallet",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AccountView::Subscriptions => "Subscriptions",
            AccountView::Cards => "Cards",
            AccountView::Wallet => "Wallet",
        }
    }
}

/// A page of the portal, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    SignIn,
    Subscriptions,
    NotFound,
}

impl Route {
    pub fn from_path(path: &str) -> Route {
        match path.trim_end_matches('/') {
            "" | "/index.html" => Route::SignIn,
            "/subscriptions" => Route::Subscriptions,
            deep if deep.starts_with(DEEP) => Route::Subscriptions,
            other if OTHER_PAGES.contains(&other) => Route::Subscriptions,
            _ => Route::NotFound,
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            Route::SignIn | Route::NotFound => "/",
            Route::Subscriptions => "/subscriptions",
        }
    }

    /// The page the address bar shows now.
    pub fn current() -> Route {
        let path = web_sys::window().and_then(|w| w.location().pathname().ok());
        Route::from_path(path.as_deref().unwrap_or("/"))
    }

    /// Puts the page in the address bar: a new history entry, or in place of this one.
    pub fn show(self, replace: bool) {
        let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
            return;
        };
        let target = match self {
            Route::Subscriptions => TARGET.with(|kept| kept.borrow().clone()),
            _ => None,
        };
        let path = target.as_deref().unwrap_or(self.path());
        let state = wasm_bindgen::JsValue::NULL;
        let _ = if replace {
            history.replace_state_with_url(&state, "", Some(path))
        } else {
            history.push_state_with_url(&state, "", Some(path))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_their_pages() {
        assert_eq!(Route::from_path("/"), Route::SignIn);
        assert_eq!(Route::from_path(""), Route::SignIn);
        assert_eq!(Route::from_path("/subscriptions"), Route::Subscriptions);
        assert_eq!(Route::from_path("/subscriptions/"), Route::Subscriptions);
        assert_eq!(Route::from_path("/nope"), Route::NotFound);
        assert_eq!(
            Route::from_path("/subscriptions/live/sub_1"),
            Route::Subscriptions
        );
        assert_eq!(
            Route::from_path("/subscriptions/x/y/z"),
            Route::Subscriptions
        );
        assert_eq!(Route::from_path("/wallet"), Route::Subscriptions);
        assert_eq!(Route::from_path("/cards/"), Route::Subscriptions);
        assert_eq!(Route::from_path("/cardsx"), Route::NotFound);
    }

    #[test]
    fn every_account_view_is_found_at_its_own_path() {
        for view in AccountView::ALL {
            assert_eq!(AccountView::from_path(view.path()), Some(view));
            assert_eq!(Route::from_path(view.path()), Route::Subscriptions);
        }
        assert_eq!(
            AccountView::from_path("/subscriptions/live/sub_1"),
            Some(AccountView::Subscriptions)
        );
        assert_eq!(AccountView::from_path("/"), None);
        assert_eq!(AccountView::from_path("/wallets"), None);
    }
}
