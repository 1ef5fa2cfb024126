//! The code field: keeps what is typed or pasted to its digits (any script,
//! separators dropped) and tells a paste or a phone's autofill from typing.
use leptos::ev::Event;
use leptos::html;
use leptos::prelude::*;
use portal_core::{OtpCode, OTP_CODE_DIGITS};
use wasm_bindgen::JsCast;

/// Paste, drop and one-time-code autofill bring many characters at once; typing
/// brings one. Only the former submits by itself.
pub fn arrived_all_at_once(input_type: &str, digits_before: usize, digits_now: usize) -> bool {
    matches!(
        input_type,
        "insertFromPaste" | "insertReplacementText" | "insertFromDrop"
    ) || digits_now > digits_before + 1
        || (input_type.is_empty() && digits_now == OTP_CODE_DIGITS)
}

#[component]
pub fn CodeField(
    value: RwSignal<String>,
    /// A problem is shown: the field is marked invalid and points at it.
    #[prop(into)]
    invalid: Signal<bool>,
    field: NodeRef<html::Input>,
    /// The digits changed.
    #[prop(into)]
    on_edit: Callback<()>,
    /// A whole code arrived at once (pasted or autofilled).
    #[prop(into)]
    on_complete: Callback<()>,
) -> impl IntoView {
    let on_input = move |ev: Event| {
        let clean = OtpCode::normalize_partial(&event_target_value(&ev));
        let input_type = ev
            .dyn_ref::<web_sys::InputEvent>()
            .map(|e| e.input_type())
            .unwrap_or_default();
        let all_at_once =
            arrived_all_at_once(&input_type, value.get_untracked().len(), clean.len());
        if let Some(input) = field.get_untracked() {
            if input.value() != clean {
                input.set_value(&clean);
            }
        }
        let complete = clean.len() == OTP_CODE_DIGITS;
        value.set(clean);
        on_edit.run(());
        if all_at_once && complete {
            on_complete.run(());
        }
    };
    view! {
        <label for="code">"Sign-in code"</label>
        <input
            id="code"
            name="code"
            class="code-input"
            type="text"
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]*"
            spellcheck="false"
            data-testid="code-input"
            node_ref=field
            prop:value=move || value.get()
            aria-invalid=move || invalid.get().then_some("true")
            aria-describedby=move || invalid.get().then_some("code-error")
            on:input=on_input
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pastes_and_autofill_arrive_at_once_and_typing_does_not() {
        assert!(arrived_all_at_once("insertFromPaste", 0, 6));
        assert!(arrived_all_at_once("insertReplacementText", 0, 6));
        assert!(arrived_all_at_once("insertFromDrop", 2, 6));
        assert!(
            !arrived_all_at_once("insertText", 5, 6),
            "the sixth typed digit"
        );
        // Some browsers fill a one-time code without an input type, or in one step.
        assert!(arrived_all_at_once("", 0, 6));
        assert!(arrived_all_at_once("insertText", 0, 6));
    }
}
