//! What every BCDA HTTP service shares: the public origin, FHIR error responses and
//! bearer-token authentication.

mod authenticated;
mod client_address;
mod fhir_error;
mod public_base;

pub use authenticated::{Authenticated, aco_denied};
pub use client_address::client_address;
pub use fhir_error::FhirError;
pub use public_base::PublicBase;
