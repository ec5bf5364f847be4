//! One typed configuration, loaded once from `BCDA_*` environment variables over defaults
//! that work on a developer machine, and validated at start so that a bad value stops the
//! process with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Everything a BCDA process needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds (`BCDA_LISTEN`). Port 0 picks a free port.
    pub listen: SocketAddr,
    /// Public origin used in `Content-Location`, manifests, metadata and as the audience
    /// of client assertions (`BCDA_PUBLIC_URL`). Required behind a proxy; without it only
    /// a loopback `Host` is believed (see `http::PublicBase`).
    pub public_url: Option<Url>,
    /// How long a response may make no progress because the client stopped reading
    /// (`BCDA_HTTP_SEND_TIMEOUT_SECS`) before the connection is dropped.
    pub send_timeout: Duration,
    pub database: DatabaseConfig,
    pub amqp: AmqpConfig,
    pub storage: StorageConfig,
    pub telemetry: TelemetryConfig,
    pub auth: AuthConfig,
    pub export: ExportConfig,
    pub download: DownloadConfig,
}

/// How export files are handed out.
#[derive(Debug, Clone)]
pub struct DownloadConfig {
    /// 32 bytes in base64 that sign download URLs (`BCDA_DOWNLOAD_URL_KEY`); when set,
    /// manifest URLs carry `?exp=...&sig=...` and work without a token until they expire.
    pub url_key: Option<SecretString>,
    /// How long a signed URL works (`BCDA_DOWNLOAD_URL_TTL_SECS`).
    pub url_ttl: Duration,
}

/// How exports are split, paced, retried and kept.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// Export workers run by `bcda serve all` and `bcda serve worker` (`BCDA_WORKERS`);
    /// 0 leaves the work to other processes.
    pub workers: usize,
    /// Messages a worker holds unacknowledged at once (`BCDA_WORKER_PREFETCH`).
    pub prefetch: u16,
    /// Beneficiaries per job key, per resource type (`BCDA_BATCH_SIZE_EOB`,
    /// `BCDA_BATCH_SIZE_PATIENT`, `BCDA_BATCH_SIZE_COVERAGE`, and `BCDA_BATCH_SIZE_CLAIM`
    /// for `Claim` and `ClaimResponse`).
    pub batch_sizes: bcda_model::export::BatchSizes,
    /// Attempts at a job key before its failure is reported in an error file
    /// (`BCDA_MAX_ATTEMPTS`).
    pub max_attempts: u32,
    /// A job whose failed keys pass this percentage of all keys is Failed
    /// (`BCDA_JOB_FAILURE_PCT`).
    pub failure_threshold_pct: u8,
    /// How long a finished job's files stay downloadable (`BCDA_JOB_TTL_SECS`).
    pub job_ttl: Duration,
    /// Keys of one job queued or being worked at once (`BCDA_JOB_KEYS_IN_FLIGHT`): the
    /// relay holds back the rest, so exports behind a large one are not starved.
    pub keys_in_flight_per_job: u32,
    /// The `Retry-After` seconds of a kick-off refused because an overlapping export is
    /// running (`BCDA_EXPORT_BUSY_RETRY_AFTER_SECS`); BCDA sends `0`.
    pub busy_retry_after_secs: u32,
    /// Output files per page of a partial manifest (`BCDA_MANIFEST_PAGE_SIZE`); a job
    /// with more has a `next` link per page.
    pub manifest_page_size: u32,
    /// Answer a poll that comes before its `Retry-After` with `429`
    /// (`BCDA_POLL_PACING`); never for the sandbox ACOs.
    pub poll_pacing: bool,
}

/// Postgres connection settings.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// `postgres://` URL (`BCDA_DATABASE_URL`); it may carry a password, so it is secret.
    pub url: SecretString,
    /// Maximum pooled connections per process (`BCDA_DATABASE_POOL_SIZE`).
    pub pool_size: usize,
}

