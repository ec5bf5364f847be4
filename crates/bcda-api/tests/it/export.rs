use bcda_model::attribution::AttributionKind;
use bcda_testkit::{TestApp, TestAppBuilder, diagnostics};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

/// Kicks off an accepted export; returns the job id.
async fn start_job(app: &TestApp, token: &str, path: &str) -> i64 {
    let location = app.start_export(token, path).await;
    location.rsplit('/').next().unwrap().parse().unwrap()
}

/// The API with no workers, so jobs stay where these tests put them.
async fn app_with_token() -> (TestApp, String) {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    app.attribute_nobody("A1234").await;
    let token = app.token(&credentials).await;
    (app, token)
}

#[tokio::test]
async fn kick_off_answers_202_with_the_job_url_and_queues_its_keys() {
    let (app, token) = app_with_token().await;
    for version in ["v1", "v2"] {
        let response = app
            .kick_off(&token, &format!("/api/{version}/Patient/$export"))
            .await;
        assert_eq!(response.status(), 202);
        let location = response.headers()["content-location"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            location.starts_with(&app.url(&format!("/api/{version}/jobs/"))),
            "{location}"
        );
        assert!(response.bytes().await.unwrap().is_empty());
    }
    // One key per type (the ACO has no beneficiaries yet), each with its message, still
    // in the outbox or already published by the relay.
    assert_eq!(app.count("SELECT count(*) FROM job_keys").await, 6);
    assert_eq!(
        app.count(
            "SELECT (SELECT count(*) FROM outbox) \
                  + (SELECT count(*) FROM job_keys WHERE published_at IS NOT NULL)"
        )
        .await,
        6
    );
}

#[tokio::test]
async fn partially_adjudicated_claims_are_for_entitled_models_on_v2() {
    let (app, token) = app_with_token().await;
    let unauthorized = app
        .kick_off(&token, "/api/v2/Patient/$export?_type=Patient,Claim")
        .await;
    assert_eq!(unauthorized.status(), 400);
    assert_eq!(
        diagnostics(unauthorized).await,
        "unauthorized resource type Claim"
    );
    let reach = app.create_client("D1234").await;
    app.attribute_nobody("D1234").await;
    let reach = app.token(&reach).await;
    let v1 = app
        .kick_off(&reach, "/api/v1/Patient/$export?_type=ClaimResponse")
        .await;
    assert_eq!(v1.status(), 400);
    assert_eq!(
        diagnostics(v1).await,
        "invalid resource type ClaimResponse. Supported types [ExplanationOfBenefit Patient Coverage]"
    );
    // Without `_type`: the three adjudicated types, and on v2 the two partially
    // adjudicated ones (one key each: the ACO has nobody attributed).
    let v2 = start_job(&app, &reach, "/api/v2/Patient/$export").await;
    let types = |job: i64| {
        format!(
            "SELECT count(*) FROM job_keys WHERE job_id = {job} AND resource_type IN ('Claim', 'ClaimResponse')"
        )
    };
    assert_eq!(app.count(&types(v2)).await, 2);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM job_keys WHERE job_id = {v2}"
        ))
        .await,
        5
    );
    let ssp = start_job(&app, &token, "/api/v2/Patient/$export").await;
    assert_eq!(app.count(&types(ssp)).await, 0);
}

