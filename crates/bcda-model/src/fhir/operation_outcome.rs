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
    /// Something about how the request was processed (a warning, not an error).
    Processing,
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
            IssueCode::Processing => "Processing",
        }
    }
}

/// A FHIR OperationOutcome with a single issue: an error ([`OperationOutcome::error`]),
/// or a job's warning ([`OperationOutcome::warning`]). v1 (STU3) carries `diagnostics`
/// only; v2 (R4) adds `details`, as BCDA does, so v2 parsers find the message in either;
/// v3 writes `diagnostics` and then `details` with `text` only (no coding), as BCDA's v3
/// writer does.
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
    /// v3's `diagnostics`: BCDA's v3 writer puts it before `details`, its v2 writer
    /// (FHIR protobufs in element order) after, and clients comparing bodies byte for
    /// byte see the difference.
    #[serde(rename = "diagnostics", skip_serializing_if = "Option::is_none")]
    diagnostics_first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Details>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnostics: Option<String>,
    /// The message, wherever this version writes it.
    #[serde(skip)]
    message: String,
}

#[derive(Debug, Clone, Serialize)]
struct Details {
    #[serde(skip_serializing_if = "Option::is_none")]
    coding: Option<[Coding; 1]>,
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
        let (details, diagnostics_field) = match version {
            ApiVersion::V1 => (None, Some(diagnostics.clone())),
            ApiVersion::V2 => (
                Some(Details {
                    coding: Some([Coding {
                        system: "http://hl7.org/fhir/ValueSet/operation-outcome",
                        code: code.details_code(),
                        display: diagnostics.clone(),
                    }]),
                    text: diagnostics.clone(),
                }),
                Some(diagnostics.clone()),
            ),
            ApiVersion::V3 => (
                Some(Details {
                    coding: None,
                    text: diagnostics.clone(),
                }),
                None,
            ),
        };
        let diagnostics_first = (version == ApiVersion::V3).then(|| diagnostics.clone());
        OperationOutcome {
            resource_type: "OperationOutcome",
            issue: [Issue {
                severity: "error",
                code,
                diagnostics_first,
                details,
                diagnostics: diagnostics_field,
                message: diagnostics,
            }],
        }
    }

    /// A warning about how an export was processed, as BCDA writes it into a v3 job's
    /// `warnings-and-info.ndjson`: `details.text` only.
    pub fn warning(code: IssueCode, text: impl Into<String>) -> Self {
        let text = text.into();
        OperationOutcome {
            resource_type: "OperationOutcome",
            issue: [Issue {
                severity: "warning",
                code,
                diagnostics_first: None,
                details: Some(Details {
                    coding: None,
                    text: text.clone(),
                }),
                diagnostics: None,
                message: text,
            }],
        }
    }

    /// The human-readable message, as clients read it from `issue[0].diagnostics` (a
    /// warning: `issue[0].details.text`).
    pub fn diagnostics(&self) -> &str {
        &self.issue[0].message
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
    fn v3_outcome_has_diagnostics_then_details_text_without_coding() {
        let outcome = OperationOutcome::error(
            ApiVersion::V3,
            IssueCode::Forbidden,
            "V3 access not enabled for this ACO",
        );
        assert_eq!(
            serde_json::to_string(&outcome).unwrap(),
            r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"V3 access not enabled for this ACO","details":{"text":"V3 access not enabled for this ACO"}}]}"#
        );
        assert_eq!(outcome.diagnostics(), "V3 access not enabled for this ACO");
    }

    #[test]
    fn the_default_system_type_warning_is_bcdas_line() {
        let warning = OperationOutcome::warning(
            IssueCode::Processing,
            crate::export::DEFAULT_SYSTEM_TYPE_WARNING,
        );
        assert_eq!(
            serde_json::to_string(&warning).unwrap(),
            r#"{"resourceType":"OperationOutcome","issue":[{"severity":"warning","code":"processing","details":{"text":"Default System-Type behavior includes only claims from NCH and DDPS in this export."}}]}"#
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
