//! The outbox relay: publishes messages committed to the `outbox` table with the jobs
//! that need them, and deletes a row only after RabbitMQ confirmed its message. A crash
//! between the commit and the publish loses nothing; a crash between the confirm and the
//! delete publishes a message twice, which workers tolerate (job keys are idempotent).

use std::collections::HashMap;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Confirmation};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{Broker, QueueError};
use crate::DbPool;

/// Rows published per round: bounded, so a million-beneficiary export's keys go out in
/// steady batches rather than one huge transaction.
const BATCH: i64 = 500;

/// How long the relay rests when the outbox is empty or a round failed.
const IDLE: Duration = Duration::from_millis(200);

/// A failure of one relay round; the rows stay in the outbox for the next.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("database: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("the broker did not confirm a message")]
    NotConfirmed,
}

impl From<lapin::Error> for RelayError {
    fn from(e: lapin::Error) -> Self {
        RelayError::Queue(QueueError::Amqp(e))
    }
}

/// One job key whose message goes into the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedKey {
    pub job_id: i64,
    pub job_key_id: i64,
    pub resource_type: bcda_model::ResourceType,
}

/// Adds one outbox message per key in `tx`, in one statement whatever their number. The
/// messages carry `trace_context` (W3C headers) so the work continues the caller's trace.
pub async fn enqueue_keys(
    tx: &tokio_postgres::Transaction<'_>,
    keys: &[QueuedKey],
    trace_context: &std::collections::HashMap<String, String>,
) -> Result<(), tokio_postgres::Error> {
    let job_ids: Vec<i64> = keys.iter().map(|k| k.job_id).collect();
    let key_ids: Vec<i64> = keys.iter().map(|k| k.job_key_id).collect();
    let routing_keys: Vec<&str> = keys
        .iter()
        .map(|k| super::Topology::routing_key(k.resource_type))
        .collect();
    let payloads: Vec<serde_json::Value> = keys
        .iter()
        .map(|k| {
            serde_json::json!(bcda_model::export::ExportWork::V1 {
                job_id: k.job_id,
                job_key_id: k.job_key_id,
            })
        })
        .collect();
    let headers = serde_json::json!(trace_context);
    tx.execute(
        "INSERT INTO outbox (job_id, job_key_id, routing_key, payload, headers) \
         SELECT j, k, r, p, $5 \
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::jsonb[]) AS m(j, k, r, p)",
        &[&job_ids, &key_ids, &routing_keys, &payloads, &headers],
    )
    .await?;
    Ok(())
}

/// Lock key that makes one relay at a time the publisher, across every API replica: the
/// per-job pacing below counts what is in flight, which only one publisher can do right.
const RELAY_LOCK: i64 = 0x6263_6461_7265_6c61; // "bcdarela"

