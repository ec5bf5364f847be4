//! The one place FHIR endpoints turn failures into HTTP: an OperationOutcome body with
//! the status BCDA uses. Internal causes are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use actix_web::{HttpResponse, ResponseError};
use bcda_model::ApiVersion;
use bcda_model::fhir::{FHIR_JSON, IssueCode, OperationOutcome};

/// How long a client should wait before retrying a request that met a dependency
/// briefly away: about as long as a Postgres or RabbitMQ restart takes.
pub const TRANSIENT_RETRY_AFTER_SECS: u32 = 5;

/// An error answered as a FHIR OperationOutcome.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {message}")]
pub struct FhirError {
    version: ApiVersion,
    status: StatusCode,
    message: String,
    /// Seconds for `Retry-After`, on answers a client should repeat later.
    retry_after: Option<u32>,
}

impl FhirError {
    /// An error with a message the client may read.
    pub fn new(version: ApiVersion, status: StatusCode, message: impl Into<String>) -> FhirError {
        FhirError {
            version,
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A server failure: `cause` is logged with its chain, the client reads a generic
    /// message. A dependency briefly away ([`crate::transient::is_transient`]) is
    /// [`FhirError::unavailable`]; anything else is `500`.
    pub fn internal(version: ApiVersion, cause: &(dyn std::error::Error + 'static)) -> FhirError {
        if crate::transient::is_transient(cause) {
            return FhirError::unavailable(version, cause);
        }
        tracing::error!(error = %cause, source = ?cause.source(), "request failed");
        FhirError::new(
            version,
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred. Please try again later.",
        )
    }

    /// A dependency (database, broker, object store) did not answer: `503` with
    /// `Retry-After` and issue code `transient`, so bulk clients wait and repeat the
    /// request. `cause` is logged as a warning: the dependency's own alert is the signal.
    pub fn unavailable(
        version: ApiVersion,
        cause: &(dyn std::error::Error + 'static),
    ) -> FhirError {
        tracing::warn!(error = %cause, source = ?cause.source(), "dependency unavailable");
        FhirError {
            retry_after: Some(TRANSIENT_RETRY_AFTER_SECS),
            ..FhirError::new(
                version,
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable. Please retry after the Retry-After delay.",
            )
        }
    }

    /// `429 Too Many Requests` with `Retry-After: retry_after_secs`.
    pub fn too_many_requests(
        version: ApiVersion,
        message: impl Into<String>,
        retry_after_secs: u32,
    ) -> FhirError {
        FhirError {
            retry_after: Some(retry_after_secs),
            ..FhirError::new(version, StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// The OperationOutcome this error is answered with.
    pub fn outcome(&self) -> OperationOutcome {
        OperationOutcome::error(self.version, issue_code(self.status), &self.message)
    }
}

/// The issue code BCDA pairs with each status.
fn issue_code(status: StatusCode) -> IssueCode {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => IssueCode::Forbidden,
        StatusCode::NOT_FOUND | StatusCode::GONE => IssueCode::NotFound,
        StatusCode::TOO_MANY_REQUESTS => IssueCode::Throttled,
        StatusCode::SERVICE_UNAVAILABLE => IssueCode::Transient,
        StatusCode::METHOD_NOT_ALLOWED => IssueCode::NotSupported,
        s if s.is_server_error() => IssueCode::Exception,
        _ => IssueCode::Structure,
    }
}

impl ResponseError for FhirError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON)));
        if let Some(seconds) = self.retry_after {
            response.insert_header((RETRY_AFTER, seconds));
        }
        response.json(self.outcome())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_bcda_issue_codes() {
        assert_eq!(issue_code(StatusCode::BAD_REQUEST), IssueCode::Structure);
        assert_eq!(issue_code(StatusCode::UNAUTHORIZED), IssueCode::Forbidden);
        assert_eq!(issue_code(StatusCode::GONE), IssueCode::NotFound);
        assert_eq!(issue_code(StatusCode::BAD_GATEWAY), IssueCode::Exception);
        assert_eq!(
            issue_code(StatusCode::SERVICE_UNAVAILABLE),
            IssueCode::Transient
        );
    }
}