/// RabbitMQ connection and topology settings.
#[derive(Debug, Clone)]
pub struct AmqpConfig {
    /// `amqp://` URL (`BCDA_AMQP_URL`); it carries credentials, so it is secret.
    pub url: SecretString,
    /// Prefix of every exchange and queue name (`BCDA_QUEUE_PREFIX`), so several
    /// deployments or test runs can share one broker without sharing a queue.
    pub prefix: String,
    /// How long a failed message waits in the retry queue (`BCDA_RETRY_DELAY_MS`).
    pub retry_delay: Duration,
    /// Delete queues left unused this long (`BCDA_QUEUE_EXPIRES_MS`); for throwaway
    /// test prefixes only, unset in production.
    pub queue_expires: Option<Duration>,
}

/// Where export files live.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// A local directory: the zero-setup default (`BCDA_STORAGE_DIR`).
    Filesystem { root: PathBuf },
    /// Any S3-compatible server, chosen by setting `BCDA_S3_BUCKET`.
    S3(S3Config),
}

/// An S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// `BCDA_S3_BUCKET`.
    pub bucket: String,
    /// `BCDA_S3_ENDPOINT`, for MinIO and other non-AWS servers; requests are path-style.
    pub endpoint: Option<Url>,
    /// `BCDA_S3_REGION`.
    pub region: String,
    /// `BCDA_S3_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `BCDA_S3_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<SecretString>,
    /// Allow plain `http://` endpoints (`BCDA_S3_ALLOW_HTTP`), for local servers.
    pub allow_http: bool,
}

/// Logging and tracing.
#[derive(Debug, Clone)]
pub struct TelemetryConfig {
    /// `BCDA_LOG_FORMAT`.
    pub log_format: LogFormat,
    /// A `tracing` filter such as `info,bcda_api=debug` (`BCDA_LOG`).
    pub log_filter: String,
    /// OTLP/HTTP collector endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`, the standard name);
    /// spans are exported only when it is set.
    pub otlp_endpoint: Option<String>,
}

/// Access tokens: how they are signed, verified and rationed.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Lifetime of an access token (`BCDA_TOKEN_TTL_SECS`); BCDA's is 20 minutes.
    pub token_ttl: Duration,
    /// The `iss` of every token, checked on verification (`BCDA_TOKEN_ISSUER`).
    pub issuer: String,
    /// Encrypts signing keys at rest in Postgres (`BCDA_KEY_ENCRYPTION_KEY`, 32 bytes in
    /// base64). The default is a published development key: set your own in production.
    pub key_encryption_key: SecretString,
    /// Sign with the RSA private key in this PEM file (`BCDA_SIGNING_KEY_FILE`, e.g. a
    /// mounted Kubernetes Secret) instead of keys kept in Postgres.
    pub signing_key_file: Option<PathBuf>,
    /// Verify tokens with the keys published at this JWKS URL (`BCDA_AUTH_JWKS_URL`);
    /// without it, services read the public keys from Postgres.
    pub jwks_url: Option<Url>,
    /// Tokens one client may obtain per window (`BCDA_TOKEN_RATE_LIMIT`). Only requests
    /// that proved the client's credentials count, so nobody else can spend them.
    pub rate_limit: u32,
    /// Failed token requests (unknown client, wrong secret, bad assertion) one source
    /// address may make per window (`BCDA_TOKEN_FAILURE_LIMIT`); past it, that address
    /// gets `429` before any credential is checked.
    pub failure_limit: u32,
    /// The rate-limit window (`BCDA_TOKEN_RATE_WINDOW_SECS`).
    pub rate_window: Duration,
    /// Reverse proxies in front of this service that append the client's address to
    /// `X-Forwarded-For` (`BCDA_TRUSTED_PROXIES`); 0 (the default) uses the TCP peer and
    /// ignores the header, which any client can write.
    pub trusted_proxies: u8,
    /// How the keys of SMART clients registered by JWKS URL are fetched.
    pub client_jwks: ClientJwksConfig,
}

