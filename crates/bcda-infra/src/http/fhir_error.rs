//! The one place FHIR endpoints turn failures into HTTP: an OperationOutcome body with
//! the status BCDA uses. Internal causes are logged, never shown.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use bcda_model::ApiVersion;
use bcda_model::fhir::{FHIR_JSON, IssueCode, OperationOutcome};

/// An error answered as a FHIR OperationOutcome.
#[derive(Debug, thiserror::Error)]
#[error("{status}: {message}")]
pub struct FhirError {
    version: ApiVersion,
    status: StatusCode,
    message: String,
}

impl FhirError {
    /// An error with a message the client may read.
    pub fn new(version: ApiVersion, status: StatusCode, message: impl Into<String>) -> FhirError {
        FhirError {
            version,
            status,
            message: message.into(),
        }
    }

    /// A server failure: `cause` is logged with its chain, the client reads a generic
    /// message.
    pub fn internal(version: ApiVersion, cause: &(dyn std::error::Error + 'static)) -> FhirError {
        tracing::error!(error = %cause, source = ?cause.source(), "request failed");
        FhirError::new(
            version,
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred. Please try again later.",
        )
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
        s if s.is_server_error() => IssueCode::Exception,
        _ => IssueCode::Structure,
    }
}

impl ResponseError for FhirError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status)
            .insert_header((CONTENT_TYPE, HeaderValue::from_static(FHIR_JSON)))
            .json(self.outcome())
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
    }
}
