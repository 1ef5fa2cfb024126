pub mod auth;
pub mod billing;
pub mod dev;
pub mod links;
pub mod portal;
pub mod wallet;

use axum::Json;
use serde_json::{json, Value};

use crate::error::AppError;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "ok": true }))
}

pub async fn api_not_found() -> AppError {
    AppError::NotFound("There is no such API endpoint.".into())
}

pub async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed("This endpoint does not take that method.".into())
}
