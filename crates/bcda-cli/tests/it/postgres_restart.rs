//! A Postgres restart, for real: while it is away, every request that needs it is a
//! `503` with `Retry-After` and a `transient` OperationOutcome (never a `500`), and
//! `bcda export` waits it out. These tests stop the machine's Postgres: they run alone.

use std::time::Duration;

use bcda_testkit::services::stop_postgres;
use bcda_testkit::{TestApp, TestAppBuilder};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

/// Asserts `response` says "retry later" the way bulk clients understand it.
async fn assert_transient(response: reqwest::Response, what: &str) {
    assert_eq!(response.status(), 503, "{what}");
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5"),
        "{what}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome", "{what}: {body}");
    assert_eq!(body["issue"][0]["code"], "transient", "{what}: {body}");
}

/// Waits until `path` answers `want` with the token again.
async fn until_status(app: &TestApp, token: &str, path: &str, want: u16) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = app.get_with_token(path, token).await.status();
        if status == want {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{path}: {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn postgres_restart_makes_requests_transient_not_internal_errors() {
    let app = TestAppBuilder::default().spawn().await;
    let aco = app.synthetic_aco("A9994", 6).await;
    let manifest = app
        .export(&aco.token, "/api/v2/Patient/$export?_type=Patient")
        .await;
    let file = manifest["output"][0]["url"].as_str().unwrap().to_owned();
    let job = format!(
        "/api/v2/jobs/{}",
        app.count("SELECT max(id) FROM jobs").await
    );
    let job = job.as_str();
    let file_path = file.trim_start_matches(&app.address).to_owned();

    let outage = stop_postgres();
    let outcome = async {
        // A client standing read in the last 5 s is cached: wait it out, so the token
        // itself must be checked against the database that is away.
        tokio::time::sleep(Duration::from_secs(6)).await;
        assert_transient(app.get_with_token(job, &aco.token).await, "status").await;
        assert_transient(app.get_with_token(&file_path, &aco.token).await, "download").await;
        assert_transient(
            app.kick_off(&aco.token, "/api/v2/Patient/$export").await,
            "kick-off",
        )
        .await;
        let token = app
            .request_token(&aco.credentials.client_id, &aco.credentials.client_secret)
            .await;
        assert_eq!(token.status(), 503, "token");
        assert!(token.headers().contains_key("retry-after"));
    };
    // Postgres comes back even when an assertion fails: the guard starts it on drop.
    outcome.await;
    outage.restart();

    until_status(&app, &aco.token, job, 200).await;
    until_status(&app, &aco.token, &file_path, 200).await;
}

#[tokio::test]
async fn postgres_restart_during_bcda_export_is_waited_out() {
    // No workers yet: the job stays open while Postgres is away.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 8).await;
    let out = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command
        .args(["export", "--base-url", &app.address, "--api", "v2"])
        .arg("--out")
        .arg(out.path())
        .env("BCDA_CLIENT_ID", &aco.credentials.client_id)
        .env("BCDA_CLIENT_SECRET", &aco.credentials.client_secret);
    // The client starts while Postgres is away: its token requests get 503s.
    let outage = stop_postgres();
    let client = tokio::task::spawn_blocking(move || command.output().unwrap());
    tokio::time::sleep(Duration::from_secs(3)).await;
    outage.restart();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.count("SELECT count(*) FROM jobs").await == 0 {
        assert!(tokio::time::Instant::now() < deadline, "no kick-off");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Then it goes away again while the client polls, longer than the status cache.
    let outage = stop_postgres();
    tokio::time::sleep(Duration::from_secs(8)).await;
    outage.restart();
    let stop = CancellationToken::new();
    let mut workers = bcda_worker::spawn_workers(&app.ctx, 1, &stop);

    let output = client.await.unwrap();
    stop.cancel();
    while workers.join_next().await.is_some() {}
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    let mut patients = 0;
    for file in manifest["output"].as_array().unwrap() {
        let name = file["url"].as_str().unwrap().rsplit('/').next().unwrap();
        let body = std::fs::read_to_string(out.path().join(name)).unwrap();
        if file["type"] == "Patient" {
            patients += body.lines().count();
        }
    }
    assert_eq!(patients, 8, "every beneficiary's Patient was downloaded");
}
