//! End-to-end tests of the one-origin server over real HTTP, against real Postgres,
//! RabbitMQ and an S3-compatible server.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod fuzz;
mod limits;
mod metadata;
mod openapi;
mod ops;
