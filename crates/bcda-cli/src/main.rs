//! `bcda`: one binary for every BCDA process and administrative task.
//!
//! `main` parses arguments, loads the configuration once, and hands over to the
//! libraries; it holds no logic of its own beyond printing results.

// A command-line tool reports to its operator on stdout.
#![allow(clippy::print_stdout)]

mod admin;
mod export;
mod loadtest;
mod opt_out;

use anyhow::Context;
use bcda_infra::telemetry::init_telemetry;
use bcda_infra::{AppContext, BuildInfo, Config, db};
use bcda_server::{Application, Role};
use clap::{Parser, Subcommand};

/// mimalloc, not the system allocator: a worker renders and reads rows into many small,
/// short-lived values, and glibc's malloc and free took 12% of its CPU (perf, during the
/// 100,000-beneficiary export).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The build this binary is, for `/_version` and the CapabilityStatement.
const BUILD: BuildInfo = BuildInfo {
    version: env!("CARGO_PKG_VERSION"),
    git_revision: env!("BCDA_GIT_REVISION"),
};

/// Beneficiary Claims Data API: bulk FHIR export of Medicare claims for ACOs.
///
/// Configuration comes from BCDA_* environment variables; see the README.
#[derive(Debug, Parser)]
#[command(name = "bcda", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the database if needed and apply pending migrations (idempotent).
    Migrate,
    /// Create the sandbox ACOs (the guide's five, a stale-attribution and a denylisted
    /// one), their credentials and their synthetic claims (idempotent: data already
    /// loaded this month is kept).
    Seed,
    /// Generate and load a synthetic ACO of any size (replaces its earlier data).
    Synth(admin::SynthArgs),
    /// Serve one service, or all of them on one origin with in-process workers.
    Serve {
        /// all, auth, api, worker or fileserver.
        #[arg(default_value = "all")]
        service: Role,
    },
    /// Manage ACOs.
    #[command(subcommand)]
    Aco(admin::AcoCommand),
    /// Manage API clients (credentials) of ACOs.
    #[command(subcommand)]
    Client(admin::ClientCommand),
    /// Manage the keys that sign access tokens.
    #[command(subcommand)]
    Keys(admin::KeysCommand),
    /// Manage beneficiaries' data-sharing opt-outs (left out of every export).
    #[command(subcommand)]
    OptOut(opt_out::OptOutCommand),
    /// Export an ACO's data from any BCDA-style server: token, kick-off, poll, and
    /// parallel, resumable downloads (credentials also from BCDA_CLIENT_ID and
    /// BCDA_CLIENT_SECRET).
    Export(export::ExportArgs),
    /// Load-test a server on this machine: concurrent clients running full exports;
    /// writes a report with latency percentiles and a throughput chart.
    Loadtest(loadtest::LoadtestArgs),
    /// Exit 0 when a BCDA process's health check answers 200, 1 otherwise: the
    /// container health check, so the image needs no curl.
    Health {
        #[arg(long, default_value = "http://127.0.0.1:3000/_health")]
        url: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // A client needs none of the server's configuration.
    let command = match cli.command {
        Command::Export(args) => return export::run(args).await,
        Command::Loadtest(args) => return loadtest::run(args).await,
        Command::Health { url } => return health(&url).await,
        server_side => server_side,
    };
    let config = Config::from_env()?;
    match command {
        Command::Export(_) | Command::Loadtest(_) | Command::Health { .. } => {
            unreachable!("handled above")
        }
        Command::Migrate => migrate(config).await,
        Command::Serve { service } => serve(config, service).await,
        Command::Seed => admin::seed(config).await,
        Command::Synth(args) => admin::synth(config, args).await,
        Command::Aco(command) => admin::aco(config, command).await,
        Command::Client(command) => admin::client(config, command).await,
        Command::Keys(command) => admin::keys(config, command).await,
        Command::OptOut(command) => opt_out::run(admin::connect(&config)?, command).await,
    }
}

async fn migrate(config: Config) -> anyhow::Result<()> {
    let _telemetry = init_telemetry(&config.telemetry, "bcda-migrate")?;
    if db::ensure_database(&config.database).await? {
        tracing::info!("created the database");
    }
    let pool = db::connect(&config.database)?;
    let report = db::migrate(&pool).await.context("applying migrations")?;
    tracing::info!(applied = ?report.applied, "database is up to date");
    Ok(())
}

/// Succeeds when `url` answers 2xx within a few seconds.
async fn health(url: &str) -> anyhow::Result<()> {
    let response = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(4))
        .build()?
        .get(url)
        .send()
        .await
        .with_context(|| format!("{url} did not answer"))?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url} answered {}",
        response.status()
    );
    Ok(())
}

async fn serve(config: Config, role: Role) -> anyhow::Result<()> {
    let _telemetry = init_telemetry(&config.telemetry, &format!("bcda-{role}"))?;
    if config.auth.uses_development_key() {
        tracing::warn!(
            "BCDA_KEY_ENCRYPTION_KEY is the published development key; set your own outside development"
        );
    }
    let listen = config.listen;
    let ctx = AppContext::new(config, BUILD)?;
    let app = Application::build(ctx, role).with_context(|| format!("starting on {listen}"))?;
    tracing::info!(%role, port = app.port(), version = %BUILD.display_version(), "serving");
    app.run_until_stopped().await?;
    Ok(())
}
