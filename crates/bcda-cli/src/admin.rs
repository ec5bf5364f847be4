//! Administrative commands: seeding, ACOs, clients and signing keys. Secrets are printed
//! once, when created, and never again.

use anyhow::Context;
use bcda_auth::clients::ClientStore;
use bcda_auth::keys::KeyStore;
use bcda_infra::{Config, DbPool, db};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AcoCommand {
    /// Register an ACO.
    Create {
        /// CMS id, e.g. A1234.
        #[arg(long)]
        cms_id: String,
        #[arg(long)]
        name: String,
    },
    /// Deny an ACO: it still gets tokens, but every export, job and data call is refused.
    Deny { cms_id: String },
    /// Allow a denied ACO again.
    Allow { cms_id: String },
    /// Hold the ACO to the one-export-at-a-time rule (a kick-off overlapping a running
    /// export gets 429): `on`, `off`, or `default` (on, except for the test ACOs
    /// A9990-A9999, as BCDA runs its sandbox).
    LimitExports {
        cms_id: String,
        #[arg(value_parser = ["on", "off", "default"])]
        setting: String,
    },
    /// Give or take the ACO's access to `/api/v3` (`on` or `off`; every ACO has it
    /// until turned off, as in BCDA's sandbox). Without it, v3 kick-offs and job lists
    /// answer 403 "V3 access not enabled for this ACO".
    V3Access {
        cms_id: String,
        #[arg(value_parser = ["on", "off"])]
        setting: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Create a client of an ACO; prints its id and secret (shown only this once).
    Create {
        #[arg(long)]
        aco: String,
        /// Register this JWKS file instead of issuing a secret (SMART Backend Services).
        #[arg(long, conflicts_with = "jwks_url")]
        jwks: Option<std::path::PathBuf>,
        /// Register the client's JWKS URL instead (SMART Backend Services): its keys are
        /// fetched from there, so the client can rotate them itself. `https` only, on a
        /// public address, unless BCDA_JWKS_URL_ALLOW_HTTP / _PRIVATE allow more.
        #[arg(long)]
        jwks_url: Option<String>,
    },
    /// Give a client a new secret; the old one stops working at once.
    RotateSecret { client_id: String },
    /// Revoke a client: no new tokens; its tokens stop working within seconds.
    Revoke { client_id: String },
    /// List clients (never their secrets).
    List {
        #[arg(long)]
        aco: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a new signing key; tokens signed by the old one stay valid until they expire.
    Rotate,
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// CMS id of the ACO (created when missing), e.g. A9999.
    #[arg(long)]
    aco: String,
    /// Beneficiaries to attribute.
    #[arg(long)]
    benes: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Years of claims, ending the month before --as-of.
    #[arg(long, default_value_t = 1)]
    years: u16,
    /// The data's as-of date (YYYY-MM-DD); default: the first day of this month.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<time::Date>,
    /// Print how real the data set is, every statistic against its published target and
    /// source, instead of loading it (needs no database).
    #[arg(long)]
    report: bool,
}

pub async fn seed(config: Config) -> anyhow::Result<()> {
    let pool = connect(&config)?;
    let report = bcda_auth::seed::seed_sandbox(&pool).await?;
    println!(
        "sandbox credentials: {} ACO(s) and {} client(s) created (the rest existed)",
        report.acos_created, report.clients_created
    );
    for (cms_id, loaded) in bcda_synth::sandbox::seed(&pool, bcda_synth::this_month()).await? {
        match loaded {
            Some(report) => print_load(&cms_id, &report),
            None => println!("{cms_id}: synthetic data already loaded"),
        }
    }
    Ok(())
}

pub async fn synth(config: Config, args: SynthArgs) -> anyhow::Result<()> {
    let spec = bcda_synth::SynthSpec {
        cms_id: args.aco.clone(),
        beneficiaries: args.benes,
        seed: args.seed,
        years: args.years,
        as_of: args.as_of.unwrap_or_else(bcda_synth::this_month),
    };
    let synth = bcda_synth::Synth::new(spec)?;
    if args.report {
        let report =
            tokio::task::spawn_blocking(move || bcda_synth::report::report(&synth)).await?;
        print!("{report}");
        return Ok(());
    }
    let pool = connect(&config)?;
    let aco_id = bcda_synth::sandbox::aco_id(&pool, &args.aco).await?;
    let report = bcda_synth::load::load(&pool, aco_id, &synth).await?;
    print_load(&args.aco, &report);
    Ok(())
}

fn print_load(cms_id: &str, report: &bcda_synth::load::LoadReport) {
    let seconds = report.elapsed.as_secs_f64();
    println!(
        "{cms_id}: {} attributed ({} beneficiaries), {} claims, {} claim lines, {} Part D events, \
         {} enrollment months; {} rows in {seconds:.1} s ({:.0} rows/s)",
        report.attributed,
        report.beneficiaries,
        report.claims,
        report.claim_lines,
        report.pde_events,
        report.enrollment_months,
        report.rows(),
        report.rows() as f64 / seconds.max(1e-9),
    );
}

/// The first day of the current month (UTC): the default as-of date, so data sets made
/// in the same month are identical.
pub(crate) fn parse_date(value: &str) -> Result<time::Date, String> {
    time::Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

pub async fn aco(config: Config, command: AcoCommand) -> anyhow::Result<()> {
    let store = ClientStore::new(connect(&config)?);
    match command {
        AcoCommand::Create { cms_id, name } => {
            store.create_aco(&cms_id, &name).await?;
            println!("created ACO {cms_id}");
        }
        AcoCommand::Deny { cms_id } => {
            store.set_aco_denied(&cms_id, true).await?;
            println!("denied ACO {cms_id}");
        }
        AcoCommand::Allow { cms_id } => {
            store.set_aco_denied(&cms_id, false).await?;
            println!("allowed ACO {cms_id}");
        }
        AcoCommand::LimitExports { cms_id, setting } => {
            let limit = match setting.as_str() {
                "on" => Some(true),
                "off" => Some(false),
                _ => None,
            };
            store.set_concurrent_export_limit(&cms_id, limit).await?;
            println!("ACO {cms_id}: one export at a time {setting}");
        }
        AcoCommand::V3Access { cms_id, setting } => {
            store.set_v3_access(&cms_id, setting == "on").await?;
            println!("ACO {cms_id}: v3 access {setting}");
        }
    }
    Ok(())
}

pub async fn client(config: Config, command: ClientCommand) -> anyhow::Result<()> {
    let store = ClientStore::new(connect(&config)?);
    match command {
        ClientCommand::Create {
            aco,
            jwks: None,
            jwks_url: Some(url),
        } => {
            let policy = bcda_auth::service::url_policy(&config.auth);
            let client_id = store.create_jwks_url_client(&aco, &url, policy).await?;
            println!("client_id: {client_id}");
        }
        ClientCommand::Create {
            aco,
            jwks: None,
            jwks_url: None,
        } => {
            let credential = store.create_client(&aco).await?;
            println!("client_id:     {}", credential.client_id);
            println!("client_secret: {}", credential.client_secret);
            println!("(the secret is shown only now; store it safely)");
        }
        ClientCommand::Create {
            aco,
            jwks: Some(path),
            ..
        } => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let jwks = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", path.display()))?;
            let client_id = store.create_jwks_client(&aco, jwks).await?;
            println!("client_id: {client_id}");
        }
        ClientCommand::RotateSecret { client_id } => {
            let credential = store.rotate_secret(&client_id).await?;
            println!("client_id:     {}", credential.client_id);
            println!("client_secret: {}", credential.client_secret);
            println!("(the secret is shown only now; the old one no longer works)");
        }
        ClientCommand::Revoke { client_id } => {
            store.revoke(&client_id).await?;
            println!("revoked client {client_id}");
        }
        ClientCommand::List { aco } => {
            println!(
                "{:<38} {:<8} {:<8} {:<8} created",
                "client_id", "aco", "auth", "state"
            );
            for client in store.list(aco.as_deref()).await? {
                let auth = match (client.has_secret, client.has_public_keys) {
                    (true, true) => "both",
                    (true, false) => "secret",
                    _ => "jwks",
                };
                let state = if client.revoked { "revoked" } else { "active" };
                println!(
                    "{:<38} {:<8} {:<8} {:<8} {}",
                    client.client_id, client.cms_id, auth, state, client.created_at
                );
            }
        }
    }
    Ok(())
}

pub async fn keys(config: Config, command: KeysCommand) -> anyhow::Result<()> {
    let store = KeyStore::new(&config.auth, connect(&config)?)?;
    match command {
        KeysCommand::Rotate => {
            let kid = store.rotate().await?;
            println!("new signing key {kid}; earlier keys verify until their tokens expire");
        }
    }
    Ok(())
}

pub(crate) fn connect(config: &Config) -> anyhow::Result<DbPool> {
    Ok(db::connect(&config.database)?)
}
