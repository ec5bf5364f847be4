//! The outbox relay: publishes messages committed to the `outbox` table with the jobs
//! that need them, and deletes a row only after RabbitMQ confirmed its message. A crash
//! between the commit and the publish loses nothing; a crash between the confirm and the
//! delete publishes a message twice, which workers tolerate (job keys are idempotent).

use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Confirmation};
use tokio_util::sync::CancellationToken;

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

/// Publishes up to one batch of outbox rows; returns how many were published.
pub async fn relay_once(db: &DbPool, broker: &Broker) -> Result<usize, RelayError> {
    let mut client = db.get().await?;
    let tx = client.transaction().await?;
    // SKIP LOCKED lets several API replicas relay side by side without waiting.
    let rows = tx
        .query(
            "SELECT id, routing_key, payload::text FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
            &[&BATCH],
        )
        .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let channel = broker.channel().await?;
    channel
        .confirm_select(ConfirmSelectOptions::default())
        .await?;
    let exchange = broker.topology().work_exchange();
    let mut confirms = Vec::with_capacity(rows.len());
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let routing_key: &str = row.get(1);
        let payload: &str = row.get(2);
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            // Persistent: the message survives a broker restart.
            .with_delivery_mode(2);
        confirms.push(
            channel
                .basic_publish(
                    exchange.as_str().into(),
                    routing_key.into(),
                    BasicPublishOptions::default(),
                    payload.as_bytes(),
                    properties,
                )
                .await?,
        );
        ids.push(row.get::<_, i64>(0));
    }
    for confirm in confirms {
        if !matches!(confirm.await?, Confirmation::Ack(_)) {
            return Err(RelayError::NotConfirmed);
        }
    }
    tx.execute("DELETE FROM outbox WHERE id = ANY($1)", &[&ids])
        .await?;
    tx.commit().await?;
    let _ = channel.close(200, "relayed".into()).await;
    Ok(ids.len())
}

/// Relays until `stop` is cancelled, resting when there is nothing to do.
pub async fn run_relay(db: DbPool, broker: Broker, stop: CancellationToken) {
    while !stop.is_cancelled() {
        let published = match relay_once(&db, &broker).await {
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
