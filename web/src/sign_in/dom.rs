//! The sign-in app's few DOM helpers. It carries no UI framework (every byte of
//! the first visit is downloaded by every visitor), so its two small forms are
//! built once per step and updated in place by the step that owns them.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|window| window.document())
        .expect("the sign-in app runs in a page")
}

/// An element with its attributes (tag names and attributes are our constants).
pub fn el(tag: &str, attributes: &[(&str, &str)]) -> Element {
    let element = document()
        .create_element(tag)
        .expect("a constant tag name is valid");
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
    element
}

/// An element holding only text (set as text: never read as markup).
pub fn text_el(tag: &str, attributes: &[(&str, &str)], text: &str) -> Element {
    let element = el(tag, attributes);
    element.set_text_content(Some(text));
    element
}

pub fn append(parent: &Element, children: &[&Element]) {
    for child in children {
        let _ = parent.append_child(child);
    }
}

pub fn append_text(parent: &Element, text: &str) {
    let _ = parent.append_with_str_1(text);
}

/// Sets an attribute, or removes it for `None`.
pub fn set_attr(element: &Element, name: &str, value: Option<&str>) {
    let _ = match value {
        Some(value) => element.set_attribute(name, value),
        None => element.remove_attribute(name),
    };
}

/// A button while its request is under way (`Some` of what it then says):
/// `aria-busy`, and those words in place of its label.
pub fn show_busy(button: &Element, busy: Option<&str>, label: &str) {
    set_attr(button, "aria-busy", busy.is_some().then_some("true"));
    set_text(button, busy.unwrap_or(label));
}

/// Sets the text, only when it changed (a ticking countdown rewrites nothing
/// between its seconds).
pub fn set_text(element: &Element, text: &str) {
    if element.text_content().as_deref() != Some(text) {
        element.set_text_content(Some(text));
    }
}

/// Listens for as long as the element lives. The handler is handed to the page
/// for good: the sign-in app builds a handful per step, and leaves the page to
/// the account app soon after.
pub fn on(element: &Element, event: &str, handler: impl FnMut(Event) + 'static) {
    let handler = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = element.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
    handler.forget();
}

pub fn focus(element: &Element) {
    if let Some(element) = element.dyn_ref::<HtmlElement>() {
        let _ = element.focus();
    }
}

/// A form-level problem (network, rate limit), announced when it appears.
pub fn form_problem() -> Element {
    el(
        "div",
        &[
            ("class", "form-problem"),
            ("role", "alert"),
            ("data-testid", "form-problem"),
        ],
    )
}

pub fn show_problem(slot: &Element, problem: Option<&str>) {
    slot.set_text_content(None);
    if let Some(problem) = problem {
        append(slot, &[&text_el("p", &[], problem)]);
    }
}

/// Runs `task` in a task of its own, after this one.
pub fn later(task: impl FnOnce() + 'static) {
    if let Some(window) = web_sys::window() {
        let task = Closure::once_into_js(task);
        let _ = window.set_timeout_with_callback(task.unchecked_ref());
    }
}
