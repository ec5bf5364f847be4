//! The export benchmark: for each sandbox ACO and API version, with 1 and 2 worker
//! processes (`bcda serve worker`), the seconds from kick-off to the manifest, what was
//! written, and each worker's peak RSS; plus kick-off latency for a 1,000,000-beneficiary
//! ACO. Everything is real: Postgres, RabbitMQ, an S3 server (s3s-fs, in this process),
//! the API (in this process) and release-built worker processes.
//!
//! `cargo bench -p bcda-cli --bench export` (part of `make bench`) prints the tables and
//! writes them into `docs/benchmarks.md`. `BENCH_ACOS=A9994,A9990` limits the ACOs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark that cannot run should stop; its report is its output

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bcda_model::sandbox::SANDBOX_ACOS;
use bcda_testkit::{TestApp, TestAppBuilder};

/// One measured export.
struct Row {
    cms_id: &'static str,
    beneficiaries: u32,
    version: &'static str,
    workers: usize,
    seconds: f64,
    resources: i64,
    /// NDJSON bytes, uncompressed.
    bytes: u64,
    /// Bytes in object storage (gzip).
    stored: u64,
    files: usize,
    peak_rss_mb: Vec<f64>,
}

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
    let only: Option<Vec<String>> = std::env::var("BENCH_ACOS")
        .ok()
        .map(|v| v.split(',').map(str::to_owned).collect());
    // The API and relay run here; exports are done only by the worker processes.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_RETRY_DELAY_MS", "1000")
        .spawn()
        .await;
    let started = Instant::now();
    app.seed_sandbox().await;
    bcda_synth::sandbox::seed(&app.ctx.db, time::macros::date!(2026 - 10 - 01))
        .await
        .expect("seed the sandbox data");
    eprintln!(
        "seeded the sandbox in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let kickoff = kickoff_latency(&app).await;

    let mut rows = Vec::new();
    for workers in [1, 2] {
        for aco in SANDBOX_ACOS {
            if only
                .as_ref()
                .is_some_and(|o| !o.iter().any(|c| c == aco.cms_id))
            {
                continue;
            }
            for version in ["v1", "v2"] {
                let row = export(&app, aco.cms_id, aco.beneficiaries, version, workers).await;
                eprintln!(
                    "{} {} {} worker(s): {:.1} s, {} resources, {:.0} MB",
                    row.cms_id,
                    row.version,
                    workers,
                    row.seconds,
                    row.resources,
                    row.bytes as f64 / 1e6
                );
                rows.push(row);
            }
        }
    }
    let report = report(&rows, &kickoff);
    println!("{report}");
    common::write_docs("export-bench", "Exports", &report);
}

/// A token of the sandbox ACO `cms_id`'s guide client.
async fn token(app: &TestApp, cms_id: &str) -> String {
    let aco = SANDBOX_ACOS.iter().find(|a| a.cms_id == cms_id).unwrap();
    let response = app.request_token(aco.client_id, aco.client_secret).await;
    let body: serde_json::Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

async fn kick_off(app: &TestApp, token: &str, path: &str) -> (reqwest::Response, Duration) {
    let started = Instant::now();
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(response.status(), 202, "{path}");
    (response, took)
}

fn start_worker(app: &TestApp) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "worker"])
        .envs(app.process_env())
        .env("BCDA_WORKERS", "1")
        .env("BCDA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start bcda serve worker")
}

