//! The BCDA domain: API versions, resource types, job states and the FHIR documents the
//! services answer with.
//!
//! This crate is pure on purpose: no I/O, no async runtime, no SQL, no HTTP. Everything
//! here can be unit-tested in microseconds and reused by every service and the CLI.

pub mod aco_model;
pub mod api_version;
pub mod attribution;
pub mod claim_source;
pub mod claims;
pub mod code_table;
pub mod export;
pub mod fhir;
pub mod geography;
pub mod identifiers;
pub mod job;
pub mod resource_type;
pub mod sandbox;
pub mod scope;
pub mod shared_system;

pub use api_version::ApiVersion;
pub use job::JobStatus;
pub use resource_type::ResourceType;
