//! Tests of the synthetic data: determinism, disjoint ACOs, valid identifiers, realistic
//! rates, and loading into real Postgres.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod bluebutton_shape;
mod dates;
mod fhir_validation;
mod generate;
mod institutional;
mod load;
mod report;