/// Fetching the keys of SMART clients registered by JWKS URL. The URLs are the clients',
/// so only `https` URLs of public addresses are fetched unless development allows more.
#[derive(Debug, Clone, Copy)]
pub struct ClientJwksConfig {
    /// Fetch `http://` URLs (`BCDA_JWKS_URL_ALLOW_HTTP`): development only.
    pub allow_http: bool,
    /// Fetch from private, loopback and link-local addresses
    /// (`BCDA_JWKS_URL_ALLOW_PRIVATE`): development only.
    pub allow_private: bool,
    /// The whole fetch (`BCDA_JWKS_FETCH_TIMEOUT_SECS`).
    pub timeout: Duration,
    /// How long fetched keys are used (`BCDA_JWKS_CACHE_SECS`).
    pub cache_ttl: Duration,
    /// The least time between fetches of one URL for a key it did not hold
    /// (`BCDA_JWKS_REFRESH_MIN_SECS`).
    pub refresh_min: Duration,
}

impl AuthConfig {
    /// Whether the key-encryption key is the published development default.
    pub fn uses_development_key(&self) -> bool {
        self.key_encryption_key.expose_secret() == defaults::KEY_ENCRYPTION_KEY
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, for log shippers.
    Json,
    /// Human-readable lines, for a terminal.
    Pretty,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(LogFormat::Json),
            "pretty" => Ok(LogFormat::Pretty),
            _ => Err("expected json or pretty".into()),
        }
    }
}

/// A variable whose value cannot be used. The message names the variable; secret values
/// are never echoed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {name}{shown}: {reason}", shown = shown_value(value))]
pub struct ConfigError {
    /// The environment variable at fault.
    pub name: &'static str,
    /// Its value, or `None` when the value is secret.
    pub value: Option<String>,
    /// What a valid value looks like.
    pub reason: String,
}

fn shown_value(value: &Option<String>) -> String {
    value
        .as_ref()
        .map(|v| format!("={v:?}"))
        .unwrap_or_default()
}

