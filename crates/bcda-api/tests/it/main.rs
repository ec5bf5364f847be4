//! The export kick-off and job status over real HTTP against real Postgres.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod export;
mod sandbox;
