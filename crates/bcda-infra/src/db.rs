//! Postgres: the connection pool, schema migrations and the database's own existence.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts};
use secrecy::ExposeSecret;
use tokio_postgres::NoTls;

use crate::config::DatabaseConfig;

refinery::embed_migrations!("../../migrations");

/// How long a caller waits for a connection before the database counts as unavailable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Serializes concurrent migrators (a Kubernetes Job and a developer, parallel test
/// harnesses) on one database. An arbitrary constant: "bcda" in ASCII.
const MIGRATION_LOCK: i64 = 0x6263_6461;

/// A failure to reach or prepare the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database configuration: {0}")]
    Config(String),
    #[error("database unavailable: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] refinery::Error),
}

/// Opens a connection pool. Connections are made lazily, so this succeeds while the
/// database is down; callers learn of it on first use, and `/_health` reports it.
pub fn connect(config: &DatabaseConfig) -> Result<Pool, DbError> {
    let pg = pg_config(config)?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(config.pool_size)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(CONNECT_TIMEOUT),
            create: Some(CONNECT_TIMEOUT),
            recycle: Some(CONNECT_TIMEOUT),
        })
        .build()
        .map_err(|e| DbError::Config(e.to_string()))
}

fn pg_config(config: &DatabaseConfig) -> Result<tokio_postgres::Config, DbError> {
    let mut pg = tokio_postgres::Config::from_str(config.url.expose_secret())
        .map_err(|e| DbError::Config(e.to_string()))?;
    pg.connect_timeout(CONNECT_TIMEOUT);
    if pg.get_application_name().is_none() {
        pg.application_name("bcda");
    }
    Ok(pg)
}

/// Creates the configured database when it does not exist yet, connecting to the
/// server's `postgres` maintenance database to do so. Returns whether it was created.
pub async fn ensure_database(config: &DatabaseConfig) -> Result<bool, DbError> {
    let target = pg_config(config)?;
    let Some(name) = target.get_dbname().map(str::to_owned) else {
        return Err(DbError::Config("the database URL names no database".into()));
    };
    let mut maintenance = target.clone();
    maintenance.dbname("postgres");
    let (client, connection) = maintenance.connect(NoTls).await?;
    let connection = tokio::spawn(connection);
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        let quoted = name.replace('"', "\"\"");
        match client
            .batch_execute(&format!("CREATE DATABASE \"{quoted}\""))
            .await
        {
            Ok(()) => {}
            // Another migrator created it between our check and our CREATE.
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {}
            Err(e) => return Err(e.into()),
        }
    }
    drop(client);
    let _ = connection.await;
    Ok(!exists)
}

/// What a migration run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Names of the migrations applied by this run, e.g. `V1__foundation`.
    pub applied: Vec<String>,
}

/// Applies every migration in `migrations/` not yet applied. Safe to run twice and to
/// run concurrently: a session advisory lock lets one migrator work at a time.
pub async fn migrate(pool: &Pool) -> Result<MigrationReport, DbError> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = migrations::runner()
        .set_grouped(false)
        .set_abort_divergent(true)
        .run_async(&mut **client)
        .await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await?;
    let report = result?;
    Ok(MigrationReport {
        applied: report
            .applied_migrations()
            .iter()
            .map(|m| m.to_string())
            .collect(),
    })
}

/// A fingerprint of the migrations this build carries: equal fingerprints mean equal
/// schemas, so test harnesses can reuse a template database built from them.
pub fn schema_fingerprint() -> u64 {
    migrations::runner().get_migrations().iter().fold(
        0xcbf2_9ce4_8422_2325,
        |fingerprint, migration| {
            (fingerprint ^ migration.checksum()).wrapping_mul(0x0100_0000_01b3)
        },
    )
}

/// Checks the database answers a trivial query: the readiness probe.
pub async fn ping(pool: &Pool) -> Result<(), DbError> {
    let client = pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok(())
}
