//! Asks for the address, checks it with portal-core, and offers a fix for typos.
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use portal_core::{Email, EmailError};

use super::{focus, FormProblem};
use crate::messages;

/// How long a typo hint must have been on screen before a submit counts as
/// "seen, keep what I typed". The hint can appear on the very press of the
/// button (the field's blur comes first: Firefox and Chromium focus the button)
/// or between the two clicks of a double click; neither is a person's answer.
pub const HINT_READ_MS: f64 = 500.0;

#[component]
pub fn EmailStep(
    /// Called with the parsed address once it is valid (and any typo hint was seen).
    #[prop(into)]
    on_valid: Callback<Email>,
    #[prop(optional, into)] initial: String,
    /// A request is under way: the button shows it and a second submit does nothing.
    #[prop(optional, into)]
    busy: MaybeProp<bool>,
    #[prop(optional, into)] problem: MaybeProp<String>,
    #[prop(optional, into)] notice: MaybeProp<&'static str>,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<EmailError>);
    let suggestion = RwSignal::new(None::<Email>);
    // When the hint on screen appeared (`Date.now()`).
    let hint_shown_at = StoredValue::new(0.0_f64);
    let show_hint = move |hint: Option<Email>| {
        if hint.is_some() && suggestion.get_untracked() != hint {
            hint_shown_at.set_value(js_sys::Date::now());
        }
        suggestion.set(hint);
    };
    let is_busy = move || busy.get().unwrap_or(false);
    let input: NodeRef<html::Input> = NodeRef::new();

    let on_input = move |ev| {
        value.set(event_target_value(&ev));
        suggestion.set(None);
        // Once an error is shown, clear or update it as the person fixes the address.
        if error.get_untracked().is_some() {
            error.set(Email::parse(&value.get_untracked()).err());
        }
    };
    // Blur also fires when the step is replaced while the field has focus, after
    // its signals are gone: read them with `try_`, and do nothing then.
    let on_blur = move |_| {
        if let Some(Ok(email)) = value.try_get_untracked().map(|v| Email::parse(&v)) {
            show_hint(email.suggestion());
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if is_busy() {
            return;
        }
        match Email::parse(&value.get_untracked()) {
            Err(reason) => {
                error.set(Some(reason));
                suggestion.set(None);
                focus(input);
            }
            Ok(email) => {
                error.set(None);
                let hint = email.suggestion();
                // A typo hint the person has not seen yet stops the submit;
                // submitting again once it has been read keeps the address as typed.
                let read = suggestion.get_untracked() == hint
                    && js_sys::Date::now() - hint_shown_at.get_value() >= HINT_READ_MS;
                if hint.is_some() && !read {
                    show_hint(hint);
                    return;
                }
                on_valid.run(email);
            }
        }
    };
    let apply_suggestion = Callback::new(move |fixed: Email| {
        value.set(fixed.to_string());
        error.set(None);
        suggestion.set(None);
        focus(input);
    });
    let described_by = move || {
        let mut ids = Vec::new();
        if error.with(Option::is_some) {
            ids.push("email-error");
        }
        if suggestion.with(Option::is_some) {
            ids.push("email-suggestion");
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    };

    view! {
        <form class="stack" novalidate on:submit=on_submit data-testid="email-step">
            <h1 class="title" tabindex="-1">"Sign in to manage your subscriptions"</h1>
            {move || {
                notice
                    .get()
                    .map(|text| {
                        view! {
                            <p class="notice" role="status" data-testid="notice">
                                {text}
                            </p>
                        }
                    })
            }}
            <p class="lede">{messages::email_lede()}</p>
            <div class="field">
                <label for="email">"Email address"</label>
                <input
                    id="email"
                    name="email"
                    type="email"
                    inputmode="email"
                    autocomplete="email"
                    autocapitalize="off"
                    spellcheck="false"
                    required
                    data-testid="email-input"
                    node_ref=input
                    prop:value=move || value.get()
                    aria-invalid=move || error.with(|e| e.is_some().then_some("true"))
                    aria-describedby=described_by
                    on:input=on_input
                    on:blur=on_blur
                />
                <p id="email-error" class="field-error" data-testid="email-error" aria-live="polite">
                    {move || error.get().map(|e| messages::email_problem(&e))}
                </p>
                <Suggestion suggestion on_apply=apply_suggestion/>
            </div>
            <FormProblem problem/>
            <button
                type="submit"
                class="button primary"
                data-testid="email-submit"
                aria-disabled=move || is_busy().then_some("true")
                aria-busy=move || is_busy().then_some("true")
            >
                {move || if is_busy() { "Sending\u{2026}" } else { "Email me a code" }}
            </button>
        </form>
    }
}

/// "Did you mean ada@gmail.com?", with the fix one click away.
#[component]
fn Suggestion(suggestion: RwSignal<Option<Email>>, on_apply: Callback<Email>) -> impl IntoView {
    view! {
        <div id="email-suggestion" class="suggestion" aria-live="polite">
            {move || {
                suggestion
                    .get()
                    .map(|fixed| {
                        let shown = fixed.to_string();
                        view! {
                            <p data-testid="email-suggestion">
                                "Did you mean "
                                <button
                                    type="button"
                                    class="link-button"
                                    data-testid="email-suggestion-apply"
                                    on:click=move |_| on_apply.run(fixed.clone())
                                >
                                    {shown}
                                </button>
                                "?"
                            </p>
                        }
                    })
            }}
        </div>
    }
}
