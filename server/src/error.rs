//! The HTTP boundary's error: routes and extractors return it, and it always
//! becomes Duro's JSON envelope. The layers below have their own errors
//! (`StoreError`, `SignInError`, the lifecycle's `Refusal`); each converts here.
use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal_core::api::{ApiError, CodeIssue, ErrorCode, ErrorDetail, ErrorEnvelope};
use portal_core::lifecycle::Refusal;

use crate::billing::BillingError;
use crate::signin::SignInError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    /// The merchant API without a secret key this server knows.
    #[error("Send a secret key this server issued, as `Authorization: Bearer sk_test_\u{2026}` or `sk_live_\u{2026}`.")]
    BadKey,
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
            AppError::Unauthorized | AppError::BadKey => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
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

    /// Why a code was refused, for the log; `None` for any other error.
    pub fn code_issue(&self) -> Option<CodeIssue> {
        match self {
            AppError::Validation { details, .. } => details
                .iter()
                .find(|d| d.path == "code")
                .map(|d| CodeIssue::from(d.issue.as_str())),
            _ => None,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::RateLimited { retry_after } => AppError::RateLimited { retry_after },
            SignInError::Code {
                issue,
                attempts_remaining,
            } => AppError::Validation {
                message: issue
                    .message(attempts_remaining)
                    .unwrap_or_else(|| "That code didn\u{2019}t work.".to_string()),
                details: vec![ErrorDetail {
                    path: "code".to_string(),
                    issue: issue.as_str().to_string(),
                    attempts_remaining,
                }],
            },
            SignInError::SessionEnded => AppError::Unauthorized,
            SignInError::Store(error) => error.into(),
        }
    }
}

impl From<crate::wallet::TopupError> for AppError {
    fn from(error: crate::wallet::TopupError) -> Self {
        match error {
            crate::wallet::TopupError::Billing(error) => error.into(),
            crate::wallet::TopupError::Amount(error) => {
                AppError::invalid("amount", error.code(), error.message())
            }
        }
    }
}

impl From<crate::links::LinkError> for AppError {
    fn from(error: crate::links::LinkError) -> Self {
        use crate::links::LinkError;
        match error {
            LinkError::Email(error) => AppError::invalid("email", "invalid", error.to_string()),
            LinkError::Ttl => AppError::invalid("ttlSeconds", "out_of_range", error.to_string()),
            LinkError::Mode { .. } => {
                AppError::invalid("subscription.mode", "mode", error.to_string())
            }
            LinkError::NoSuchSubscription | LinkError::NoSuchMerchant(_) => {
                AppError::NotFound(error.to_string())
            }
            LinkError::Store(error) => error.into(),
        }
    }
}

impl From<BillingError> for AppError {
    fn from(error: BillingError) -> Self {
        match error {
            BillingError::NotFound(message) => AppError::NotFound(message.to_string()),
            BillingError::Conflict(message) => AppError::Conflict(message),
            BillingError::BadCursor => AppError::BadRequest(error.to_string()),
            BillingError::KeyReused => AppError::invalid(
                "Idempotency-Key",
                "reused",
                "This Idempotency-Key was already used for a different request.",
            ),
            BillingError::Store(error) => error.into(),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotOffered => {
                AppError::Forbidden("This merchant does not offer that in the portal.".to_string())
            }
            Refusal::Conflict => AppError::Conflict(
                "That can\u{2019}t be done to this subscription as it stands now.".to_string(),
            ),
            Refusal::Unknown => AppError::NotFound("There is no such action.".to_string()),
        }
    }
}

/// What went wrong inside, carried on the response for [`log_internal_errors`]:
/// the client sees only a plain sentence.
#[derive(Clone)]
struct InternalError(Arc<String>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let (message, internal) = match &self {
            AppError::Internal(error) => (
                "Something went wrong on our side. Please try again.".to_string(),
                Some(InternalError(Arc::new(format!("{error:#}")))),
            ),
            other => (other.to_string(), None),
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
        if let AppError::BadKey = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"merchant API\""),
            );
        }
        if let Some(internal) = internal {
            response.extensions_mut().insert(internal);
        }
        response
    }
}

/// A handler that panicked: the API's 500 in its envelope, logged like any
/// internal error; the server goes on (the server's profile unwinds).
pub fn panic_answer(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    AppError::Internal(anyhow::anyhow!("a handler panicked: {detail}")).into_response()
}

/// Logs each internal error once, inside the request's span (with its id).
pub async fn log_internal_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(InternalError(error)) = response.extensions().get::<InternalError>() {
        tracing::error!(error = %error, "internal error");
    }
    response
}
