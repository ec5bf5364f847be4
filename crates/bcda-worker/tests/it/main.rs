//! Exports end to end: kick-off over HTTP, the outbox relay, RabbitMQ, workers reading
//! real Postgres and writing to a real S3 server, the job status and the manifest.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod attribution;
mod bulk_data_ig;
mod failures;
mod flow;
mod support;
mod v3;
