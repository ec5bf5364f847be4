//! The fault-injection suite (`make faults`): an XL export (the 100,000-beneficiary ACO,
//! v1, every type, two `bcda serve worker` processes) run once cleanly and once while
//! everything it depends on fails, then restarts of RabbitMQ and Postgres while idle.
//!
//! During the faulted export: worker processes are SIGKILLed and replaced (20 times),
//! RabbitMQ is restarted, Postgres is restarted, and the object store is stopped for
//! 60 s. Afterwards every resource of the clean run must be in the files the faulted
//! run's manifest lists exactly once (compared by resource type and id), and the job must
//! have completed with no error file. Then, with nothing running, RabbitMQ and Postgres are restarted and a
//! new export must complete on the same worker processes.
//!
//! It stops the machine's Postgres and RabbitMQ: run it alone. `FAULTS_BENES` sets the
//! ACO's size (default 100,000). The report goes to stdout and `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a suite that cannot run should stop; its report is its output

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bcda_testkit::services::{stop_broker, stop_postgres};
use bcda_testkit::{Credentials, TestApp, TestAppBuilder, bench_report};
use serde_json::Value;

/// The ACO the suite exports.
const CMS_ID: &str = "A9995";

/// Worker processes exporting at any time.
const WORKERS: usize = 2;

/// Worker processes killed (and replaced) during the faulted export.
const KILLS: u32 = 20;

/// How long the object store is stopped.
const STORE_OUTAGE: Duration = Duration::from_secs(60);

/// How long RabbitMQ and Postgres each stay down in a restart.
const RESTART_DOWNTIME: Duration = Duration::from_secs(5);

mod common;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let beneficiaries: u32 = std::env::var("FAULTS_BENES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // The API, relay, file server and S3 server run here; workers are processes.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        // Workers inherit the app's environment: the retry queue must be declared alike.
        .env("BCDA_RETRY_DELAY_MS", "1000")
        .spawn()
        .await;
    let started = Instant::now();
    let credentials = load(&app, beneficiaries).await;
    eprintln!(
        "loaded {beneficiaries} beneficiaries in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let workers = Workers::start(&app);

    let clean = export(&app, &credentials, "/api/v1/Group/all/$export", None).await;
    let clean_ids = resource_ids(&app, &clean);
    delete_files(&app, clean.job_id).await;
    eprintln!(
        "clean: {} resources in {:.1} s",
        clean_ids.len(),
        clean.seconds
    );

    let faults = Faults::default();
    let faulted = export(
        &app,
        &credentials,
        "/api/v1/Group/all/$export",
        Some((&faults, &workers)),
    )
    .await;
    let faulted_ids = resource_ids(&app, &faulted);
    let orphaned = orphans(&app, &faulted);
    delete_files(&app, faulted.job_id).await;
    let comparison = Comparison::of(&clean_ids, &faulted_ids);
    eprintln!("faulted: {comparison:?} in {:.1} s", faulted.seconds);

    let idle = idle_restarts(&app, &credentials, beneficiaries).await;
    workers.stop();

    let report = report(
        beneficiaries,
        (&clean, &faulted),
        &faults,
        &comparison,
        orphaned,
        &idle,
    );
    println!("{report}");
    bench_report::write_docs("fault-suite", "Fault injection", &report);
    assert!(
        comparison.exact(),
        "the faulted export lost or repeated data"
    );
    assert_eq!(
        faulted.error_files, 0,
        "the faulted export wrote error files"
    );
}

/// Creates the ACO with `beneficiaries` synthetic beneficiaries and a client.
async fn load(app: &TestApp, beneficiaries: u32) -> Credentials {
    let credentials = app.create_client(CMS_ID).await;
    let synth = bcda_synth::Synth::new(bcda_synth::sandbox::spec(
        CMS_ID,
        beneficiaries,
        bcda_synth::this_month(),
    ))
    .unwrap();
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, CMS_ID)
        .await
        .unwrap();
    bcda_synth::load::load(&app.ctx.db, aco_id, &synth)
        .await
        .unwrap();
    credentials
}

/// The worker processes, replaced as they are killed.
#[derive(Clone)]
struct Workers {
    processes: Arc<Mutex<Vec<Child>>>,
    env: Vec<(String, String)>,
}

impl Workers {
    fn start(app: &TestApp) -> Workers {
        let env = app.process_env();
        let processes = (0..WORKERS).map(|_| spawn_worker(&env)).collect();
        Workers {
            processes: Arc::new(Mutex::new(processes)),
            env,
        }
    }

