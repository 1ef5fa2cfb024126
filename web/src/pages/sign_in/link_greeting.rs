//! The first step from a portal link: the address is known, one button sends the code.
use leptos::prelude::*;

use super::FormProblem;
use crate::messages;

#[component]
pub fn LinkGreeting(
    /// A code is being requested: the button says so and takes no second click.
    #[prop(into)]
    sending: Signal<bool>,
    #[prop(into)] problem: MaybeProp<String>,
    #[prop(into)] on_send: Callback<()>,
    #[prop(into)] on_use_another: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="stack" data-testid="link-greeting">
            <h1 class="title" tabindex="-1">"Sign in to manage your subscriptions"</h1>
            <p class="lede">{messages::link_lede()}</p>
            <FormProblem problem/>
            <button
                type="button"
                class="button primary"
                data-testid="link-send"
                disabled=move || sending.get()
                aria-busy=move || sending.get().then_some("true")
                on:click=move |_| on_send.run(())
            >
                {move || if sending.get() { "Sending\u{2026}" } else { "Email me a code" }}
            </button>
            <button type="button" class="button secondary" on:click=move |_| on_use_another.run(())>
                "Use a different email"
            </button>
        </div>
    }
}
