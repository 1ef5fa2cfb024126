//! The sign-in page: the email step, then the code step.
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use portal_core::{Email, EmailError};

#[derive(Clone, PartialEq)]
enum Step {
    Email,
    CodeSent(Email),
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let step = RwSignal::new(Step::Email);
    let last_email = RwSignal::new(String::new());
    let on_valid = Callback::new(move |email: Email| {
        last_email.set(email.to_string());
        step.set(Step::CodeSent(email));
    });
    let use_another = Callback::new(move |()| step.set(Step::Email));
    view! {
        <section class="card" data-testid="sign-in">
            {move || match step.get() {
                Step::Email => {
                    view! { <EmailStep on_valid initial=last_email.get_untracked()/> }.into_any()
                }
                Step::CodeSent(email) => {
                    view! { <CodeSent email on_use_another=use_another/> }.into_any()
                }
            }}
        </section>
    }
}

/// Asks for the address, checks it with portal-core, and offers a fix for typos.
#[component]
pub fn EmailStep(
    /// Called with the parsed address once it is valid (and any typo hint was seen).
    #[prop(into)]
    on_valid: Callback<Email>,
    #[prop(optional, into)] initial: String,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<EmailError>);
    let suggestion = RwSignal::new(None::<Email>);
    let input: NodeRef<html::Input> = NodeRef::new();
    let focus_input = move || {
        if let Some(field) = input.get_untracked() {
            let _ = field.focus();
        }
    };

    let on_input = move |ev| {
        value.set(event_target_value(&ev));
        suggestion.set(None);
        // Once an error is shown, clear or update it as the person fixes the address.
        if error.get_untracked().is_some() {
            error.set(Email::parse(&value.get_untracked()).err());
        }
    };
    let on_blur = move |_| {
        if let Ok(email) = Email::parse(&value.get_untracked()) {
            suggestion.set(email.suggestion());
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match Email::parse(&value.get_untracked()) {
            Err(reason) => {
                error.set(Some(reason));
                suggestion.set(None);
                focus_input();
            }
            Ok(email) => {
                error.set(None);
                let hint = email.suggestion();
                // A typo hint the person has not seen yet stops the first submit;
                // submitting again with the hint on screen keeps the address as typed.
                if hint.is_some() && suggestion.get_untracked() != hint {
                    suggestion.set(hint);
                    return;
                }
                on_valid.run(email);
            }
        }
    };
    let apply_suggestion = move |_| {
        if let Some(fixed) = suggestion.get_untracked() {
            value.set(fixed.to_string());
            error.set(None);
            suggestion.set(None);
            focus_input();
        }
    };

    view! {
        <form class="stack" novalidate on:submit=on_submit data-testid="email-step">
            <h1 class="title">"Sign in to manage your subscriptions"</h1>
            <p class="lede">"We\u{2019}ll email you a 6-digit code. No password needed."</p>
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
                    aria-describedby=move || {
                        let mut ids = Vec::new();
                        if error.with(Option::is_some) {
                            ids.push("email-error");
                        }
                        if suggestion.with(Option::is_some) {
                            ids.push("email-suggestion");
                        }
                        (!ids.is_empty()).then(|| ids.join(" "))
                    }
                    on:input=on_input
                    on:blur=on_blur
                />
                <p id="email-error" class="field-error" data-testid="email-error" aria-live="polite">
                    {move || error.get().map(|e| e.to_string())}
                </p>
                <div id="email-suggestion" class="suggestion" aria-live="polite">
                    {move || {
                        suggestion
                            .get()
                            .map(|fixed| {
                                view! {
                                    <p data-testid="email-suggestion">
                                        "Did you mean "
                                        <button
                                            type="button"
                                            class="link-button"
                                            data-testid="email-suggestion-apply"
                                            on:click=apply_suggestion
                                        >
                                            {fixed.to_string()}
                                        </button>
                                        "?"
                                    </p>
                                }
                            })
                    }}
                </div>
            </div>
            <button type="submit" class="button primary" data-testid="email-submit">
                "Email me a code"
            </button>
        </form>
    }
}

/// What comes after the email step until the code step talks to the server.
#[component]
fn CodeSent(email: Email, #[prop(into)] on_use_another: Callback<()>) -> impl IntoView {
    view! {
        <div class="stack" data-testid="code-sent">
            <h1 class="title">"Check your email"</h1>
            <p class="lede">
                "A 6-digit sign-in code goes to " <strong data-testid="code-sent-email">{email.to_string()}</strong>
                ". It works for 10 minutes."
            </p>
            <p>"Next you\u{2019}ll type that code here to see and manage your subscriptions."</p>
            <button type="button" class="button secondary" on:click=move |_| on_use_another.run(())>
                "Use a different email"
            </button>
        </div>
    }
}
