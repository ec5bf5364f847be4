//! `bcda loadtest` against the app: concurrent clients over two ACOs.

use bcda_testkit::TestAppBuilder;

fn bcda_loadtest(args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bcda"));
    command.arg("loadtest").args(args);
    command
}

#[tokio::test]
async fn a_load_test_runs_every_client_and_writes_its_report() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "2")
        .spawn()
        .await;
    // Not BCDA's test ids (A9990-A9999): these ACOs are held to one export at a time.
    // The shared ACO's export must outlast the clients' token requests (a hash each,
    // so up to a second apart on a busy machine), or the second client finds it done
    // and meets no 429.
    let first = app.synthetic_aco("A1001", 60).await;
    let second = app.synthetic_aco("A1002", 4).await;
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials.txt");
    std::fs::write(
        &credentials,
        format!(
            "# client_id client_secret\n{} {}\n{} {}\n",
            first.credentials.client_id,
            first.credentials.client_secret,
            second.credentials.client_id,
            second.credentials.client_secret
        ),
    )
    .unwrap();
    let out = dir.path().join("report");
    let mut command = bcda_loadtest(&[
        "--base-url",
        &app.address,
        "--clients",
        "3",
        "--max-seconds",
        "60",
    ]);
    command
        .arg("--credentials")
        .arg(&credentials)
        .arg("--out")
        .arg(&out);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Three clients over two ACOs: two share one, so one of them waits out a 429.
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("3 exports completed"), "{report}");
    assert!(report.contains("| token | 3 |"), "{report}");
    assert!(report.contains("| kick-off | 3 |"), "{report}");
    assert!(report.contains("- kick-off 429:"), "{report}");
    let downloads = report
        .lines()
        .find(|l| l.starts_with("| download |"))
        .unwrap();
    assert!(!downloads.starts_with("| download | 0 |"), "{report}");
    let svg = std::fs::read_to_string(out.join("throughput.svg")).unwrap();
    assert!(svg.contains("<polyline"), "{svg}");
}

#[test]
fn a_load_test_refuses_a_server_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials.txt");
    std::fs::write(&credentials, "id secret\n").unwrap();
    let output = bcda_loadtest(&["--base-url", "https://sandbox.bcda.cms.gov"])
        .arg("--credentials")
        .arg(&credentials)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("only targets a server on this machine"),
        "{stderr}"
    );
}
