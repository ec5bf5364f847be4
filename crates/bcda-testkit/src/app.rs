//! The whole app on port 0, against its own database, queue prefix and bucket.

use std::collections::HashMap;
use std::time::Duration;

use bcda_infra::{AppContext, BuildInfo, Config};
use bcda_server::{Application, Role};

use crate::{S3Server, TestDatabase};

/// The build the test app reports.
pub const TEST_BUILD: BuildInfo = BuildInfo {
    version: "0.0.0-test",
    git_revision: "0123456789abcdef0123456789abcdef01234567",
};

/// A running app and the resources it owns. Everything is torn down when dropped.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The handles the app uses, for tests that look behind the API.
    pub ctx: AppContext,
    /// An HTTP client for requests to the app.
    pub client: reqwest::Client,
    /// The S3 server behind the app's storage.
    pub s3: S3Server,
    /// The `BCDA_*` variables the app was started with, beyond the defaults.
    env: HashMap<String, String>,
    /// The app's database; dropped last.
    pub database: TestDatabase,
}

/// Starts the one-origin app (`bcda serve all`) with fresh resources.
pub async fn spawn_app() -> TestApp {
    TestAppBuilder::default().spawn().await
}

/// Adjusts a test app before it starts.
#[derive(Debug, Clone)]
pub struct TestAppBuilder {
    role: Role,
    env: HashMap<String, String>,
}

impl Default for TestAppBuilder {
    fn default() -> Self {
        TestAppBuilder {
            role: Role::All,
            env: HashMap::new(),
        }
    }
}

impl TestAppBuilder {
    /// Serves only `role`'s routes.
    pub fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }

    /// Sets a `BCDA_*` variable as the app's environment would.
    pub fn env(mut self, name: &str, value: impl Into<String>) -> Self {
        self.env.insert(name.to_owned(), value.into());
        self
    }

    /// The configuration the app will run with, on fresh resources.
    pub async fn config(&self, database: &TestDatabase, s3: &S3Server) -> Config {
        let mut env = self.env.clone();
        env.entry("BCDA_LISTEN".into())
            .or_insert_with(|| "127.0.0.1:0".into());
        env.entry("BCDA_QUEUE_PREFIX".into())
            .or_insert_with(|| format!("test-{}", crate::unique_suffix()));
        // Queues of finished tests vanish from the broker after a while.
        env.entry("BCDA_QUEUE_EXPIRES_MS".into())
            .or_insert_with(|| "600000".into());
        env.entry("BCDA_WORKERS".into())
            .or_insert_with(|| "1".into());
        // Tests poll jobs every 100 ms to finish fast; those about pacing turn it on.
        env.entry("BCDA_POLL_PACING".into())
            .or_insert_with(|| "false".into());
        let mut config =
            Config::from_lookup(|name| env.get(name).cloned().or_else(|| std::env::var(name).ok()))
                .expect("test configuration is valid");
        if !env.contains_key("BCDA_DATABASE_URL") {
            config.database = database.config();
        }
        config.storage = s3.storage_config();
        config
    }

    /// Starts the app. With `BCDA_TEST_LOG` set (a log filter such as `info`), the app's
    /// logs go to the test's output.
    pub async fn spawn(self) -> TestApp {
        if let Ok(filter) = std::env::var("BCDA_TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
        let database = TestDatabase::create().await;
        let s3 = S3Server::start("exports").await;
        let config = self.config(&database, &s3).await;
        let mut env = self.env.clone();
        env.insert("BCDA_QUEUE_PREFIX".into(), config.amqp.prefix.clone());
        let ctx = AppContext::new(config, TEST_BUILD).expect("app context");
        let app = Application::build(ctx.clone(), self.role).expect("bind the app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        if self.role.serves(Role::Worker) {
            until_workers_consume(&ctx).await;
        }
        // Idle connections are dropped well before actix-web's 5 s keep-alive ends: one
        // reused just as the server closed it failed a poll with `IncompleteMessage`
        // (the broker-restart test pauses for about that long).
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        TestApp {
            address,
            ctx,
            client,
            s3,
            env,
            database,
        }
    }
}

impl TestApp {
    /// The environment of a separate `bcda` process that shares this app's database,
    /// queues and bucket, e.g. `bcda serve worker` started by a test.
    pub fn process_env(&self) -> Vec<(String, String)> {
        use secrecy::ExposeSecret;
        let mut env: Vec<(String, String)> = self.env.clone().into_iter().collect();
        let config = &self.ctx.config;
        env.extend([
            ("BCDA_LISTEN".into(), "127.0.0.1:0".into()),
            (
                "BCDA_DATABASE_URL".into(),
                config.database.url.expose_secret().to_owned(),
            ),
            (
                "BCDA_AMQP_URL".into(),
                config.amqp.url.expose_secret().to_owned(),
            ),
            ("BCDA_QUEUE_EXPIRES_MS".into(), "600000".into()),
        ]);
        env.extend(self.s3.env());
        env
    }

    /// `{address}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// The first column of the one row `sql` returns, from the app's database: for
    /// tests that count what the app stored.
    pub async fn count(&self, sql: &str) -> i64 {
        self.ctx
            .db
            .get()
            .await
            .expect("database connection")
            .query_one(sql, &[])
            .await
            .expect("count query")
            .get(0)
    }

