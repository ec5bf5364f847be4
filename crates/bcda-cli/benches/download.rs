//! The download benchmark: export files of over 1 GB (NDJSON) fetched through a
//! `bcda serve fileserver` process, against a direct GET of the same stored object from
//! the S3 server, and the file server's peak RSS with 20 concurrent downloads.
//!
//! `cargo bench -p bcda-cli --bench download` (part of `make bench`) prints the table and
//! writes it into `docs/benchmarks.md`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // a benchmark that cannot run should stop; its report is its output

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bcda_testkit::{TestApp, TestAppBuilder, bench_report, free_port};
use futures::StreamExt;

mod common;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

/// Bytes and seconds of one transfer.
struct Transfer {
    bytes: u64,
    seconds: f64,
}

impl Transfer {
    fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds
    }
}

async fn run() {
    // One EOB file per 2,500 beneficiaries: about 1.1 GB of NDJSON each.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "2")
        .env("BCDA_BATCH_SIZE_EOB", "2500")
        .spawn()
        .await;
    let credentials = app.create_client("A9991").await;
    let synth = bcda_synth::Synth::new(bcda_synth::sandbox::spec(
        "A9991",
        7_500,
        time::macros::date!(2026 - 10 - 01),
    ))
    .unwrap();
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, "A9991")
        .await
        .unwrap();
    bcda_synth::load::load(&app.ctx.db, aco_id, &synth)
        .await
        .unwrap();
    let token = app.token(&credentials).await;
    let manifest = app
        .export(
            &token,
            "/api/v1/Group/all/$export?_type=ExplanationOfBenefit",
        )
        .await;
    let files: Vec<String> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["url"]
                .as_str()
                .unwrap()
                .rsplit("/data/")
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();

    let port = free_port();
    let mut fileserver = start_fileserver(&app, port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&app, &base).await;

    let file = &files[0];
    let stored = bcda_infra::storage::export_file_path(file);
    let direct = {
        let started = Instant::now();
        let object = app
            .ctx
            .storage
            .get(&stored, Default::default())
            .await
            .unwrap();
        let mut stream = object.into_stream();
        let mut bytes = 0;
        while let Some(chunk) = stream.next().await {
            bytes += chunk.unwrap().len() as u64;
        }
        Transfer {
            bytes,
            seconds: started.elapsed().as_secs_f64(),
        }
    };
    let url = format!("{base}/data/{file}");
    let gzip = fetch(&app, &token, &url, "gzip").await;
    let plain = fetch(&app, &token, &url, "identity").await;
    let rss_before = common::peak_rss_mb(fileserver.id());

    let concurrent = |encoding: &'static str| {
        let urls: Vec<String> = (0..20)
            .map(|i| format!("{base}/data/{}", files[i % files.len()]))
            .collect();
        let (app, token) = (&app, &token);
        async move {
            let started = Instant::now();
            let transfers =
                futures::future::join_all(urls.iter().map(|u| fetch(app, token, u, encoding)))
                    .await;
            Transfer {
                bytes: transfers.iter().map(|t| t.bytes).sum(),
                seconds: started.elapsed().as_secs_f64(),
            }
        }
    };
    let many_gzip = concurrent("gzip").await;
    let many_plain = concurrent("identity").await;
    let rss_peak = common::peak_rss_mb(fileserver.id());
    let _ = Command::new("kill")
        .args(["-TERM", &fileserver.id().to_string()])
        .status();
    let _ = fileserver.wait();

    let mut out = String::new();
    let commit = bench_report::commit();
    let _ = writeln!(
        out,
        "Measured by `cargo bench -p bcda-cli --bench download` at commit `{commit}`: one EOB \
         file of {:.2} GB NDJSON ({:.0} MB stored gzip) from a `bcda serve fileserver` process; \
         the S3 server (s3s-fs) and the client share the 2 cores.\n",
        plain.bytes as f64 / 1e9,
        gzip.bytes as f64 / 1e6
    );
    let _ = writeln!(
        out,
        "| transfer | bytes | seconds | MB/s | ratio to direct |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    let mut row = |name: &str, t: &Transfer, ratio: Option<f64>| {
        let _ = writeln!(
            out,
            "| {name} | {} | {:.2} | {:.0} | {} |",
            t.bytes,
            t.seconds,
            t.mb_per_s(),
            ratio.map_or(String::from("-"), |r| format!("{r:.2}"))
        );
    };
    row("direct GET of the stored object from S3", &direct, None);
    row(
        "file server, `Accept-Encoding: gzip` (stored bytes)",
        &gzip,
        Some(gzip.mb_per_s() / direct.mb_per_s()),
    );
    row("file server, plain NDJSON (decompressed)", &plain, None);
    row("20 concurrent, gzip", &many_gzip, None);
    row("20 concurrent, plain", &many_plain, None);
    let _ = writeln!(
        out,
        "\nFile server peak RSS: {rss_before:.0} MB after single downloads, {rss_peak:.0} MB after \
         20 concurrent downloads of each representation."
    );
    println!("{out}");
    bench_report::write_docs("download-bench", "Downloads", &out);
}

fn start_fileserver(app: &TestApp, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "fileserver"])
        .envs(app.process_env())
        .env("BCDA_LISTEN", format!("127.0.0.1:{port}"))
        .env("BCDA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start bcda serve fileserver")
}

async fn wait_until_up(app: &TestApp, base: &str) {
    for _ in 0..100 {
        if app
            .client
            .get(format!("{base}/_health"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the file server did not start");
}

async fn fetch(app: &TestApp, token: &str, url: &str, encoding: &str) -> Transfer {
    let started = Instant::now();
    let response = app
        .client
        .get(url)
        .bearer_auth(token)
        .header("Accept-Encoding", encoding)
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let mut stream = response.bytes_stream();
    let mut bytes = 0;
    while let Some(chunk) = stream.next().await {
        bytes += chunk.unwrap().len() as u64;
    }
    Transfer {
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    }
}
