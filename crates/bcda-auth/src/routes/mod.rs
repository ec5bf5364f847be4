//! HTTP routes of the auth service, one handler per file.

pub mod error;
pub mod jwks;
pub mod smart_configuration;
pub mod token;