#[tokio::test]
async fn bad_kick_offs_get_bcdas_messages() {
    let (app, token) = app_with_token().await;
    let cases = [
        (
            "/api/v1/Patient/$export?_type=Claim",
            "invalid resource type Claim. Supported types [ExplanationOfBenefit Patient Coverage]",
        ),
        (
            "/api/v1/Patient/$export?_elements=id",
            "Invalid parameter: this server does not support the _elements parameter.",
        ),
        (
            "/api/v1/Patient/$export?_since=2020-02-13",
            "Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.",
        ),
        ("/api/v1/Group/nobody/$export", "Invalid group ID"),
    ];
    for (path, message) in cases {
        let response = app.kick_off(&token, path).await;
        assert_eq!(response.status(), 400, "{path}");
        assert_eq!(diagnostics(response).await, message, "{path}");
    }
    let nested = app
        .kick_off(
            &token,
            "/api/v1/Patient/$export?_type=Patient?_since=2020-02-13T08:00:00.000-05:00",
        )
        .await;
    assert_eq!(nested.status(), 400);
    assert!(diagnostics(nested).await.contains("?_type=Patient&_since="));

    let no_prefer = app
        .client
        .get(app.url("/api/v1/Patient/$export"))
        .bearer_auth(&token)
        .header("Accept", "application/fhir+json")
        .send()
        .await
        .unwrap();
    assert_eq!(no_prefer.status(), 400);
    assert_eq!(diagnostics(no_prefer).await, "Prefer header is required");
    // An HTTP client's default `Accept: */*` (curl's too) is not FHIR JSON.
    let any = app
        .client
        .get(app.url("/api/v1/Patient/$export"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        diagnostics(any).await,
        "application/fhir+json is the only supported response format"
    );
    let empty_accept = app
        .client
        .get(app.url("/api/v1/Patient/$export"))
        .bearer_auth(&token)
        .header("Accept", "")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap();
    assert_eq!(diagnostics(empty_accept).await, "Accept header is required");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs").await,
        0,
        "no job for a refused kick-off"
    );
}

#[tokio::test]
async fn an_overlapping_active_export_gets_429_with_retry_after() {
    let (app, token) = app_with_token().await;
    assert_eq!(
        app.kick_off(&token, "/api/v1/Patient/$export?_type=Patient")
            .await
            .status(),
        202
    );

    let overlapping = app
        .kick_off(&token, "/api/v1/Patient/$export?_type=Patient,Coverage")
        .await;
    assert_eq!(overlapping.status(), 429);
    assert_eq!(overlapping.headers()["retry-after"], "0", "BCDA's value");
    assert_eq!(
        app.kick_off(&token, "/api/v1/Patient/$export")
            .await
            .status(),
        429,
        "no _type overlaps all"
    );

    assert_eq!(
        app.kick_off(&token, "/api/v1/Patient/$export?_type=Coverage")
            .await
            .status(),
        202
    );
    assert_eq!(
        app.kick_off(&token, "/api/v2/Group/all/$export?_type=Patient")
            .await
            .status(),
        202,
        "v2 is separate"
    );
}

#[tokio::test]
async fn job_status_follows_the_jobs_state() {
    let (app, token) = app_with_token().await;
    let id = start_job(&app, &token, "/api/v1/Patient/$export?_type=Patient").await;
    let path = format!("/api/v1/jobs/{id}");

    let pending = app.get_with_token(&path, &token).await;
    assert_eq!(pending.status(), 202);
    assert_eq!(pending.headers()["x-progress"], "Pending");
    assert!(pending.headers().contains_key("retry-after"));

    let client = app.ctx.db.get().await.unwrap();
    client
        .batch_execute(&format!(
            "UPDATE job_keys SET object_key = '{id}/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson', \
             resource_count = 50, done_at = now() WHERE job_id = {id}; \
             UPDATE jobs SET status = 'Completed', completed_at = now(), \
             expires_at = now() + interval '24 hours' WHERE id = {id}"
        ))
        .await
        .unwrap();
    let done = app.get_with_token(&path, &token).await;
    assert_eq!(done.status(), 200);
    assert_eq!(done.headers()["content-type"], "application/json");
    assert!(done.headers().contains_key("expires"));
    let manifest: Value = done.json().await.unwrap();
    assert_eq!(manifest["JobID"], id);
    assert_eq!(manifest["requiresAccessToken"], true);
    assert_eq!(
        manifest["request"],
        app.url("/api/v1/Patient/$export?_type=Patient")
    );
    assert_eq!(manifest["error"], serde_json::json!([]));
    assert_eq!(
        manifest["output"],
        serde_json::json!([{"type": "Patient", "url": app.url(&format!("/data/{id}/f92dcf16-63a2-448e-a12a-3bf677f966ed.ndjson")), "count": 50}])
    );

    for (status, code, message) in [
        (
            "Failed",
            500,
            "Service encountered numerous errors. Job failed to complete.",
        ),
        ("Cancelled", 404, "Job has been cancelled."),
        ("Expired", 410, "The job and its files have expired."),
    ] {
        client
            .execute("UPDATE jobs SET status = $1 WHERE id = $2", &[&status, &id])
            .await
            .unwrap();
        let response = app.get_with_token(&path, &token).await;
        assert_eq!(response.status(), code, "{status}");
        assert_eq!(diagnostics(response).await, message);
    }
}