/// Defaults that work on a developer machine with local Postgres and RabbitMQ.
pub mod defaults {
    pub const LISTEN: &str = "127.0.0.1:3000";
    pub const DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/bcda";
    pub const DATABASE_POOL_SIZE: usize = 16;
    pub const AMQP_URL: &str = "amqp://guest:guest@127.0.0.1:5672/%2f";
    pub const QUEUE_PREFIX: &str = "bcda";
    pub const RETRY_DELAY_MS: u64 = 5_000;
    pub const STORAGE_DIR: &str = "var/exports";
    pub const S3_REGION: &str = "us-east-1";
    pub const LOG_FILTER: &str = "info";
    pub const WORKERS: usize = 2;
    pub const WORKER_PREFETCH: u16 = 1;
    pub const MAX_ATTEMPTS: u32 = 5;
    /// BCDA's `EXPORT_FAIL_PCT` default.
    pub const JOB_FAILURE_PCT: u8 = 60;
    pub const JOB_TTL_SECS: u64 = 24 * 60 * 60;
    pub const JOB_KEYS_IN_FLIGHT: u32 = 8;
    pub const MANIFEST_PAGE_SIZE: u32 = 1_000;
    pub const DOWNLOAD_URL_TTL_SECS: u64 = 3600;
    pub const TOKEN_TTL_SECS: u64 = 1200;
    pub const TOKEN_ISSUER: &str = "bcda";
    /// A published development key: encrypts nothing worth protecting.
    pub const KEY_ENCRYPTION_KEY: &str = "YmNkYS1ycyBkZXZlbG9wbWVudCBrZXkgLSBub3Qgc2U=";
    pub const HTTP_SEND_TIMEOUT_SECS: u64 = 60;
    pub const TOKEN_RATE_LIMIT: u32 = 100;
    pub const TOKEN_FAILURE_LIMIT: u32 = 20;
    pub const TOKEN_RATE_WINDOW_SECS: u64 = 300;
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`, so tests can configure without touching the
    /// process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = Env { lookup: &lookup };
        Ok(Config {
            listen: env.parsed("BCDA_LISTEN", defaults::LISTEN, "expected host:port")?,
            public_url: env.optional("BCDA_PUBLIC_URL", parse_public_url)?,
            send_timeout: Duration::from_secs(env.positive(
                "BCDA_HTTP_SEND_TIMEOUT_SECS",
                defaults::HTTP_SEND_TIMEOUT_SECS,
            )?),
            database: DatabaseConfig {
                url: env.secret("BCDA_DATABASE_URL", defaults::DATABASE_URL, |url| {
                    tokio_postgres::Config::from_str(url)
                        .map(drop)
                        .map_err(|e| format!("not a Postgres URL: {e}"))
                })?,
                pool_size: env.positive("BCDA_DATABASE_POOL_SIZE", defaults::DATABASE_POOL_SIZE)?,
            },
            amqp: AmqpConfig {
                url: env.secret("BCDA_AMQP_URL", defaults::AMQP_URL, |url| {
                    lapin::uri::AMQPUri::from_str(url)
                        .map(drop)
                        .map_err(|e| format!("not an AMQP URL: {e}"))
                })?,
                prefix: env
                    .optional("BCDA_QUEUE_PREFIX", parse_queue_prefix)?
                    .unwrap_or_else(|| defaults::QUEUE_PREFIX.into()),
                retry_delay: Duration::from_millis(env.parsed(
                    "BCDA_RETRY_DELAY_MS",
                    &defaults::RETRY_DELAY_MS.to_string(),
                    "expected milliseconds",
                )?),
                queue_expires: env.optional("BCDA_QUEUE_EXPIRES_MS", |v| {
                    v.parse::<u64>()
                        .ok()
                        .filter(|ms| *ms > 0)
                        .map(Duration::from_millis)
                        .ok_or_else(|| "expected a positive number of milliseconds".to_owned())
                })?,
            },
            storage: storage_config(&env)?,
            telemetry: TelemetryConfig {
                log_format: env
                    .optional("BCDA_LOG_FORMAT", |v| v.parse::<LogFormat>())?
                    .unwrap_or(LogFormat::Json),
                log_filter: env
                    .optional("BCDA_LOG", |v| {
                        tracing_subscriber::EnvFilter::try_new(v)
                            .map(|_| v.to_owned())
                            .map_err(|e| e.to_string())
                    })?
                    .unwrap_or_else(|| defaults::LOG_FILTER.into()),
                otlp_endpoint: env.optional("OTEL_EXPORTER_OTLP_ENDPOINT", |v| {
                    Url::parse(v)
                        .map(|_| v.to_owned())
                        .map_err(|e| format!("not a URL: {e}"))
                })?,
            },
            auth: auth_config(&env)?,
            export: export_config(&env)?,
            download: DownloadConfig {
                url_key: match env.get("BCDA_DOWNLOAD_URL_KEY") {
                    Some(_) => Some(env.secret("BCDA_DOWNLOAD_URL_KEY", "", |key| {
                        decode_base64_key(key).map(drop).ok_or_else(|| {
                            "expected 32 bytes in base64 (e.g. openssl rand -base64 32)".to_owned()
                        })
                    })?),
                    None => None,
                },
                url_ttl: Duration::from_secs(env.positive(
                    "BCDA_DOWNLOAD_URL_TTL_SECS",
                    defaults::DOWNLOAD_URL_TTL_SECS,
                )?),
            },
        })
    }

    /// The public origin, when configured, without a trailing slash.
    pub fn public_origin(&self) -> Option<&str> {
        self.public_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/'))
    }
}

fn storage_config(env: &Env<'_>) -> Result<StorageConfig, ConfigError> {
    let Some(bucket) = env.optional("BCDA_S3_BUCKET", |v| Ok::<_, String>(v.to_owned()))? else {
        let root = env
            .get("BCDA_STORAGE_DIR")
            .unwrap_or_else(|| defaults::STORAGE_DIR.into());
        return Ok(StorageConfig::Filesystem { root: root.into() });
    };
    Ok(StorageConfig::S3(S3Config {
        bucket,
        endpoint: env.optional("BCDA_S3_ENDPOINT", |v| {
            Url::parse(v).map_err(|e| format!("not a URL: {e}"))
        })?,
        region: env
            .get("BCDA_S3_REGION")
            .unwrap_or_else(|| defaults::S3_REGION.into()),
        access_key_id: env.get("BCDA_S3_ACCESS_KEY_ID"),
        secret_access_key: env.get("BCDA_S3_SECRET_ACCESS_KEY").map(SecretString::from),
        allow_http: env.parsed("BCDA_S3_ALLOW_HTTP", "false", "expected true or false")?,
    }))
}

fn export_config(env: &Env<'_>) -> Result<ExportConfig, ConfigError> {
    use bcda_model::export::BatchSizes;
    let default_sizes = BatchSizes::default();
    let failure_threshold_pct: u8 = env.parsed(
        "BCDA_JOB_FAILURE_PCT",
        &defaults::JOB_FAILURE_PCT.to_string(),
        "expected a percentage from 0 to 100",
    )?;
    if failure_threshold_pct > 100 {
        return Err(ConfigError {
            name: "BCDA_JOB_FAILURE_PCT",
            value: Some(failure_threshold_pct.to_string()),
            reason: "expected a percentage from 0 to 100".into(),
        });
    }
    Ok(ExportConfig {
        workers: env.parsed(
            "BCDA_WORKERS",
            &defaults::WORKERS.to_string(),
            "expected a number",
        )?,
        prefetch: env.positive("BCDA_WORKER_PREFETCH", defaults::WORKER_PREFETCH)?,
        batch_sizes: BatchSizes {
            explanation_of_benefit: env
                .positive("BCDA_BATCH_SIZE_EOB", default_sizes.explanation_of_benefit)?,
            patient: env.positive("BCDA_BATCH_SIZE_PATIENT", default_sizes.patient)?,
            coverage: env.positive("BCDA_BATCH_SIZE_COVERAGE", default_sizes.coverage)?,
            partially_adjudicated: env
                .positive("BCDA_BATCH_SIZE_CLAIM", default_sizes.partially_adjudicated)?,
        },
        max_attempts: env.positive("BCDA_MAX_ATTEMPTS", defaults::MAX_ATTEMPTS)?,
        failure_threshold_pct,
        job_ttl: Duration::from_secs(env.positive("BCDA_JOB_TTL_SECS", defaults::JOB_TTL_SECS)?),
        keys_in_flight_per_job: env
            .positive("BCDA_JOB_KEYS_IN_FLIGHT", defaults::JOB_KEYS_IN_FLIGHT)?,
        busy_retry_after_secs: env.parsed(
            "BCDA_EXPORT_BUSY_RETRY_AFTER_SECS",
            "0",
            "expected seconds",
        )?,
        manifest_page_size: env
            .positive("BCDA_MANIFEST_PAGE_SIZE", defaults::MANIFEST_PAGE_SIZE)?,
        poll_pacing: env.parsed("BCDA_POLL_PACING", "true", "expected true or false")?,
    })
}

fn auth_config(env: &Env<'_>) -> Result<AuthConfig, ConfigError> {
    let ttl_secs: u64 = env.parsed(
        "BCDA_TOKEN_TTL_SECS",
        &defaults::TOKEN_TTL_SECS.to_string(),
        "expected seconds",
    )?;
    Ok(AuthConfig {
        token_ttl: Duration::from_secs(ttl_secs),
        issuer: env
            .get("BCDA_TOKEN_ISSUER")
            .unwrap_or_else(|| defaults::TOKEN_ISSUER.into()),
        key_encryption_key: env.secret(
            "BCDA_KEY_ENCRYPTION_KEY",
            defaults::KEY_ENCRYPTION_KEY,
            |key| match decode_base64_key(key) {
                Some(_) => Ok(()),
                None => Err("expected 32 bytes in base64 (e.g. openssl rand -base64 32)".into()),
            },
        )?,
        signing_key_file: env.get("BCDA_SIGNING_KEY_FILE").map(PathBuf::from),
        jwks_url: env.optional("BCDA_AUTH_JWKS_URL", |v| {
            Url::parse(v).map_err(|e| format!("not a URL: {e}"))
        })?,
        rate_limit: env.positive("BCDA_TOKEN_RATE_LIMIT", defaults::TOKEN_RATE_LIMIT)?,
        failure_limit: env.positive("BCDA_TOKEN_FAILURE_LIMIT", defaults::TOKEN_FAILURE_LIMIT)?,
        trusted_proxies: env.parsed(
            "BCDA_TRUSTED_PROXIES",
            "0",
            "expected the number of proxies (0-255)",
        )?,
        rate_window: Duration::from_secs(env.positive(
            "BCDA_TOKEN_RATE_WINDOW_SECS",
            defaults::TOKEN_RATE_WINDOW_SECS,
        )?),
        client_jwks: ClientJwksConfig {
            allow_http: env.parsed(
                "BCDA_JWKS_URL_ALLOW_HTTP",
                "false",
                "expected true or false",
            )?,
            allow_private: env.parsed(
                "BCDA_JWKS_URL_ALLOW_PRIVATE",
                "false",
                "expected true or false",
            )?,
            timeout: Duration::from_secs(env.positive("BCDA_JWKS_FETCH_TIMEOUT_SECS", 5)?),
            cache_ttl: Duration::from_secs(env.parsed(
                "BCDA_JWKS_CACHE_SECS",
                "300",
                "expected seconds",
            )?),
            refresh_min: Duration::from_secs(env.parsed(
                "BCDA_JWKS_REFRESH_MIN_SECS",
                "10",
                "expected seconds",
            )?),
        },
    })
}

/// The 32 bytes of a base64 key (key-encryption or URL-signing), or `None` when it is not one.
pub fn decode_base64_key(value: &str) -> Option<[u8; 32]> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    bytes.try_into().ok()
}

fn parse_public_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http(s) origin such as https://bcda.example.org".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the public URL may not carry a query or fragment".into());
    }
    Ok(url)
}

fn parse_queue_prefix(value: &str) -> Result<String, String> {
    let valid = !value.is_empty()
        && value.len() <= 100
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err("expected 1 to 100 letters, digits, '-', '_' or '.'".into())
    }
}

/// Reads one variable at a time and turns failures into a [`ConfigError`] naming it.
struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    /// The variable's value, treating empty as unset (as shells and compose files do).
    fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|v| !v.trim().is_empty())
    }

    fn optional<T, E: ToString>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(name)
            .map(|value| {
                parse(&value).map_err(|e| ConfigError {
                    name,
                    reason: e.to_string(),
                    value: Some(value),
                })
            })
            .transpose()
    }

    fn parsed<T: FromStr>(
        &self,
        name: &'static str,
        default: &str,
        expected: &str,
    ) -> Result<T, ConfigError> {
        let value = self.get(name).unwrap_or_else(|| default.to_owned());
        value.parse().map_err(|_| ConfigError {
            name,
            reason: expected.to_owned(),
            value: Some(value),
        })
    }

    fn positive<T>(&self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr + ToString + PartialEq + Default,
    {
        let n: T = self.parsed(name, &default.to_string(), "expected a positive number")?;
        if n == T::default() {
            return Err(ConfigError {
                name,
                value: Some(n.to_string()),
                reason: "expected a positive number".into(),
            });
        }
        Ok(n)
    }

    fn secret(
        &self,
        name: &'static str,
        default: &str,
        validate: impl FnOnce(&str) -> Result<(), String>,
    ) -> Result<SecretString, ConfigError> {
        let value = SecretString::from(self.get(name).unwrap_or_else(|| default.to_owned()));
        validate(value.expose_secret()).map_err(|reason| ConfigError {
            name,
            value: None,
            reason,
        })?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_point_at_local_services() {
        let config = load(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database.url.expose_secret(), defaults::DATABASE_URL);
        assert_eq!(config.amqp.url.expose_secret(), defaults::AMQP_URL);
        assert!(matches!(config.storage, StorageConfig::Filesystem { .. }));
        assert!(config.telemetry.otlp_endpoint.is_none());
    }

    #[test]
    fn bad_listen_address_names_the_variable_and_value() {
        let err = load(&[("BCDA_LISTEN", "localhost")]).unwrap_err();
        assert_eq!(err.name, "BCDA_LISTEN");
        assert_eq!(
            err.to_string(),
            "invalid BCDA_LISTEN=\"localhost\": expected host:port"
        );
    }

    #[test]
    fn bad_secret_is_named_without_echoing_it() {
        let err = load(&[("BCDA_DATABASE_URL", "mysql://u:hunter2@db")]).unwrap_err();
        assert_eq!(err.name, "BCDA_DATABASE_URL");
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn secrets_are_redacted_in_debug_output() {
        let config = load(&[
            ("BCDA_DATABASE_URL", "postgres://bcda:hunter2@db/bcda"),
            ("BCDA_S3_BUCKET", "exports"),
            ("BCDA_S3_SECRET_ACCESS_KEY", "s3cr3t-key"),
        ])
        .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("s3cr3t-key"), "{debug}");
    }

    #[test]
    fn setting_a_bucket_selects_s3_storage() {
        let config = load(&[
            ("BCDA_S3_BUCKET", "exports"),
            ("BCDA_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("BCDA_S3_ALLOW_HTTP", "true"),
        ])
        .unwrap();
        let StorageConfig::S3(s3) = config.storage else {
            panic!("expected S3 storage");
        };
        assert_eq!(s3.bucket, "exports");
        assert!(s3.allow_http);
    }

    #[test]
    fn invalid_values_are_rejected_by_name() {
        for (name, value) in [
            ("BCDA_PUBLIC_URL", "ftp://example.org"),
            ("BCDA_DATABASE_POOL_SIZE", "0"),
            ("BCDA_AMQP_URL", "http://rabbit"),
            ("BCDA_QUEUE_PREFIX", "has space"),
            ("BCDA_LOG_FORMAT", "xml"),
            ("BCDA_S3_ALLOW_HTTP", "yes please"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"),
            ("BCDA_WORKERS", "-1"),
            ("BCDA_BATCH_SIZE_EOB", "0"),
            ("BCDA_JOB_FAILURE_PCT", "101"),
            ("BCDA_MAX_ATTEMPTS", "0"),
            ("BCDA_DOWNLOAD_URL_KEY", "c2hvcnQ="),
            ("BCDA_KEY_ENCRYPTION_KEY", "c2hvcnQ="),
            ("BCDA_TOKEN_RATE_LIMIT", "0"),
        ] {
            let err = load(&[(name, value), ("BCDA_S3_BUCKET", "b")]).unwrap_err();
            assert_eq!(err.name, name, "{value}");
        }
    }

    #[test]
    fn public_origin_drops_the_trailing_slash() {
        let config = load(&[("BCDA_PUBLIC_URL", "https://bcda.example.org/")]).unwrap();
        assert_eq!(config.public_origin(), Some("https://bcda.example.org"));
    }
}
