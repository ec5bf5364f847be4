//! Re-drives job keys whose message went missing. A key published long ago and still not
//! done (its message purged from a queue, or lost with a broker node that kept no
//! replica) would hold its job In Progress forever; its message goes back through the
//! outbox instead. A key that was only slow is then exported twice at worst, which keys
//! tolerate: the first commit wins and the other result is discarded.

use std::time::Duration;

use bcda_infra::DbPool;
use bcda_infra::queue::outbox::{QueuedKey, enqueue_keys};

use crate::error::KeyError;

/// How long a published key may stay undone before its message is sent again: far
/// longer than any key takes, even queued behind a large backlog.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);

/// Keys re-driven per round.
const KEYS_PER_ROUND: i64 = 500;

/// Queues a new message for each active job's key published more than `stale_after` ago
/// and not done; returns how many.
pub async fn redrive_once(db: &DbPool, stale_after: Duration) -> Result<usize, KeyError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    let rows = tx
        .query(
            "SELECT k.id, k.job_id, k.resource_type FROM job_keys k JOIN jobs j ON j.id = k.job_id \
             WHERE j.status IN ('Pending', 'In Progress') AND k.done_at IS NULL \
               AND k.published_at < now() - make_interval(secs => $1) \
             ORDER BY k.id LIMIT $2 FOR UPDATE OF k SKIP LOCKED",
            &[&stale_after.as_secs_f64(), &KEYS_PER_ROUND],
        )
        .await?;
    let keys = rows
        .iter()
        .map(|row| {
            let resource_type: &str = row.get(2);
            Ok(QueuedKey {
                job_key_id: row.get(0),
                job_id: row.get(1),
                resource_type: resource_type.parse().map_err(|_| {
                    KeyError::data(format!("unknown resource type {resource_type:?}"))
                })?,
            })
        })
        .collect::<Result<Vec<_>, KeyError>>()?;
    if keys.is_empty() {
        return Ok(0);
    }
    let ids: Vec<i64> = keys.iter().map(|k| k.job_key_id).collect();
    // Unpublished again: the relay's pacing counts the key once its new message is out.
    tx.execute(
        "UPDATE job_keys SET published_at = NULL WHERE id = ANY($1)",
        &[&ids],
    )
    .await?;
    enqueue_keys(&tx, &keys, &Default::default()).await?;
    tx.commit().await?;
    tracing::warn!(
        keys = keys.len(),
        "re-drove job keys whose messages went missing"
    );
    Ok(keys.len())
}
