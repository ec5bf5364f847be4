//! `bcda export` against the app, through proxies that drop a connection mid-way or
//! answer for a server that is briefly unavailable.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bcda_testkit::TestAppBuilder;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to `target` that, once, cuts a connection `cut_after` response bytes
/// after it carried a request containing `request` (e.g. `GET /data/`). Returns its
/// address and how many connections it cut.
async fn dropping_proxy(
    target: SocketAddr,
    request: &'static str,
    cut_after: usize,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let cuts = Arc::new(AtomicUsize::new(0));
    let counter = cuts.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(target).await else {
                continue;
            };
            let cuts = counter.clone();
            tokio::spawn(async move {
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let marked = Arc::new(AtomicBool::new(false));
                let seen = marked.clone();
                let upstream = tokio::spawn(async move {
                    let mut buffer = vec![0; 16 * 1024];
                    while let Ok(n) = client_read.read(&mut buffer).await {
                        if n == 0 {
                            break;
                        }
                        if String::from_utf8_lossy(&buffer[..n]).contains(request) {
                            seen.store(true, Ordering::SeqCst);
                        }
                        if server_write.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buffer = vec![0; 16 * 1024];
                let mut sent_since_data = 0;
                while let Ok(n) = server_read.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    let n = if marked.load(Ordering::SeqCst) && cuts.load(Ordering::SeqCst) == 0 {
                        let allowed = n.min(cut_after.saturating_sub(sent_since_data));
                        sent_since_data += allowed;
                        if sent_since_data >= cut_after {
                            cuts.fetch_add(1, Ordering::SeqCst);
                            let _ = client_write.write_all(&buffer[..allowed]).await;
                            break;
                        }
                        allowed
                    } else {
                        n
                    };
                    if client_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
                upstream.abort();
            });
        }
    });
    (address, cuts)
}

