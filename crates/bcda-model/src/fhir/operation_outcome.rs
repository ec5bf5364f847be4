//! OperationOutcome: how every FHIR endpoint reports an error.

use serde::Serialize;

use crate::ApiVersion;

/// The FHIR issue type, chosen by the kind of failure as BCDA does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IssueCode {
    /// The request itself is malformed (HTTP 400).
    Structure,
    /// No valid token, or the ACO may not do this (HTTP 401, 403).
    Forbidden,
    /// Nothing to see here, or no longer (HTTP 404, 410).
    NotFound,
    /// The server failed (HTTP 5xx).
    Exception,
    /// Too many requests (HTTP 429).
    Throttled,
    /// A dependency is briefly unavailable; retry later (HTTP 503).
    Transient,
    /// The method is not supported on this path (HTTP 405).
    NotSupported,
}

impl IssueCode {
    /// The `details.coding.code` BCDA's v2 adds, a coarse error class for dashboards.
    fn details_code(self) -> &'static str {
        match self {
            IssueCode::Structure => "Request Error",
            IssueCode::Forbidden => "Unauthorized",
            IssueCode::NotFound => "Not Found",
            IssueCode::Exception => "Internal Error",
            IssueCode::Throttled => "Too Many Requests",
            IssueCode::Transient => "Service Unavailable",
            IssueCode::NotSupported => "Method Not Allowed",
        }
    }
}

/// A FHIR OperationOutcome with a single error issue. v1 (STU3) carries `diagnostics`
/// only; v2 (R4) adds `details`, as BCDA does, so v2 parsers find the message in either.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationOutcome {
    resource_type: &'static str,
    issue: [Issue; 1],
}

#[derive(Debug, Clone, Serialize)]
struct Issue {
    severity: &'static str,
    code: IssueCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
    diagnostics: String,
}

#[derive(Debug, Clone, Serialize)]
struct Details {
    coding: [Coding; 1],
    text: String,
}

#[derive(Debug, Clone, Serialize)]
struct Coding {
    system: &'static str,
    code: &'static str,
    display: String,
}

impl OperationOutcome {
    /// An error outcome in the form the given API version uses.
    pub fn error(version: ApiVersion, code: IssueCode, diagnostics: impl Into<String>) -> Self {
        let diagnostics = diagnostics.into();
        let details = match version {
            ApiVersion::V1 => None,
            ApiVersion::V2 => Some(Details {
                coding: [Coding {
                    system: "http://hl7.org/fhir/ValueSet/operation-outcome",
                    code: code.details_code(),
                    display: diagnostics.clone(),
                }],
                text: diagnostics.clone(),
            }),
        };
        OperationOutcome {
            resource_type: "OperationOutcome",
            issue: [Issue {
                severity: "error",
                code,
                details,
                diagnostics,
            }],
        }
    }

    /// The human-readable message, as clients read it from `issue[0].diagnostics`.
    pub fn diagnostics(&self) -> &str {
        &self.issue[0].diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_outcome_has_only_severity_code_and_diagnostics() {
        let outcome = OperationOutcome::error(ApiVersion::V1, IssueCode::Structure, "bad");
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            json!({
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "structure", "diagnostics": "bad"}]
            })
        );
    }

    #[test]
    fn v2_outcome_adds_details_with_the_same_message() {
        let outcome = OperationOutcome::error(ApiVersion::V2, IssueCode::NotFound, "gone");
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            json!({
                "resourceType": "OperationOutcome",
                "issue": [{
                    "severity": "error",
                    "code": "not-found",
                    "details": {
                        "coding": [{
                            "system": "http://hl7.org/fhir/ValueSet/operation-outcome",
                            "code": "Not Found",
                            "display": "gone"
                        }],
                        "text": "gone"
                    },
                    "diagnostics": "gone"
                }]
            })
        );
    }
}
