//! Readiness: whether the outside systems a service depends on answer.

use std::time::Duration;

use serde::Serialize;

use crate::AppContext;

/// How long one dependency may take to answer before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// An outside system a service needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dependency {
    Database,
    Queue,
    Storage,
    /// This process's export workers are registered as consumers with the broker.
    Consumers,
}

impl Dependency {
    /// The name used in `/_health` bodies and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Dependency::Database => "database",
            Dependency::Queue => "queue",
            Dependency::Storage => "storage",
            Dependency::Consumers => "consumers",
        }
    }
}

/// The state of each dependency checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReport {
    /// Each dependency with `None` when it answered, or why it did not.
    pub checks: Vec<(Dependency, Option<String>)>,
}

impl HealthReport {
    /// Whether every dependency answered.
    pub fn is_healthy(&self) -> bool {
        self.checks.iter().all(|(_, failure)| failure.is_none())
    }

    /// The dependencies that did not answer.
    pub fn down(&self) -> impl Iterator<Item = Dependency> + '_ {
        self.checks
            .iter()
            .filter(|(_, failure)| failure.is_some())
            .map(|(dependency, _)| *dependency)
    }
}

/// Checks `dependencies` concurrently, each within `CHECK_TIMEOUT`.
pub async fn check(ctx: &AppContext, dependencies: &[Dependency]) -> HealthReport {
    let checks = dependencies.iter().map(|&dependency| async move {
        let outcome = tokio::time::timeout(CHECK_TIMEOUT, check_one(ctx, dependency)).await;
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(reason)) => Some(reason),
            Err(_) => Some(format!("no answer within {CHECK_TIMEOUT:?}")),
        };
        (dependency, failure)
    });
    HealthReport {
        checks: futures::future::join_all(checks).await,
    }
}

async fn check_one(ctx: &AppContext, dependency: Dependency) -> Result<(), String> {
    match dependency {
        Dependency::Database => crate::db::ping(&ctx.db).await.map_err(|e| e.to_string()),
        Dependency::Queue => ctx.broker.ping().await.map_err(|e| e.to_string()),
        Dependency::Storage => ctx.storage.ping().await.map_err(|e| e.to_string()),
        Dependency::Consumers => {
            let (consuming, started) = (
                ctx.metrics.workers_consuming.get(),
                ctx.metrics.workers.get(),
            );
            if consuming < started {
                Err(format!(
                    "{consuming} of {started} export workers are consuming"
                ))
            } else {
                Ok(())
            }
        }
    }
}
