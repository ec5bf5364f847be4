//! What a `bcda` process writes to its log when clients send hostile values: no line a
//! client can forge, no terminal escape, no secret from a query string, and no ERROR
//! for what is only a client's mistake, in both log formats.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bcda_testkit::{TestApp, TestAppBuilder, free_port};

/// What the hostile requests need from the export they aim at.
struct Target {
    job: i64,
    token: String,
    /// The signed download URL's path and query, and its signature.
    signed_path: String,
    signature: String,
}

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
    let signed = manifest["output"][0]["url"].as_str().unwrap();
    let target = Target {
        job: manifest["JobID"].as_i64().unwrap(),
        token: aco.token.clone(),
        signed_path: signed.trim_start_matches(&app.address).to_owned(),
        signature: signed.split("sig=").nth(1).unwrap().to_owned(),
    };

    for format in ["pretty", "json"] {
        let (server, base) = spawn_logging(&app, format).await;
        hostile_requests(&app, &base, &target).await;
        let log = stop(server).await;

        assert!(
            !log.contains('\u{1b}'),
            "{format}: a raw escape reached the log"
        );
        assert!(
            log.lines()
                .all(|line| !line.trim_start().starts_with("FORGED")),
            "{format}: a client started a log line:\n{log}"
        );
        assert!(
            !log.contains(&target.signature),
            "{format}: a download signature was logged"
        );
        assert!(
            !log.contains("hunter2secret"),
            "{format}: a query token was logged"
        );
        assert!(log.contains("sig=REDACTED"), "{format}: {log}");
        match format {
            "pretty" => {
                assert!(
                    log.contains("\\nFORGED"),
                    "the hostile file name was logged, escaped:\n{log}"
                );
                assert!(
                    !log.lines().any(|line| line.contains(" ERROR ")),
                    "a client's mistake was logged as an error:\n{log}"
                );
            }
            _ => {
                let lines: Vec<serde_json::Value> = log
                    .lines()
                    .map(|line| {
                        serde_json::from_str(line)
                            .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
                    })
                    .collect();
                assert!(
                    lines
                        .iter()
                        .any(|line| line.to_string().contains("\\nFORGED")),
                    "the hostile file name was logged, JSON-escaped:\n{log}"
                );
                assert!(
                    lines.iter().all(|line| line["level"] != "ERROR"),
                    "a client's mistake was logged as an error:\n{log}"
                );
            }
        }
    }
}

/// Downloads the file through its signed URL, asks for files whose names carry line
/// breaks, escapes and a token in the query, and asks for a token with a NUL byte in the
/// client id (a client's mistake, not a server error).
async fn hostile_requests(app: &TestApp, base: &str, target: &Target) {
    let download = app
        .client
        .get(format!("{base}{}", target.signed_path))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let job = target.job;
    for hostile in [
        format!("/data/{job}/x%0aFORGED%20INFO%20line%1b%5b2J.ndjson"),
        format!("/data/{job}%0aFORGED/x.ndjson?access_token=hunter2secret"),
    ] {
        let response = app
            .client
            .get(format!("{base}{hostile}"))
            .bearer_auth(&target.token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{hostile}");
    }
    let nul = app
        .client
        .post(format!("{base}/auth/token"))
        .basic_auth("nul\0byte", Some("secret"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(nul.status(), 401);
}

/// A `bcda serve all` of its own, logging to a pipe in `format`, and its base URL.
async fn spawn_logging(app: &TestApp, format: &str) -> (Child, String) {
    let listen = format!("127.0.0.1:{}", free_port());
    let server = Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", "all"])
        .envs(app.process_env())
        .env("BCDA_LISTEN", &listen)
        .env("BCDA_LOG_FORMAT", format)
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
        assert!(tokio::time::Instant::now() < deadline, "no server");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, base)
}

/// Stops `server` with SIGTERM and returns everything it logged.
async fn stop(mut server: Child) -> String {
    crate::sigterm(&server);
    tokio::task::spawn_blocking(move || {
        server.wait().unwrap();
        let mut log = String::new();
        std::io::Read::read_to_string(server.stdout.as_mut().unwrap(), &mut log).unwrap();
        log
    })
    .await
    .unwrap()
}