    /// `GET {address}{path}`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request reaches the app")
    }

    /// `GET {address}{path}` with `Authorization: Bearer {token}`.
    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request reaches the app")
    }

    /// `GET path` (`/api/{v}/jobs`, with any query) with `token` and the headers BCDA
    /// requires there: the cheapest authenticated request. An ACO with no jobs gets
    /// `404` (token accepted), a bad token `401`, a denied ACO `403`.
    pub async fn list_jobs(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .header("accept", "application/fhir+json")
            .header("prefer", "respond-async")
            .send()
            .await
            .expect("request reaches the app")
    }

    /// Creates the sandbox guide's five ACOs and clients, as `bcda seed` does.
    pub async fn seed_sandbox(&self) {
        bcda_auth::seed::seed_sandbox(&self.ctx.db)
            .await
            .expect("seed the sandbox");
    }

    /// Creates ACO `cms_id` (if needed) and a new client of it.
    pub async fn create_client(&self, cms_id: &str) -> Credentials {
        let store = bcda_auth::clients::ClientStore::new(self.ctx.db.clone());
        store
            .ensure_aco(cms_id, &format!("Test ACO {cms_id}"))
            .await
            .expect("create ACO");
        let credential = store.create_client(cms_id).await.expect("create client");
        Credentials {
            client_id: credential.client_id,
            client_secret: credential.client_secret,
        }
    }

    /// Records an attribution file of ACO `cms_id`, as loading a CCLF8 file would:
    /// `kind` for `performance_year`, dated `date`, listing `beneficiaries`. Returns its
    /// id.
    pub async fn record_attribution_file(
        &self,
        cms_id: &str,
        kind: bcda_model::attribution::AttributionKind,
        performance_year: i32,
        date: time::OffsetDateTime,
        beneficiaries: &[i64],
    ) -> i64 {
        let client = self.ctx.db.get().await.expect("a connection");
        let id: i64 = client
            .query_one(
                "INSERT INTO attribution_files (aco_id, kind, performance_year, file_date) \
                 SELECT id, $2, $3, $4 FROM acos WHERE cms_id = $1 RETURNING id",
                &[&cms_id, &kind.as_str(), &(performance_year as i16), &date],
            )
            .await
            .expect("record an attribution file")
            .get(0);
        client
            .execute(
                "INSERT INTO attribution_members (file_id, beneficiary_id) \
                 SELECT $1, unnest($2::bigint[])",
                &[&id, &beneficiaries],
            )
            .await
            .expect("record its beneficiaries");
        id
    }

    /// Gives ACO `cms_id` a current attribution file that lists nobody: its exports
    /// start, and hold no resources.
    pub async fn attribute_nobody(&self, cms_id: &str) {
        let now = time::OffsetDateTime::now_utc();
        self.record_attribution_file(
            cms_id,
            bcda_model::attribution::AttributionKind::Default,
            bcda_model::attribution::performance_year(now),
            now,
            &[],
        )
        .await;
    }

    /// `POST /auth/token` with HTTP Basic credentials, as the guide's curl does.
    pub async fn request_token(&self, client_id: &str, client_secret: &str) -> reqwest::Response {
        self.client
            .post(self.url("/auth/token"))
            .basic_auth(client_id, Some(client_secret))
            .header("Accept", "application/json")
            .send()
            .await
            .expect("request reaches the app")
    }

    /// A fresh access token for `credentials`.
    pub async fn token(&self, credentials: &Credentials) -> String {
        let response = self
            .request_token(&credentials.client_id, &credentials.client_secret)
            .await;
        assert_eq!(response.status(), 200, "token request failed");
        let body: serde_json::Value = response.json().await.expect("token JSON");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }
}

/// A client id and its secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

/// Waits until the app's export workers are registered with the broker (its `/_health`
/// is `503` until then), or for at most 15 s; not at all when the broker is down.
async fn until_workers_consume(ctx: &AppContext) {
    let workers = ctx.config.export.workers as i64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while ctx.metrics.workers_consuming.get() < workers
        && tokio::time::Instant::now() < deadline
        && ctx.broker.ping().await.is_ok()
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

impl Drop for TestApp {
    /// Deletes the app's queues. They are durable, so they outlive the test; their
    /// expiry starts again at every broker restart, so over a day of test runs (each
    /// restarting the broker) thousands piled up, and RabbitMQ, recovering 4,590 queues
    /// with 927 file handles, then took minutes to start and failed every later test.
    fn drop(&mut self) {
        use secrecy::ExposeSecret;
        let url = self.ctx.config.amqp.url.expose_secret().to_owned();
        let queues = self.ctx.broker.topology().queues();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
        // with a runtime of its own.
        let deleter = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let delete = async {
                    let connection =
                        lapin::Connection::connect(&url, lapin::ConnectionProperties::default())
                            .await?;
                    let channel = connection.create_channel().await?;
                    for queue in queues {
                        channel
                            .queue_delete(
                                queue.into(),
                                lapin::options::QueueDeleteOptions::default(),
                            )
                            .await?;
                    }
                    connection.close(0, "test over".into()).await
                };
                // A broker that is away (a restart test's) leaves the queues to expire.
                let _ = tokio::time::timeout(Duration::from_secs(5), delete).await;
            });
        });
        let _ = deleter.join();
    }
}
