//! The sign-in page: a portal link's greeting or the email step, then the code step.
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use portal_core::api::{StartRequest, VerifyRequest, VerifyResponse};
use portal_core::{Email, EmailError, OtpCode, OTP_CODE_DIGITS};

use crate::api::ClientError;
use crate::format::{code_problem, request_problem, resend_label, CodeProblem};
use crate::session::{self, Session};
use crate::AppContext;

/// The server's resend cooldown (contract: 60 s).
pub const RESEND_COOLDOWN_SECONDS: u64 = 60;

#[derive(Clone, PartialEq)]
enum Step {
    Greeting,
    Email,
    Code(String),
}

/// Focuses the field if it is still on the page (this can run after an await).
fn focus(node: NodeRef<html::Input>) {
    if let Some(element) = node.try_get_untracked().flatten() {
        let _ = element.focus();
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let context = expect_context::<AppContext>();
    let navigate = use_navigate();
    // Already signed in (e.g. back button after sign-in): go to the list.
    if context.session.get_untracked().is_some() {
        navigate(
            "/subscriptions",
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    }
    let initial = if context.link_token.get_untracked().is_some() {
        Step::Greeting
    } else {
        Step::Email
    };
    let step = RwSignal::new(initial);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);

    // Both the email form and the link greeting ask `start` for a code.
    let request_code = {
        let context = context.clone();
        move |request: StartRequest| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            problem.set(None);
            let context = context.clone();
            spawn_local(async move {
                let answer = context.api.start(&request).await;
                busy.set(false);
                match answer {
                    Ok(started) => {
                        context.link_token.set(None);
                        context.notice.set(None);
                        context.email.set(started.email.clone());
                        session::remember_email(&started.email);
                        step.set(Step::Code(started.email));
                    }
                    Err(ClientError::Api { error, .. }) if error.detail_for("token").is_some() => {
                        context.link_token.set(None);
                        context.notice.set(Some(
                            "This sign-in link has expired or isn\u{2019}t valid. Enter your email and we\u{2019}ll send you a code."
                                .to_string(),
                        ));
                        step.set(Step::Email);
                    }
                    Err(error) => problem.set(Some(request_problem(&error))),
                }
            });
        }
    };
    let on_email = {
        let request_code = request_code.clone();
        Callback::new(move |email: Email| {
            request_code(StartRequest {
                email: Some(email.to_string()),
                ..Default::default()
            })
        })
    };
    let on_link = {
        let context = context.clone();
        move |_| {
            let token = context.link_token.get_untracked();
            request_code(StartRequest {
                token,
                ..Default::default()
            })
        }
    };
    let use_another = {
        let context = context.clone();
        Callback::new(move |()| {
            context.link_token.set(None);
            context.notice.set(None);
            context.email.set(String::new());
            session::forget_email();
            problem.set(None);
            step.set(Step::Email);
        })
    };
    let on_signed_in = {
        let context = context.clone();
        let navigate = navigate.clone();
        Callback::new(move |answer: VerifyResponse| {
            let signed_in = Session {
                token: answer.session_token,
                email: answer.account.email.clone(),
                name: answer.account.name.clone(),
            };
            session::save(&signed_in);
            context
                .fresh_sign_in
                .set(Some((answer.account, answer.subscriptions)));
            context.session.set(Some(signed_in));
            navigate("/subscriptions", Default::default());
        })
    };

    let notice = context.notice;
    let initial_email = context.email;
    view! {
        <section class="card" data-testid="sign-in">
            {move || match step.get() {
                Step::Greeting => {
                    let on_link = on_link.clone();
                    view! {
                        <div class="stack" data-testid="link-greeting">
                            <h1 class="title" tabindex="-1">"Sign in to manage your subscriptions"</h1>
                            <p class="lede">
                                "We\u{2019}ll email a 6-digit code to the address this link was sent to."
                            </p>
                            <FormProblem problem/>
                            <button
                                type="button"
                                class="button primary"
                                data-testid="link-send"
                                disabled=move || busy.get()
                                aria-busy=move || busy.get().then_some("true")
                                on:click=on_link
                            >
                                {move || if busy.get() { "Sending\u{2026}" } else { "Email me a code" }}
                            </button>
                            <button
                                type="button"
                                class="button secondary"
                                on:click=move |_| use_another.run(())
                            >
                                "Use a different email"
                            </button>
                        </div>
                    }
                        .into_any()
                }
                Step::Email => {
                    view! {
                        <EmailStep
                            on_valid=on_email
                            initial=initial_email.get_untracked()
                            busy=busy
                            problem=problem
                            notice=notice
                        />
                    }
                        .into_any()
                }
                Step::Code(email) => {
                    view! { <CodeStep email on_use_another=use_another on_signed_in/> }.into_any()
                }
            }}
        </section>
    }
}

