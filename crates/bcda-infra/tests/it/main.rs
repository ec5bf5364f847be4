//! Integration tests of the infrastructure layer against real Postgres, RabbitMQ and an
//! S3-compatible server.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test, with its message

mod database;
mod queue;
mod storage;
