use std::time::Duration;

use bcda_infra::config::AmqpConfig;
use bcda_infra::queue::{Broker, Topology};
use bcda_model::ResourceType;
use lapin::options::{BasicGetOptions, BasicNackOptions, BasicPublishOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};

fn broker(retry_delay: Duration) -> Broker {
    Broker::new(&AmqpConfig {
        url: std::env::var("BCDA_AMQP_URL")
            .unwrap_or_else(|_| bcda_infra::config::defaults::AMQP_URL.into())
            .into(),
        prefix: format!("test-{}", bcda_testkit::unique_suffix()),
        retry_delay,
        queue_expires: Some(Duration::from_secs(120)),
    })
}

async fn publish(channel: &Channel, exchange: &str, routing_key: &str, body: &[u8]) {
    channel
        .basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default(),
        )
        .await
        .unwrap()
        .await
        .unwrap();
}

/// Polls `queue` until a message arrives or `within` passes.
async fn next_message(
    channel: &Channel,
    queue: &str,
    within: Duration,
) -> Option<lapin::message::BasicGetMessage> {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if let Some(message) = channel
            .basic_get(queue.into(), BasicGetOptions::default())
            .await
            .unwrap()
        {
            return Some(message);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn first_use_declares_the_whole_topology() {
    let broker = broker(Duration::from_secs(1));
    let channel = broker.channel().await.unwrap();
    for queue in broker.topology().queues() {
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        channel
            .queue_declare(queue.as_str().into(), passive, FieldTable::default())
            .await
            .unwrap_or_else(|e| panic!("queue {queue} was not declared: {e}"));
    }
}

#[tokio::test]
async fn work_is_routed_to_the_queue_of_its_resource_type() {
    let broker = broker(Duration::from_secs(1));
    let topology = broker.topology().clone();
    let channel = broker.channel().await.unwrap();

    for resource_type in ResourceType::ALL {
        let body = resource_type.as_str().as_bytes();
        publish(
            &channel,
            &topology.work_exchange(),
            Topology::routing_key(resource_type),
            body,
        )
        .await;
    }
    for resource_type in ResourceType::ALL {
        let queue = topology.work_queue(resource_type);
        let message = next_message(&channel, &queue, Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(message.delivery.data, resource_type.as_str().as_bytes());
    }
}

#[tokio::test]
async fn a_retry_returns_to_its_work_queue_after_the_delay() {
    let broker = broker(Duration::from_millis(300));
    let topology = broker.topology().clone();
    let channel = broker.channel().await.unwrap();

    publish(
        &channel,
        &topology.retry_exchange(),
        Topology::routing_key(ResourceType::Coverage),
        b"again",
    )
    .await;
    let work_queue = topology.work_queue(ResourceType::Coverage);
    let message = next_message(&channel, &work_queue, Duration::from_secs(10))
        .await
        .expect("the retry came back to the coverage queue");
    assert_eq!(message.delivery.data, b"again");
}

#[tokio::test]
async fn a_rejected_message_lands_in_the_dead_letter_queue() {
    let broker = broker(Duration::from_secs(1));
    let topology = broker.topology().clone();
    let channel = broker.channel().await.unwrap();

    publish(
        &channel,
        &topology.work_exchange(),
        Topology::routing_key(ResourceType::Patient),
        b"poison",
    )
    .await;
    let message = next_message(
        &channel,
        &topology.work_queue(ResourceType::Patient),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    message
        .delivery
        .nack(BasicNackOptions {
            requeue: false,
            ..BasicNackOptions::default()
        })
        .await
        .unwrap();

    let dead = next_message(
        &channel,
        &topology.dead_letter_exchange(),
        Duration::from_secs(5),
    )
    .await
    .expect("the rejected message was dead-lettered");
    assert_eq!(dead.delivery.data, b"poison");
}

#[tokio::test]
async fn broker_reconnects_after_its_connection_is_lost() {
    let broker = broker(Duration::from_secs(1));
    broker.ping().await.unwrap();
    let lost = broker.current_connection().await.unwrap();
    lost.close(320, "connection forced by test".into())
        .await
        .unwrap();

    // The next caller gets a working channel on a new connection.
    let channel = broker.channel().await.unwrap();
    let topology = broker.topology().clone();
    publish(
        &channel,
        &topology.work_exchange(),
        Topology::routing_key(ResourceType::Patient),
        b"after",
    )
    .await;
    let message = next_message(
        &channel,
        &topology.work_queue(ResourceType::Patient),
        Duration::from_secs(5),
    )
    .await;
    assert!(message.is_some());
    assert!(!std::sync::Arc::ptr_eq(
        &lost,
        &broker.current_connection().await.unwrap()
    ));
}

#[tokio::test]
async fn ping_reports_an_unreachable_broker() {
    let broker = Broker::new(&AmqpConfig {
        url: "amqp://guest:guest@127.0.0.1:1/%2f".to_owned().into(),
        prefix: "unreachable".into(),
        retry_delay: Duration::from_secs(1),
        queue_expires: None,
    });
    assert!(broker.ping().await.is_err());
}