/// Publishes up to one batch of outbox rows; returns how many were published.
///
/// Messages of job keys are paced: a job has at most `keys_in_flight_per_job` keys
/// published and not yet done, and each round takes the oldest waiting key of every job
/// before the second of any. So a 50-beneficiary export queued behind a 30,000-beneficiary
/// one waits for a handful of the large one's keys, not for all of them.
pub async fn relay_once(
    db: &DbPool,
    broker: &Broker,
    keys_in_flight_per_job: u32,
) -> Result<usize, RelayError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    let leader: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&RELAY_LOCK])
        .await?
        .get(0);
    if !leader {
        return Ok(0);
    }
    // Every query of a round starts from the outbox (the work waiting), never from all
    // of `job_keys`, which holds every key of every job ever exported.
    //
    // Keys of cancelled or failed jobs need no work: drop their messages unpublished.
    tx.execute(
        "DELETE FROM outbox o USING jobs j \
         WHERE o.job_id = j.id AND j.status NOT IN ('Pending', 'In Progress')",
        &[],
    )
    .await?;
    let rows = tx
        .query(
            "WITH waiting AS ( \
                 SELECT id, routing_key, payload, headers, job_key_id, job_id, \
                        row_number() OVER (PARTITION BY job_id ORDER BY id) AS place \
                 FROM outbox \
             ), in_flight AS ( \
                 SELECT job_id, count(*) AS keys FROM job_keys \
                 WHERE published_at IS NOT NULL AND done_at IS NULL \
                   AND job_id = ANY (ARRAY(SELECT DISTINCT job_id FROM outbox WHERE job_id IS NOT NULL)) \
                 GROUP BY job_id \
             ) \
             SELECT w.id, w.routing_key, w.payload::text, w.headers::text, w.job_key_id \
             FROM waiting w LEFT JOIN in_flight f ON f.job_id = w.job_id \
             WHERE w.job_id IS NULL OR w.place <= $2 - coalesce(f.keys, 0) \
             ORDER BY w.place, w.id LIMIT $1",
            &[&BATCH, &i64::from(keys_in_flight_per_job)],
        )
        .await?;
    if rows.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let channel = broker.channel().await?;
    let published = publish(&channel, broker, &rows).await;
    // Closed on every path: a failed round must not leave channels open on the
    // shared connection.
    super::close_channel(&channel, "relayed").await;
    let (ids, key_ids) = published?;
    tx.execute("DELETE FROM outbox WHERE id = ANY($1)", &[&ids])
        .await?;
    tx.execute(
        "UPDATE job_keys SET published_at = now() WHERE id = ANY($1)",
        &[&key_ids],
    )
    .await?;
    tx.commit().await?;
    Ok(ids.len())
}

/// Publishes `rows` (id, routing key, payload, headers, job key) and waits for every
/// confirm; returns the outbox ids and job key ids published.
async fn publish(
    channel: &lapin::Channel,
    broker: &Broker,
    rows: &[tokio_postgres::Row],
) -> Result<(Vec<i64>, Vec<i64>), RelayError> {
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let exchange = broker.topology().work_exchange();
    let mut confirms = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    let mut key_ids = Vec::with_capacity(rows.len());
    for row in rows {
        let routing_key: &str = row.get(1);
        let payload: &str = row.get(2);
        let job_key_id = row.get::<_, Option<i64>>(4);
        // A span in the trace the message was enqueued in (the kick-off's), whose
        // context the message carries on to the worker.
        let mut headers: HashMap<String, String> =
            serde_json::from_str(row.get(3)).unwrap_or_default();
        let span =
            tracing::info_span!(target: "bcda::trace", "outbox.publish", routing_key, job_key_id);
        crate::telemetry::continue_trace(&span, &headers);
        headers.extend(span.in_scope(crate::telemetry::current_trace_context));
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            // Persistent: the message survives a broker restart.
            .with_delivery_mode(2)
            .with_headers(amqp_headers(headers));
        confirms.push(
            channel
                .basic_publish(
                    exchange.as_str().into(),
                    routing_key.into(),
                    BasicPublishOptions::default(),
                    payload.as_bytes(),
                    properties,
                )
                .instrument(span)
                .await?,
        );
        ids.push(row.get::<_, i64>(0));
        if let Some(key) = job_key_id {
            key_ids.push(key);
        }
    }
    for confirm in confirms {
        if !matches!(confirm.await?, Confirmation::Ack(_)) {
            return Err(RelayError::NotConfirmed);
        }
    }
    Ok((ids, key_ids))
}

/// Message headers (e.g. `traceparent`) as an AMQP table.
fn amqp_headers(headers: HashMap<String, String>) -> FieldTable {
    let mut table = FieldTable::default();
    for (name, value) in headers {
        table.insert(name.into(), AMQPValue::LongString(value.into()));
    }
    table
}

/// Relays until `stop` is cancelled, resting when there is nothing to do.
pub async fn run_relay(
    db: DbPool,
    broker: Broker,
    keys_in_flight_per_job: u32,
    stop: CancellationToken,
) {
    while !stop.is_cancelled() {
        let published = match relay_once(&db, &broker, keys_in_flight_per_job).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "outbox relay round failed; will retry");
                0
            }
        };
        if published == 0 {
            tokio::select! {
                () = stop.cancelled() => break,
                () = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}
