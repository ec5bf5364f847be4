//! One worker: a channel on the shared connection with bounded prefetch, consuming the
//! three work queues, handling one message at a time.
//!
//! A message is acknowledged only after its key is committed (or found to need no
//! work). A failed attempt is republished to the retry queue with its attempt count and
//! comes back after the retry delay; after the last attempt the key's failure is written
//! to an error file and the message is dead-lettered for operators. A failure because
//! Postgres or the object store was away goes round the retry queue without using an
//! attempt (up to an hour's worth), so an outage delays exports but fails none. On stop,
//! the worker finishes the message in hand; the rest of its prefetch returns to the queue
//! when its channel closes.

use std::collections::HashMap;
use std::time::Duration;

use bcda_infra::Broker;
use bcda_infra::metrics::Metrics;
use bcda_infra::queue::close_channel;
use bcda_model::ResourceType;
use bcda_model::export::ExportWork;
use futures::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, Confirmation};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::export::Exporter;

/// The AMQP header that counts a message's attempts (1 on first delivery).
pub const ATTEMPT_HEADER: &str = "x-bcda-attempt";

/// The AMQP header that counts a message's retries after transient failures (a
/// dependency briefly away), which use up no attempt.
pub const TRANSIENT_HEADER: &str = "x-bcda-transient-retries";

/// Retries after transient failures one key may take before they count as attempts:
/// an hour of outage at the default retry delay (5 s). Bounds the cost of a failure
/// misjudged as transient.
const MAX_TRANSIENT_RETRIES: u32 = 720;

/// How long a worker waits before reconnecting after losing its channel.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// What a worker needs.
#[derive(Debug, Clone)]
pub struct Worker {
    pub broker: Broker,
    /// Where the worker counts itself as consuming (`workers_consuming`).
    pub metrics: std::sync::Arc<Metrics>,
    pub exporter: Exporter,
    pub prefetch: u16,
    pub max_attempts: u32,
}

