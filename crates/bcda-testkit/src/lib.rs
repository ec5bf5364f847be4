//! The test harness every crate's integration tests share.
//!
//! Each test gets its own real resources, so tests run in parallel and never see each
//! other's data: a Postgres database cloned from a migrated template ([`TestDatabase`]),
//! a RabbitMQ name prefix whose queues expire when unused, an S3-compatible server on
//! its own port with its own bucket ([`S3Server`]), and the app on port 0 ([`TestApp`]).
//!
//! The database server and broker come from `BCDA_DATABASE_URL` and `BCDA_AMQP_URL` when
//! set, else the defaults of a developer machine.

mod app;
pub mod bench_report;
mod database;
mod export;
mod otlp;
mod s3;
pub mod services;

pub use app::{Credentials, TEST_BUILD, TestApp, TestAppBuilder, spawn_app};
pub use database::TestDatabase;
pub use export::{SyntheticAco, diagnostics, test_synth};
pub use otlp::{OtlpReceiver, ReceivedSpan};
pub use s3::S3Server;

/// A loopback port nothing listens on right now, for a process started with an explicit
/// address (another process could still take it before it is used).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// A unique, lowercase name fragment for per-test resources.
pub fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}
