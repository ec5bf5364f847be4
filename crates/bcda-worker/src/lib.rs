//! The export worker: consumes job keys from RabbitMQ, reads each key's beneficiaries
//! from Postgres, renders FHIR NDJSON and streams it to object storage.
//!
//! Workers are stateless; run as many processes as the work needs (`bcda serve worker`),
//! or let `bcda serve all` run them in-process. Correctness never depends on a message
//! being delivered once: see [`export`] for why redeliveries and stale workers are safe.

pub mod claims_repo;
pub mod consumer;
pub mod error;
pub mod export;
pub mod gzip;
pub mod keys_repo;
pub mod redrive;
pub mod render;
pub mod shared_system_repo;
pub mod sweeper;

use bcda_infra::AppContext;
use bcda_infra::health::Dependency;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use consumer::Worker;
pub use error::KeyError;
pub use export::{Exported, Exporter};

/// Workers read claims from Postgres, take work from RabbitMQ and write to storage.
/// `Consumers` makes a worker process whose consumers the broker dropped unhealthy
/// until they are registered again.
pub const DEPENDENCIES: &[Dependency] = &[
    Dependency::Database,
    Dependency::Queue,
    Dependency::Storage,
    Dependency::Consumers,
];

/// Starts `count` workers (the configured number is `ctx.config.export.workers`) and,
/// with at least one, the expiry sweeper; they run until `stop` is cancelled. Wait on
/// the returned set to let in-flight keys finish.
pub fn spawn_workers(ctx: &AppContext, count: usize, stop: &CancellationToken) -> JoinSet<()> {
    let config = &ctx.config.export;
    let exporter = Exporter::new(
        ctx.db.clone(),
        ctx.storage.clone(),
        keys_repo::CompletionPolicy {
            ttl: config.job_ttl,
            failure_threshold_pct: config.failure_threshold_pct,
        },
        ctx.metrics.clone(),
    );
    ctx.metrics.workers.inc_by(count as i64);
    let worker = Worker {
        broker: ctx.broker.clone(),
        metrics: ctx.metrics.clone(),
        exporter,
        prefetch: config.prefetch,
        max_attempts: config.max_attempts,
    };
    let mut tasks = JoinSet::new();
    let process = std::process::id();
    for index in 0..count {
        tasks.spawn(
            worker
                .clone()
                .run(format!("worker-{process}-{index}"), stop.clone()),
        );
    }
    if count > 0 {
        tasks.spawn(sweeper::run_sweeper(
            ctx.db.clone(),
            ctx.storage.clone(),
            stop.clone(),
        ));
    }
    tasks
}
