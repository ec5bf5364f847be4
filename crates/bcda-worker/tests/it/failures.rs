//! Failures during exports: poison work, the failure threshold, redeliveries and stale
//! workers, a lost broker connection, a storage outage, cancellation and expiry.

use std::time::Duration;

use bcda_model::ApiVersion;
use bcda_model::export::ExportWork;
use bcda_worker::keys_repo::CompletionPolicy;
use bcda_worker::{Exported, Exporter};
use lapin::options::{BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::{self, lines, small_batches, sorted};

const ALL: [&str; 3] = ["ExplanationOfBenefit", "Patient", "Coverage"];

/// Asserts the manifest's files hold exactly the ACO's resources, each once.
async fn assert_exactly_once(
    app: &bcda_testkit::TestApp,
    aco: &bcda_testkit::SyntheticAco,
    manifest: &Value,
) {
    let got = sorted(lines(app, &aco.token, manifest, "output").await);
    let want = support::expected(&aco.synth, ApiVersion::V1, &ALL, None);
    for (kind, lines) in &want {
        assert_eq!(got[kind].len(), lines.len(), "{kind} count");
        assert!(got[kind] == *lines, "{kind} lines differ");
    }
}

/// An exporter of the app's jobs, as a worker has one.
fn exporter(app: &bcda_testkit::TestApp) -> Exporter {
    Exporter::new(
        app.ctx.db.clone(),
        app.ctx.storage.clone(),
        CompletionPolicy {
            ttl: Duration::from_secs(3600),
            failure_threshold_pct: 60,
        },
        app.ctx.metrics.clone(),
    )
}

/// `queue` as the broker declares it (passively: nothing is created); `None` while the
/// broker does not answer.
async fn declared(app: &bcda_testkit::TestApp, queue: &str) -> Option<lapin::Queue> {
    let channel = app.ctx.broker.channel().await.ok()?;
    let declared = channel
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .ok()?;
    bcda_infra::queue::close_channel(&channel, "declared").await;
    Some(declared)
}

/// Messages waiting in `queue`.
async fn queue_depth(app: &bcda_testkit::TestApp, queue: &str) -> u32 {
    declared(app, queue)
        .await
        .expect("the queue exists")
        .message_count()
}

/// Waits until `sql` counts `want`.
async fn eventually(app: &bcda_testkit::TestApp, sql: &str, want: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while app.count(sql).await != want {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never {want}: {sql}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_poison_key_is_dead_lettered_and_reported_in_an_error_file() {
    let app = small_batches().env("BCDA_MAX_ATTEMPTS", "2").spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    // A stored claim this build cannot read poisons its EOB batch, on every attempt.
    let poisoned: i64 = app.count("SELECT min(clm_id) FROM claims").await;
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE claims SET nch_clm_type_cd = '99' WHERE clm_id = $1",
            &[&poisoned],
        )
        .await
        .unwrap();

    // v2: error lines keep BCDA's STU3 shape in every version.
    let manifest = app.export(&aco.token, "/api/v2/Patient/$export").await;
    let errors = manifest["error"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{manifest}");
    assert_eq!(errors[0]["type"], "OperationOutcome");
    let url = errors[0]["url"].as_str().unwrap();
    assert!(url.ends_with("-error.ndjson"), "{url}");
    let body = app.download(&aco.token, url).await;
    let outcomes: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        (1..=7).contains(&outcomes.len()),
        "one line per beneficiary of the batch"
    );
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, "A9994")
        .await
        .unwrap();
    for (line, outcome) in body.lines().zip(&outcomes) {
        let mbi = outcome["issue"][0]["diagnostics"]
            .as_str()
            .unwrap()
            .split(' ')
            .nth(6)
            .unwrap();
        assert_eq!(
            line,
            format!(
                "{{\"resourceType\":\"OperationOutcome\",\"issue\":[{{\"severity\":\"error\",\
                 \"code\":\"not-found\",\"diagnostics\":\"Error retrieving ExplanationOfBenefit \
                 for beneficiary MBI {mbi} in ACO {aco_id}\"}}]}}"
            )
        );
        assert_eq!(
            app.count(&format!(
                "SELECT count(*) FROM beneficiaries WHERE mbi = '{mbi}'"
            ))
            .await,
            1,
            "{mbi} is a beneficiary's MBI"
        );
    }

    // The other batches and types are complete; the failed batch's EOBs are absent.
    let got = lines(&app, &aco.token, &manifest, "output").await;
    let want = support::expected(&aco.synth, ApiVersion::V2, &ALL, None);
    assert_eq!(got["Patient"].len(), want["Patient"].len());
    assert_eq!(got["Coverage"].len(), want["Coverage"].len());
    let missing = want["ExplanationOfBenefit"].len() - got["ExplanationOfBenefit"].len();
    assert!(missing > 0);
    assert!(
        !got["ExplanationOfBenefit"]
            .iter()
            .any(|line| line.contains(&format!("carrier-{poisoned}\"")))
    );

    // The message itself waits in the dead-letter queue for an operator.
    let dead = app.ctx.broker.topology().dead_letter_exchange();
    assert_eq!(queue_depth(&app, &dead).await, 1);
}

#[tokio::test]
async fn a_job_whose_failures_pass_the_threshold_fails() {
    let app = small_batches()
        .env("BCDA_MAX_ATTEMPTS", "1")
        .env("BCDA_JOB_FAILURE_PCT", "0")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 10).await;
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute("UPDATE claims SET nch_clm_type_cd = '99'", &[])
        .await
        .unwrap();
    let status_url = app
        .start_export(&aco.token, "/api/v2/Patient/$export")
        .await;
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["issue"][0]["diagnostics"],
        "Service encountered numerous errors. Job failed to complete."
    );
}