    /// SIGKILLs the oldest worker process and starts a new one in its place.
    fn kill_one(&self) {
        let mut processes = self.processes.lock().unwrap();
        let mut victim = processes.remove(0);
        let _ = victim.kill();
        let _ = victim.wait();
        processes.push(spawn_worker(&self.env));
    }

    fn stop(&self) {
        for mut process in self.processes.lock().unwrap().drain(..) {
            let _ = process.kill();
            let _ = process.wait();
        }
    }
}

/// A worker process whose log is dropped: the faults make every worker warn.
fn spawn_worker(env: &[(String, String)]) -> Child {
    common::spawn_worker(env, Stdio::null())
}

/// What was done to the faulted export, and when (seconds after its kick-off).
#[derive(Debug, Default)]
struct Faults {
    kills: AtomicU32,
    log: Mutex<Vec<(f64, String)>>,
}

impl Faults {
    fn note(&self, since: Instant, what: impl Into<String>) {
        let at = since.elapsed().as_secs_f64();
        let what = what.into();
        eprintln!("  {at:6.1} s  {what}");
        self.log.lock().unwrap().push((at, what));
    }
}

/// One export's outcome.
#[derive(Debug)]
struct Exported {
    job_id: i64,
    /// The object names of the manifest's output files (`{uuid}.ndjson`).
    files: Vec<String>,
    seconds: f64,
    error_files: usize,
    /// Status answers other than 200/202 while polling (e.g. 503 during an outage).
    transient_answers: u32,
}

/// Kicks off `path`, injects `faults` (with the workers to kill) while the job runs,
/// and polls until it completes.
async fn export(
    app: &TestApp,
    credentials: &Credentials,
    path: &str,
    faults: Option<(&Faults, &Workers)>,
) -> Exported {
    let token = app.token(credentials).await;
    let started = Instant::now();
    let response = app.kick_off(&token, path).await;
    assert_eq!(response.status(), 202, "{path}");
    let status_url = response.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned();
    let done = Arc::new(AtomicBool::new(false));
    let injection =
        faults.map(|(faults, workers)| inject(app, faults, workers.clone(), started, done.clone()));
    let poll = async {
        let polled = poll(app, credentials, &status_url).await;
        done.store(true, Ordering::SeqCst);
        (polled, started.elapsed().as_secs_f64())
    };
    // Faults scheduled after the job is done are skipped, but their timers still run out.
    let ((manifest, transient_answers), seconds) = match injection {
        Some(injection) => tokio::join!(poll, injection).0,
        None => poll.await,
    };
    let files = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| {
            let url = file["url"].as_str().unwrap();
            url.rsplit('/').next().unwrap().to_owned()
        })
        .collect();
    Exported {
        job_id: manifest["JobID"].as_i64().unwrap(),
        files,
        seconds,
        error_files: manifest["error"].as_array().map_or(0, Vec::len),
        transient_answers,
    }
}

