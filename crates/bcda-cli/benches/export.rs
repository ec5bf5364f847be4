//! The export benchmark: the guide's whole flow (`bcda-client`: token, kick-off, poll,
//! parallel downloads with every line checked) for each sandbox ACO and a 100,000-
//! beneficiary one, v1 and v2, and the ACO REACH entity D9990 on v2 (with its partially
//! adjudicated `Claim` and `ClaimResponse`) and v3 (BCDA's default filter, and every
//! source with `_typeFilter`), with 1 and 2 worker processes (`bcda serve worker`): the
//! seconds to the manifest and downloading, what was written, each process's peak RSS,
//! and the ratio to the renderer alone on the same resources; plus kick-off latency for
//! a 1,000,000-beneficiary ACO. Everything is real: Postgres, RabbitMQ, an S3 server
//! (s3s-fs), the API and file server (those three in this process) and release-built
//! worker processes.
//!
//! It also measures partial manifests (`allowPartialManifests`): kick-off to the last
//! byte downloaded for the 30,000-beneficiary ACO (A9993, v1, 2 workers), with the client
//! downloading files as they are done, and without.
//!
//! `cargo bench -p bcda-cli --bench export` (part of `make bench`) prints the tables and
//! writes them into `docs/benchmarks.md`. `BENCH_ACOS=A9994,A9990` limits the ACOs;
//! `BENCH_XL=0` skips the 100,000-beneficiary ACO; `BENCH_ONLY=partial` measures partial
//! manifests alone (and rewrites only their section).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark that cannot run should stop; its report is its output

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bcda_model::sandbox::SANDBOX_ACOS;
use bcda_testkit::{TestApp, TestAppBuilder, bench_report};

/// The `bcda` binary's allocator, so the renderer is measured as a worker runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An ACO to export, with its client's credentials and the exports it is measured in.
#[derive(Debug, Clone)]
struct Target {
    cms_id: String,
    beneficiaries: u64,
    client_id: String,
    client_secret: String,
    exports: &'static [Flavour],
}

/// One kind of export: an API version with what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    V1,
    /// v2: for an entitled model, with `Claim` and `ClaimResponse`.
    V2,
    /// v3 with BCDA's default filter: NCH and Part D claims.
    V3,
    /// v3 with `_typeFilter` naming every source: the shared systems' records too.
    V3AllSources,
}

impl Flavour {
    /// The API version in the report, with what the export holds.
    fn label(self) -> &'static str {
        match self {
            Flavour::V1 => "v1",
            Flavour::V2 => "v2",
            Flavour::V3 => "v3",
            Flavour::V3AllSources => "v3, all sources",
        }
    }

    fn api(self) -> &'static str {
        match self {
            Flavour::V1 => "v1",
            Flavour::V2 => "v2",
            Flavour::V3 | Flavour::V3AllSources => "v3",
        }
    }

    fn type_filter(self) -> Option<String> {
        (self == Flavour::V3AllSources).then(|| {
            let tag =
                |code| format!("https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|{code}");
            format!(
                "ExplanationOfBenefit?_tag={},{},{}",
                tag("NationalClaimsHistory"),
                tag("DDPS"),
                tag("SharedSystem")
            )
        })
    }
}

/// The guide's ACOs and the 100,000-beneficiary one are measured in v1 and v2.
const GUIDE_EXPORTS: &[Flavour] = &[Flavour::V1, Flavour::V2];
/// The ACO REACH entity, whose model receives partially adjudicated claims.
const REACH_EXPORTS: &[Flavour] = &[Flavour::V2, Flavour::V3, Flavour::V3AllSources];

