//! The portal inside a merchant's page (a frame made by embed.js). Before it
//! shows anything it needs a handshake: an init from its parent window whose
//! origin `embedOrigins` allows, checked here even when the server's
//! `frame-ancestors` already let the frame load (a static host may have
//! forgotten the header; Firefox has no `location.ancestorOrigins`). After it,
//! every message goes to that one origin, never `"*"`, and carries no token,
//! code or address (`portal_core::embed::PortalEvent`).
use std::cell::{Cell, RefCell};

use portal_core::embed::{Ancestors, HostMessage, Init, PortalEvent, HANDSHAKE_WAIT_MS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// The parent's origin once the handshake is done; nothing is posted before.
    static PARENT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Messages that were not an init from the allowed parent, shown on the
    /// page's root as `data-embed-ignored` so a test (or a person) can see them.
    static IGNORED: Cell<u32> = const { Cell::new(0) };
}

fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// Is the page inside a frame? If so, the page's root says so
/// (`data-embedded`), so the page is as tall as its content, not the window.
pub fn framed() -> bool {
    let framed = parent().is_some();
    if let Some(root) = root().filter(|_| framed) {
        let _ = root.set_attribute("data-embedded", "");
    }
    framed
}

/// The handshaken parent's origin, for the account app's handoff.
pub fn parent_origin() -> Option<String> {
    PARENT.with(|parent| parent.borrow().clone())
}

/// The account app continues the sign-in app's handshake.
pub fn continue_with(origin: Option<String>) {
    PARENT.with(|parent| *parent.borrow_mut() = origin);
}

/// Tells the parent, if there is a handshaken one.
pub fn post(event: &PortalEvent) {
    if let Some(origin) = parent_origin() {
        send(event, &origin);
    }
}

fn send(event: &PortalEvent, origin: &str) {
    let (Some(parent), Ok(json)) = (parent(), serde_json::to_string(&event.message())) else {
        return;
    };
    if let Ok(message) = js_sys::JSON::parse(&json) {
        let _ = parent.post_message(&message, origin);
    }
}

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

fn ignore() {
    let count = IGNORED.with(|ignored| {
        ignored.set(ignored.get().saturating_add(1));
        ignored.get()
    });
    if let Some(root) = root() {
        let _ = root.set_attribute("data-embed-ignored", &count.to_string());
    }
}

fn apply(init: &Init) {
    if let (Some(root), Some(theme)) = (root(), init.theme) {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
}

/// The origin of an address (`scheme://host[:port]`), without checking it.
fn origin_of(address: &str) -> Option<String> {
    let (scheme, rest) = address.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// Waits for the parent's init. Asks for it (a hello) at every allowed exact
/// origin and at the referrer's, if allowed: a message's target must be one
/// exact origin, and the browser delivers it only if the parent is there, so a
/// wrong guess reaches nobody. Gives up after `HANDSHAKE_WAIT_MS`.
pub async fn handshake(allowed: Ancestors) -> Option<Init> {
    let window = web_sys::window()?;
    let own = window.location().origin().ok();
    let done: std::rc::Rc<RefCell<Option<Init>>> = Default::default();
    let mut wake = None;
    let woken = js_sys::Promise::new(&mut |resolve, _| wake = Some(resolve));
    let (found, allowed_here) = (done.clone(), allowed.clone());
    let listener =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let from_parent = match (event.source(), parent()) {
                (Some(source), Some(parent)) => js_sys::Object::is(&source, &parent),
                _ => false,
            };
            let origin = event.origin();
            let init = from_parent
                .then(|| js_sys::JSON::stringify(&event.data()).ok())
                .flatten()
                // Read as bytes, as every answer is (one JSON reader in the app).
                .and_then(|text| {
                    serde_json::from_slice::<HostMessage>(String::from(text).as_bytes()).ok()
                })
                .and_then(HostMessage::init);
            let Some(init) = init.filter(|_| allowed_here.allow(&origin, own.as_deref())) else {
                return ignore();
            };
            apply(&init);
            let first = PARENT.with(|parent| {
                let mut parent = parent.borrow_mut();
                match parent.as_deref() {
                    None => {
                        *parent = Some(origin.clone());
                        true
                    }
                    // Later inits from the same parent may change the theme only.
                    Some(known) if known == origin => false,
                    Some(_) => {
                        ignore();
                        false
                    }
                }
            });
            if first {
                *found.borrow_mut() = Some(init);
                if let Some(wake) = &wake {
                    let _ = wake.call0(&JsValue::NULL);
                }
            }
        });
    window
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .ok()?;
    // It listens for the page's whole life: a theme may change, and anything
    // else sent to the frame is counted as ignored.
    listener.forget();

    let mut targets = allowed.exact_origins();
    if let Some(own) = window
        .location()
        .origin()
        .ok()
        .filter(|own| allowed.allow(own, Some(own)))
    {
        targets.push(own);
    }
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    if let Some(referrer) = origin_of(&referrer).filter(|o| allowed.allow(o, None)) {
        targets.push(referrer);
    }
    for target in &targets {
        send(&PortalEvent::Hello, target);
    }
    let either = js_sys::Array::of2(&woken, &after(HANDSHAKE_WAIT_MS));
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::race(&either)).await;
    let init = done.borrow_mut().take();
    init
}

/// A promise that settles after `ms`.
fn after(ms: u32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    })
}

/// Reports the page's height to the parent whenever its layout changes, so
/// the frame fits it and never shows a scrollbar of its own.
pub fn report_height() {
    let Some(root) = root() else {
        return;
    };
    let measured = root.clone();
    let last = Cell::new(0u32);
    let observer = Closure::<dyn Fn()>::new(move || {
        let height = measured.get_bounding_client_rect().height().ceil() as u32;
        if height != last.replace(height) {
            post(&PortalEvent::Height { height });
        }
    });
    if let Ok(resize) = web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref()) {
        resize.observe(&root);
        // Watched for the page's whole life, like the listener above.
        observer.forget();
        std::mem::forget(resize);
    }
}
