//! Why a kick-off is refused, in BCDA's words.

use std::fmt;

use crate::ResourceType;

use super::TypeFilterError;
use super::request::WindowEnd;

/// Why a kick-off was refused. `Display` gives BCDA's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    AcceptMissing,
    AcceptUnsupported,
    PreferMissing,
    PreferUnsupported,
    /// A `_type` the API version does not offer, with the types it does.
    InvalidType {
        name: String,
        offered: &'static [ResourceType],
    },
    /// A type the API offers but the ACO's model does not receive.
    UnauthorizedType(ResourceType),
    RepeatedType(String),
    /// `_since` or `_until` is not a FHIR instant with a timezone.
    InvalidInstant(WindowEnd),
    /// `_since` or `_until` is in the future.
    FutureInstant(WindowEnd),
    UntilNotAfterSince,
    InvalidOutputFormat(String),
    UnsupportedParameter(String),
    /// A second `?` in the query, as in the guide's own `_type=Patient?_since=...`; carries
    /// the query as it was probably meant.
    NestedQuery {
        corrected: String,
    },
    InvalidGroup,
    /// A `POST` kick-off's body is not a usable `Parameters` resource.
    InvalidBody(String),
    /// A `POST` kick-off with a query string: its parameters belong in the body.
    QueryOnPost,
    /// A `patient` value that is not a reference to a Patient.
    InvalidPatient(String),
    /// `patient` references to beneficiaries the ACO may not export.
    UnknownPatients(Vec<i64>),
    InvalidOrganizeOutputBy(String),
    InvalidBoolean {
        name: String,
        value: String,
    },
    /// A v3 `_typeFilter` BCDA refuses.
    TypeFilter(TypeFilterError),
}

impl From<TypeFilterError> for ExportError {
    fn from(error: TypeFilterError) -> Self {
        ExportError::TypeFilter(error)
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::AcceptMissing => f.write_str("Accept header is required"),
            ExportError::AcceptUnsupported => f.write_str("application/fhir+json is the only supported response format"),
            ExportError::PreferMissing => f.write_str("Prefer header is required"),
            ExportError::PreferUnsupported => f.write_str("Only asynchronous responses are supported"),
            ExportError::InvalidType { name, offered } => {
                let names: Vec<&str> = offered.iter().map(|t| t.as_str()).collect();
                write!(f, "invalid resource type {name}. Supported types [{}]", names.join(" "))
            }
            ExportError::UnauthorizedType(t) => write!(f, "unauthorized resource type {t}"),
            ExportError::RepeatedType(t) => write!(f, "Repeated resource type {t}"),
            ExportError::InvalidInstant(bound) => write!(
                f,
                "Invalid date format supplied in {} parameter.  Date must be in FHIR Instant format.",
                bound.parameter()
            ),
            ExportError::FutureInstant(bound) => write!(
                f,
                "Invalid date format supplied in {} parameter. Date must be a date that has already passed",
                bound.parameter()
            ),
            ExportError::UntilNotAfterSince => {
                f.write_str("Invalid _until parameter: it must be later than _since.")
            }
            ExportError::InvalidOutputFormat(format) => write!(
                f,
                "_outputFormat parameter must be one of application/fhir+ndjson, application/ndjson, ndjson; got {format}"
            ),
            ExportError::UnsupportedParameter(name) => {
                write!(f, "Invalid parameter: this server does not support the {name} parameter.")
            }
            ExportError::NestedQuery { corrected } => write!(
                f,
                "Invalid query: parameters must be joined with '&', not a second '?'. Did you mean ?{corrected}"
            ),
            ExportError::InvalidGroup => f.write_str("Invalid group ID"),
            ExportError::InvalidBody(why) => write!(f, "Invalid request body: {why}"),
            ExportError::QueryOnPost => f.write_str(
                "A POST kick-off takes its parameters in a FHIR Parameters body, not in the query string.",
            ),
            ExportError::InvalidPatient(value) => write!(
                f,
                "Invalid patient parameter: {value} is not a reference to a Patient (Patient/{{id}})."
            ),
            ExportError::UnknownPatients(ids) => {
                let refs: Vec<String> = ids.iter().map(|id| format!("Patient/{id}")).collect();
                write!(
                    f,
                    "Invalid patient parameter: not a beneficiary attributed to this ACO: {}",
                    refs.join(", ")
                )
            }
            ExportError::InvalidOrganizeOutputBy(value) => write!(
                f,
                "Invalid organizeOutputBy parameter: only Patient is supported; got {value}"
            ),
            ExportError::InvalidBoolean { name, value } => {
                write!(f, "Invalid {name} parameter: must be true or false; got {value}")
            }
            ExportError::TypeFilter(error) => error.fmt(f),
        }
    }
}
