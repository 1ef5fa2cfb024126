//! One error type for every handler; it always becomes Duro's JSON envelope.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::api::{ApiError, ErrorCode, ErrorDetail, ErrorEnvelope};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{message}")]
    Validation {
        message: String,
        details: Vec<ErrorDetail>,
    },
    #[error("Too many requests. Try again in {retry_after} seconds.")]
    RateLimited { retry_after: i64 },
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A 422 about one field.
    pub fn invalid(path: &str, issue: &str, message: impl Into<String>) -> AppError {
        AppError::Validation {
            message: message.into(),
            details: vec![ErrorDetail {
                path: path.to_string(),
                issue: issue.to_string(),
                attempts_remaining: None,
            }],
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(error.into())
    }

    fn parts(&self) -> (StatusCode, ErrorCode) {
        match self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            AppError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::BadRequest)
            }
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            AppError::MethodNotAllowed(_) => {
                (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::BadRequest)
            }
            AppError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            AppError::Validation { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, ErrorCode::ValidationError)
            }
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                "Something went wrong on our side. Please try again.".to_string()
            }
            other => other.to_string(),
        };
        let details = match &self {
            AppError::Validation { details, .. } => Some(details.clone()),
            _ => None,
        };
        let envelope = ErrorEnvelope {
            error: ApiError {
                code,
                message,
                details,
            },
        };
        let mut response = (status, Json(envelope)).into_response();
        if let AppError::RateLimited { retry_after } = self {
            if let Ok(value) = HeaderValue::from_str(&retry_after.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<r2d2_sqlite::rusqlite::Error> for AppError {
    fn from(error: r2d2_sqlite::rusqlite::Error) -> Self {
        AppError::Internal(error.into())
    }
}
