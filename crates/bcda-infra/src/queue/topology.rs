//! The RabbitMQ topology of export work, derived from one name prefix.
//!
//! ```text
//!   publish(routing key = resource slug)
//!        │
//!        ▼
//!   {p}.exports ──eob──────▶ {p}.exports.eob       ─┐ nack (poison)
//!   (direct)    ──patient──▶ {p}.exports.patient    ├──────────────▶ {p}.exports.dead ─▶ {p}.exports.dead
//!        ▲      ──coverage─▶ {p}.exports.coverage  ─┘                 (fanout)
//!        │
//!        └── dead-lettered after the TTL ── {p}.exports.retry ◀── {p}.exports.retry (fanout)
//!                                          (queue, x-message-ttl)    ◀── worker republishes a retry
//! ```
//!
//! A retry keeps its routing key, so when its TTL runs out RabbitMQ dead-letters it back
//! to the work queue of its resource type.

use std::time::Duration;

use bcda_model::ResourceType;
use lapin::options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

use crate::config::AmqpConfig;

/// Names and settings of every exchange and queue, for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    prefix: String,
    retry_delay: Duration,
    queue_expires: Option<Duration>,
}

impl Topology {
    /// The topology described by `config`.
    pub fn new(config: &AmqpConfig) -> Topology {
        Topology {
            prefix: config.prefix.clone(),
            retry_delay: config.retry_delay,
            queue_expires: config.queue_expires,
        }
    }

    /// The exchange that export work is published to.
    pub fn work_exchange(&self) -> String {
        format!("{}.exports", self.prefix)
    }

    /// The queue workers consume for one resource type.
    pub fn work_queue(&self, resource_type: ResourceType) -> String {
        format!("{}.exports.{}", self.prefix, resource_type.slug())
    }

    /// The routing key that reaches [`Topology::work_queue`] for `resource_type`.
    pub fn routing_key(resource_type: ResourceType) -> &'static str {
        resource_type.slug()
    }

    /// The exchange (and, by the same name, the queue) where retries wait out their delay.
    pub fn retry_exchange(&self) -> String {
        format!("{}.exports.retry", self.prefix)
    }

    /// The exchange (and, by the same name, the queue) that keeps poison messages.
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.exports.dead", self.prefix)
    }

    /// Every queue of this topology.
    pub fn queues(&self) -> Vec<String> {
        let mut queues: Vec<String> = ResourceType::ALL
            .into_iter()
            .map(|t| self.work_queue(t))
            .collect();
        queues.push(self.retry_exchange());
        queues.push(self.dead_letter_exchange());
        queues
    }

    /// Declares everything on `channel`. Idempotent: declaring what exists with the same
    /// settings is a no-op, so every process declares at start.
    pub async fn declare(&self, channel: &Channel) -> lapin::Result<()> {
        let work = self.work_exchange();
        let retry = self.retry_exchange();
        let dead = self.dead_letter_exchange();
        self.exchange(channel, &work, ExchangeKind::Direct).await?;
        self.exchange(channel, &retry, ExchangeKind::Fanout).await?;
        self.exchange(channel, &dead, ExchangeKind::Fanout).await?;

        for resource_type in ResourceType::ALL {
            let queue = self.work_queue(resource_type);
            let mut args = self.queue_arguments();
            args.insert("x-dead-letter-exchange".into(), string(&dead));
            self.queue(channel, &queue, args).await?;
            bind(channel, &queue, &work, Topology::routing_key(resource_type)).await?;
        }

        let mut retry_args = self.queue_arguments();
        retry_args.insert("x-dead-letter-exchange".into(), string(&work));
        retry_args.insert(
            "x-message-ttl".into(),
            AMQPValue::LongLongInt(i64::try_from(self.retry_delay.as_millis()).unwrap_or(i64::MAX)),
        );
        self.queue(channel, &retry, retry_args).await?;
        bind(channel, &retry, &retry, "").await?;

        self.queue(channel, &dead, self.queue_arguments()).await?;
        bind(channel, &dead, &dead, "").await?;
        Ok(())
    }

    fn queue_arguments(&self) -> FieldTable {
        let mut args = FieldTable::default();
        if let Some(expires) = self.queue_expires {
            let ms = i64::try_from(expires.as_millis()).unwrap_or(i64::MAX);
            args.insert("x-expires".into(), AMQPValue::LongLongInt(ms));
        }
        args
    }

    async fn exchange(
        &self,
        channel: &Channel,
        name: &str,
        kind: ExchangeKind,
    ) -> lapin::Result<()> {
        // Throwaway (test) topologies vanish with their last queue.
        let auto_delete = self.queue_expires.is_some();
        channel
            .exchange_declare(
                name.into(),
                kind,
                ExchangeDeclareOptions {
                    durable: true,
                    auto_delete,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
    }

    async fn queue(&self, channel: &Channel, name: &str, args: FieldTable) -> lapin::Result<()> {
        channel
            .queue_declare(name.into(), QueueDeclareOptions::durable(), args)
            .await
            .map(drop)
    }
}

async fn bind(channel: &Channel, queue: &str, exchange: &str, key: &str) -> lapin::Result<()> {
    channel
        .queue_bind(
            queue.into(),
            exchange.into(),
            ShortString::from(key),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
}

fn string(value: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(prefix: &str) -> Topology {
        Topology {
            prefix: prefix.into(),
            retry_delay: Duration::from_secs(5),
            queue_expires: None,
        }
    }

    #[test]
    fn every_name_carries_the_prefix() {
        let t = topology("test-42");
        assert_eq!(t.work_exchange(), "test-42.exports");
        assert_eq!(
            t.queues(),
            [
                "test-42.exports.eob",
                "test-42.exports.patient",
                "test-42.exports.coverage",
                "test-42.exports.claim",
                "test-42.exports.claim-response",
                "test-42.exports.retry",
                "test-42.exports.dead",
            ]
        );
    }

    #[test]
    fn two_prefixes_share_no_name() {
        let (a, b) = (topology("a"), topology("b"));
        assert!(a.queues().iter().all(|q| !b.queues().contains(q)));
    }
}
