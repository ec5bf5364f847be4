//! What a `bcda` process writes to its log when clients send hostile values: no line a
//! client can forge, no terminal escape, no secret from a query string.

use std::process::{Command, Stdio};
use std::time::Duration;

use bcda_testkit::{TestAppBuilder, free_port};

#[tokio::test]
async fn logs_escape_what_clients_send_and_redact_query_secrets() {
    let app = TestAppBuilder::default()
        .env(
            "BCDA_DOWNLOAD_URL_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        )
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 4).await;
    let manifest = app
        .export(&aco.token, "/api/v1/Patient/$export?_type=Patient")
        .await;
    let signed = manifest["output"][0]["url"].as_str().unwrap().to_owned();
    let signature = signed.split("sig=").nth(1).unwrap().to_owned();
    let job = manifest["JobID"].as_i64().unwrap();

    // A file server of its own, logging in the terminal format.
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "fileserver"])
        .envs(app.process_env())
        .env("BCDA_LISTEN", &listen)
        .env("BCDA_LOG_FORMAT", "pretty")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://{listen}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app
        .client
        .get(format!("{base}/_health"))
        .send()
        .await
        .is_err()
    {
        assert!(tokio::time::Instant::now() < deadline, "no file server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let path = signed.trim_start_matches(&app.address);
    let download = app
        .client
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    for hostile in [
        format!("/data/{job}/x%0aFORGED%20INFO%20line%1b%5b2J.ndjson"),
        format!("/data/{job}%0aFORGED/x.ndjson?access_token=hunter2secret"),
    ] {
        let response = app
            .client
            .get(format!("{base}{hostile}"))
            .bearer_auth(&aco.token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{hostile}");
    }

    crate::sigterm(&server);
    let output = tokio::task::spawn_blocking(move || {
        server.wait().unwrap();
        let mut log = String::new();
        std::io::Read::read_to_string(server.stdout.as_mut().unwrap(), &mut log).unwrap();
        log
    })
    .await
    .unwrap();

    assert!(!output.contains('\u{1b}'), "a raw escape reached the log");
    assert!(
        output
            .lines()
            .all(|line| !line.trim_start().starts_with("FORGED")),
        "a client started a log line:\n{output}"
    );
    assert!(
        output.contains("\\nFORGED"),
        "the hostile file name was logged, escaped:\n{output}"
    );
    assert!(
        !output.contains(&signature),
        "a download signature was logged"
    );
    assert!(
        !output.contains("hunter2secret"),
        "a query token was logged"
    );
    assert!(output.contains("sig=REDACTED"), "{output}");
}
