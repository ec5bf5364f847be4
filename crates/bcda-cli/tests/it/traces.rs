//! One export is one trace across processes: `bcda serve api`, `bcda serve worker` and
//! `bcda serve fileserver` export their spans over OTLP/HTTP to a local receiver; the
//! worker's batches hang under the API's kick-off through the outbox and the RabbitMQ
//! message headers, and a download joins the same trace through the job's row.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bcda_testkit::{OtlpReceiver, ReceivedSpan, TestApp, TestAppBuilder, free_port};

fn serve(role: &str, app: &TestApp, otlp: &OtlpReceiver, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bcda"))
        .args(["serve", role])
        .envs(app.process_env())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.endpoint())
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start bcda serve")
}

async fn wait_healthy(app: &TestApp, base: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app
        .client
        .get(format!("{base}/_health"))
        .send()
        .await
        .map(|r| r.status())
        .ok()
        != Some(reqwest::StatusCode::OK)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{base} never became healthy"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// SIGTERM, then wait for a clean exit: the process flushes its spans as it stops.
async fn stop(mut child: Child) {
    crate::sigterm(&child);
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn one_export_is_one_trace_from_the_kick_off_through_the_queue_to_every_batch() {
    let otlp = OtlpReceiver::start().await;
    // The test's own app only provides the database, broker and bucket (and a relay
    // that exports no spans); the API and the worker under test are processes.
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_BATCH_SIZE_EOB", "10")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 25).await;
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let api = serve(
        "api",
        &app,
        &otlp,
        &[("BCDA_LISTEN", &listen), ("BCDA_WORKERS", "0")],
    );
    let worker = serve("worker", &app, &otlp, &[("BCDA_WORKERS", "1")]);
    let base = format!("http://{listen}");
    wait_healthy(&app, &base).await;

    let kicked_off = app
        .client
        .get(format!("{base}/api/v2/Patient/$export"))
        .bearer_auth(&aco.token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(kicked_off.status(), 202);
    let status_url = kicked_off.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned();
    let job_id = status_url.rsplit('/').next().unwrap().to_owned();
    let finished = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(finished.status(), 200);
    let manifest: serde_json::Value = finished.json().await.unwrap();
    // One file downloaded from a file server process, in full.
    let files_listen = format!("127.0.0.1:{}", free_port());
    let fileserver = serve("fileserver", &app, &otlp, &[("BCDA_LISTEN", &files_listen)]);
    wait_healthy(&app, &format!("http://{files_listen}")).await;
    let url = manifest["output"][0]["url"].as_str().unwrap();
    let path = &url[url.find("/data/").unwrap()..];
    let download = app
        .client
        .get(format!("http://{files_listen}{path}"))
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert!(!download.bytes().await.unwrap().is_empty());
    let keys = app
        .count(&format!(
            "SELECT count(*) FROM job_keys WHERE job_id = {job_id}"
        ))
        .await as usize;
    assert!(keys > 3, "{keys} keys");
    stop(worker).await;
    stop(api).await;
    stop(fileserver).await;

    let spans = otlp.spans();
    let by_id: HashMap<&[u8], &ReceivedSpan> =
        spans.iter().map(|s| (s.span_id.as_slice(), s)).collect();
    let kick_offs: Vec<&ReceivedSpan> = spans
        .iter()
        .filter(|s| s.name == "kick_off" && s.attributes.get("job_id") == Some(&job_id))
        .collect();
    assert_eq!(kick_offs.len(), 1, "{spans:#?}");
    let kick_off = kick_offs[0];
    assert_eq!(kick_off.service, "bcda-api");

    let batches: Vec<&ReceivedSpan> = spans
        .iter()
        .filter(|s| s.name == "export_key" && s.attributes.get("job_id") == Some(&job_id))
        .collect();
    assert_eq!(batches.len(), keys, "one batch span per key");
    for batch in &batches {
        assert_eq!(batch.service, "bcda-worker");
        assert_eq!(
            batch.trace_id, kick_off.trace_id,
            "a batch outside the export's trace"
        );
        // Its parent is the relay's publish span under the kick-off, or the kick-off
        // itself when the test app's relay (which exports no spans) published it.
        let parent = batch.parent_span_id.as_slice();
        let via_publish = by_id
            .get(parent)
            .is_some_and(|p| p.name == "outbox.publish" && p.parent_span_id == kick_off.span_id);
        assert!(
            via_publish || parent == kick_off.span_id.as_slice(),
            "batch {batch:?} does not hang under the kick-off"
        );
    }
    // The download joins the export's trace under its kick-off.
    let download = spans
        .iter()
        .find(|s| s.name == "export.download")
        .unwrap_or_else(|| panic!("no download span in {spans:#?}"));
    assert_eq!(download.service, "bcda-fileserver");
    assert_eq!(download.trace_id, kick_off.trace_id);
    assert_eq!(download.parent_span_id, kick_off.span_id);
    assert_eq!(download.attributes.get("job_id"), Some(&job_id));

    // Inside a batch: database reads, rendering and storage writes, in the same trace.
    for name in [
        "db.rows",
        "render",
        "storage.write",
        "storage.finish",
        "db.commit",
    ] {
        let inner: Vec<&ReceivedSpan> = spans
            .iter()
            .filter(|s| s.name == name && s.trace_id == kick_off.trace_id)
            .collect();
        assert!(!inner.is_empty(), "no {name} span in the export's trace");
        assert!(
            inner
                .iter()
                .all(|s| batches.iter().any(|b| b.span_id == s.parent_span_id)),
            "{name} spans are not children of batch spans"
        );
    }
}
