//! Development helpers: the mail outbox and the test clock. Off in production.
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::AppError;
use crate::extract::ApiJson;
use crate::state::AppState;

/// `GET /dev/outbox`: mails sent in dev mode, newest first.
pub async fn dev_outbox(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    if !state.config.dev_mode() {
        return Err(AppError::NotFound(
            "The dev outbox is off: mail goes by SMTP.".into(),
        ));
    }
    Ok(Json(json!({ "items": state.mailer.outbox() })))
}

#[derive(Debug, Default, Deserialize)]
pub struct AdvanceRequest {
    seconds: i64,
}

/// `POST /dev/clock/advance {seconds}`: moves the server's clock forward.
pub async fn dev_clock_advance(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<AdvanceRequest>,
) -> Result<Json<Value>, AppError> {
    if !state.config.dev_clock {
        return Err(AppError::Forbidden(
            "The dev clock is off; start the server with --dev-clock.".into(),
        ));
    }
    if !(1..=366 * 24 * 60 * 60).contains(&request.seconds) {
        return Err(AppError::invalid(
            "seconds",
            "out_of_range",
            "Advance by 1 second to 1 year.",
        ));
    }
    state.clock.advance(request.seconds);
    Ok(Json(json!({ "now": state.clock.now() })))
}

fn require_dev_mode(state: &AppState) -> Result<(), AppError> {
    if state.config.dev_mode() {
        Ok(())
    } else {
        Err(AppError::NotFound("There is no such API endpoint.".into()))
    }
}

/// `GET /dev/latency`: each route's latency in microseconds, as the server measured it.
pub async fn dev_latency(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    require_dev_mode(&state)?;
    Ok(Json(json!({ "routes": state.latency.report() })))
}

/// `POST /dev/latency/reset`: starts the measurements over (between benchmark runs).
pub async fn dev_latency_reset(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    require_dev_mode(&state)?;
    state.latency.reset();
    Ok(Json(json!({ "ok": true })))
}
