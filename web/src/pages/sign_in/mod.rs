//! The sign-in page: a portal link's greeting or the email step, then the code step.
use leptos::prelude::*;
use portal_core::api::StartRequest;
use portal_core::Email;

mod code_field;
mod code_step;
mod email_step;
mod form_problem;
mod link_greeting;
mod resend_button;

pub use code_step::CodeStep;
pub use email_step::{EmailStep, HINT_READ_MS};
use form_problem::FormProblem;
use link_greeting::LinkGreeting;

use crate::api::{ClientError, SignInAnswer};
use crate::handoff;
use crate::route::Route;
use crate::session::Session;
use crate::{messages, AppContext};

#[derive(Clone, PartialEq)]
enum Step {
    Greeting,
    Email,
    Code(String),
}

/// Focuses a field if it is still on the page (this can run after an await).
fn focus(node: NodeRef<leptos::html::Input>) {
    if let Some(element) = node.try_get_untracked().flatten() {
        let _ = element.focus();
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let context = expect_context::<AppContext>();
    // Already signed in (e.g. the back button after sign-in): go to the list.
    if context.session().get_untracked().is_some() {
        context.redirect(Route::Subscriptions);
    }
    let has_link = context.link_token().get_untracked().is_some();
    let step = RwSignal::new(if has_link {
        Step::Greeting
    } else {
        Step::Email
    });

    // Both the email form and the link greeting ask `start` for a code; the
    // action's value is the problem to show, if any.
    let start = Action::new_local({
        let context = context.clone();
        move |request: &StartRequest| {
            let (context, request) = (context.clone(), request.clone());
            async move {
                match context.api.start(&request).await {
                    Ok(started) => {
                        context.code_sent(&started.email);
                        step.set(Step::Code(started.email));
                        // The account app loads while the code is typed.
                        handoff::prefetch_account();
                        None
                    }
                    Err(ClientError::Api { error, .. }) if error.detail_for("token").is_some() => {
                        context.link_refused();
                        step.set(Step::Email);
                        None
                    }
                    Err(error) => Some(messages::request_problem(&error)),
                }
            }
        }
    });
    let sending = start.pending();
    let problem = Signal::derive(move || {
        // A new request takes the old problem away while it runs.
        (!sending.get())
            .then(|| start.value().get().flatten())
            .flatten()
    });

    let on_email = Callback::new(move |email: Email| {
        start.dispatch(StartRequest {
            email: Some(email.to_string()),
            ..Default::default()
        });
    });
    let on_link = Callback::new({
        let token = context.link_token();
        move |()| {
            start.dispatch(StartRequest {
                token: token.get_untracked(),
                ..Default::default()
            });
        }
    });
    let use_another = Callback::new({
        let context = context.clone();
        move |()| {
            context.use_another_email();
            start.clear();
            step.set(Step::Email);
        }
    });
    let on_signed_in = Callback::new({
        let context = context.clone();
        move |answer: SignInAnswer| {
            let signed_in = Session {
                token: answer.session_token,
                email: answer.account.email,
                name: answer.account.name,
            };
            let list = answer.subscriptions.map(|raw| raw.get().to_string());
            context.signed_in(signed_in, list);
            context.go(Route::Subscriptions);
        }
    });

    let (notice, email) = (context.notice(), context.email());
    let notice = Signal::derive(move || notice.get().map(messages::notice));
    view! {
        <section class="card" data-testid="sign-in">
            {move || match step.get() {
                Step::Greeting => {
                    view! {
                        <LinkGreeting sending problem on_send=on_link on_use_another=use_another/>
                    }
                        .into_any()
                }
                Step::Email => {
                    view! {
                        <EmailStep
                            on_valid=on_email
                            initial=email.get_untracked()
                            busy=sending
                            problem
                            notice
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
