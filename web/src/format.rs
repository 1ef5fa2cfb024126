//! Dates in the person's own locale and time zone, through the browser's `Intl`.
//! (Money is formatted by portal-core, the same on every side.)
use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsValue;

thread_local! {
    /// One formatter for the page: making one per date (what `toLocaleDateString`
    /// does) was most of the time a long list took to appear.
    static FORMATTER: js_sys::Intl::DateTimeFormat = date_formatter();
    /// Dates already written: a list's subscriptions share a few period ends.
    static WRITTEN: RefCell<HashMap<String, Option<String>>> = RefCell::default();
}

/// Makes the page's formatter now. The browser's first `Intl` date formatter
/// loads the locale's date patterns (~15 ms), which it keeps for the page: the
/// account app makes its own in a task of its own while the code is typed
/// (`account_app::start`), not in the task that shows the list.
pub fn make_formatter() {
    FORMATTER.with(|_| ());
}

/// A new "1 Dec 2026" formatter (the page keeps one) in `Intl`'s default
/// locale, which is the browser's language. Not `navigator.language`: that is
/// not always a tag `Intl` takes (WebKitGTK on a POSIX `C` system says "C",
/// and `new Intl.DateTimeFormat(["C"])` throws).
pub fn date_formatter() -> js_sys::Intl::DateTimeFormat {
    let options = js_sys::Object::new();
    for (key, value) in [("day", "numeric"), ("month", "short"), ("year", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options)
}

/// "1 Dec 2026" or "Dec 1, 2026", as the browser's language writes it; `None`
/// for a timestamp the browser cannot read.
pub fn local_date(rfc3339: &str) -> Option<String> {
    if let Some(written) = WRITTEN.with(|w| w.borrow().get(rfc3339).cloned()) {
        return written;
    }
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    let text = (!date.get_time().is_nan())
        .then(|| FORMATTER.with(|f| f.format().call1(&JsValue::NULL, &date).ok()))
        .flatten()
        .and_then(|text| text.as_string());
    WRITTEN.with(|w| w.borrow_mut().insert(rfc3339.to_string(), text.clone()));
    text
}
