//! Takes the code: typed, pasted in any common format, or filled in by the phone.
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use portal_core::api::{StartRequest, VerifyRequest};
use portal_core::limits::RESEND_COOLDOWN_SECONDS;
use portal_core::OtpCode;

use super::code_field::CodeField;
use super::focus;
use super::resend_button::ResendButton;
use crate::api::{ApiClient, SignInAnswer};
use crate::messages::{self, CodeProblem};
use crate::AppContext;

/// What the code step keeps between keystrokes and answers.
#[derive(Clone, Copy)]
struct CodeState {
    value: RwSignal<String>,
    problem: RwSignal<Option<CodeProblem>>,
    status: RwSignal<Option<&'static str>>,
    /// The last code the server called wrong: never sent again by itself.
    last_wrong: RwSignal<Option<String>>,
    /// When the code was (re)sent, in the context's clock.
    sent_at: RwSignal<f64>,
    field: NodeRef<html::Input>,
}

/// Checks the code with the server: signed in, or told why not with the field focused.
fn verify_action(
    api: ApiClient,
    state: CodeState,
    on_signed_in: Callback<SignInAnswer>,
) -> Action<VerifyRequest, ()> {
    Action::new_local(move |request: &VerifyRequest| {
        let (api, request) = (api.clone(), request.clone());
        async move {
            match api.verify(&request).await {
                Ok(signed_in) => on_signed_in.run(signed_in),
                Err(error) => {
                    if error.api_error().and_then(|e| e.code_issue()).is_some() {
                        state.last_wrong.set(Some(request.code));
                    }
                    state.problem.set(Some(messages::code_problem(&error)));
                    focus(state.field);
                }
            }
        }
    })
}

/// Mails the code again (or a new one, where the old one is dead) and starts over.
fn resend_action(
    api: ApiClient,
    email: String,
    state: CodeState,
    now: ReadSignal<f64>,
) -> Action<(), ()> {
    Action::new_local(move |(): &()| {
        let request = StartRequest {
            email: Some(email.clone()),
            resend: Some(true),
            ..Default::default()
        };
        let api = api.clone();
        async move {
            match api.start(&request).await {
                Ok(_) => {
                    state.sent_at.set(now.get_untracked());
                    state.last_wrong.set(None);
                    state.problem.set(None);
                    state.value.set(String::new());
                    if let Some(input) = state.field.try_get_untracked().flatten() {
                        input.set_value("");
                    }
                    state.status.set(Some(messages::CODE_RESENT));
                    focus(state.field);
                }
                Err(error) => state.problem.set(Some(CodeProblem {
                    message: messages::request_problem(&error),
                    offer_new_code: false,
                })),
            }
        }
    })
}

#[component]
pub fn CodeStep(
    email: String,
    #[prop(into)] on_use_another: Callback<()>,
    #[prop(into)] on_signed_in: Callback<SignInAnswer>,
) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let now = context.now();
    let state = CodeState {
        value: RwSignal::new(String::new()),
        problem: RwSignal::new(None),
        status: RwSignal::new(None),
        last_wrong: RwSignal::new(None),
        sent_at: RwSignal::new(now.get_untracked()),
        field: NodeRef::new(),
    };
    let CodeState {
        value,
        problem,
        status,
        last_wrong,
        sent_at,
        field,
    } = state;
    // Focus the field when the step appears, so typing or pasting can start at once.
    Effect::new(move |_| focus(field));
    let verify = verify_action(context.api.clone(), state, on_signed_in);
    let resend = resend_action(context.api.clone(), email.clone(), state, now);
    let (checking, resending) = (verify.pending(), resend.pending());
    let remaining = Signal::derive(move || {
        let elapsed = ((now.get() - sent_at.get()) / 1000.0).max(0.0) as u64;
        u64::from(RESEND_COOLDOWN_SECONDS).saturating_sub(elapsed)
    });
    let offer_new =
        Signal::derive(move || problem.with(|p| p.as_ref().is_some_and(|p| p.offer_new_code)));

    let submit = Callback::new({
        let email = email.clone();
        move |automatic: bool| {
            if checking.get_untracked() {
                return;
            }
            let code = match OtpCode::parse(&value.get_untracked()) {
                Ok(code) => code,
                Err(reason) => {
                    problem.set(Some(CodeProblem {
                        message: messages::code_shape_problem(&reason),
                        offer_new_code: false,
                    }));
                    focus(field);
                    return;
                }
            };
            // The server already called this code wrong: sending it again would only
            // spend a try. Typed or pasted, it waits for a different code.
            if last_wrong.get_untracked().as_deref() == Some(code.as_str()) {
                if !automatic {
                    focus(field);
                }
                return;
            }
            status.set(None);
            verify.dispatch(VerifyRequest {
                code: code.to_string(),
                email: Some(email.clone()),
                token: None,
            });
        }
    });
    let on_edit = move |()| {
        // A problem with the typed code goes as it is edited; a dead code's stays.
        if problem.with_untracked(|p| p.as_ref().is_some_and(|p| !p.offer_new_code)) {
            problem.set(None);
        }
    };
    let on_resend = move |()| {
        let waiting = remaining.get_untracked() > 0 && !offer_new.get_untracked();
        if !resending.get_untracked() && !waiting {
            resend.dispatch(());
        }
    };

    view! {
        <form
            class="stack"
            novalidate
            on:submit=move |ev: SubmitEvent| {
                ev.prevent_default();
                submit.run(false);
            }
            data-testid="code-step"
        >
            <h1 class="title">"Check your email"</h1>
            <p class="lede">
                {messages::code_sent_to()} <strong class="email" data-testid="code-email">{email}</strong> "."
                {messages::code_lifetime()}
            </p>
            <div class="field">
                <CodeField
                    value
                    invalid=Signal::derive(move || problem.with(Option::is_some))
                    field
                    on_edit
                    on_complete=move |()| submit.run(true)
                />
                <p id="code-error" class="field-error" data-testid="code-error" aria-live="assertive">
                    {move || problem.get().map(|p| p.message)}
                </p>
                <p class="status-line" role="status" data-testid="code-status">
                    {move || status.get()}
                </p>
            </div>
            <button
                type="submit"
                class="button primary"
                data-testid="code-submit"
                aria-disabled=move || checking.get().then_some("true")
                aria-busy=move || checking.get().then_some("true")
            >
                {move || if checking.get() { "Checking\u{2026}" } else { "Sign in" }}
            </button>
            <ResendButton remaining sending=resending offer_new on_resend/>
            <button
                type="button"
                class="link-button"
                data-testid="code-use-another"
                on:click=move |_| on_use_another.run(())
            >
                "Use a different email"
            </button>
        </form>
    }
}