#[tokio::test]
async fn redelivered_and_stale_work_never_duplicates_or_loses_a_line() {
    // No in-process workers: this test plays two workers racing for every key.
    let app = small_batches().env("BCDA_WORKERS", "0").spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export")
        .await;
    let job_id: i64 = status_url.rsplit('/').next().unwrap().parse().unwrap();
    let keys: Vec<i64> = app
        .ctx
        .db
        .get()
        .await
        .unwrap()
        .query("SELECT id FROM job_keys WHERE job_id = $1", &[&job_id])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let exporter = exporter(&app);
    for key in keys {
        // Two deliveries of one key at once: one commits, the other discards its file.
        let (a, b) = tokio::join!(exporter.export(job_id, key), exporter.export(job_id, key));
        let done = [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|e| matches!(e, Exported::Done { .. }))
            .count();
        assert_eq!(done, 1, "key {key} committed exactly once");
        // A late redelivery finds the key done.
        assert_eq!(
            exporter.export(job_id, key).await.unwrap(),
            Exported::Skipped
        );
    }
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    assert_exactly_once(&app, &aco, &manifest).await;
    // The losers' files are gone: the bucket holds exactly the listed files.
    let listed = manifest["output"].as_array().unwrap().len();
    assert_eq!(app.s3.objects().len(), listed);
}

