//! Between the two apps. The sign-in app is the first visit's only program; once
//! someone is signed in it loads the account app's module (built beside it, named
//! in index.html) and hands it the API's address and, straight from sign-in, the
//! list as the server sent it, unread.
use wasm_bindgen::prelude::*;

/// The global the sign-in app leaves for the account app to take.
const GLOBAL: &str = "__duroPortal";
/// `<meta name="portal-account" content="/portal-account-<hash>.js">`, written by `cargo xtask build`.
const MODULE_META: &str = "meta[name='portal-account']";

#[wasm_bindgen(inline_js = "let loading = null;
export function load_module(glue) {
  if (loading === null) {
    const wasm = fetch(glue.replace(/\\.js$/, '_bg.wasm'));
    wasm.catch(() => {});
    loading = import(glue).then((m) => m.default({ module_or_path: wasm }).then(() => m));
    loading.catch(() => { loading = null; });
  }
  return loading;
}
export function open_module(glue) {
  return load_module(glue).then((m) => m.openAccount());
}
")]
extern "C" {
    /// Imports the account app's module and instantiates it, once: its `main`
    /// only makes ready (`account_app::start`). Its wasm (named, as
    /// wasm-bindgen names it, after the glue) is fetched here, beside the
    /// glue's import: left to the glue, it would be asked for only once the
    /// glue had arrived and run, a round trip more on a slow network. A
    /// `<link rel=preload>` did that too, but WebKit does not give a preloaded
    /// response to `fetch`, so it downloaded the wasm twice. A load that failed
    /// is not kept, so the next call tries again.
    fn load_module(glue: &str) -> js_sys::Promise;
    /// Loads the module (or takes the load under way) and opens the account app.
    fn open_module(glue: &str) -> js_sys::Promise;
}

/// What the account app starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub api_base: String,
    /// The verify answer's `subscriptions`, JSON as the server sent it (bytes:
    /// copied across, not turned into a JavaScript string and back); `None`
    /// after a reload.
    pub subscriptions: Option<Vec<u8>>,
    /// In a frame, the parent origin the sign-in app's handshake allowed.
    pub embed_parent: Option<String>,
}

/// Leaves the handoff for the account app, with what to do once it is on the page.
pub fn give(handoff: &Handoff, on_ready: impl FnOnce() + 'static) {
    let object = js_sys::Object::new();
    let ready = Closure::once_into_js(on_ready);
    let _ = js_sys::Reflect::set(&object, &"ready".into(), &ready);
    let _ = js_sys::Reflect::set(
        &object,
        &"apiBase".into(),
        &handoff.api_base.as_str().into(),
    );
    if let Some(list) = &handoff.subscriptions {
        let bytes = js_sys::Uint8Array::from(list.as_slice());
        let _ = js_sys::Reflect::set(&object, &"subscriptions".into(), &bytes);
    }
    if let Some(parent) = &handoff.embed_parent {
        let _ = js_sys::Reflect::set(&object, &"embedParent".into(), &parent.as_str().into());
    }
    let _ = js_sys::Reflect::set(&js_sys::global(), &GLOBAL.into(), &object);
}

/// The handoff, once (the global is removed as it is read), and the call that
/// tells the sign-in app the account app is on the page.
#[cfg(feature = "account")]
pub fn take() -> Option<(Handoff, Ready)> {
    let global = js_sys::global();
    let object = js_sys::Reflect::get(&global, &GLOBAL.into()).ok()?;
    let _ = js_sys::Reflect::delete_property(&global, &GLOBAL.into());
    let read = |key: &str| js_sys::Reflect::get(&object, &key.into()).ok()?.as_string();
    let handoff = Handoff {
        api_base: read("apiBase")?,
        subscriptions: js_sys::Reflect::get(&object, &"subscriptions".into())
            .ok()
            .and_then(|list| list.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|list| list.to_vec()),
        embed_parent: read("embedParent"),
    };
    let ready = js_sys::Reflect::get(&object, &"ready".into())
        .ok()
        .and_then(|f| wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok());
    Some((handoff, Ready(ready)))
}

/// Tells the sign-in app that the account app is on the page, so it leaves.
#[cfg(feature = "account")]
pub struct Ready(Option<js_sys::Function>);

#[cfg(feature = "account")]
impl Ready {
    pub fn now(self) {
        if let Some(ready) = self.0 {
            let _ = ready.call0(&JsValue::NULL);
        }
    }
}

fn module_url() -> Option<String> {
    crate::sign_in::document()
        .query_selector(MODULE_META)
        .ok()??
        .get_attribute("content")
}

/// Starts fetching the account app while the person types the code, then
/// instantiates it, so it is there, compiled and ready, when they are in. Not
/// part of the first visit: it waits for the code step.
pub fn prefetch_account() {
    // A failure here is seen again, and said, when the account app is opened.
    if let Some(glue) = module_url() {
        let _ = load_module(&glue);
    }
}

/// Loads and starts the account app; the handoff must be given first.
pub async fn open_account() -> Result<(), JsValue> {
    let url = module_url().ok_or_else(|| JsValue::from_str("no account module"))?;
    wasm_bindgen_futures::JsFuture::from(open_module(&url)).await?;
    Ok(())
}
