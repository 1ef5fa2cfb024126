//! Moving among the account's pages: real links (they open in a new tab, and
//! work by keyboard), followed in place with the history API.
use leptos::ev::MouseEvent;
use leptos::prelude::*;

use crate::route::AccountView;

/// Puts a view's path in the address bar as a new history entry.
pub fn push(view: AccountView) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(view.path()));
    }
}

/// A plain click: not one the browser should handle (a new tab, a download).
fn plain(event: &MouseEvent) -> bool {
    event.button() == 0
        && !(event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key())
}

#[component]
pub fn AccountNav(current: RwSignal<AccountView>) -> impl IntoView {
    let links = AccountView::ALL
        .into_iter()
        .map(|view| {
            view! {
                <a
                    href=view.path()
                    data-testid=format!("nav-{}", view.path().trim_start_matches('/'))
                    aria-current=move || (current.get() == view).then_some("page")
                    on:click=move |event: MouseEvent| {
                        if plain(&event) {
                            event.prevent_default();
                            if current.get_untracked() != view {
                                push(view);
                                current.set(view);
                            }
                        }
                    }
                >
                    {view.name()}
                </a>
            }
        })
        .collect_view();
    view! { <nav class="account-nav" aria-label="Account">{links}</nav> }
}

/// A link in a page's text to another account page, followed in place (outside
/// the account app, as a plain link).
#[component]
pub fn ViewLink(to: AccountView, children: Children) -> impl IntoView {
    let current = use_context::<RwSignal<AccountView>>();
    view! {
        <a
            href=to.path()
            on:click=move |event: MouseEvent| {
                if let (true, Some(current)) = (plain(&event), current) {
                    event.prevent_default();
                    push(to);
                    current.set(to);
                }
            }
        >
            {children()}
        </a>
    }
}