/// A form-level problem (network, rate limit), announced when it appears.
#[component]
fn FormProblem(problem: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <div class="form-problem" role="alert" data-testid="form-problem">
            {move || problem.get().map(|text| view! { <p>{text}</p> })}
        </div>
    }
}

/// Asks for the address, checks it with portal-core, and offers a fix for typos.
#[component]
pub fn EmailStep(
    /// Called with the parsed address once it is valid (and any typo hint was seen).
    #[prop(into)]
    on_valid: Callback<Email>,
    #[prop(optional, into)] initial: String,
    /// A request is under way: the button shows it and a second submit does nothing.
    #[prop(optional, into)]
    busy: MaybeProp<bool>,
    #[prop(optional)] problem: Option<RwSignal<Option<String>>>,
    #[prop(optional)] notice: Option<RwSignal<Option<String>>>,
) -> impl IntoView {
    let value = RwSignal::new(initial);
    let error = RwSignal::new(None::<EmailError>);
    let suggestion = RwSignal::new(None::<Email>);
    let problem = problem.unwrap_or_else(|| RwSignal::new(None));
    let notice = notice.unwrap_or_else(|| RwSignal::new(None));
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
            suggestion.set(email.suggestion());
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
            focus(input);
        }
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

/// Takes the 6-digit code: typed, pasted in any common format, or filled in by the phone.
#[component]
pub fn CodeStep(
    email: String,
    #[prop(into)] on_use_another: Callback<()>,
    #[prop(into)] on_signed_in: Callback<VerifyResponse>,
) -> impl IntoView {
    let context = expect_context::<AppContext>();
    let value = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<CodeProblem>);
    let status = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let resending = RwSignal::new(false);
    // The last code the server called wrong: never sent again by itself.
    let last_wrong = RwSignal::new(None::<String>);
    let now = context.now;
    let sent_at = RwSignal::new(now.get_untracked());
    let input: NodeRef<html::Input> = NodeRef::new();
    let remaining = move || {
        let elapsed = ((now.get() - sent_at.get()) / 1000.0).max(0.0) as u64;
        RESEND_COOLDOWN_SECONDS.saturating_sub(elapsed)
    };
    // Focus the field when the step appears, so typing or pasting can start at once.
    Effect::new(move |_| focus(input));

    let submit = {
        let context = context.clone();
        let email = email.clone();
        move |automatic: bool| {
            if busy.get_untracked() {
                return;
            }
            let typed = value.get_untracked();
            let code = match OtpCode::parse(&typed) {
                Ok(code) => code,
                Err(reason) => {
                    problem.set(Some(CodeProblem {
                        message: reason.to_string(),
                        offer_new_code: false,
                    }));
                    focus(input);
                    return;
                }
            };
            // The server already called this code wrong: sending it again would only
            // spend a try. Typed or pasted, it waits for a different code.
            if last_wrong.get_untracked().as_deref() == Some(code.as_str()) {
                if !automatic {
                    focus(input);
                }
                return;
            }
            busy.set(true);
            status.set(None);
            let request = VerifyRequest {
                code: code.to_string(),
                email: Some(email.clone()),
                token: None,
            };
            let context = context.clone();
            spawn_local(async move {
                let answer = context.api.verify(&request).await;
                busy.set(false);
                match answer {
                    Ok(signed_in) => on_signed_in.run(signed_in),
                    Err(error) => {
                        if error.api_error().and_then(|e| e.code_issue()).is_some() {
                            last_wrong.set(Some(request.code.clone()));
                        }
                        problem.set(Some(code_problem(&error)));
                        focus(input);
                    }
                }
            });
        }
    };
    let on_input = {
        let submit = submit.clone();
        move |ev: leptos::ev::Event| {
            let raw = event_target_value(&ev);
            let clean = OtpCode::normalize_partial(&raw);
            let before = value.get_untracked();
            // Paste and autofill bring many characters at once; typing brings one.
            let input_type = wasm_bindgen::JsCast::dyn_ref::<web_sys::InputEvent>(&ev)
                .map(|e| e.input_type())
                .unwrap_or_default();
            let all_at_once = matches!(
                input_type.as_str(),
                "insertFromPaste" | "insertReplacementText" | "insertFromDrop"
            ) || clean.len() > before.len() + 1
                || (input_type.is_empty() && clean.len() == OTP_CODE_DIGITS);
            if let Some(field) = input.get_untracked() {
                if field.value() != clean {
                    field.set_value(&clean);
                }
            }
            value.set(clean.clone());
            if problem.get_untracked().is_some_and(|p| !p.offer_new_code) {
                problem.set(None);
            }
            if all_at_once && clean.len() == OTP_CODE_DIGITS {
                submit(true);
            }
        }
    };
    let on_submit = {
        let submit = submit.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            submit(false);
        }
    };
    let resend = {
        let context = context.clone();
        let email = email.clone();
        Callback::new(move |()| {
            if resending.get_untracked()
                || remaining() > 0 && !problem.get_untracked().is_some_and(|p| p.offer_new_code)
            {
                return;
            }
            resending.set(true);
            let request = StartRequest {
                email: Some(email.clone()),
                resend: Some(true),
                ..Default::default()
            };
            let context = context.clone();
            spawn_local(async move {
                let answer = context.api.start(&request).await;
                resending.set(false);
                match answer {
                    Ok(_) => {
                        sent_at.set(now.get_untracked());
                        last_wrong.set(None);
                        problem.set(None);
                        value.set(String::new());
                        if let Some(field) = input.try_get_untracked().flatten() {
                            field.set_value("");
                        }
                        status.set(Some(
                            "We sent the code again. Check your inbox.".to_string(),
                        ));
                        focus(input);
                    }
                    Err(error) => problem.set(Some(CodeProblem {
                        message: request_problem(&error),
                        offer_new_code: false,
                    })),
                }
            });
        })
    };

    // Kept out of the view macro: a `>` inside an attribute would end the tag there.
    let resend_blocked = move || remaining() > 0 || resending.get();
    let shown_email = email.clone();
    view! {
        <form class="stack" novalidate on:submit=on_submit data-testid="code-step">
            <h1 class="title">"Check your email"</h1>
            <p class="lede">
                "We sent a 6-digit code to " <strong class="email" data-testid="code-email">{shown_email}</strong> "."
                " It expires in 10 minutes."
            </p>
            <div class="field">
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
                    node_ref=input
                    prop:value=move || value.get()
                    aria-invalid=move || problem.with(|p| p.is_some().then_some("true"))
                    aria-describedby=move || problem.with(|p| p.is_some().then_some("code-error"))
                    on:input=on_input
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
                aria-disabled=move || busy.get().then_some("true")
                aria-busy=move || busy.get().then_some("true")
            >
                {move || if busy.get() { "Checking\u{2026}" } else { "Sign in" }}
            </button>
            {move || {
                if problem.with(|p| p.as_ref().is_some_and(|p| p.offer_new_code)) {
                    view! {
                        <button type="button" class="button secondary" data-testid="code-new" on:click=move |_| resend.run(())>
                            {move || if resending.get() { "Sending\u{2026}" } else { "Send a new code" }}
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            class="button secondary"
                            data-testid="code-resend"
                            disabled=resend_blocked
                            on:click=move |_| resend.run(())
                        >
                            {move || if resending.get() { "Sending\u{2026}".to_string() } else { resend_label(remaining()) }}
                        </button>
                    }
                        .into_any()
                }
            }}
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