impl Worker {
    /// Consumes until `stop` is cancelled, reconnecting when the channel is lost.
    pub async fn run(self, name: String, stop: CancellationToken) {
        while !stop.is_cancelled() {
            match self.consume(&name, &stop).await {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(worker = %name, error = %e, "worker lost its channel; reconnecting")
                }
            }
            tokio::select! {
                () = stop.cancelled() => {}
                () = tokio::time::sleep(RECONNECT_DELAY) => {}
            }
        }
        tracing::info!(worker = %name, "worker stopped");
    }

    async fn consume(&self, name: &str, stop: &CancellationToken) -> Result<(), WorkerError> {
        let channel = self.broker.channel().await?;
        let result = self.deliver(&channel, name, stop).await;
        // Closing the channel, however delivery ended, returns its unacknowledged
        // prefetched messages to their queues; a channel left open would hold them.
        close_channel(&channel, "worker stopping").await;
        result
    }

    async fn deliver(
        &self,
        channel: &Channel,
        name: &str,
        stop: &CancellationToken,
    ) -> Result<(), WorkerError> {
        // Global: the limit covers the channel's consumers of every type's queue together.
        channel
            .basic_qos(self.prefetch, BasicQosOptions { global: true })
            .await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        let topology = self.broker.topology();
        let mut consumers = Vec::new();
        for resource_type in ResourceType::ALL {
            let consumer = channel
                .basic_consume(
                    topology.work_queue(resource_type).into(),
                    format!("{name}-{}", resource_type.slug()).into(),
                    BasicConsumeOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            consumers.push(consumer);
        }
        let mut deliveries = futures::stream::select_all(consumers);
        let _consuming = Consuming::start(&self.metrics);
        tracing::info!(worker = %name, "worker consuming");
        loop {
            let next = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                next = deliveries.next() => next,
            };
            match next {
                Some(Ok(delivery)) => self.handle(channel, delivery).await?,
                Some(Err(e)) => return Err(e.into()),
                None => return Err(WorkerError::Closed),
            }
        }
    }

    async fn handle(&self, channel: &Channel, delivery: Delivery) -> Result<(), WorkerError> {
        let Ok(ExportWork::V1 { job_id, job_key_id }) =
            serde_json::from_slice::<ExportWork>(&delivery.data)
        else {
            tracing::error!(
                payload = %String::from_utf8_lossy(&delivery.data),
                "unreadable export message; dead-lettering it"
            );
            dead_letter(&delivery).await?;
            return Ok(());
        };
        let attempt = header_count(&delivery, ATTEMPT_HEADER).max(1);
        let transient = header_count(&delivery, TRANSIENT_HEADER);
        let span = tracing::info_span!("export_key", job_id, job_key_id, attempt);
        bcda_infra::telemetry::continue_trace(&span, &trace_carrier(&delivery));
        async {
            match self.exporter.export(job_id, job_key_id).await {
                Ok(_) => {
                    delivery.acker.ack(BasicAckOptions::default()).await?;
                }
                Err(e) if e.is_permanent() => {
                    tracing::error!(error = %e, "export message cannot be processed; dead-lettering it");
                    dead_letter(&delivery).await?;
                }
                Err(e) if e.is_transient() && transient < MAX_TRANSIENT_RETRIES => {
                    tracing::warn!(error = %e, "a dependency is away; the key will be retried without using an attempt");
                    self.retry(channel, &delivery, attempt, transient + 1).await?;
                    delivery.acker.ack(BasicAckOptions::default()).await?;
                }
                Err(e) if attempt < self.max_attempts => {
                    tracing::warn!(error = %e, "job key attempt failed; it will be retried");
                    self.retry(channel, &delivery, attempt + 1, transient).await?;
                    delivery.acker.ack(BasicAckOptions::default()).await?;
                }
                Err(e) => {
                    tracing::error!(error = %e, "job key failed on its last attempt");
                    self.give_up(channel, &delivery, job_id, job_key_id, attempt).await?;
                }
            }
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Records the key's failure and dead-letters its message. When even recording the
    /// failure fails (the database or store is down), the message goes round the retry
    /// queue once more at the same attempt.
    async fn give_up(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        job_id: i64,
        job_key_id: i64,
        attempt: u32,
    ) -> Result<(), WorkerError> {
        match self.exporter.give_up(job_id, job_key_id).await {
            Ok(()) => {
                dead_letter(delivery).await?;
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not record the key's failure; retrying later");
                let transient = header_count(delivery, TRANSIENT_HEADER);
                self.retry(channel, delivery, attempt, transient).await?;
                delivery.acker.ack(BasicAckOptions::default()).await?;
            }
        }
        Ok(())
    }

    /// Publishes a copy of `delivery` to the retry queue, to come back to its work queue
    /// after the retry delay as attempt `attempt`, with `transient` transient retries.
    async fn retry(
        &self,
        channel: &Channel,
        delivery: &Delivery,
        attempt: u32,
        transient: u32,
    ) -> Result<(), WorkerError> {
        let mut headers = delivery.properties.headers().clone().unwrap_or_default();
        headers.insert(ATTEMPT_HEADER.into(), AMQPValue::LongUInt(attempt));
        headers.insert(TRANSIENT_HEADER.into(), AMQPValue::LongUInt(transient));
        let properties = delivery.properties.clone().with_headers(headers);
        let confirm = channel
            .basic_publish(
                self.broker.topology().retry_exchange().into(),
                delivery.routing_key.clone(),
                BasicPublishOptions::default(),
                &delivery.data,
                properties,
            )
            .await?
            .await?;
        match confirm {
            Confirmation::Ack(_) => Ok(()),
            _ => Err(WorkerError::NotConfirmed),
        }
    }
}

/// Counts one worker in `workers_consuming` from its consumers' registration until it
/// stops taking their deliveries, however that ends.
struct Consuming<'m>(&'m Metrics);

impl<'m> Consuming<'m> {
    fn start(metrics: &'m Metrics) -> Consuming<'m> {
        metrics.workers_consuming.inc();
        Consuming(metrics)
    }
}

impl Drop for Consuming<'_> {
    fn drop(&mut self) {
        self.0.workers_consuming.dec();
    }
}

/// Rejects `delivery` without requeueing it, so RabbitMQ moves it to the dead-letter
/// queue, where operators can inspect it.
async fn dead_letter(delivery: &Delivery) -> lapin::Result<bool> {
    delivery
        .acker
        .nack(BasicNackOptions {
            requeue: false,
            multiple: false,
        })
        .await
}

/// The count a delivery's `header` holds, or 0.
fn header_count(delivery: &Delivery, header: &str) -> u32 {
    delivery
        .properties
        .headers()
        .as_ref()
        .and_then(|headers| headers.inner().get(&ShortString::from(header)))
        .and_then(|value| match value {
            AMQPValue::LongUInt(n) => Some(*n),
            AMQPValue::LongLongInt(n) => u32::try_from(*n).ok(),
            AMQPValue::LongInt(n) => u32::try_from(*n).ok(),
            _ => None,
        })
        .unwrap_or(0)
}

/// The string headers of a delivery, where the publisher put the trace context.
fn trace_carrier(delivery: &Delivery) -> HashMap<String, String> {
    let mut carrier = HashMap::new();
    if let Some(headers) = delivery.properties.headers() {
        for (name, value) in headers.inner() {
            if let AMQPValue::LongString(text) = value {
                carrier.insert(name.to_string(), text.to_string());
            }
        }
    }
    carrier
}

/// Why a worker's channel had to be replaced.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Queue(#[from] bcda_infra::queue::QueueError),
    #[error("message broker: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("the broker closed the consumer")]
    Closed,
    #[error("the broker did not confirm a retry")]
    NotConfirmed,
}