/// Polls the job until `200`; answers such as `503` while a dependency is away are
/// counted and waited out, as a bulk client does.
async fn poll(app: &TestApp, credentials: &Credentials, status_url: &str) -> (Value, u32) {
    let mut token = app.token(credentials).await;
    let mut transient = 0;
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        assert!(Instant::now() < deadline, "the job never completed");
        let answer = app.client.get(status_url).bearer_auth(&token).send().await;
        match answer.as_ref().map(reqwest::Response::status) {
            Ok(reqwest::StatusCode::OK) => {
                return (answer.unwrap().json().await.unwrap(), transient);
            }
            Ok(reqwest::StatusCode::ACCEPTED) => {}
            Ok(reqwest::StatusCode::UNAUTHORIZED) => {
                if let Ok(response) = app
                    .request_token(&credentials.client_id, &credentials.client_secret)
                    .await
                    .json::<Value>()
                    .await
                    && let Some(fresh) = response["access_token"].as_str()
                {
                    token = fresh.to_owned();
                }
            }
            Ok(status) if status.is_server_error() => transient += 1,
            Ok(status) => panic!("the job answered {status}"),
            Err(_) => transient += 1,
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The faults, each on its own schedule from the kick-off, skipping what would start
/// after the job is done: a kill every 4 s from 5 s on, RabbitMQ restarted at 15 s,
/// Postgres at 35 s, the object store stopped at 50 s for [`STORE_OUTAGE`].
async fn inject(
    app: &TestApp,
    faults: &Faults,
    workers: Workers,
    since: Instant,
    done: Arc<AtomicBool>,
) {
    let at = |seconds: u64| {
        tokio::time::sleep_until(tokio::time::Instant::from_std(
            since + Duration::from_secs(seconds),
        ))
    };
    let running = || !done.load(Ordering::SeqCst);
    let kills = async {
        for n in 0..KILLS {
            at(5 + 4 * u64::from(n)).await;
            if !running() {
                break;
            }
            let workers = workers.clone();
            tokio::task::spawn_blocking(move || workers.kill_one())
                .await
                .unwrap();
            faults.kills.fetch_add(1, Ordering::SeqCst);
            faults.note(since, format!("SIGKILL worker ({} of {KILLS})", n + 1));
        }
    };
    let broker = async {
        at(15).await;
        if running() {
            faults.note(since, "RabbitMQ stopped");
            let outage = tokio::task::spawn_blocking(stop_broker).await.unwrap();
            tokio::time::sleep(RESTART_DOWNTIME).await;
            tokio::task::spawn_blocking(move || outage.restart())
                .await
                .unwrap();
            faults.note(since, "RabbitMQ started");
        }
    };
    let database = async {
        at(35).await;
        if running() {
            faults.note(since, "Postgres stopped");
            let outage = tokio::task::spawn_blocking(stop_postgres).await.unwrap();
            tokio::time::sleep(RESTART_DOWNTIME).await;
            tokio::task::spawn_blocking(move || outage.restart())
                .await
                .unwrap();
            faults.note(since, "Postgres started");
        }
    };
    let store = async {
        at(50).await;
        if running() {
            faults.note(since, "object store stopped");
            app.s3.stop();
            tokio::time::sleep(STORE_OUTAGE).await;
            app.s3.restart().await;
            faults.note(since, "object store started");
        }
    };
    tokio::join!(kills, broker, database, store);
}

/// Restarts RabbitMQ and then Postgres with nothing running, then exports the ACO's
/// Patients on the same worker processes: they must have reconnected by themselves.
async fn idle_restarts(app: &TestApp, credentials: &Credentials, beneficiaries: u32) -> Idle {
    let broker = tokio::task::spawn_blocking(stop_broker).await.unwrap();
    tokio::time::sleep(RESTART_DOWNTIME).await;
    tokio::task::spawn_blocking(move || broker.restart())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let database = tokio::task::spawn_blocking(stop_postgres).await.unwrap();
    tokio::time::sleep(RESTART_DOWNTIME).await;
    tokio::task::spawn_blocking(move || database.restart())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;

    let exported = export(
        app,
        credentials,
        "/api/v1/Patient/$export?_type=Patient",
        None,
    )
    .await;
    let patients = resource_ids(app, &exported).len();
    delete_files(app, exported.job_id).await;
    Idle {
        seconds: exported.seconds,
        patients,
        expected: attributed(beneficiaries),
    }
}

/// The export after the idle restarts.
#[derive(Debug)]
struct Idle {
    seconds: f64,
    patients: usize,
    expected: usize,
}

/// Attributed beneficiaries of the suite's ACO.
fn attributed(beneficiaries: u32) -> usize {
    let synth = bcda_synth::Synth::new(bcda_synth::sandbox::spec(
        CMS_ID,
        beneficiaries,
        bcda_synth::this_month(),
    ))
    .unwrap();
    (0..synth.total())
        .filter(|&ordinal| synth.is_exported(&synth.beneficiary(ordinal)))
        .count()
}

/// A hash of (resource type, id) of every line of every output file the manifest of
/// `exported` lists, sorted, read from the object store's own files.
fn resource_ids(app: &TestApp, exported: &Exported) -> Vec<u64> {
    let dir = job_dir(app, exported.job_id);
    let files: Vec<std::path::PathBuf> = exported
        .files
        .iter()
        .map(|name| dir.join(format!("{name}.gz")))
        .collect();
    let halves: Vec<Vec<std::path::PathBuf>> = files
        .chunks(files.len().div_ceil(2).max(1))
        .map(<[_]>::to_vec)
        .collect();
    let mut ids: Vec<u64> = std::thread::scope(|scope| {
        let readers: Vec<_> = halves
            .into_iter()
            .map(|files| {
                scope.spawn(move || files.iter().flat_map(|f| ids_of(f)).collect::<Vec<_>>())
            })
            .collect();
        readers
            .into_iter()
            .flat_map(|r| r.join().unwrap())
            .collect()
    });
    ids.sort_unstable();
    ids
}

/// The (type, id) hashes of one gzip NDJSON file.
fn ids_of(path: &std::path::Path) -> Vec<u64> {
    let file = std::fs::File::open(path).unwrap();
    let reader = BufReader::with_capacity(1 << 20, flate2::read::MultiGzDecoder::new(file));
    reader
        .lines()
        .map(|line| {
            let line = line.unwrap();
            let field = |name: &str| {
                let start = line.find(&format!("\"{name}\":\"")).unwrap() + name.len() + 4;
                let end = start + line[start..].find('"').unwrap();
                line[start..end].to_owned()
            };
            let mut hasher = DefaultHasher::new();
            (field("resourceType"), field("id")).hash(&mut hasher);
            hasher.finish()
        })
        .collect()
}

/// Where the object store keeps a job's objects.
fn job_dir(app: &TestApp, job_id: i64) -> std::path::PathBuf {
    app.s3.root().join("exports").join(job_id.to_string())
}

/// Objects of the job that its manifest does not list (neither as output nor as error
/// file): what workers killed between their upload and their commit left behind. No
/// client sees them; they go when the job's files expire.
fn orphans(app: &TestApp, exported: &Exported) -> usize {
    std::fs::read_dir(job_dir(app, exported.job_id))
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            let listed = name
                .strip_suffix(".gz")
                .is_some_and(|object| exported.files.iter().any(|f| f == object));
            !listed && !name.ends_with("-error.ndjson.gz")
        })
        .count()
}