/// A TCP proxy to `target` that answers requests starting with one of `refused`'s
/// prefixes (e.g. `GET /data/`) itself, with `503` and `Retry-After: 1` as the server
/// does while a dependency is away, as many times as that entry says; it forwards all
/// else. Returns its address and how many requests it refused.
async fn unavailable_proxy(
    target: SocketAddr,
    refused: &'static [(&'static str, usize)],
) -> (SocketAddr, Arc<AtomicUsize>) {
    const UNAVAILABLE: &str = concat!(
        "HTTP/1.1 503 Service Unavailable\r\n",
        "Retry-After: 1\r\n",
        "Content-Type: application/fhir+json\r\n",
        "Content-Length: 117\r\n",
        "Connection: close\r\n\r\n",
        r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient","diagnostics":"try again soon."}]}"#,
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let budgets: Arc<Vec<AtomicUsize>> =
        Arc::new(refused.iter().map(|(_, n)| AtomicUsize::new(*n)).collect());
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let Ok(mut server) = TcpStream::connect(target).await else {
                continue;
            };
            let (budgets, count) = (budgets.clone(), counter.clone());
            tokio::spawn(async move {
                let mut up = vec![0; 16 * 1024];
                let mut down = vec![0; 16 * 1024];
                loop {
                    tokio::select! {
                        read = client.read(&mut up) => {
                            let Ok(n @ 1..) = read else { break };
                            // HTTP/1.1 without pipelining: a read that starts with a
                            // method starts a request, the previous answer being whole.
                            let refuse = refused.iter().zip(budgets.iter()).any(|((prefix, _), left)| {
                                up[..n].starts_with(prefix.as_bytes())
                                    && left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| l.checked_sub(1)).is_ok()
                            });
                            if refuse {
                                count.fetch_add(1, Ordering::SeqCst);
                                let _ = client.write_all(UNAVAILABLE.as_bytes()).await;
                                break;
                            }
                            if server.write_all(&up[..n]).await.is_err() {
                                break;
                            }
                        }
                        read = server.read(&mut down) => {
                            let Ok(n @ 1..) = read else { break };
                            if client.write_all(&down[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
    (address, count)
}

/// Runs `command` to completion off the runtime, which keeps serving the app and proxy.
async fn run(mut command: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

/// Runs `bcda export` against `base_url` with `args`, as the client of `aco`, into
/// `out`; it must succeed. Returns its stdout.
async fn export_ok(
    base_url: &str,
    credentials: &bcda_testkit::Credentials,
    out: &std::path::Path,
    args: &[&str],
) -> String {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command
        .args(["export", "--base-url", base_url])
        .args(args)
        .arg("--out")
        .arg(out)
        .env("BCDA_CLIENT_ID", &credentials.client_id)
        .env("BCDA_CLIENT_SECRET", &credentials.client_secret);
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn bcda_export_resumes_a_dropped_download_and_matches_the_manifest() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 15).await;
    let target: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let (proxy, cuts) = dropping_proxy(target, "GET /data/", 20_000).await;
    let out = tempfile::tempdir().unwrap();

    let stdout = export_ok(
        &format!("http://{proxy}"),
        &aco.credentials,
        out.path(),
        &["--api", "v2", "--parallel", "2"],
    )
    .await;
    assert_eq!(
        cuts.load(Ordering::SeqCst),
        1,
        "the proxy dropped one download"
    );
    assert!(stdout.contains("1 resumed download"), "{stdout}");

    // Exactly the manifest's files, each identical to what the server serves.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    let mut listed = vec!["manifest.json".to_owned()];
    for file in manifest["output"].as_array().unwrap() {
        let url = file["url"].as_str().unwrap();
        let name = url.rsplit('/').next().unwrap().to_owned();
        let direct = url.replace(&format!("http://{proxy}"), &app.address);
        let expected = app.download(&aco.token, &direct).await;
        let got = std::fs::read_to_string(out.path().join(&name)).unwrap();
        assert!(got == expected, "{name} differs from the server's file");
        assert!(stdout.contains(file["type"].as_str().unwrap()), "{stdout}");
        listed.push(name);
    }
    let mut present: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    listed.sort();
    assert_eq!(present, listed, "no partial or extra files");
}

#[tokio::test]
async fn bcda_export_sends_a_v3_type_filter_and_saves_what_it_selects() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("D9994", 8).await;
    let out = tempfile::tempdir().unwrap();
    export_ok(
        &app.address,
        &aco.credentials,
        out.path(),
        &[
            "--api",
            "v3",
            "--type",
            "ExplanationOfBenefit",
            "--type-filter",
            "ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem",
        ],
    )
    .await;
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert!(
        manifest["request"]
            .as_str()
            .unwrap()
            .ends_with("_typeFilter=ExplanationOfBenefit%3F_tag%3Dhttps%3A%2F%2Fbluebutton.cms.gov%2Ffhir%2FCodeSystem%2FSystem-Type%7CSharedSystem"),
        "{}",
        manifest["request"]
    );
    assert_eq!(
        manifest["error"],
        serde_json::json!([]),
        "a System-Type was named"
    );
    let mut eobs = 0;
    for file in manifest["output"].as_array().unwrap() {
        let name = file["url"].as_str().unwrap().rsplit('/').next().unwrap();
        for line in std::fs::read_to_string(out.path().join(name))
            .unwrap()
            .lines()
        {
            let eob: Value = serde_json::from_str(line).unwrap();
            assert_eq!(eob["meta"]["tag"][0]["code"], "SharedSystem", "{line}");
            eobs += 1;
        }
    }
    assert!(eobs > 0, "the ACO's shared-system claims were exported");
}

#[tokio::test]
async fn bcda_export_posts_ig_parameters_and_downloads_partial_manifests_as_they_grow() {
    let app = TestAppBuilder::default()
        .env("BCDA_BATCH_SIZE_EOB", "2")
        .env("BCDA_BATCH_SIZE_PATIENT", "2")
        .env("BCDA_BATCH_SIZE_COVERAGE", "2")
        .env("BCDA_MANIFEST_PAGE_SIZE", "3")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 12).await;
    let out = tempfile::tempdir().unwrap();
    let until = (time::OffsetDateTime::now_utc() - time::Duration::seconds(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let stdout = export_ok(
        &app.address,
        &aco.credentials,
        out.path(),
        &[
            "--api",
            "v2",
            "--post",
            "--partial",
            "--organize-by-patient",
            "--until",
            &until,
        ],
    )
    .await;
    assert!(stdout.contains("organized by Patient"), "{stdout}");
    assert!(stdout.contains("to the last byte"), "{stdout}");
    // A `POST` kick-off: the request URL has no query. The saved manifest is every page
    // in one, without links.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["request"], app.url("/api/v2/Patient/$export"));
    assert_eq!(manifest["outputOrganizedBy"], "Patient");
    assert_eq!(manifest.get("link"), None);
    let files = manifest["output"].as_array().unwrap();
    let keys = app
        .count("SELECT count(*) FROM job_keys WHERE object_key IS NOT NULL AND resource_count > 0")
        .await;
    assert!(files.len() > 3, "more than a page: {}", files.len());
    assert_eq!(files.len() as i64, keys);
    for file in files {
        let name = file["url"].as_str().unwrap().rsplit('/').next().unwrap();
        let body = std::fs::read_to_string(out.path().join(name)).unwrap();
        assert_eq!(file["count"], body.lines().count(), "{name}");
        let first: Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
        assert_eq!(first["parameter"][0]["name"], "header", "{name}");
    }
}

#[tokio::test]
async fn bcda_export_polls_again_after_a_status_request_gets_no_answer() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let target: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // The first status poll's connection closes before any byte of its answer.
    let (proxy, cuts) = dropping_proxy(target, "GET /api/v1/jobs/", 0).await;
    let out = tempfile::tempdir().unwrap();

    export_ok(
        &format!("http://{proxy}"),
        &aco.credentials,
        out.path(),
        &[],
    )
    .await;
    assert_eq!(cuts.load(Ordering::SeqCst), 1, "the proxy dropped a poll");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    let files = manifest["output"].as_array().unwrap();
    assert!(!files.is_empty());
    for file in files {
        let name = file["url"].as_str().unwrap().rsplit('/').next().unwrap();
        assert!(out.path().join(name).exists(), "{name} was downloaded");
    }
}

#[tokio::test]
async fn bcda_export_waits_out_a_server_briefly_unavailable_at_every_step() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 6).await;
    let target: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // The token, the kick-off, a poll and two downloads each meet a 503 first.
    let (proxy, refusals) = unavailable_proxy(
        target,
        &[
            ("POST /auth/token", 1),
            ("GET /api/v2/Patient/$export", 1),
            ("GET /api/v2/jobs/", 1),
            ("GET /data/", 2),
        ],
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    export_ok(
        &format!("http://{proxy}"),
        &aco.credentials,
        out.path(),
        &["--api", "v2"],
    )
    .await;
    assert_eq!(refusals.load(Ordering::SeqCst), 5, "every step met its 503");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    let files = manifest["output"].as_array().unwrap();
    assert!(files.len() >= 3, "Patient, Coverage and EOB files");
    for file in files {
        let url = file["url"].as_str().unwrap();
        let name = url.rsplit('/').next().unwrap();
        let direct = url.replace(&format!("http://{proxy}"), &app.address);
        let expected = app.download(&aco.token, &direct).await;
        let got = std::fs::read_to_string(out.path().join(name)).unwrap();
        assert!(got == expected, "{name} is whole");
    }
}

#[tokio::test]
async fn bcda_export_fails_clearly_on_bad_credentials() {
    let app = TestAppBuilder::default().spawn().await;
    let out = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command
        .args([
            "export",
            "--base-url",
            &app.address,
            "--client-id",
            "nobody",
            "--client-secret",
            "wrong",
        ])
        .arg("--out")
        .arg(out.path());
    let output = run(command).await;
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("check the client id and secret"),
        "{stderr}"
    );
}