#[tokio::test]
async fn the_jobs_list_takes_bcdas_headers_and_answers_404_when_no_job_matches() {
    let (app, token) = app_with_token().await;
    // reqwest's default `Accept: */*`, as a generic client sends it.
    let bare = app.get_with_token("/api/v1/jobs", &token).await;
    assert_eq!(bare.status(), 400);
    assert_eq!(
        diagnostics(bare).await,
        "application/fhir+json is the only supported response format"
    );

    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, "A1234")
        .await
        .unwrap();
    let none = app.list_jobs("/api/v1/jobs", &token).await;
    assert_eq!(none.status(), 404);
    assert_eq!(
        diagnostics(none).await,
        format!(
            "no Jobs found for acoID {aco_id} with job statuses \
             [Pending In Progress Completed Archived Expired Failed Cancelled FailedExpired \
             CancelledExpired]"
        )
    );

    let id = start_job(&app, &token, "/api/v2/Patient/$export").await;
    let listed = app.list_jobs("/api/v2/jobs", &token).await;
    assert_eq!(listed.status(), 200);
    let bundle: Value = listed.json().await.unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "searchset");
    assert_eq!(bundle["entry"].as_array().unwrap().len(), 1);
    let task = &bundle["entry"][0]["resource"];
    assert_eq!(task["resourceType"], "Task");
    assert_eq!(task["status"], "accepted");
    assert_eq!(task["identifier"][0]["value"], id.to_string());

    // Jobs are listed per version, and by the states asked for.
    assert_eq!(app.list_jobs("/api/v1/jobs", &token).await.status(), 404);
    let completed = app
        .list_jobs("/api/v2/jobs?_status=Completed", &token)
        .await;
    assert_eq!(completed.status(), 404);
    assert!(
        diagnostics(completed)
            .await
            .ends_with("with job statuses [Completed]")
    );
    assert_eq!(
        app.list_jobs("/api/v2/jobs?_status=Pending,Completed", &token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn another_acos_job_is_not_found_and_ids_must_be_numeric() {
    let (app, token) = app_with_token().await;
    let id = start_job(&app, &token, "/api/v1/Patient/$export").await;
    let path = format!("/api/v1/jobs/{id}");
    let other = app.create_client("A5678").await;
    let other_token = app.token(&other).await;
    assert_eq!(app.get_with_token(&path, &other_token).await.status(), 404);
    assert_eq!(
        app.get_with_token("/api/v1/jobs/abc", &token)
            .await
            .status(),
        400
    );
    assert_eq!(
        app.get_with_token(&path.replace("/v1/", "/v2/"), &token)
            .await
            .status(),
        404,
        "v2 has its own jobs"
    );
}

#[tokio::test]
async fn the_relay_publishes_each_job_key_to_its_work_queue_and_empties_the_outbox() {
    let (app, token) = app_with_token().await;
    let job_id = start_job(&app, &token, "/api/v1/Patient/$export").await;

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.count("SELECT count(*) FROM outbox").await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox was not relayed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let channel = app.ctx.broker.channel().await.unwrap();
    for resource_type in bcda_model::ResourceType::ADJUDICATED {
        let queue = app.ctx.broker.topology().work_queue(resource_type);
        let message = channel
            .basic_get(
                queue.as_str().into(),
                lapin::options::BasicGetOptions::default(),
            )
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no message in {queue}"));
        let work: bcda_model::export::ExportWork =
            serde_json::from_slice(&message.delivery.data).unwrap();
        let bcda_model::export::ExportWork::V1 { job_id: got, .. } = work;
        assert_eq!(got, job_id, "{queue}");
    }
}

#[tokio::test]
async fn an_active_job_can_be_cancelled_once() {
    let (app, token) = app_with_token().await;
    let id = start_job(&app, &token, "/api/v2/Patient/$export").await;
    let path = format!("/api/v2/jobs/{id}");
    let delete = || app.client.delete(app.url(&path)).bearer_auth(&token).send();

    assert_eq!(delete().await.unwrap().status(), 202);
    let status = app.get_with_token(&path, &token).await;
    assert_eq!(status.status(), 404);
    assert_eq!(diagnostics(status).await, "Job has been cancelled.");

    let again = delete().await.unwrap();
    assert_eq!(again.status(), 410);
    assert_eq!(
        diagnostics(again).await,
        "job was not cancelled because it is not Pending or In Progress"
    );
    // A cancelled job no longer blocks a new export.
    start_job(&app, &token, "/api/v2/Patient/$export").await;

    let other = app.create_client("A5678").await;
    let other_token = app.token(&other).await;
    let foreign = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&other_token)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
}

#[tokio::test]
async fn attribution_files_decide_whether_an_export_may_start_with_bcdas_404s() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .spawn()
        .await;
    // A test ACO: exempt from the one-export-at-a-time rule, so kick-offs can repeat.
    let token = app.token(&app.create_client("A9995").await).await;
    let now = OffsetDateTime::now_utc();
    let year = now.year();
    let not_found = "failed to start job; attribution file not found";
    let runout_expired =
        "runout data is no longer available. Runout data expires 180 days after ingestion";
    let stale = "unable to perform export operations for this Group. No up-to-date attribution \
                 information is available for ACOID 'A9995'. Usually this is due to awaiting new \
                 attribution information at the beginning of a Performance Year";
    let expect = |path: &'static str, status: u16, message: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let response = app.kick_off(token, path).await;
            assert_eq!(response.status(), status, "{path}");
            if status == 404 {
                let body: Value = response.json().await.unwrap();
                assert_eq!(body["issue"][0]["code"], "not-found", "{path}");
                assert_eq!(body["issue"][0]["diagnostics"], message, "{path}");
            }
        }
    };

    // No file at all.
    for version in ["v1", "v2"] {
        let status = app
            .get_with_token(&format!("/api/{version}/attribution_status"), &token)
            .await;
        assert_eq!(status.status(), 404);
    }
    expect("/api/v1/Patient/$export", 404, not_found).await;
    expect("/api/v2/Group/all/$export", 404, not_found).await;
    expect("/api/v1/Group/runout/$export", 404, runout_expired).await;

    // Only last year's files: stale, and a runout past its 180 days.
    let last_year_file = app
        .record_attribution_file(
            "A9995",
            AttributionKind::Default,
            year - 1,
            now - Duration::days(400),
            &[],
        )
        .await;
    app.record_attribution_file(
        "A9995",
        AttributionKind::Runout,
        year - 1,
        now - Duration::days(200),
        &[],
    )
    .await;
    expect("/api/v2/Patient/$export", 404, stale).await;
    expect("/api/v1/Group/all/$export", 404, stale).await;
    expect("/api/v2/Group/runout/$export", 404, runout_expired).await;

    // This year's file, and a recent runout file: both groups start.
    let current_date = now - Duration::days(1);
    let current = app
        .record_attribution_file("A9995", AttributionKind::Default, year, current_date, &[])
        .await;
    let runout_date = now - Duration::days(10);
    let runout = app
        .record_attribution_file("A9995", AttributionKind::Runout, year - 1, runout_date, &[])
        .await;
    for path in [
        "/api/v1/Patient/$export",
        "/api/v2/Group/all/$export",
        "/api/v1/Group/runout/$export",
        "/api/v2/Group/runout/$export",
    ] {
        expect(path, 202, "").await;
    }
    let files: Vec<(i64, Option<i64>)> = app
        .ctx
        .db
        .get()
        .await
        .unwrap()
        .query(
            "SELECT attribution_file_id, since_baseline_file_id FROM jobs ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(
        files,
        [
            (current, None),
            (current, None),
            (runout, None),
            (runout, None)
        ]
    );

    // `Group/all?_since` reads a baseline file: the newest dated at `_since` or before;
    // none that old is BCDA's `_since` 404. `Patient/$export` needs none.
    let since = |at: OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
            .replace('Z', "%2B00:00")
    };
    let month_ago = since(now - Duration::days(30));
    let response = app
        .kick_off(
            &token,
            &format!("/api/v2/Group/all/$export?_since={month_ago}"),
        )
        .await;
    assert_eq!(response.status(), 202);
    let baseline: Option<i64> = app
        .ctx
        .db
        .get()
        .await
        .unwrap()
        .query_one(
            "SELECT since_baseline_file_id FROM jobs ORDER BY id DESC LIMIT 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(baseline, Some(last_year_file));
    let long_ago = since(now - Duration::days(800));
    let too_early = app
        .kick_off(
            &token,
            &format!("/api/v1/Group/all/$export?_since={long_ago}"),
        )
        .await;
    assert_eq!(too_early.status(), 404);
    assert_eq!(
        diagnostics(too_early).await,
        "failed to start job; attribution file not found for given _since parameter."
    );
    let patients = app
        .kick_off(
            &token,
            &format!("/api/v1/Patient/$export?_since={long_ago}"),
        )
        .await;
    assert_eq!(patients.status(), 202);

    // The status names the newest file of each kind, in BCDA's words and field order.
    let status = app
        .get_with_token("/api/v1/attribution_status", &token)
        .await;
    assert_eq!(status.status(), 200);
    assert_eq!(status.headers()["content-type"], "application/json");
    let rfc3339 = |at: OffsetDateTime| {
        at.replace_nanosecond(0)
            .unwrap()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let body = status.text().await.unwrap();
    let parsed: Value = serde_json::from_str(&body).unwrap();
    let stamps: Vec<OffsetDateTime> = parsed["ingestion_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            OffsetDateTime::parse(
                entry["timestamp"].as_str().unwrap(),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
        })
        .collect();
    assert_eq!(
        body,
        format!(
            "{{\"ingestion_dates\":[{{\"timestamp\":\"{}\",\"type\":\"last_attribution_update\"}},\
             {{\"timestamp\":\"{}\",\"type\":\"last_runout_update\"}}]}}",
            parsed["ingestion_dates"][0]["timestamp"].as_str().unwrap(),
            parsed["ingestion_dates"][1]["timestamp"].as_str().unwrap(),
        )
    );
    // Postgres keeps microseconds.
    assert_eq!(rfc3339(stamps[0]), rfc3339(current_date));
    assert_eq!(rfc3339(stamps[1]), rfc3339(runout_date));
}