#[tokio::test]
async fn a_worker_that_dies_mid_batch_has_its_message_redelivered() {
    let app = small_batches().env("BCDA_WORKERS", "0").spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(
            &aco.token,
            "/api/v1/Patient/$export?_type=ExplanationOfBenefit",
        )
        .await;
    let queue = app
        .ctx
        .broker
        .topology()
        .work_queue(bcda_model::ResourceType::ExplanationOfBenefit);
    // A doomed worker takes a message and dies part way through the batch, unacked.
    let channel = app.ctx.broker.channel().await.unwrap();
    let message = loop {
        if let Some(message) = channel
            .basic_get(queue.as_str().into(), BasicGetOptions::default())
            .await
            .unwrap()
        {
            break message;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let ExportWork::V1 { job_id, job_key_id } =
        serde_json::from_slice(&message.delivery.data).unwrap();
    let exporter = exporter(&app);
    let doomed = tokio::spawn(async move { exporter.export(job_id, job_key_id).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    doomed.abort();
    channel.close(320, "worker died".into()).await.unwrap();

    // Healthy workers pick up everything, including the redelivered message.
    let stop = CancellationToken::new();
    let mut workers = bcda_worker::spawn_workers(&app.ctx, 2, &stop);
    let response = app.wait_for_job(&aco.token, &status_url).await;
    stop.cancel();
    while workers.join_next().await.is_some() {}
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = support::expected(&aco.synth, ApiVersion::V1, &["ExplanationOfBenefit"], None);
    assert!(got == want, "each EOB exactly once");
}

#[tokio::test]
async fn a_lost_broker_connection_and_a_storage_outage_only_delay_the_export() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    app.s3.fail();
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    if let Some(connection) = app.ctx.broker.current_connection().await {
        let _ = connection.close(320, "broker restart".into()).await;
    }
    app.s3.recover();
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    assert_exactly_once(&app, &aco, &manifest).await;
}

#[tokio::test]
async fn a_storage_outage_longer_than_every_attempt_uses_none_of_them() {
    let app = small_batches().env("BCDA_MAX_ATTEMPTS", "2").spawn().await;
    let aco = app.synthetic_aco("A9994", 10).await;
    app.s3.fail();
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export?_type=Patient")
        .await;
    // Long enough for several attempts (each about 1.5 s of the store's own retries,
    // then the 200 ms retry delay), more than the two allowed.
    tokio::time::sleep(Duration::from_secs(6)).await;
    app.s3.recover();
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    assert_eq!(manifest["error"], serde_json::json!([]), "{manifest}");
    let got = lines(&app, &aco.token, &manifest, "output").await;
    assert_eq!(got["Patient"].len(), 10);
}

#[tokio::test]
async fn a_job_whose_attribution_was_reloaded_fails_rather_than_completing_empty() {
    let app = small_batches()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_MAX_ATTEMPTS", "1")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(&aco.token, "/api/v2/Patient/$export")
        .await;
    // `bcda synth` (or the monthly `bcda seed`) replaces the data, and with it the
    // attribution file the job reads.
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, "A9994")
        .await
        .unwrap();
    bcda_synth::load::load(&app.ctx.db, aco_id, &aco.synth)
        .await
        .unwrap();
    let stop = CancellationToken::new();
    let mut workers = bcda_worker::spawn_workers(&app.ctx, 1, &stop);
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 500);
    let outcome: Value = response.json().await.unwrap();
    assert_eq!(
        outcome["issue"][0]["diagnostics"],
        "Service encountered numerous errors. Job failed to complete."
    );
    stop.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test]
async fn keys_of_a_cancelled_job_are_skipped() {
    let app = small_batches().env("BCDA_WORKERS", "0").spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export")
        .await;
    let deleted = app
        .client
        .delete(&status_url)
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 202);
    let stop = CancellationToken::new();
    let mut workers = bcda_worker::spawn_workers(&app.ctx, 1, &stop);
    // Every key is published and consumed, yet none is exported.
    eventually(&app, "SELECT count(*) FROM outbox", 0).await;
    for resource_type in bcda_model::ResourceType::ALL {
        let queue = app.ctx.broker.topology().work_queue(resource_type);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while queue_depth(&app, &queue).await > 0 {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{queue} not drained"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    stop.cancel();
    while workers.join_next().await.is_some() {}
    assert_eq!(
        app.count("SELECT count(*) FROM job_keys WHERE done_at IS NOT NULL")
            .await,
        0
    );
    assert!(app.s3.objects().is_empty());
    let response = app
        .client
        .get(&status_url)
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn expired_jobs_answer_410_and_their_files_are_deleted() {
    let app = small_batches().env("BCDA_JOB_TTL_SECS", "1").spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export")
        .await;
    let done = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(done.status(), 200);
    assert!(!app.s3.objects().is_empty());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = app
        .client
        .get(&status_url)
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 410);

    let swept = bcda_worker::sweeper::sweep_once(&app.ctx.db, &app.ctx.storage)
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert!(app.s3.objects().is_empty(), "{:?}", app.s3.objects());
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status = 'Expired'")
            .await,
        1
    );
}

/// Stops and starts the local RabbitMQ node's application, as a broker restart does.
/// Runs alone (see `.config/nextest.toml`): every test shares this broker.
#[tokio::test]
async fn broker_restart_during_a_job_only_delays_it() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export")
        .await;
    // Restart while the job's messages are queued or in flight.
    eventually(
        &app,
        "SELECT count(*) FROM jobs WHERE status IN ('Pending', 'In Progress')",
        1,
    )
    .await;
    let outage = bcda_testkit::services::stop_broker();
    tokio::time::sleep(Duration::from_secs(1)).await;
    outage.restart();
    let response = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    assert_exactly_once(&app, &aco, &manifest).await;
}

