//! Shared infrastructure of the BCDA services.
//!
//! Each module owns one outside system and hides its client library behind a small,
//! typed surface: [`config`] (the environment), [`db`] (Postgres), [`queue`]
//! (RabbitMQ), [`storage`] (object storage), [`telemetry`] (logs and traces), [`auth`]
//! (verifying access tokens) and [`http`] (what every HTTP service shares).
//! [`AppContext`] bundles the handles a service needs.

pub mod auth;
pub mod config;
pub mod db;
pub mod health;
pub mod http;
pub mod metrics;
pub mod queue;
pub mod signed_url;
pub mod storage;
pub mod telemetry;
pub mod transient;

use std::sync::Arc;

use secrecy::ExposeSecret;

pub use config::Config;
pub use deadpool_postgres::Pool as DbPool;
pub use queue::Broker;
pub use storage::Storage;

/// The handles every service shares, cloned cheaply into each HTTP worker and task.
///
/// Building one touches no network: the pool and the broker connect on first use, so a
/// service starts while a dependency is down and `/_health` says which.
#[derive(Debug, Clone)]
pub struct AppContext {
    pub config: Arc<Config>,
    pub db: DbPool,
    pub broker: Broker,
    pub storage: Storage,
    pub verifier: auth::TokenVerifier,
    /// This process's metrics, served at `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Signs download URLs, when `BCDA_DOWNLOAD_URL_KEY` is set.
    pub url_signer: Option<signed_url::UrlSigner>,
    pub build: BuildInfo,
}

/// A failure to prepare the shared handles from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

impl AppContext {
    /// Prepares the handles `config` describes.
    pub fn new(config: Config, build: BuildInfo) -> Result<AppContext, ContextError> {
        let db = db::connect(&config.database)?;
        Ok(AppContext {
            verifier: auth::TokenVerifier::new(&config.auth, db.clone()),
            db,
            broker: Broker::new(&config.amqp),
            storage: Storage::open(&config.storage)?,
            metrics: Arc::default(),
            url_signer: config.download.url_key.as_ref().and_then(|key| {
                config::decode_base64_key(key.expose_secret())
                    .map(|secret| signed_url::UrlSigner::new(&secret, config.download.url_ttl))
            }),
            config: Arc::new(config),
            build,
        })
    }
}

/// What build is running, for `/_version` and the CapabilityStatement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInfo {
    /// The crate version, e.g. `0.1.0`.
    pub version: &'static str,
    /// The git commit the binary was built from, or `unknown`.
    pub git_revision: &'static str,
}

impl BuildInfo {
    /// `0.1.0+abc1234`: the version with the short revision as build metadata.
    pub fn display_version(&self) -> String {
        let short = self.git_revision.get(..7).unwrap_or(self.git_revision);
        format!("{}+{short}", self.version)
    }
}