#[tokio::test]
async fn test_acos_run_overlapping_exports_unless_an_operator_limits_them() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_EXPORT_BUSY_RETRY_AFTER_SECS", "7")
        .spawn()
        .await;
    let token = app.token(&app.create_client("A9994").await).await;
    app.attribute_nobody("A9994").await;
    for _ in 0..3 {
        let response = app.kick_off(&token, "/api/v1/Patient/$export").await;
        assert_eq!(response.status(), 202, "a test ACO is never told to wait");
    }

    // What `bcda aco limit-exports A9994 on` sets.
    let set_limit = |limit: Option<bool>| {
        let db = app.ctx.db.clone();
        async move {
            db.get()
                .await
                .unwrap()
                .execute(
                    "UPDATE acos SET limit_concurrent_exports = $1 WHERE cms_id = 'A9994'",
                    &[&limit],
                )
                .await
                .unwrap();
        }
    };
    set_limit(Some(true)).await;
    let refused = app.kick_off(&token, "/api/v1/Patient/$export").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "7");

    set_limit(None).await;
    assert_eq!(
        app.kick_off(&token, "/api/v1/Patient/$export")
            .await
            .status(),
        202
    );
}

#[tokio::test]
async fn a_poll_before_its_retry_after_gets_429_except_for_sandbox_acos() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_POLL_PACING", "true")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    app.attribute_nobody("A1234").await;
    let token = app.token(&credentials).await;
    let status_url = app.start_export(&token, "/api/v1/Patient/$export").await;
    let poll = || async {
        app.client
            .get(&status_url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
    };
    let first = poll().await;
    assert_eq!(first.status(), 202);
    assert_eq!(first.headers()["retry-after"], "1");
    let early = poll().await;
    assert_eq!(early.status(), 429);
    assert_eq!(early.headers()["retry-after"], "1");
    let outcome: Value = early.json().await.unwrap();
    assert_eq!(outcome["issue"][0]["code"], "throttled");
    // Waiting as told is enough.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(poll().await.status(), 202);

    // The sandbox ACOs' clients poll as BCDA lets them.
    let sandbox = app.create_client("A9994").await;
    app.attribute_nobody("A9994").await;
    let sandbox = app.token(&sandbox).await;
    let sandbox_job = app.start_export(&sandbox, "/api/v1/Patient/$export").await;
    for _ in 0..3 {
        let response = app
            .client
            .get(&sandbox_job)
            .bearer_auth(&sandbox)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
}

#[tokio::test]
async fn a_partial_manifests_next_page_is_not_paced_but_a_second_poll_is() {
    let app = TestAppBuilder::default()
        .env("BCDA_WORKERS", "0")
        .env("BCDA_POLL_PACING", "true")
        .env("BCDA_MANIFEST_PAGE_SIZE", "1")
        .spawn()
        .await;
    let credentials = app.create_client("A1234").await;
    app.attribute_nobody("A1234").await;
    let token = app.token(&credentials).await;
    let id = start_job(
        &app,
        &token,
        "/api/v2/Patient/$export?_type=Patient,Coverage&allowPartialManifests=true",
    )
    .await;
    let status_url = app.url(&format!("/api/v2/jobs/{id}"));
    let poll = |url: String| {
        let (app, token) = (&app, &token);
        async move { app.client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    // Nothing done yet: no manifest.
    let first = poll(status_url.clone()).await;
    assert_eq!(first.status(), 202);
    assert!(first.bytes().await.unwrap().is_empty());
    // Both keys done (as a worker commits them); the job still runs.
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .batch_execute(&format!(
            "UPDATE job_keys SET object_key = '{id}/' || resource_type || '.ndjson', \
             resource_count = 3, done_at = now() WHERE job_id = {id}"
        ))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let page_one = poll(status_url.clone()).await;
    assert_eq!(page_one.status(), 202);
    let page_one: Value = page_one.json().await.unwrap();
    assert_eq!(page_one["output"].as_array().unwrap().len(), 1);
    let next = page_one["link"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(next, format!("{status_url}?page=2"));
    let page_two = poll(next).await;
    assert_eq!(
        page_two.status(),
        202,
        "following a link is not polling too soon"
    );
    let page_two: Value = page_two.json().await.unwrap();
    assert_eq!(page_two["output"].as_array().unwrap().len(), 1);
    assert_ne!(page_two["output"][0]["url"], page_one["output"][0]["url"]);
    assert_eq!(poll(status_url).await.status(), 429);
}
