//! `bcda loadtest`: N concurrent clients over M ACOs each running full exports (token,
//! kick-off, polling, every download), bounded in count and time and limited to a server
//! on this machine; reports latency percentiles, export times, throughput, errors and a
//! throughput chart.

mod report;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::StreamExt;
use report::Sample;

#[derive(Debug, clap::Args)]
pub struct LoadtestArgs {
    /// The server's origin; it must be on this machine (loopback).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    base_url: String,
    /// A file of `client_id client_secret` lines, one client per ACO (create them with
    /// `bcda synth` and `bcda client create`).
    #[arg(long)]
    credentials: PathBuf,
    /// Concurrent clients; client i uses the ACO of line i modulo the file's lines.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Exports each client runs, one after another.
    #[arg(long, default_value_t = 1)]
    exports_per_client: usize,
    /// Stop starting exports after this many seconds.
    #[arg(long, default_value_t = 600)]
    max_seconds: u64,
    #[arg(long, default_value = "v1", value_parser = ["v1", "v2"])]
    api: String,
    /// Directory for `report.md` and `throughput.svg`.
    #[arg(long, default_value = "loadtest-report")]
    out: PathBuf,
}

/// What every client shares.
struct Shared {
    http: reqwest::Client,
    base: String,
    api: String,
    started: Instant,
    deadline: Instant,
    samples: Mutex<Vec<Sample>>,
    exports: Mutex<Vec<Duration>>,
}

pub async fn run(args: LoadtestArgs) -> anyhow::Result<()> {
    ensure_loopback(&args.base_url)?;
    let credentials = read_credentials(&args.credentials)?;
    let started = Instant::now();
    let shared = Arc::new(Shared {
        http: reqwest::Client::new(),
        base: args.base_url.trim_end_matches('/').to_owned(),
        api: args.api.clone(),
        started,
        deadline: started + Duration::from_secs(args.max_seconds),
        samples: Mutex::new(Vec::new()),
        exports: Mutex::new(Vec::new()),
    });
    let mut clients = tokio::task::JoinSet::new();
    for index in 0..args.clients {
        let (id, secret) = credentials[index % credentials.len()].clone();
        let shared = shared.clone();
        let exports = args.exports_per_client;
        clients.spawn(async move {
            for _ in 0..exports {
                if Instant::now() >= shared.deadline {
                    break;
                }
                if let Some(took) = one_export(&shared, &id, &secret).await {
                    lock(&shared.exports).push(took);
                }
            }
        });
    }
    while clients.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    let samples = lock(&shared.samples).clone();
    let exports = lock(&shared.exports).clone();
    let text = format!(
        "# Load test\n\n{} clients over {} ACOs, {} export(s) each, API {}, against {}.\n\n{}",
        args.clients,
        credentials.len(),
        args.exports_per_client,
        args.api,
        args.base_url,
        report::markdown(&samples, &exports, elapsed)
    );
    std::fs::create_dir_all(&args.out).with_context(|| args.out.display().to_string())?;
    std::fs::write(args.out.join("report.md"), &text)?;
    std::fs::write(
        args.out.join("throughput.svg"),
        report::throughput_svg(&samples, elapsed),
    )?;
    println!("{text}");
    println!("written to {}", args.out.display());
    Ok(())
}

/// Refuses a server that is not on this machine: a load test is not to be aimed at
/// someone else's service.
fn ensure_loopback(base_url: &str) -> anyhow::Result<()> {
    let url = reqwest::Url::parse(base_url).context("--base-url is not a URL")?;
    let loopback = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    anyhow::ensure!(
        loopback,
        "bcda loadtest only targets a server on this machine (loopback), not {base_url}"
    );
    Ok(())
}

fn read_credentials(path: &std::path::Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let credentials: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some(id), Some(secret)) => Ok((id.to_owned(), secret.to_owned())),
                _ => anyhow::bail!(
                    "{}: expected `client_id client_secret`: {l}",
                    path.display()
                ),
            }
        })
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(
        !credentials.is_empty(),
        "{} holds no credentials",
        path.display()
    );
    Ok(credentials)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn record(
        &self,
        kind: &'static str,
        began: Instant,
        error: Option<String>,
        bytes: u64,
        resources: u64,
    ) {
        lock(&self.samples).push(Sample {
            kind,
            at: self.started.elapsed(),
            latency: began.elapsed(),
            bytes,
            resources,
            error,
        });
    }
}

