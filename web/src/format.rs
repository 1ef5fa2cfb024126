//! Dates in the person's own locale and time zone, through the browser's `Intl`.
//! (Money is formatted by portal-core, the same on every side.)

/// "1 Dec 2026" or "Dec 1, 2026", as the browser's language writes it; `None`
/// for a timestamp the browser cannot read.
pub fn local_date(rfc3339: &str) -> Option<String> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    for (key, value) in [("day", "numeric"), ("month", "short"), ("year", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let locale = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_else(|| "en".to_string());
    Some(String::from(date.to_locale_date_string(&locale, &options)))
}
