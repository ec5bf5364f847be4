//! Deletes the files of jobs that are over: completed or failed jobs past their expiry
//! (which then read as Expired), and cancelled jobs once their workers have had time to
//! notice. Any number of processes may sweep side by side: each job is claimed with
//! `SKIP LOCKED`.

use std::time::Duration;

use bcda_infra::storage::ObjectPath;
use bcda_infra::{DbPool, Storage};
use tokio_util::sync::CancellationToken;

use crate::error::KeyError;

/// How often a worker process sweeps.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Jobs swept per round.
const JOBS_PER_ROUND: i64 = 50;

/// Deletes the files of up to one round of finished jobs; returns how many jobs.
pub async fn sweep_once(db: &DbPool, storage: &Storage) -> Result<usize, KeyError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    let jobs: Vec<i64> = tx
        .query(
            "SELECT id FROM jobs WHERE files_deleted_at IS NULL AND ( \
                 (status IN ('Completed', 'Failed') AND expires_at <= now()) \
                 OR (status = 'Cancelled' AND updated_at <= now() - interval '5 minutes')) \
             ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
            &[&JOBS_PER_ROUND],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for job_id in &jobs {
        let deleted = storage
            .delete_prefix(&ObjectPath::from(job_id.to_string()))
            .await?;
        tracing::info!(
            job_id,
            files = deleted,
            "deleted the files of a finished job"
        );
    }
    tx.execute(
        "UPDATE jobs SET files_deleted_at = now(), updated_at = now(), \
                         status = CASE WHEN status = 'Cancelled' THEN status ELSE 'Expired' END \
         WHERE id = ANY($1)",
        &[&jobs],
    )
    .await?;
    tx.commit().await?;
    Ok(jobs.len())
}

/// Sweeps, and re-drives keys whose messages went missing (see [`crate::redrive`]),
/// every [`SWEEP_INTERVAL`] until `stop` is cancelled.
pub async fn run_sweeper(db: DbPool, storage: Storage, stop: CancellationToken) {
    loop {
        if let Err(e) = sweep_once(&db, &storage).await {
            tracing::warn!(error = %e, "sweeping expired jobs failed; will retry");
        }
        if let Err(e) = crate::redrive::redrive_once(&db, crate::redrive::STALE_AFTER).await {
            tracing::warn!(error = %e, "re-driving stale job keys failed; will retry");
        }
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(SWEEP_INTERVAL) => {}
        }
    }
}
