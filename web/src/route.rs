//! Two pages need no router: the address's path picks the page, and the
//! history API moves between them (the back button included).

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
        let state = wasm_bindgen::JsValue::NULL;
        let _ = if replace {
            history.replace_state_with_url(&state, "", Some(self.path()))
        } else {
            history.push_state_with_url(&state, "", Some(self.path()))
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
    }
}
