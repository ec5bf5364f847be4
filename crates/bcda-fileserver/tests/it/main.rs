//! Downloads of real export files over HTTP: representations, resume, validators and
//! every refusal.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod downloads;
