//! Cancelling asks once, in the card, with the keyboard's focus on "Keep it".
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ConfirmCancel(
    question: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] on_yes: Callback<()>,
    #[prop(into)] on_no: Callback<()>,
) -> impl IntoView {
    let keep: NodeRef<html::Button> = NodeRef::new();
    request_animation_frame(move || {
        if let Some(keep) = keep.try_get_untracked().flatten() {
            let _ = keep.focus();
        }
    });
    view! {
        <div class="confirm" role="group" aria-label="Confirm cancellation" data-testid="confirm-cancel">
            <p>{question}</p>
            <div class="actions">
                <button
                    type="button"
                    class="button danger small"
                    data-testid="confirm-cancel-yes"
                    aria-busy=move || pending.get().then_some("true")
                    on:click=move |_| on_yes.run(())
                >
                    {move || if pending.get() { "Canceling\u{2026}" } else { "Yes, cancel" }}
                </button>
                <button
                    type="button"
                    class="button secondary small"
                    data-testid="confirm-cancel-no"
                    node_ref=keep
                    on:click=move |_| on_no.run(())
                >
                    "Keep it"
                </button>
            </div>
        </div>
    }
}