/// Waits until every work queue has `want` consumers.
async fn until_consumers(app: &bcda_testkit::TestApp, want: u32, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let mut counts = Vec::new();
        for resource_type in bcda_model::ResourceType::ALL {
            let queue = app.ctx.broker.topology().work_queue(resource_type);
            counts.push(declared(app, &queue).await.map(|q| q.consumer_count()));
        }
        if counts.iter().all(|count| *count == Some(want)) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "work queues never had {want} consumers each: {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn broker_restart_while_workers_are_idle_leaves_them_consuming() {
    let app = small_batches().env("BCDA_WORKERS", "2").spawn().await;
    let aco = app.synthetic_aco("A9994", 12).await;
    until_consumers(&app, 2, Duration::from_secs(30)).await;

    // A restart longer than a few reconnect attempts, with nothing in flight.
    let outage = bcda_testkit::services::stop_broker();
    let stopped = tokio::time::Instant::now();
    // The process sees that its workers lost their consumers and says so (one health
    // check may itself wait up to 5 s for the absent broker).
    loop {
        let health: Value = app.get("/_health").await.json().await.unwrap();
        if health["consumers"] == "down" {
            break;
        }
        assert!(stopped.elapsed() < Duration::from_secs(15), "{health}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(5).saturating_sub(stopped.elapsed())).await;
    outage.restart();

    until_consumers(&app, 2, Duration::from_secs(30)).await;
    let health = app.get("/_health").await;
    assert_eq!(health.status(), 200, "{:?}", health.text().await);
    let manifest = app
        .export(&aco.token, "/api/v1/Patient/$export?_type=Patient")
        .await;
    let got = lines(&app, &aco.token, &manifest, "output").await;
    assert_eq!(got["Patient"].len(), 12);
}

#[tokio::test]
async fn a_key_whose_message_went_missing_is_re_driven() {
    let app = small_batches().env("BCDA_WORKERS", "0").spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let status_url = app
        .start_export(&aco.token, "/api/v1/Patient/$export?_type=Patient")
        .await;
    // The relay publishes the key's message; then the message is lost.
    eventually(
        &app,
        "SELECT count(*) FROM job_keys WHERE published_at IS NOT NULL",
        1,
    )
    .await;
    let queue = app
        .ctx
        .broker
        .topology()
        .work_queue(bcda_model::ResourceType::Patient);
    let channel = app.ctx.broker.channel().await.unwrap();
    channel
        .queue_purge(
            queue.as_str().into(),
            lapin::options::QueuePurgeOptions::default(),
        )
        .await
        .unwrap();

    // Not yet stale: nothing happens.
    let redrive = || bcda_worker::redrive::redrive_once(&app.ctx.db, Duration::from_secs(3600));
    assert_eq!(redrive().await.unwrap(), 0);
    // Long after: the key goes back through the outbox, and a worker finishes the job.
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE job_keys SET published_at = now() - interval '2 hours'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(redrive().await.unwrap(), 1);
    let stop = CancellationToken::new();
    let mut workers = bcda_worker::spawn_workers(&app.ctx, 1, &stop);
    let response = app.wait_for_job(&aco.token, &status_url).await;
    stop.cancel();
    while workers.join_next().await.is_some() {}
    assert_eq!(response.status(), 200);
    let manifest: Value = response.json().await.unwrap();
    let got = lines(&app, &aco.token, &manifest, "output").await;
    assert_eq!(got["Patient"].len(), 5);
}
