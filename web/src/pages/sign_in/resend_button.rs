//! Resend the code after the cooldown, or send a new one when the old one is dead.
use leptos::prelude::*;

use crate::messages;

#[component]
pub fn ResendButton(
    /// Seconds left in the resend cooldown.
    #[prop(into)]
    remaining: Signal<u64>,
    #[prop(into)] sending: Signal<bool>,
    /// The code expired or has no tries left: a new one is the way on, at once.
    #[prop(into)]
    offer_new: Signal<bool>,
    #[prop(into)] on_resend: Callback<()>,
) -> impl IntoView {
    // Kept out of the view macro: a `>` inside an attribute would end the tag there.
    let blocked = move || remaining.get() > 0 || sending.get();
    move || {
        if offer_new.get() {
            view! {
                <button
                    type="button"
                    class="button secondary"
                    data-testid="code-new"
                    aria-busy=move || sending.get().then_some("true")
                    on:click=move |_| on_resend.run(())
                >
                    {move || if sending.get() { "Sending\u{2026}" } else { "Send a new code" }}
                </button>
            }
            .into_any()
        } else {
            view! {
                <button
                    type="button"
                    class="button secondary"
                    data-testid="code-resend"
                    disabled=blocked
                    on:click=move |_| on_resend.run(())
                >
                    {move || {
                        if sending.get() {
                            "Sending\u{2026}".to_string()
                        } else {
                            messages::resend_label(remaining.get())
                        }
                    }}
                </button>
            }
            .into_any()
        }
    }
}