async fn export(
    app: &TestApp,
    cms_id: &'static str,
    beneficiaries: u32,
    version: &'static str,
    workers: usize,
) -> Row {
    let mut processes: Vec<Child> = (0..workers).map(|_| start_worker(app)).collect();
    // Let the workers connect, so the timing is the export's, not process start-up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let token = token(app, cms_id).await;
    let started = Instant::now();
    let (response, _) = kick_off(app, &token, &format!("/api/{version}/Group/all/$export")).await;
    let status_url = response.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned();
    let manifest: serde_json::Value = loop {
        let response = app
            .client
            .get(&status_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        match response.status().as_u16() {
            200 => break response.json().await.unwrap(),
            202 => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("job answered {other}"),
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_mb = processes
        .iter()
        .map(|p| common::peak_rss_mb(p.id()))
        .collect();
    for process in &mut processes {
        let _ = Command::new("kill")
            .args(["-TERM", &process.id().to_string()])
            .status();
        let _ = process.wait();
    }
    let job_id: i64 = manifest["JobID"].as_i64().unwrap();
    let totals = app
        .ctx
        .db
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT coalesce(sum(resource_count), 0)::bigint, coalesce(sum(content_bytes), 0)::bigint \
             FROM job_keys WHERE job_id = $1",
            &[&job_id],
        )
        .await
        .unwrap();
    let resources: i64 = totals.get(0);
    let bytes = totals.get::<_, i64>(1) as u64;
    let prefix = bcda_infra::storage::ObjectPath::from(job_id.to_string());
    let objects = app.ctx.storage.list(&prefix).await.unwrap();
    let stored = objects.iter().map(|o| o.size).sum();
    app.ctx.storage.delete_prefix(&prefix).await.unwrap();
    Row {
        cms_id,
        beneficiaries,
        version,
        workers,
        seconds,
        resources,
        bytes,
        stored,
        files: objects.len(),
        peak_rss_mb,
    }
}

/// Median kick-off latency (job, keys and messages in one transaction) for an ACO of
/// 1,000,000 attributed beneficiaries, over 5 kick-offs.
async fn kickoff_latency(app: &TestApp) -> (f64, i64) {
    let credentials = app.create_client("A9999").await;
    let client = app.ctx.db.get().await.unwrap();
    client
        .execute(
            "INSERT INTO aco_beneficiaries (aco_id, beneficiary_id, attributed_on) \
             SELECT a.id, -9000000000 - n, date '2026-01-01' \
             FROM acos a, generate_series(1, 1000000) AS n WHERE a.cms_id = 'A9999'",
            &[],
        )
        .await
        .unwrap();
    client
        .execute("VACUUM ANALYZE aco_beneficiaries", &[])
        .await
        .unwrap();
    let token = app.token(&credentials).await;
    let mut times = Vec::new();
    let mut keys = 0;
    for _ in 0..5 {
        let (response, took) = kick_off(app, &token, "/api/v1/Group/all/$export").await;
        times.push(took.as_secs_f64() * 1000.0);
        let status_url = response.headers()["content-location"]
            .to_str()
            .unwrap()
            .to_owned();
        let job_id: i64 = status_url.rsplit('/').next().unwrap().parse().unwrap();
        keys = client
            .query_one(
                "SELECT keys_total::bigint FROM jobs WHERE id = $1",
                &[&job_id],
            )
            .await
            .unwrap()
            .get(0);
        let cancelled = app
            .client
            .delete(&status_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(cancelled.status(), 202);
    }
    client
        .execute(
            "DELETE FROM aco_beneficiaries WHERE aco_id = (SELECT id FROM acos WHERE cms_id = 'A9999')",
            &[],
        )
        .await
        .unwrap();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], keys)
}

fn report(rows: &[Row], kickoff: &(f64, i64)) -> String {
    let mut out = String::new();
    let commit = common::commit();
    let _ = writeln!(
        out,
        "Measured by `cargo bench -p bcda-cli --bench export` at commit `{commit}` on {} \
         cores; the API, relay and S3 server (s3s-fs) share the machine with the workers.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let _ = writeln!(
        out,
        "Kick-off of a 1,000,000-beneficiary ACO (job, {} keys and their messages in one \
         transaction): median {:.0} ms over 5.\n",
        kickoff.1, kickoff.0
    );
    let _ = writeln!(
        out,
        "| ACO | beneficiaries | API | worker processes | kick-off to manifest (s) | resources | NDJSON MB | stored MB (gzip) | files | resources/s | NDJSON MB/s | peak worker RSS (MB) |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for row in rows {
        let rss: Vec<String> = row.peak_rss_mb.iter().map(|r| format!("{r:.0}")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {} | {:.0} | {:.0} | {} | {:.0} | {:.0} | {} |",
            row.cms_id,
            row.beneficiaries,
            row.version,
            row.workers,
            row.seconds,
            row.resources,
            row.bytes as f64 / 1e6,
            row.stored as f64 / 1e6,
            row.files,
            row.resources as f64 / row.seconds,
            row.bytes as f64 / 1e6 / row.seconds,
            rss.join(", ")
        );
    }
    out
}
