//! `bcda export` against the app, through a proxy that drops a connection mid-way.

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

/// Runs `command` to completion off the runtime, which keeps serving the app and proxy.
async fn run(mut command: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn bcda_export_resumes_a_dropped_download_and_matches_the_manifest() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 15).await;
    let target: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let (proxy, cuts) = dropping_proxy(target, "GET /data/", 20_000).await;
    let out = tempfile::tempdir().unwrap();

    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command
        .args([
            "export",
            "--base-url",
            &format!("http://{proxy}"),
            "--api",
            "v2",
            "--parallel",
            "2",
        ])
        .arg("--out")
        .arg(out.path())
        .env("BCDA_CLIENT_ID", &aco.credentials.client_id)
        .env("BCDA_CLIENT_SECRET", &aco.credentials.client_secret);
    let output = run(command).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
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
async fn bcda_export_polls_again_after_a_status_request_gets_no_answer() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let target: SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    // The first status poll's connection closes before any byte of its answer.
    let (proxy, cuts) = dropping_proxy(target, "GET /api/v1/jobs/", 0).await;
    let out = tempfile::tempdir().unwrap();

    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command
        .args(["export", "--base-url", &format!("http://{proxy}")])
        .arg("--out")
        .arg(out.path())
        .env("BCDA_CLIENT_ID", &aco.credentials.client_id)
        .env("BCDA_CLIENT_SECRET", &aco.credentials.client_secret);
    let output = run(command).await;
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
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
