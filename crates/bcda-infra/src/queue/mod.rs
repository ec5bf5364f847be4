//! RabbitMQ: one shared connection per process that survives broker restarts, and the
//! export topology declared on it.

pub mod outbox;
pub mod topology;

use std::sync::Arc;
use std::time::Duration;

use lapin::{Channel, Connection, ConnectionProperties};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

pub use topology::Topology;

use crate::config::AmqpConfig;

/// How long a caller waits for the broker before it counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A failure to reach the broker or to use it.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("message broker unavailable: {0}")]
    Amqp(#[from] lapin::Error),
    #[error("message broker unavailable: no answer within {0:?}")]
    Timeout(Duration),
}

/// A process's handle on RabbitMQ. Cheap to clone; all clones share one connection.
///
/// The connection is made on first use, so a process starts (and reports itself
/// unhealthy) while the broker is down. A lost connection is not recovered in place:
/// every channel on it fails (consumers' streams end with an error), and the next
/// caller opens a fresh connection and declares the topology again. lapin's automatic
/// recovery is deliberately off: when it gave up on a broker that stayed away for a few
/// seconds, idle consumers were left waiting on a dead channel and never consumed again.
#[derive(Clone)]
pub struct Broker {
    url: SecretString,
    topology: Topology,
    connection: Arc<Mutex<Option<Arc<Connection>>>>,
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Broker")
            .field("topology", &self.topology)
            .finish_non_exhaustive()
    }
}

impl Broker {
    /// A broker handle for `config`; connects lazily.
    pub fn new(config: &AmqpConfig) -> Broker {
        Broker {
            url: config.url.clone(),
            topology: Topology::new(config),
            connection: Arc::new(Mutex::new(None)),
        }
    }

    /// The topology this broker declares.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// A new channel on the shared connection, connecting (and declaring the topology)
    /// first when there is no usable connection.
    pub async fn channel(&self) -> Result<Channel, QueueError> {
        let connection = self.connection().await?;
        match connection.create_channel().await {
            Ok(channel) => Ok(channel),
            Err(first) => {
                // The connection died between our check and our use: try once afresh.
                tracing::warn!(error = %first, "AMQP connection unusable; reconnecting");
                self.forget(&connection).await;
                Ok(self.connection().await?.create_channel().await?)
            }
        }
    }

    /// Checks the broker is reachable: the readiness probe.
    pub async fn ping(&self) -> Result<(), QueueError> {
        let channel = self.channel().await?;
        close_channel(&channel, "ping").await;
        Ok(())
    }

    /// The current connection for tests that need to break it on purpose.
    #[doc(hidden)]
    pub async fn current_connection(&self) -> Option<Arc<Connection>> {
        self.connection.lock().await.clone()
    }

    async fn connection(&self) -> Result<Arc<Connection>, QueueError> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            let status = connection.status();
            if status.connected() || status.connecting() {
                return Ok(connection.clone());
            }
            tracing::warn!("AMQP connection closed; reconnecting");
        }
        let connection = Arc::new(self.open().await?);
        *slot = Some(connection.clone());
        Ok(connection)
    }

    async fn open(&self) -> Result<Connection, QueueError> {
        let properties = ConnectionProperties::default()
            .with_connection_name(format!("bcda:{}", self.topology.work_exchange()).into());
        let connect = async {
            let connection = Connection::connect(self.url.expose_secret(), properties).await?;
            let channel = connection.create_channel().await?;
            self.topology.declare(&channel).await?;
            close_channel(&channel, "topology declared").await;
            Ok::<_, QueueError>(connection)
        };
        tokio::time::timeout(CONNECT_TIMEOUT, connect)
            .await
            .map_err(|_| QueueError::Timeout(CONNECT_TIMEOUT))?
    }

    async fn forget(&self, dead: &Arc<Connection>) {
        let mut slot = self.connection.lock().await;
        if slot
            .as_ref()
            .is_some_and(|current| Arc::ptr_eq(current, dead))
        {
            *slot = None;
        }
    }
}

/// Closes `channel`, returning its unacknowledged messages to their queues, without
/// waiting more than `CONNECT_TIMEOUT` for a broker that may be gone: a channel of a
/// dead connection needs no closing, and its caller must get on with reconnecting.
pub async fn close_channel(channel: &Channel, reason: &str) {
    let close = channel.close(200, reason.into());
    if let Ok(Err(e)) = tokio::time::timeout(CONNECT_TIMEOUT, close).await {
        tracing::debug!(error = %e, "closing an AMQP channel failed");
    }
}
