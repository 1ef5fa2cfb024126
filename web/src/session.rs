//! The session lives in sessionStorage: it survives a reload in the tab and is
//! gone when the tab closes or the person signs out.
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "duro-portal.session";
const EMAIL_KEY: &str = "duro-portal.email";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub email: String,
    pub name: Option<String>,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn load() -> Option<Session> {
    let raw = storage()?.get_item(SESSION_KEY).ok()??;
    // Anything unreadable is treated as no session, and removed.
    // As bytes, as every answer is read (one JSON reader in the app).
    serde_json::from_slice(raw.as_bytes()).ok().or_else(|| {
        clear();
        None
    })
}

pub fn save(session: &Session) {
    if let (Some(storage), Ok(raw)) = (storage(), serde_json::to_string(session)) {
        let _ = storage.set_item(SESSION_KEY, &raw);
    }
    remember_email(&session.email);
}

pub fn clear() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(SESSION_KEY);
    }
}

/// The last address used, kept for the tab so a new sign-in starts with it.
pub fn remember_email(email: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(EMAIL_KEY, email);
    }
}

pub fn remembered_email() -> Option<String> {
    storage()?.get_item(EMAIL_KEY).ok()?
}

pub fn forget_email() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(EMAIL_KEY);
    }
}
