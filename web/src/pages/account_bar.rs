//! An account page's heading, who is signed in, and the page's own buttons:
//! refresh and sign out.
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn AccountBar(
    title: &'static str,
    name: String,
    #[prop(into)] refreshing: Signal<bool>,
    #[prop(into)] on_refresh: Callback<()>,
    #[prop(into)] on_sign_out: Callback<()>,
) -> impl IntoView {
    // Arriving from sign-in or another account page, focus the heading so a
    // screen reader announces the new page.
    let heading: NodeRef<html::H1> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            let _ = heading.focus();
        }
    });
    view! {
        <header class="account-bar">
            <div>
                <h1 class="title" tabindex="-1" node_ref=heading>
                    {title}
                </h1>
                <p class="muted" data-testid="account-name">
                    "Signed in as "
                    {name}
                </p>
            </div>
            <div class="account-actions">
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="refresh"
                    aria-busy=move || refreshing.get().then_some("true")
                    on:click=move |_| on_refresh.run(())
                >
                    {move || if refreshing.get() { "Refreshing\u{2026}" } else { "Refresh" }}
                </button>
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="sign-out"
                    on:click=move |_| on_sign_out.run(())
                >
                    "Sign out"
                </button>
            </div>
        </header>
    }
}
