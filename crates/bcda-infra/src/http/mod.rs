//! What every BCDA HTTP service shares: the public origin and FHIR error responses.

mod fhir_error;
mod public_base;

pub use fhir_error::FhirError;
pub use public_base::PublicBase;