/// One measured export.
struct Row {
    cms_id: String,
    beneficiaries: u64,
    version: &'static str,
    workers: usize,
    seconds: f64,
    /// `None` when the files were not downloaded.
    download_seconds: Option<f64>,
    /// Seconds the renderer alone needs for the same resources, on one core: the mean of
    /// a measurement before the version's exports and one after.
    floor_seconds: f64,
    resources: i64,
    /// NDJSON bytes, uncompressed.
    bytes: u64,
    /// Bytes in object storage (gzip).
    stored: u64,
    files: usize,
    peak_rss_mb: Vec<f64>,
    /// This process: API, relay, file server, S3 server and client.
    host_rss_mb: f64,
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
    bcda_synth::sandbox::seed(&app.ctx.db, bcda_synth::this_month())
        .await
        .expect("seed the sandbox data");
    let mut targets: Vec<Target> = SANDBOX_ACOS
        .iter()
        .filter_map(|aco| {
            let exports = if aco.is_in_the_guide() {
                GUIDE_EXPORTS
            } else if bcda_model::aco_model::receives_partially_adjudicated(aco.cms_id) {
                REACH_EXPORTS
            } else {
                return None;
            };
            Some(Target {
                cms_id: aco.cms_id.to_owned(),
                beneficiaries: u64::from(aco.beneficiaries),
                client_id: aco.client_id.to_owned(),
                client_secret: aco.client_secret.to_owned(),
                exports,
            })
        })
        .filter(|target| only.as_ref().is_none_or(|o| o.contains(&target.cms_id)))
        .collect();
    if std::env::var("BENCH_XL").as_deref() != Ok("0") {
        targets.push(xl_aco(&app, "A9995", 100_000).await);
    }
    eprintln!(
        "loaded the data in {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let partial_only = std::env::var("BENCH_ONLY").as_deref() == Ok("partial");
    if partial_only {
        targets.retain(|t| t.cms_id == PARTIAL_ACO);
    }
    let partial = match targets.iter().find(|t| t.cms_id == PARTIAL_ACO) {
        Some(target) => Some(partial_manifests(&app, target).await),
        None => None,
    };
    if let Some(partial) = &partial {
        println!("{partial}");
        bench_report::write_docs("partial-manifests-bench", "Partial manifests", partial);
    }
    if partial_only {
        return;
    }

    let kickoff = kickoff_latency(&app).await;

    let mut rows = Vec::new();
    for target in &targets {
        for &version in target.exports {
            // Measured before and after the exports, and averaged: this machine's speed
            // drifts between minutes (the same floor has moved by 10-28%), and one
            // measurement taken at a fast or slow moment skews every ratio it divides.
            let floor_before = renderer_floor(target, version);
            let configurations: &[usize] = if target.beneficiaries > 50_000 {
                &[2]
            } else {
                &[1, 2]
            };
            let first = rows.len();
            for &workers in configurations {
                let row = export(&app, target, version, workers).await;
                eprintln!(
                    "{} {} {} worker(s): {:.1} s to the manifest, {:?} s downloading, {} resources, {:.0} MB",
                    row.cms_id,
                    row.version,
                    workers,
                    row.seconds,
                    row.download_seconds,
                    row.resources,
                    row.bytes as f64 / 1e6,
                );
                rows.push(row);
            }
            let floor_after = renderer_floor(target, version);
            eprintln!(
                "{} {} renderer floor: {floor_before:.1} s before, {floor_after:.1} s after",
                target.cms_id,
                version.label()
            );
            for row in &mut rows[first..] {
                row.floor_seconds = (floor_before + floor_after) / 2.0;
            }
        }
    }
    let report = report(&rows, &kickoff);
    println!("{report}");
    bench_report::write_docs("export-bench", "Exports", &report);
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
    common::spawn_worker(&app.process_env(), Stdio::inherit())
}

/// The ACO whose export is measured with and without partial manifests: the guide's
/// largest, 30,000 beneficiaries.
const PARTIAL_ACO: &str = "A9993";

/// Kick-off to the last byte downloaded of `target`'s v1 export with 2 worker processes,
/// the client downloading as files are done (`allowPartialManifests`) and after the
/// manifest; each measured twice, alternating, and the faster kept.
async fn partial_manifests(app: &TestApp, target: &Target) -> String {
    // (to the manifest, to the last byte) of each run, without and with.
    let mut runs: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..2 {
        for (i, partial) in [false, true].into_iter().enumerate() {
            let summary = client_export(app, target, Flavour::V1, 2, partial).await;
            eprintln!(
                "{} v1 partial={partial}: {:.1} s to the manifest, {:.1} s to the last byte",
                target.cms_id, summary.job_seconds, summary.total_seconds
            );
            runs[i].push((summary.job_seconds, summary.total_seconds));
        }
    }
    let best = |i: usize| {
        runs[i]
            .iter()
            .copied()
            .fold((f64::INFINITY, f64::INFINITY), |a, b| {
                if b.1 < a.1 { b } else { a }
            })
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Measured by `BENCH_ONLY=partial cargo bench -p bcda-cli --bench export` at commit \
         `{}` on {} cores ({}): {} ({} beneficiaries), v1, 2 worker processes, the whole \
         flow through `bcda-client` (4 downloads at a time, each file decompressed and \
         every line checked), runs alternated; the table shows the faster of each.\n",
        bench_report::commit(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        machine(),
        target.cms_id,
        target.beneficiaries
    );
    let _ = writeln!(
        out,
        "| client | kick-off to manifest (s) | kick-off to last byte (s) | every run, to the last byte (s) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---|");
    for (i, label) in [
        "downloads after the manifest",
        "`allowPartialManifests=true`: downloads as files are done",
    ]
    .into_iter()
    .enumerate()
    {
        let (manifest, last) = best(i);
        let all: Vec<String> = runs[i].iter().map(|r| format!("{:.1}", r.1)).collect();
        let _ = writeln!(
            out,
            "| {label} | {manifest:.1} | {last:.1} | {} |",
            all.join(", ")
        );
    }
    let (manifest, last) = best(0);
    let _ = writeln!(
        out,
        "\nOn this machine the client shares the two cores with the workers, the API, the \
         file server and the S3 server: downloading while the export runs takes cores the \
         workers need (the export itself finishes later), so the last byte arrives no \
         sooner ({:.1} s against {last:.1} s). What partial manifests save is the {:.1} s \
         of downloading after the manifest, and only a client with its own cores (any real \
         ACO's) gets it.",
        best(1).1,
        last - manifest
    );
    out
}

/// One export through `bcda-client` with `workers` worker processes, every file
/// downloaded; the job's files are deleted afterwards.
async fn client_export(
    app: &TestApp,
    target: &Target,
    version: Flavour,
    workers: usize,
    partial: bool,
) -> bcda_client::Summary {
    let mut processes: Vec<Child> = (0..workers).map(|_| start_worker(app)).collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = tempfile::tempdir().expect("download directory");
    let request = bcda_client::ExportRequest {
        partial,
        ..request_for(app, target, version, out.path())
    };
    let summary = bcda_client::export(&request, std::sync::Arc::new(Quiet))
        .await
        .expect("the export completes");
    stop(&mut processes);
    let job_id: i64 = summary.job_url.rsplit('/').next().unwrap().parse().unwrap();
    let prefix = bcda_infra::storage::ObjectPath::from(job_id.to_string());
    app.ctx.storage.delete_prefix(&prefix).await.unwrap();
    summary
}

/// The client's request for `target`'s whole export in `version` into `out`.
fn request_for(
    app: &TestApp,
    target: &Target,
    version: Flavour,
    out: &std::path::Path,
) -> bcda_client::ExportRequest {
    bcda_client::ExportRequest {
        base_url: app.address.clone(),
        client_id: target.client_id.clone(),
        client_secret: target.client_secret.clone(),
        api: version.api().to_owned(),
        group: Some("all".to_owned()),
        types: Vec::new(),
        since: None,
        until: None,
        type_filter: version.type_filter(),
        post: false,
        organize_by_patient: false,
        partial: false,
        out: out.to_owned(),
        parallel: 4,
        timeout: Duration::from_secs(3600),
    }
}

/// Stops worker processes as Kubernetes does: `SIGTERM`, then waits.
fn stop(processes: &mut [Child]) {
    for process in processes.iter_mut() {
        let _ = Command::new("kill")
            .args(["-TERM", &process.id().to_string()])
            .status();
        let _ = process.wait();
    }
}

async fn export(app: &TestApp, target: &Target, version: Flavour, workers: usize) -> Row {
    let mut processes: Vec<Child> = (0..workers).map(|_| start_worker(app)).collect();
    // Let the workers connect, so the timing is the export's, not process start-up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let out = tempfile::tempdir().expect("download directory");
    let request = request_for(app, target, version, out.path());
    // The largest ACO's NDJSON (tens of GB) would not fit this machine's disk beside
    // everything else: it is exported to the manifest, not downloaded.
    let download = target.beneficiaries <= 50_000;
    let (job_url, job_seconds, download_seconds) = if download {
        let summary = bcda_client::export(&request, std::sync::Arc::new(Quiet))
            .await
            .expect("the export completes");
        (
            summary.job_url,
            summary.job_seconds,
            Some(summary.download_seconds),
        )
    } else {
        let http = reqwest::Client::new();
        let tokens = bcda_client::token::TokenSource::new(
            http.clone(),
            &request.base_url,
            &request.client_id,
            &request.client_secret,
        );
        let started = Instant::now();
        let job_url = bcda_client::job::kick_off(&http, &tokens, &request.kick_off())
            .await
            .expect("kick-off");
        bcda_client::job::wait(
            &http,
            &tokens,
            &job_url,
            request.timeout,
            &|_| {},
            &mut |_| Ok(()),
        )
        .await
        .expect("the export completes");
        (job_url, started.elapsed().as_secs_f64(), None)
    };
    let peak_rss_mb = processes
        .iter()
        .map(|p| common::peak_rss_mb(p.id()))
        .collect();
    stop(&mut processes);
    drop(out);
    let job_id: i64 = job_url.rsplit('/').next().unwrap().parse().unwrap();
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
    let prefix = bcda_infra::storage::ObjectPath::from(job_id.to_string());
    let objects = app.ctx.storage.list(&prefix).await.unwrap();
    let stored = objects.iter().map(|o| o.size).sum();
    app.ctx.storage.delete_prefix(&prefix).await.unwrap();
    Row {
        cms_id: target.cms_id.clone(),
        beneficiaries: target.beneficiaries,
        version: version.label(),
        workers,
        seconds: job_seconds,
        download_seconds,
        floor_seconds: f64::NAN, // set once the floor is measured after the exports
        resources: totals.get(0),
        bytes: totals.get::<_, i64>(1) as u64,
        stored,
        files: objects.len(),
        peak_rss_mb,
        host_rss_mb: common::peak_rss_mb(std::process::id()),
    }
}

/// Progress nobody watches.
struct Quiet;

impl bcda_client::Progress for Quiet {
    fn job(&self, _status: &str) {}
    fn manifest(&self, _files: usize) {}
    fn file(&self, _name: &str) -> Box<dyn bcda_client::FileProgress> {
        Box::new(Quiet)
    }
    fn file_done(&self, _name: &str, _report: &bcda_client::FileReport) {}
}

impl bcda_client::FileProgress for Quiet {
    fn started(&self, _total: Option<u64>) {}
    fn advanced(&self, _bytes: u64) {}
    fn resuming(&self, _at: u64) {}
}

/// A synthetic ACO of `beneficiaries` with a client.
async fn xl_aco(app: &TestApp, cms_id: &str, beneficiaries: u64) -> Target {
    let credentials = app.create_client(cms_id).await;
    let synth = bcda_synth::Synth::new(bcda_synth::sandbox::spec(
        cms_id,
        beneficiaries as u32,
        bcda_synth::this_month(),
    ))
    .unwrap();
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, cms_id)
        .await
        .unwrap();
    bcda_synth::load::load(&app.ctx.db, aco_id, &synth)
        .await
        .unwrap();
    Target {
        cms_id: cms_id.to_owned(),
        beneficiaries,
        client_id: credentials.client_id,
        client_secret: credentials.client_secret,
        exports: GUIDE_EXPORTS,
    }
}

/// Seconds one core needs to render the target's export in `version` (every attributed
/// beneficiary's Patient, Coverage parts and EOBs, and what else the flavour holds) with
/// nothing else to do: generation is timed out, rendering into a reused buffer (cleared
/// per beneficiary, as a worker reuses its chunk buffer) is timed in.
fn renderer_floor(target: &Target, version: Flavour) -> f64 {
    use bcda_model::fhir::shared_system::{Claim, ClaimResponse};
    use bcda_model::fhir::v3;
    use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
    let synth = bcda_synth::Synth::new(bcda_synth::sandbox::spec(
        &target.cms_id,
        target.beneficiaries as u32,
        bcda_synth::this_month(),
    ))
    .unwrap();
    let partially_adjudicated =
        bcda_model::aco_model::receives_partially_adjudicated(&target.cms_id);
    let as_of = synth.period().as_of;
    let mut sink = Vec::with_capacity(4 << 20);
    let mut rendering = Duration::ZERO;
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        if !synth.is_exported(&record) {
            continue;
        }
        let bene = &record.beneficiary;
        let shared: Vec<_> = if partially_adjudicated {
            bcda_synth::shared_system::records_of(&record, as_of).collect()
        } else {
            Vec::new()
        };
        sink.clear();
        let started = Instant::now();
        match version {
            Flavour::V1 | Flavour::V2 => {
                let api: bcda_model::ApiVersion = version.api().parse().unwrap();
                Patient::new(api, bene, &record.enrollment_months)
                    .write_ndjson(&mut sink)
                    .unwrap();
                for part in CoveragePart::ALL {
                    Coverage::new(
                        api,
                        part,
                        bene,
                        &record.enrollment_years,
                        &record.enrollment_months,
                    )
                    .write_ndjson(&mut sink)
                    .unwrap();
                }
                for claim in &record.claims {
                    ExplanationOfBenefit::new(api, claim, bene.bene_id)
                        .unwrap()
                        .write_ndjson(&mut sink)
                        .unwrap();
                }
                for event in &record.events {
                    ExplanationOfBenefit::pde(api, event, bene.bene_id)
                        .write_ndjson(&mut sink)
                        .unwrap();
                }
                if version == Flavour::V2 {
                    for claim in &shared {
                        Claim::new(claim, bene).write_ndjson(&mut sink).unwrap();
                        ClaimResponse::new(claim, bene)
                            .write_ndjson(&mut sink)
                            .unwrap();
                    }
                }
            }
            Flavour::V3 | Flavour::V3AllSources => {
                v3::Patient::new(bene).write_ndjson(&mut sink).unwrap();
                for coverage in
                    v3::Coverage::all_of(bene, &record.enrollment_years, &record.enrollment_months)
                {
                    coverage.write_ndjson(&mut sink).unwrap();
                }
                for claim in &record.claims {
                    v3::ExplanationOfBenefit::nch(claim, bene.bene_id)
                        .write_ndjson(&mut sink)
                        .unwrap();
                }
                for event in &record.events {
                    v3::ExplanationOfBenefit::pde(event, bene.bene_id)
                        .write_ndjson(&mut sink)
                        .unwrap();
                }
                if version == Flavour::V3AllSources {
                    for claim in &shared {
                        v3::ExplanationOfBenefit::shared_system(claim, bene.bene_id)
                            .write_ndjson(&mut sink)
                            .unwrap();
                    }
                }
            }
        }
        rendering += started.elapsed();
    }
    rendering.as_secs_f64()
}

