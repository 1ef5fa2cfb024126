//! `POST /portal/email/start`, `/verify` and `/signout`.
use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::api::{
    ErrorEnvelope, SignoutResponse, StartRequest, StartResponse, VerifyRequest, VerifyResponse,
};
use portal_core::{paths, Email, OtpCode};

use crate::error::AppError;
use crate::extract::{ApiJson, ClientIp, SessionToken};
use crate::signin::{self, SignInError, StartOutcome};
use crate::state::AppState;

/// The address a request is about: a portal link token's, or the email field's.
/// Both may come, but must name the same address (after normalizing), so a
/// request can never act on an address other than the one it shows.
fn requested_email(
    state: &AppState,
    email: Option<String>,
    token: Option<String>,
) -> Result<Email, AppError> {
    let parse = |typed: &str| {
        Email::parse(typed).map_err(|e| AppError::invalid("email", e.code(), e.to_string()))
    };
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        return parse(email.as_deref().unwrap_or_default());
    };
    let linked = state
        .keys
        .open_link_token(&token, state.clock.now())
        .map_err(|e| AppError::invalid("token", e.issue(), e.to_string()))?;
    match email.filter(|typed| !typed.trim().is_empty()) {
        Some(typed) if parse(&typed)? != linked => Err(AppError::invalid(
            "email",
            "token_mismatch",
            "This address is not the one the sign-in link was sent to.",
        )),
        _ => Ok(linked),
    }
}

/// A sign-in rule's verdict in a word, for the log.
fn outcome_name<T>(result: &Result<T, SignInError>) -> &str {
    match result {
        Ok(_) => "ok",
        Err(SignInError::RateLimited { .. }) => "rate_limited",
        Err(SignInError::Code { issue, .. }) => issue.as_str(),
        Err(SignInError::SessionEnded) => "no_session",
        Err(SignInError::Store(_)) => "error",
    }
}

/// Emails a one-time code to the customer (the same answer for unknown addresses).
#[utoipa::path(
    post, path = paths::START, tag = "Customer Portal Account",
    request_body = StartRequest,
    responses(
        (status = 200, description = "Code sent, re-sent, or already sent within the cooldown", body = StartResponse),
        (status = 400, description = "Body is not a JSON object or is over 4 KB", body = ErrorEnvelope),
        (status = 415, description = "Body is not application/json", body = ErrorEnvelope),
        (status = 422, description = "Invalid email (path `email`), portal link token (path `token`), or an email other than the token's (path `email`, issue `token_mismatch`)", body = ErrorEnvelope),
        (status = 429, description = "Too many codes for this address, or starts from this client", body = ErrorEnvelope,
            headers(("Retry-After" = u32, description = "Seconds until a new request can succeed"))),
    )
)]
pub async fn email_start(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(request): ApiJson<StartRequest>,
) -> Result<Json<StartResponse>, AppError> {
    let started = Instant::now();
    let email = requested_email(&state, request.email, request.token)?;
    let resend = request.resend.unwrap_or(false);
    let now = state.clock.now();
    let result = {
        let (keys, limits, email) = (
            state.keys.clone(),
            state.config.limits.clone(),
            email.clone(),
        );
        let client = client.to_string();
        state
            .store
            .write(move |conn| signin::start(conn, &keys, &limits, now, &email, &client, resend))
            .await
    };
    let log_id = state.keys.log_id(&email);
    let detail = match &result {
        Ok(StartOutcome::Send { code, has_account }) => {
            // Unknown addresses get the same record and answer, but no mail.
            if *has_account {
                let mail =
                    state
                        .mailer
                        .compose(&email, code, state.config.limits.code_ttl / 60, now);
                state
                    .mailer
                    .send_in_background(mail, log_id.clone(), state.metrics.clone());
            }
            if resend {
                "resent"
            } else {
                "sent"
            }
        }
        Ok(StartOutcome::AlreadySent) => "cooldown",
        Err(_) => outcome_name(&result),
    };
    tracing::info!(
        event = "start",
        client = %client,
        email = %log_id,
        result = detail,
        elapsed_ms = started.elapsed().as_millis() as u64,
    );
    result?;
    Ok(Json(StartResponse {
        email: email.to_string(),
    }))
}

/// Verifies the code and opens a session.
#[utoipa::path(
    post, path = paths::VERIFY, tag = "Customer Portal Account",
    request_body = VerifyRequest,
    responses(
        (status = 200, description = "Session, account and every subscription grouped by merchant", body = VerifyResponse),
        (status = 400, description = "Body is not a JSON object or is over 4 KB", body = ErrorEnvelope),
        (status = 415, description = "Body is not application/json", body = ErrorEnvelope),
        (status = 422, description = "Path `code` with issue `incorrect` (and `attemptsRemaining`), `expired` (also for a used code) or `attempts_exceeded`; or a bad email or token, or an email other than the token's", body = ErrorEnvelope),
        (status = 429, description = "Address locked after repeated failures", body = ErrorEnvelope,
            headers(("Retry-After" = u32, description = "Seconds until the lock ends"))),
    )
)]
pub async fn email_verify(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> Result<Json<VerifyResponse>, AppError> {
    let started = Instant::now();
    // The code's shape is checked before anything touches the database.
    let code = OtpCode::parse(&request.code)
        .map_err(|e| AppError::invalid("code", e.code(), e.to_string()))?;
    let email = requested_email(&state, request.email, request.token)?;
    let now = state.clock.now();
    let result = {
        let (keys, limits, email) = (
            state.keys.clone(),
            state.config.limits.clone(),
            email.clone(),
        );
        let client = client.to_string();
        state
            .store
            .write(move |conn| signin::verify(conn, &keys, &limits, now, &email, &client, &code))
            .await
            .map_err(SignInError::from)
            .and_then(|verdict| verdict)
    };
    tracing::info!(
        event = "verify",
        client = %client,
        email = %state.keys.log_id(&email),
        result = outcome_name(&result),
        elapsed_ms = started.elapsed().as_millis() as u64,
    );
    let signed_in = result?;
    Ok(Json(VerifyResponse {
        session_token: signed_in.session_token,
        account: signed_in.account,
        subscriptions: signed_in.merchants,
    }))
}

/// Revokes the session; answers the same whether or not it was still live.
#[utoipa::path(
    post, path = paths::SIGNOUT, tag = "Customer Portal Account",
    security((), ("session" = [])),
    responses((status = 200, description = "Signed out (idempotent)", body = SignoutResponse))
)]
pub async fn email_signout(
    State(state): State<AppState>,
    token: Option<SessionToken>,
) -> Result<Response, AppError> {
    if let Some(SessionToken(token)) = token {
        state
            .store
            .write(move |conn| signin::revoke_session(conn, &token))
            .await?;
    }
    let mut response = Json(SignoutResponse { ok: true }).into_response();
    response.headers_mut().insert(
        header::HeaderName::from_static("clear-site-data"),
        HeaderValue::from_static("\"cache\", \"storage\""),
    );
    Ok(response)
}
