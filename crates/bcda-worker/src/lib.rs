//! The export worker: consumes export work from RabbitMQ and writes NDJSON files.

use bcda_infra::health::Dependency;

/// Workers read claims from Postgres, take work from RabbitMQ and write to storage.
pub const DEPENDENCIES: &[Dependency] =
    &[Dependency::Database, Dependency::Queue, Dependency::Storage];
