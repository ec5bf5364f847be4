//! The export flow of the guide: every type combination, both versions, `_since`.

use bcda_model::ApiVersion;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::support::{self, lines, small_batches, sorted};

#[tokio::test]
async fn an_export_holds_each_resource_of_the_aco_exactly_once_in_v1_and_v2() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    for version in [ApiVersion::V1, ApiVersion::V2] {
        let path = format!("/api/{}/Patient/$export", version.as_str());
        let manifest = app.export(&aco.token, &path).await;
        assert_eq!(manifest["request"], app.url(&path));
        assert_eq!(manifest["requiresAccessToken"], true);
        assert_eq!(manifest["error"], serde_json::json!([]));
        // Files are listed in BCDA's type order: EOB, Patient, Coverage.
        let order = ["ExplanationOfBenefit", "Patient", "Coverage"];
        let ranks: Vec<usize> = manifest["output"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| order.iter().position(|t| f["type"] == *t).unwrap())
            .collect();
        assert!(ranks.is_sorted(), "{ranks:?}");
        for file in manifest["output"].as_array().unwrap() {
            let url = file["url"].as_str().unwrap();
            let name = url.rsplit('/').next().unwrap();
            assert!(
                url.starts_with(&app.url("/data/")) && name.ends_with(".ndjson"),
                "{url}"
            );
        }
        let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
        let want = support::expected(
            &aco.synth,
            version,
            &["ExplanationOfBenefit", "Patient", "Coverage"],
            None,
        );
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
        for (kind, lines) in &want {
            assert_eq!(got[kind].len(), lines.len(), "{kind} count in {version:?}");
            assert!(got[kind] == *lines, "{kind} lines differ in {version:?}");
        }
    }
    // Each key was exported once: 30 beneficiaries in batches of 7, 10 and 12.
    assert_eq!(
        app.count("SELECT count(*) FROM job_keys WHERE done_at IS NOT NULL")
            .await,
        2 * (5 + 3 + 3)
    );
}

#[tokio::test]
async fn an_aco_reach_entity_gets_its_partially_adjudicated_claims_on_v2_only() {
    let app = small_batches()
        .env("BCDA_BATCH_SIZE_CLAIM", "9")
        .spawn()
        .await;
    let aco = app.synthetic_aco("D9994", 20).await;
    let everything = [
        "ExplanationOfBenefit",
        "Patient",
        "Coverage",
        "Claim",
        "ClaimResponse",
    ];
    // Without `_type`, v2 adds Claim and ClaimResponse for an entitled model, after the
    // adjudicated types; v1 has none.
    let manifest = app.export(&aco.token, "/api/v2/Patient/$export").await;
    let types: Vec<&str> = manifest["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    let ranks: Vec<usize> = types
        .iter()
        .map(|t| everything.iter().position(|e| e == t).unwrap())
        .collect();
    assert!(ranks.is_sorted(), "{types:?}");
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = support::expected(&aco.synth, ApiVersion::V2, &everything, None);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    assert!(want["Claim"].len() > 20, "{}", want["Claim"].len());
    for kind in ["Claim", "ClaimResponse"] {
        assert!(got[kind] == want[kind], "{kind} lines differ");
    }
    // Every response answers a claim of the export, by id.
    let claim_ids: std::collections::BTreeSet<String> = got["Claim"]
        .iter()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    for line in &got["ClaimResponse"] {
        let response: Value = serde_json::from_str(line).unwrap();
        let request = response["request"]["reference"].as_str().unwrap();
        assert!(
            claim_ids.contains(request.trim_start_matches("Claim/")),
            "{request}"
        );
    }
    let v1 = app.export(&aco.token, "/api/v1/Patient/$export").await;
    let v1_types: std::collections::BTreeSet<&str> = v1["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        v1_types,
        ["Coverage", "ExplanationOfBenefit", "Patient"].into()
    );

    // `_since` selects the claims the shared systems updated after it.
    let mut updates: Vec<OffsetDateTime> = (0..aco.synth.total())
        .flat_map(|n| aco.synth.beneficiary(n).claims)
        .filter_map(|c| bcda_synth::shared_system::record_of(&c))
        .map(|c| c.last_updated)
        .collect();
    updates.sort();
    let since = updates[updates.len() / 2];
    let path = format!(
        "/api/v2/Patient/$export?_type=ClaimResponse&_since={}",
        since.format(&Rfc3339).unwrap()
    );
    let manifest = app.export(&aco.token, &path).await;
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = support::expected(&aco.synth, ApiVersion::V2, &["ClaimResponse"], Some(since));
    let all = support::expected(&aco.synth, ApiVersion::V2, &["ClaimResponse"], None);
    let newer = want["ClaimResponse"].len();
    assert!(
        newer > 0 && newer < all["ClaimResponse"].len(),
        "the _since splits them"
    );
    assert!(got == want, "exactly the responses updated after _since");
}

#[tokio::test]
async fn every_type_combination_exports_exactly_its_types() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9990", 12).await;
    let all = ["ExplanationOfBenefit", "Patient", "Coverage"];
    let combinations: Vec<Vec<&str>> = (1u8..8)
        .map(|mask| {
            all.iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, t)| *t)
                .collect()
        })
        .collect();
    let runs = combinations
        .iter()
        .flat_map(|types| [ApiVersion::V1, ApiVersion::V2].map(|version| (types, version)));
    for (types, version) in runs {
        let path = format!(
            "/api/{}/Group/all/$export?_type={}",
            version.as_str(),
            types.join(",")
        );
        let manifest = app.export(&aco.token, &path).await;
        let got = lines(&app, &aco.token, &manifest, "output").await;
        let want = support::expected(&aco.synth, version, types, None);
        let counts = |m: &std::collections::BTreeMap<String, Vec<String>>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(&got), counts(&want), "{path}");
    }
}