/// One export, start to finish; its end-to-end time when it completed.
async fn one_export(shared: &Shared, id: &str, secret: &str) -> Option<Duration> {
    let began = Instant::now();
    let response = shared
        .http
        .post(format!("{}/auth/token", shared.base))
        .basic_auth(id, Some(secret))
        .send()
        .await;
    let token = match response {
        Ok(r) if r.status() == 200 => {
            let body: Option<serde_json::Value> = r.json().await.ok();
            match body.as_ref().and_then(|b| b["access_token"].as_str()) {
                Some(token) => {
                    shared.record("token", began, None, 0, 0);
                    token.to_owned()
                }
                None => return failed(shared, "token", began, "malformed"),
            }
        }
        Ok(r) => return failed(shared, "token", began, r.status().as_str()),
        Err(_) => return failed(shared, "token", began, "connect"),
    };

    let export_began = Instant::now();
    let kick_off = format!("{}/api/{}/Group/all/$export", shared.base, shared.api);
    let status_url = loop {
        let began = Instant::now();
        let response = shared
            .http
            .get(&kick_off)
            .bearer_auth(&token)
            .header("Accept", "application/fhir+json")
            .header("Prefer", "respond-async")
            .send()
            .await;
        match response {
            Ok(r) if r.status() == 202 => {
                let location = r
                    .headers()
                    .get("content-location")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                match location {
                    Some(location) => {
                        shared.record("kick-off", began, None, 0, 0);
                        break location;
                    }
                    None => return failed(shared, "kick-off", began, "no Content-Location"),
                }
            }
            Ok(r) if r.status() == 429 => {
                shared.record("kick-off", began, Some("429".into()), 0, 0);
                if Instant::now() >= shared.deadline {
                    return None;
                }
                tokio::time::sleep(retry_after(&r)).await;
            }
            Ok(r) => return failed(shared, "kick-off", began, r.status().as_str()),
            Err(_) => return failed(shared, "kick-off", began, "connect"),
        }
    };

    let manifest: serde_json::Value = loop {
        let began = Instant::now();
        match shared
            .http
            .get(&status_url)
            .bearer_auth(&token)
            .send()
            .await
        {
            Ok(r) if r.status() == 200 => match r.json::<serde_json::Value>().await {
                Ok(manifest) => {
                    shared.record("status", began, None, 0, 0);
                    break manifest;
                }
                Err(_) => return failed(shared, "status", began, "malformed manifest"),
            },
            Ok(r) if r.status() == 202 => {
                shared.record("status", began, None, 0, 0);
                tokio::time::sleep(retry_after(&r)).await;
            }
            Ok(r) => return failed(shared, "status", began, r.status().as_str()),
            Err(_) => return failed(shared, "status", began, "connect"),
        }
    };

    let urls: Vec<&str> = manifest["output"]
        .as_array()
        .map(|files| files.iter().filter_map(|f| f["url"].as_str()).collect())
        .unwrap_or_default();
    for url in urls {
        let began = Instant::now();
        match download(shared, &token, url).await {
            Ok((bytes, resources)) => shared.record("download", began, None, bytes, resources),
            Err(kind) => return failed(shared, "download", began, &kind),
        }
    }
    Some(export_began.elapsed())
}

fn failed(shared: &Shared, kind: &'static str, began: Instant, error: &str) -> Option<Duration> {
    shared.record(kind, began, Some(error.to_owned()), 0, 0);
    None
}

fn retry_after(response: &reqwest::Response) -> Duration {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_secs)
}

/// Downloads `url` with gzip and counts its NDJSON bytes and lines, keeping nothing.
async fn download(shared: &Shared, token: &str, url: &str) -> Result<(u64, u64), String> {
    let response = shared
        .http
        .get(url)
        .bearer_auth(token)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .map_err(|_| "connect".to_owned())?;
    if response.status() != 200 {
        return Err(response.status().as_str().to_owned());
    }
    let gzip = response
        .headers()
        .get("content-encoding")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let mut counter = LineCounter::default();
    let mut decoder = flate2::write::GzDecoder::new(&mut counter);
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| "dropped".to_owned())?;
        if gzip {
            decoder
                .write_all(&chunk)
                .map_err(|_| "corrupt gzip".to_owned())?;
        } else {
            decoder
                .get_mut()
                .write_all(&chunk)
                .map_err(|_| "write".to_owned())?;
        }
    }
    decoder.finish().map_err(|_| "corrupt gzip".to_owned())?;
    Ok((counter.bytes, counter.lines))
}

/// Counts bytes and newlines written to it.
#[derive(Debug, Default)]
struct LineCounter {
    bytes: u64,
    lines: u64,
}

impl std::io::Write for LineCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.lines += buf.iter().filter(|b| **b == b'\n').count() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
