//! FHIR documents the services answer with, as typed `Serialize` structs so that the
//! shape is checked by the compiler and rendering never builds a `serde_json::Value`.

pub mod capability_statement;
pub mod codebook;
pub mod coverage;
pub mod datatypes;
mod displays;
mod enrollment;
pub mod eob;
mod json;
pub mod manifest;
pub mod operation_outcome;
pub mod patient;
pub mod shared_system;
pub mod task;
pub mod v3;

pub use capability_statement::{CapabilityStatement, ServerInfo};
pub use coverage::{Coverage, CoveragePart};
pub use eob::ExplanationOfBenefit;
pub use json::JsonError;
pub use manifest::{Manifest, ManifestFile, ManifestLink, TransactionTime};
pub use operation_outcome::{IssueCode, OperationOutcome};
pub use patient::Patient;
pub use task::{JobSummary, TaskBundle};

/// The media type of every FHIR JSON response.
pub const FHIR_JSON: &str = "application/fhir+json";