#[tokio::test]
async fn since_selects_exactly_the_resources_updated_after_it() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9991", 20).await;
    // The median claim update: about half of the EOBs are newer.
    let mut updates: Vec<OffsetDateTime> = (0..aco.synth.total())
        .flat_map(|n| aco.synth.beneficiary(n).claims)
        .map(|c| c.last_updated)
        .collect();
    updates.sort();
    let since = updates[updates.len() / 2];
    let since_text = since.format(&Rfc3339).unwrap();
    for version in [ApiVersion::V1, ApiVersion::V2] {
        // The `+00:00` offset sent unencoded arrives as a space, and is still read.
        let path = format!(
            "/api/{}/Patient/$export?_since={}",
            version.as_str(),
            since_text.replace('Z', "+00:00")
        );
        let manifest: Value = app.export(&aco.token, &path).await;
        let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
        let want = support::expected(
            &aco.synth,
            version,
            &["ExplanationOfBenefit", "Patient", "Coverage"],
            Some(since),
        );
        let all = support::expected(&aco.synth, version, &["ExplanationOfBenefit"], None);
        let eobs = want["ExplanationOfBenefit"].len();
        assert!(
            eobs > 0 && eobs < all["ExplanationOfBenefit"].len(),
            "the _since splits the claims"
        );
        assert_eq!(
            got.get("ExplanationOfBenefit").map(Vec::len),
            Some(eobs),
            "{version:?}"
        );
        assert!(
            got == want,
            "exactly the resources updated after _since ({version:?})"
        );
    }
}

#[tokio::test]
async fn a_small_export_is_not_starved_by_a_large_one_queued_before_it() {
    // One worker, and one key of each job in flight at a time.
    let app = bcda_testkit::TestAppBuilder::default()
        .env("BCDA_BATCH_SIZE_EOB", "2")
        .env("BCDA_JOB_KEYS_IN_FLIGHT", "1")
        .env("BCDA_WORKERS", "1")
        .spawn()
        .await;
    let large = app.synthetic_aco("A9994", 60).await;
    let small = app.synthetic_aco("A9990", 2).await;
    let large_url = app
        .start_export(&large.token, "/api/v1/Patient/$export")
        .await;
    // The large export's messages have left the outbox before the small one starts.
    while app
        .count("SELECT count(*) FROM job_keys WHERE published_at IS NOT NULL")
        .await
        == 0
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let small_url = app
        .start_export(&small.token, "/api/v1/Patient/$export")
        .await;

    let small_done = app.wait_for_job(&small.token, &small_url).await;
    assert_eq!(small_done.status(), 200);
    let large_now = app
        .client
        .get(&large_url)
        .bearer_auth(&large.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        large_now.status(),
        202,
        "the small export finished while the large one, queued first, was still running"
    );
    let large_done = app.wait_for_job(&large.token, &large_url).await;
    assert_eq!(large_done.status(), 200);
}

/// What an operator reads at `/metrics` after one export: batches and resources by
/// type (the resources matching what the ACO has), bytes, requests by route pattern (ids
/// not in the labels), the jobs gauge and the queue depth.
#[tokio::test]
async fn metrics_report_the_exports_batches_resources_requests_and_backlog() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 20).await;
    app.export(&aco.token, "/api/v2/Patient/$export").await;
    let text = app.get("/metrics").await.text().await.unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("{name} missing from\n{text}"))
    };
    let eobs = support::expected(&aco.synth, ApiVersion::V2, &["ExplanationOfBenefit"], None)
        ["ExplanationOfBenefit"]
        .len();
    assert_eq!(
        value("bcda_resources_rendered_total{resource_type=\"ExplanationOfBenefit\"}"),
        eobs as f64
    );
    let eob_keys = app
        .count("SELECT count(*) FROM job_keys WHERE resource_type = 'ExplanationOfBenefit'")
        .await;
    assert_eq!(
        value(
            "bcda_export_batches_total{resource_type=\"ExplanationOfBenefit\",outcome=\"exported\"}"
        ),
        eob_keys as f64
    );
    assert_eq!(
        value("bcda_export_batch_duration_seconds_count{resource_type=\"Patient\"}"),
        app.count("SELECT count(*) FROM job_keys WHERE resource_type = 'Patient'")
            .await as f64
    );
    assert!(value("bcda_export_bytes_written_total{resource_type=\"Coverage\"}") > 0.0);
    assert!(
        value(
            "bcda_http_requests_total{route=\"/api/v2/jobs/{id}\",method=\"GET\",status=\"200\"}"
        ) >= 1.0
    );
    assert_eq!(value("bcda_jobs{state=\"Completed\"}"), 1.0);
    assert_eq!(value("bcda_jobs{state=\"In Progress\"}"), 0.0);
    assert!(text.contains("bcda_queue_messages{queue="), "{text}");
}
