//! A fresh, migrated Postgres database per test, cloned from a template so that only
//! the first test after a schema change pays for the migrations.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bcda_infra::config::DatabaseConfig;
use bcda_infra::db;
use secrecy::SecretString;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};
use url::Url;

/// Serializes template creation across concurrently starting test processes.
const TEMPLATE_LOCK: i64 = 0x6263_6474;

/// Test databases older than this are dropped by later tests, in case a test process
/// was killed before it could drop its own.
const STALE_AFTER: Duration = Duration::from_secs(3600);

const PREFIX: &str = "bcda_test_";

/// A database that exists for one test and is dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    server: Url,
}

impl TestDatabase {
    /// Creates a migrated database on the server of `BCDA_DATABASE_URL` (or the default).
    pub async fn create() -> TestDatabase {
        let server = server_config();
        let admin = connect(&server, "postgres").await;
        let template = ensure_template(&server, &admin).await;
        drop_stale_databases(&admin).await;

        let name = fresh_name();
        let create = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
        retry_while_in_use(&admin, &create).await;
        TestDatabase { name, server }
    }

    /// A name for a database that does not exist yet; it is dropped with this value if
    /// the test creates it. For tests of database creation and first migrations.
    pub fn not_yet_created() -> TestDatabase {
        TestDatabase {
            name: fresh_name(),
            server: server_config(),
        }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration that reaches this database.
    pub fn config(&self) -> DatabaseConfig {
        DatabaseConfig {
            url: SecretString::from(url_for(&self.server, &self.name)),
            pool_size: 8,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = self.server.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
        // with a runtime of its own.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    let admin = connect(&server, "postgres").await;
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await;
                });
            }
        });
        let _ = dropper.join();
    }
}

fn server_config() -> Url {
    let url = std::env::var("BCDA_DATABASE_URL")
        .unwrap_or_else(|_| bcda_infra::config::defaults::DATABASE_URL.to_owned());
    Url::parse(&url).expect("BCDA_DATABASE_URL is a postgres:// URL")
}

async fn connect(server: &Url, dbname: &str) -> Client {
    let pg = tokio_postgres::Config::from_str(&url_for(server, dbname)).expect("Postgres URL");
    let (client, connection) = pg
        .connect(NoTls)
        .await
        .expect("Postgres is reachable (is it running? see README)");
    tokio::spawn(connection);
    client
}

/// The template database for the current migrations, created on first use. Its name
/// carries a fingerprint of the migrations, so a schema change makes a new template.
async fn ensure_template(server: &Url, admin: &Client) -> String {
    let template = format!("bcda_template_{:016x}", db::schema_fingerprint());
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&TEMPLATE_LOCK])
        .await
        .expect("template lock");
    if !database_exists(admin, &template).await {
        let building = format!("{template}_building");
        // A half-built template left by a killed test process is rebuilt.
        for statement in [
            format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
            format!("CREATE DATABASE \"{building}\""),
        ] {
            admin
                .batch_execute(&statement)
                .await
                .expect("create template database");
        }
        let config = DatabaseConfig {
            url: SecretString::from(url_for(server, &building)),
            pool_size: 1,
        };
        let pool = db::connect(&config).expect("template pool");
        db::migrate(&pool)
            .await
            .expect("migrations apply to the template");
        pool.close();
        // Renaming waits for nothing: it fails while the pool's connection lingers.
        let rename = format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"");
        retry_while_in_use(admin, &rename).await;
    }
    admin
        .execute("SELECT pg_advisory_unlock($1)", &[&TEMPLATE_LOCK])
        .await
        .expect("template unlock");
    template
}

/// `bcda_test_<unix seconds>_<random>`: the time lets later runs drop leftovers.
fn fresh_name() -> String {
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    format!("{PREFIX}{created}_{}", crate::unique_suffix())
}

/// Runs `statement`, retrying while Postgres says the database is in use by another
/// session (a connection closing in the background, or a concurrent clone).
async fn retry_while_in_use(admin: &Client, statement: &str) {
    for attempt in 0.. {
        match admin.batch_execute(statement).await {
            Ok(()) => return,
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 100 => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("template database statement failed: {e}"),
        }
    }
}

async fn database_exists(admin: &Client, name: &str) -> bool {
    admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("list databases")
        .is_some()
}

async fn drop_stale_databases(admin: &Client) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let rows = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'bcda\\_test\\_%'",
            &[],
        )
        .await
        .expect("list test databases");
    for row in rows {
        let name: String = row.get(0);
        let created = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| now.saturating_sub(Duration::from_secs(secs)) > STALE_AFTER) {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// The URL of database `dbname` on the same server as `server`.
fn url_for(server: &Url, dbname: &str) -> String {
    let mut url = server.clone();
    url.set_path(&format!("/{dbname}"));
    url.to_string()
}
