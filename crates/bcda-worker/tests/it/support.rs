//! An app with a synthetic ACO, and a client that runs the guide's export flow.

use std::collections::BTreeMap;
use std::time::Duration;

use bcda_model::ApiVersion;
use bcda_model::fhir::{Coverage, CoveragePart, ExplanationOfBenefit, Patient};
use bcda_synth::{Synth, SynthSpec};
use bcda_testkit::{TestApp, TestAppBuilder};
use serde_json::Value;
use time::OffsetDateTime;
use time::macros::date;

/// The synthetic data set of ACO `cms_id`.
pub fn synth(cms_id: &str, beneficiaries: u64) -> Synth {
    Synth::new(SynthSpec {
        cms_id: cms_id.into(),
        beneficiaries,
        seed: 7,
        years: 1,
        as_of: date!(2026 - 10 - 01),
    })
    .unwrap()
}

/// An ACO with data and a token of one of its clients.
pub struct Aco {
    pub token: String,
    pub synth: Synth,
}

/// Creates ACO `cms_id` with `beneficiaries` synthetic beneficiaries in `app`.
pub async fn aco(app: &TestApp, cms_id: &str, beneficiaries: u64) -> Aco {
    let credentials = app.create_client(cms_id).await;
    let synth = synth(cms_id, beneficiaries);
    let aco_id = bcda_synth::sandbox::aco_id(&app.ctx.db, cms_id)
        .await
        .unwrap();
    bcda_synth::load::load(&app.ctx.db, aco_id, &synth)
        .await
        .unwrap();
    Aco {
        token: app.token(&credentials).await,
        synth,
    }
}

/// An app whose small batches give every type several keys.
pub fn small_batches() -> TestAppBuilder {
    TestAppBuilder::default()
        .env("BCDA_BATCH_SIZE_EOB", "7")
        .env("BCDA_BATCH_SIZE_PATIENT", "10")
        .env("BCDA_BATCH_SIZE_COVERAGE", "12")
        .env("BCDA_RETRY_DELAY_MS", "200")
}

/// `GET path` with the kick-off headers.
pub async fn kick_off(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .send()
        .await
        .unwrap()
}

/// Kicks off `path`; returns the job's status URL.
pub async fn start(app: &TestApp, token: &str, path: &str) -> String {
    let response = kick_off(app, token, path).await;
    assert_eq!(response.status(), 202, "{path}");
    response.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned()
}

/// Polls `status_url` until the job is no longer running; returns the final response.
pub async fn wait(app: &TestApp, token: &str, status_url: &str) -> reqwest::Response {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let response = app
            .client
            .get(status_url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if response.status() != 202 {
            return response;
        }
        let progress = response.headers()["x-progress"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            progress == "Pending" || progress.starts_with("In Progress ("),
            "{progress}"
        );
        assert!(
            tokio::time::Instant::now() < deadline,
            "job still {progress} at the deadline"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs an export to completion; returns its manifest.
pub async fn export(app: &TestApp, token: &str, path: &str) -> Value {
    let status_url = start(app, token, path).await;
    let response = wait(app, token, &status_url).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Downloads `url` with the token.
pub async fn download(app: &TestApp, token: &str, url: &str) -> String {
    let response = app.client.get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.unwrap()
}

/// Every line of every file the manifest lists under `key` ("output" or "error"), by
/// type.
pub async fn lines(
    app: &TestApp,
    token: &str,
    manifest: &Value,
    key: &str,
) -> BTreeMap<String, Vec<String>> {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in manifest[key].as_array().unwrap() {
        let body = download(app, token, file["url"].as_str().unwrap()).await;
        assert!(!body.is_empty(), "listed files are never empty");
        let kind = file["type"].as_str().unwrap().to_owned();
        by_type
            .entry(kind)
            .or_default()
            .extend(body.lines().map(str::to_owned));
    }
    by_type
}

/// What an export of `types` in `version` must hold, rendered straight from the
/// generator: each attributed beneficiary's resources updated after `since`.
pub fn expected(
    synth: &Synth,
    version: ApiVersion,
    types: &[&str],
    since: Option<OffsetDateTime>,
) -> BTreeMap<String, Vec<String>> {
    let after = |at: OffsetDateTime| since.is_none_or(|since| at > since);
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut push = |kind: &str, line: Vec<u8>| {
        by_type
            .entry(kind.to_owned())
            .or_default()
            .push(String::from_utf8(line).unwrap().trim_end().to_owned());
    };
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        if record.attribution.ended_on.is_some() {
            continue;
        }
        let bene = &record.beneficiary;
        if types.contains(&"Patient") && after(bene.last_updated) {
            let mut line = Vec::new();
            Patient::new(version, bene, &record.enrollment_months)
                .write_ndjson(&mut line)
                .unwrap();
            push("Patient", line);
        }
        if types.contains(&"Coverage") {
            for part in CoveragePart::ALL {
                let coverage = Coverage::new(
                    version,
                    part,
                    bene,
                    &record.enrollment_years,
                    &record.enrollment_months,
                );
                if after(coverage.last_updated()) {
                    let mut line = Vec::new();
                    coverage.write_ndjson(&mut line).unwrap();
                    push("Coverage", line);
                }
            }
        }
        if types.contains(&"ExplanationOfBenefit") {
            for claim in record.claims.iter().filter(|c| after(c.last_updated)) {
                let mut line = Vec::new();
                ExplanationOfBenefit::new(version, claim, bene.bene_id)
                    .unwrap()
                    .write_ndjson(&mut line)
                    .unwrap();
                push("ExplanationOfBenefit", line);
            }
            for event in record.events.iter().filter(|e| after(e.last_updated)) {
                let mut line = Vec::new();
                ExplanationOfBenefit::pde(version, event, bene.bene_id)
                    .write_ndjson(&mut line)
                    .unwrap();
                push("ExplanationOfBenefit", line);
            }
        }
    }
    sorted(by_type)
}

/// Each type's lines in a stable order, for comparing exports regardless of file order.
pub fn sorted(mut by_type: BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    for lines in by_type.values_mut() {
        lines.sort();
    }
    by_type
}

/// A count query against the app's database.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .query_one(sql, &[])
        .await
        .unwrap()
        .get(0)
}
