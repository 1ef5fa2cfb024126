//! Dates in the browser's own language, whatever that language is called.
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

/// Makes `navigator.language` say `tag` until dropped, as a browser on a
/// system whose locale is POSIX `C` does (WebKitGTK says "C").
struct Language;

impl Language {
    fn pretend(tag: &str) -> Language {
        js_sys::eval(&format!(
            "Object.defineProperty(navigator, 'language', {{ configurable: true, get: () => {tag:?} }});\
             Object.defineProperty(navigator, 'languages', {{ configurable: true, get: () => [{tag:?}] }});"
        ))
        .unwrap();
        Language
    }
}

impl Drop for Language {
    fn drop(&mut self) {
        let _ = js_sys::eval("delete navigator.language; delete navigator.languages;");
    }
}

#[wasm_bindgen_test]
fn a_browser_language_intl_refuses_still_writes_dates() {
    let _c = Language::pretend("C");
    assert_eq!(
        js_sys::eval("navigator.language").unwrap(),
        JsValue::from_str("C"),
        "the pretended language is what the page reads"
    );
    let formatter = portal_web::format::date_formatter();
    let date = js_sys::Date::new(&JsValue::from_str("2026-12-01T12:00:00Z"));
    let written = formatter
        .format()
        .call1(&JsValue::NULL, &date)
        .unwrap()
        .as_string()
        .unwrap();
    assert!(written.contains("2026"), "{written:?}");
}