/// Median kick-off latency (job, keys and messages in one transaction) for an ACO of
/// 1,000,000 attributed beneficiaries, over 5 kick-offs.
async fn kickoff_latency(app: &TestApp) -> (f64, i64) {
    let credentials = app.create_client("A9999").await;
    let client = app.ctx.db.get().await.unwrap();
    client
        .batch_execute(
            "WITH file AS ( \
                 INSERT INTO attribution_files (aco_id, kind, performance_year, file_date) \
                 SELECT id, 'default', extract(year FROM now()), now() FROM acos \
                 WHERE cms_id = 'A9999' RETURNING id \
             ) \
             INSERT INTO attribution_members (file_id, beneficiary_id) \
             SELECT file.id, -9000000000 - n FROM file, generate_series(1, 1000000) AS n",
        )
        .await
        .unwrap();
    // Apart: in one multi-statement string the two run in one implicit transaction,
    // where VACUUM may not run.
    client
        .batch_execute("VACUUM ANALYZE attribution_members")
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
            "DELETE FROM attribution_files WHERE aco_id = (SELECT id FROM acos WHERE cms_id = 'A9999')",
            &[],
        )
        .await
        .unwrap();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], keys)
}

fn report(rows: &[Row], kickoff: &(f64, i64)) -> String {
    let mut out = String::new();
    let commit = bench_report::commit();
    let _ = writeln!(
        out,
        "Measured by `cargo bench -p bcda-cli --bench export` at commit `{commit}` on {} \
         cores ({}); the API, relay, file server, S3 server (s3s-fs) and the client share \
         the machine with the workers. Each row is the guide's whole flow through \
         `bcda-client`: kick-off to manifest, then every file downloaded (gzip, 4 at a time) \
         and every line parsed and type-checked. The renderer floor is one core rendering \
         the same resources into a reused buffer, as a worker does, measured before and after the \
         version's exports and averaged; \"to the floor\" divides the time to the manifest by it.\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        machine()
    );
    let _ = writeln!(
        out,
        "Kick-off of a 1,000,000-beneficiary ACO (job, {} keys and their messages in one \
         transaction): median {:.0} ms over 5.\n",
        kickoff.1, kickoff.0
    );
    let _ = writeln!(
        out,
        "| ACO | beneficiaries | API | worker processes | kick-off to manifest (s) | download (s) | resources | NDJSON MB | stored MB (gzip) | files | resources/s | NDJSON MB/s | renderer floor (s, one core) | to the floor | peak worker RSS (MB) | peak RSS of API, file server, S3, client (MB) |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
    );
    for row in rows {
        let rss: Vec<String> = row.peak_rss_mb.iter().map(|r| format!("{r:.0}")).collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.1} | {} | {} | {:.0} | {:.0} | {} | {:.0} | {:.0} | {:.1} | {:.1}x | {} | {:.0} |",
            row.cms_id,
            row.beneficiaries,
            row.version,
            row.workers,
            row.seconds,
            row.download_seconds
                .map_or_else(|| "not downloaded".to_owned(), |s| format!("{s:.1}")),
            row.resources,
            row.bytes as f64 / 1e6,
            row.stored as f64 / 1e6,
            row.files,
            row.resources as f64 / row.seconds,
            row.bytes as f64 / 1e6 / row.seconds,
            row.floor_seconds,
            row.seconds / row.floor_seconds,
            rss.join(", "),
            row.host_rss_mb,
        );
    }
    out
}

/// The CPU model and memory of this machine, from `/proc`.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cpu}, {memory_gib:.0} GiB")
}