async fn delete_files(app: &TestApp, job_id: i64) {
    let prefix = bcda_infra::storage::ObjectPath::from(job_id.to_string());
    app.ctx.storage.delete_prefix(&prefix).await.unwrap();
}

/// The faulted run's resources against the clean run's.
#[derive(Debug)]
struct Comparison {
    expected: usize,
    got: usize,
    missing: usize,
    duplicated: usize,
    unexpected: usize,
}

impl Comparison {
    fn of(clean: &[u64], faulted: &[u64]) -> Comparison {
        let mut distinct = faulted.to_vec();
        distinct.dedup();
        let duplicated = faulted.len() - distinct.len();
        let (mut missing, mut unexpected) = (0, 0);
        let (mut i, mut j) = (0, 0);
        while i < clean.len() || j < distinct.len() {
            match (clean.get(i), distinct.get(j)) {
                (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
                (Some(a), Some(b)) if a < b => (missing, i) = (missing + 1, i + 1),
                (Some(_), Some(_)) | (None, Some(_)) => (unexpected, j) = (unexpected + 1, j + 1),
                (Some(_), None) => (missing, i) = (missing + 1, i + 1),
                (None, None) => break,
            }
        }
        Comparison {
            expected: clean.len(),
            got: faulted.len(),
            missing,
            duplicated,
            unexpected,
        }
    }

    fn exact(&self) -> bool {
        self.missing == 0
            && self.duplicated == 0
            && self.unexpected == 0
            && self.expected == self.got
    }
}

fn report(
    beneficiaries: u32,
    (clean, faulted): (&Exported, &Exported),
    faults: &Faults,
    comparison: &Comparison,
    orphaned: usize,
    idle: &Idle,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Commit {}, {beneficiaries} beneficiaries (ACO {CMS_ID}), v1, every type, {WORKERS} worker processes (`make faults`).\n",
        bench_report::commit()
    );
    let _ = writeln!(
        out,
        "| run | to the manifest | resources | missing | duplicated | unexpected | error files | polls answered 5xx or unanswered |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|");
    let _ = writeln!(
        out,
        "| clean | {:.1} s | {} | | | | {} | {} |",
        clean.seconds, comparison.expected, clean.error_files, clean.transient_answers
    );
    let _ = writeln!(
        out,
        "| faulted | {:.1} s | {} | {} | {} | {} | {} | {} |",
        faulted.seconds,
        comparison.got,
        comparison.missing,
        comparison.duplicated,
        comparison.unexpected,
        faulted.error_files,
        faulted.transient_answers
    );
    let _ = writeln!(
        out,
        "\nFaults during the faulted export ({} worker kills), seconds after its kick-off:\n",
        faults.kills.load(Ordering::SeqCst)
    );
    for (at, what) in faults.log.lock().unwrap().iter() {
        let _ = writeln!(out, "- {at:.1} s: {what}");
    }
    let _ = writeln!(
        out,
        "\nObjects of the faulted job that its manifest does not list (uploaded by a worker killed before its commit; no client sees them, and they go with the job's files when it expires): {orphaned}."
    );
    let _ = writeln!(
        out,
        "\nIdle restarts (RabbitMQ, then Postgres, nothing running), then a Patient export on the same workers: {:.1} s, {} of {} Patients.",
        idle.seconds, idle.patients, idle.expected
    );
    out
}
