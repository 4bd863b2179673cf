//! Errors: [`ServerError`] for starting and running the server, [`ApiError`] for one request.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The server could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("the HTTP server stopped: {0}")]
    Serve(std::io::Error),
    #[error("store: {0}")]
    Store(String),
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Why one API request failed; the one error type every handler returns. The body is
/// `{"error": "<code>", "message": "<text>"}`. Messages never contain a token or a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No `Authorization: Bearer` header, or a token the store does not know.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// The token is valid but its role may not use this route.
    #[error("this action needs the admin role")]
    Forbidden,
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// The request conflicts with the current state (unblocking a function that is not blocked).
    #[error("{0}")]
    Conflict(String),
    /// Enforcement through the cloud provider failed.
    #[error("enforcement failed: {0}")]
    Enforce(String),
    #[error("store error: {0}")]
    Store(String),
    /// A feature the running server was not given (no enforcer, no policy file).
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Enforce(_) => StatusCode::BAD_GATEWAY,
            ApiError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Conflict(_) => "conflict",
            ApiError::Enforce(_) => "enforce_failed",
            ApiError::Store(_) => "store_error",
            ApiError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = (
            status,
            Json(json!({"error": self.code(), "message": self.to_string()})),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"faasguard\""),
            );
        }
        response
    }
}
