//! The one place token-endpoint failures become HTTP responses. Basic-auth clients get
//! BCDA's bare statuses; SMART clients get RFC 6749 error documents.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, PRAGMA, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// A token request that produced no token.
#[derive(Debug, thiserror::Error)]
pub enum TokenEndpointError {
    /// No `Authorization` header and no client assertion: BCDA answers 400.
    #[error("no Authorization header")]
    MissingAuthorization,
    /// Bad Basic credentials of any kind: `401` with an empty body, as the guide says.
    #[error("credentials rejected")]
    Unauthorized,
    /// An RFC 6749 error for the client-assertion flow.
    #[error("{error}: {description}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    #[error("rate limited")]
    RateLimited {
        retry_after: Duration,
        ttl: Duration,
    },
    #[error("token service unavailable")]
    Unavailable,
}

impl ResponseError for TokenEndpointError {
    fn status_code(&self) -> StatusCode {
        match self {
            TokenEndpointError::MissingAuthorization => StatusCode::BAD_REQUEST,
            TokenEndpointError::Unauthorized => StatusCode::UNAUTHORIZED,
            TokenEndpointError::OAuth { status, .. } => *status,
            TokenEndpointError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            TokenEndpointError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        response
            .insert_header((CACHE_CONTROL, "no-store"))
            .insert_header((PRAGMA, "no-cache"));
        match self {
            TokenEndpointError::MissingAuthorization => response
                .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("Authorization header is required: use HTTP Basic with your client id and secret"),
            TokenEndpointError::Unauthorized => response.finish(),
            TokenEndpointError::OAuth { error, description, .. } => response.json(json!({
                "error": error,
                "error_description": description,
            })),
            TokenEndpointError::RateLimited { retry_after, ttl } => response
                .insert_header((RETRY_AFTER, retry_after.as_secs().to_string()))
                .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body(format!(
                    "Too many token requests. An access token is valid for {} minutes: reuse it \
                     until it expires instead of requesting a new one for every call.",
                    ttl.as_secs() / 60
                )),
            TokenEndpointError::Unavailable => response
                .insert_header((RETRY_AFTER, "5"))
                .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
                .body("The token service is temporarily unavailable. Please retry."),
        }
    }
}
