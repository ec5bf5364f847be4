//! The Bulk Data IG beyond BCDA, end to end: `POST` kick-offs with `patient` and
//! `_until`, lenient handling, output organized by patient, and partial manifests that
//! list files while the job runs.

use std::collections::BTreeMap;
use std::time::Duration;

use bcda_model::ApiVersion;
use bcda_testkit::{TestApp, diagnostics};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::support::{self, Rows, lines, small_batches, sorted};

const ADJUDICATED: [&str; 3] = ["ExplanationOfBenefit", "Patient", "Coverage"];

/// `POST path` with the kick-off headers and a `Parameters` body of `parameters`.
async fn post(app: &TestApp, token: &str, path: &str, parameters: Value) -> reqwest::Response {
    let body = json!({"resourceType": "Parameters", "parameter": parameters});
    app.post_kick_off(token, path, &body.to_string()).await
}

#[tokio::test]
async fn a_posted_kick_off_exports_the_named_patients_updated_until_a_time() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let synth = &aco.synth;
    let chosen: Vec<_> = (0..synth.total())
        .map(|n| synth.beneficiary(n))
        .filter(|record| synth.is_exported(record))
        .step_by(4)
        .take(3)
        .collect();
    let ids: Vec<i64> = chosen.iter().map(|r| r.beneficiary.bene_id).collect();
    // An `_until` that cuts each of their histories: the median update of their claims.
    let mut updates: Vec<OffsetDateTime> = chosen
        .iter()
        .flat_map(|r| r.claims.iter().map(|c| c.last_updated))
        .collect();
    updates.sort();
    let until = updates[updates.len() / 2];

    let mut parameters: Vec<Value> = ids
        .iter()
        .map(|id| json!({"name": "patient", "valueReference": {"reference": format!("Patient/{id}")}}))
        .collect();
    parameters.push(json!({"name": "_until", "valueInstant": until.format(&Rfc3339).unwrap()}));
    let response = post(
        &app,
        &aco.token,
        "/api/v2/Group/all/$export",
        Value::Array(parameters),
    )
    .await;
    assert_eq!(response.status(), 202);
    let status_url = response.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned();
    let done = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(done.status(), 200);
    let manifest: Value = done.json().await.unwrap();
    assert_eq!(manifest["request"], app.url("/api/v2/Group/all/$export"));

    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = support::expected_of(synth, ApiVersion::V2, &ADJUDICATED, |record| {
        // What changed before `_until`: the median claim itself is left out.
        let before = until - time::Duration::microseconds(1);
        ids.contains(&record.beneficiary.bene_id).then_some(Rows {
            until: Some(before),
            claims_until: Some(before),
            ..Rows::default()
        })
    });
    assert_eq!(got, want);
    let claims_of_chosen = chosen.iter().map(|r| r.claims.len()).sum::<usize>();
    assert!(
        want["ExplanationOfBenefit"].len() < claims_of_chosen,
        "_until left some claims out"
    );
    // Each file's count is its lines.
    for file in manifest["output"].as_array().unwrap() {
        let body = app
            .download(&aco.token, file["url"].as_str().unwrap())
            .await;
        assert_eq!(file["count"], body.lines().count());
    }
}

#[tokio::test]
async fn posted_kick_offs_refuse_strangers_queries_and_bad_bodies_and_other_methods_get_405() {
    let app = small_batches().env("BCDA_WORKERS", "0").spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let stranger = json!([{"name": "patient", "valueReference": {"reference": "Patient/-1"}}]);
    let refused = post(&app, &aco.token, "/api/v1/Patient/$export", stranger).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(
        diagnostics(refused).await,
        "Invalid patient parameter: not a beneficiary attributed to this ACO: Patient/-1"
    );
    let not_parameters = app
        .post_kick_off(
            &aco.token,
            "/api/v1/Patient/$export",
            r#"{"resourceType": "Patient"}"#,
        )
        .await;
    assert_eq!(not_parameters.status(), 400);
    assert_eq!(
        diagnostics(not_parameters).await,
        "Invalid request body: resourceType must be Parameters, not Patient"
    );
    let with_query = post(
        &app,
        &aco.token,
        "/api/v1/Patient/$export?_type=Patient",
        json!([]),
    )
    .await;
    assert_eq!(with_query.status(), 400);
    // `patient` is for the POST form.
    let in_query = app
        .kick_off(&aco.token, "/api/v1/Patient/$export?patient=Patient/-1")
        .await;
    assert_eq!(in_query.status(), 400);
    assert_eq!(
        diagnostics(in_query).await,
        "Invalid parameter: this server does not support the patient parameter."
    );
    for path in ["/api/v2/Patient/$export", "/api/v2/Group/all/$export"] {
        let put = app
            .client
            .put(app.url(path))
            .bearer_auth(&aco.token)
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 405, "{path}");
        assert_eq!(put.headers()["allow"], "GET, POST", "{path}");
        let outcome: Value = put.json().await.unwrap();
        assert_eq!(outcome["resourceType"], "OperationOutcome");
    }
}

#[tokio::test]
async fn lenient_handling_ignores_unsupported_parameters_and_warns_in_the_manifest() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let path = "/api/v1/Patient/$export?_type=Patient&_elements=id&includeAssociatedData=LatestProvenanceResources";
    let strict = app.kick_off(&aco.token, path).await;
    assert_eq!(strict.status(), 400);
    let lenient = app
        .client
        .get(app.url(path))
        .bearer_auth(&aco.token)
        .header("Accept", "application/fhir+json")
        .header("Prefer", "respond-async")
        .header("Prefer", "handling=lenient")
        .send()
        .await
        .unwrap();
    assert_eq!(lenient.status(), 202);
    let status_url = lenient.headers()["content-location"]
        .to_str()
        .unwrap()
        .to_owned();
    let manifest: Value = app
        .wait_for_job(&aco.token, &status_url)
        .await
        .json()
        .await
        .unwrap();
    let errors = manifest["error"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["count"], 2);
    let warnings = app
        .download(&aco.token, errors[0]["url"].as_str().unwrap())
        .await;
    let outcomes: Vec<Value> = warnings
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let texts: Vec<&str> = outcomes
        .iter()
        .map(|o| {
            assert_eq!(o["issue"][0]["severity"], "warning");
            o["issue"][0]["details"]["text"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "The _elements parameter is not supported by this server and was ignored.",
            "The includeAssociatedData parameter is not supported by this server and was ignored."
        ]
    );
    assert_eq!(manifest["output"][0]["type"], "Patient");
}

/// A file organized by patient as its blocks: each block's header reference
/// (`Patient/{id}`) and the resources after the header.
fn blocks(body: &str) -> Vec<(String, Vec<Value>)> {
    let mut blocks: Vec<(String, Vec<Value>)> = Vec::new();
    for line in body.lines() {
        let resource: Value = serde_json::from_str(line).unwrap();
        if resource["resourceType"] == "Parameters" {
            assert_eq!(resource["parameter"][0]["name"], "header");
            let reference = resource["parameter"][0]["valueReference"]["reference"]
                .as_str()
                .unwrap();
            blocks.push((reference.to_owned(), Vec::new()));
        } else {
            blocks
                .last_mut()
                .expect("a file organized by patient starts with a header")
                .1
                .push(resource);
        }
    }
    blocks
}

/// The Patient a resource is about.
fn subject(resource: &Value) -> String {
    if resource["resourceType"] == "Patient" {
        return format!("Patient/{}", resource["id"].as_str().unwrap());
    }
    resource["patient"]["reference"]
        .as_str()
        .or(resource["beneficiary"]["reference"].as_str())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn output_organized_by_patient_groups_each_beneficiarys_resources_behind_their_patient() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 20).await;
    let manifest = app
        .export(
            &aco.token,
            "/api/v1/Patient/$export?organizeOutputBy=Patient",
        )
        .await;
    assert_eq!(manifest["outputOrganizedBy"], "Patient");
    let mut got: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut patients = 0;
    for file in manifest["output"].as_array().unwrap() {
        assert_eq!(file.get("type"), None, "{file}");
        let body = app
            .download(&aco.token, file["url"].as_str().unwrap())
            .await;
        assert_eq!(file["count"], body.lines().count());
        for (reference, resources) in blocks(&body) {
            patients += 1;
            // The Patient first, then everything else about them.
            assert_eq!(resources[0]["resourceType"], "Patient", "{reference}");
            for resource in &resources {
                assert_eq!(subject(resource), reference);
            }
        }
        for line in body.lines() {
            let kind: Value = serde_json::from_str(line).unwrap();
            if kind["resourceType"] != "Parameters" {
                got.entry(kind["resourceType"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(line.to_owned());
            }
        }
    }
    let want = support::expected(&aco.synth, ApiVersion::V1, &ADJUDICATED, None);
    assert_eq!(sorted(got), want);
    assert_eq!(patients, want["Patient"].len(), "one block per beneficiary");

    // Without Patient among the types, each block is its header and the EOBs.
    let eobs = app
        .export(
            &aco.token,
            "/api/v2/Patient/$export?_type=ExplanationOfBenefit&organizeOutputBy=Patient",
        )
        .await;
    let body = app
        .download(&aco.token, eobs["output"][0]["url"].as_str().unwrap())
        .await;
    for (reference, resources) in blocks(&body) {
        assert!(!resources.is_empty(), "{reference}: a block has resources");
        for resource in &resources {
            assert_eq!(resource["resourceType"], "ExplanationOfBenefit");
            assert_eq!(subject(resource), reference);
        }
    }
}

#[tokio::test]
async fn partial_manifests_list_done_files_while_the_job_runs_and_page_them() {
    // One key at a time, in batches of 3: many files, done one after another.
    let app = small_batches()
        .env("BCDA_BATCH_SIZE_EOB", "3")
        .env("BCDA_JOB_KEYS_IN_FLIGHT", "1")
        .env("BCDA_WORKERS", "1")
        .env("BCDA_MANIFEST_PAGE_SIZE", "2")
        .spawn()
        .await;
    let aco = app.synthetic_aco("A9994", 30).await;
    let status_url = app
        .start_export(
            &aco.token,
            "/api/v2/Patient/$export?allowPartialManifests=true",
        )
        .await;
    // Poll until a partial manifest lists a file; download it while the job runs.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let first_page = loop {
        let response = app
            .client
            .get(&status_url)
            .bearer_auth(&aco.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            202,
            "the job finished before a partial manifest was seen"
        );
        assert!(response.headers().contains_key("x-progress"));
        // Until a file is done there is no manifest yet.
        let body = response.bytes().await.unwrap();
        if !body.is_empty() {
            let page: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(page["requiresAccessToken"], true);
            assert!(!page["output"].as_array().unwrap().is_empty());
            break page;
        }
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let listed_early = first_page["output"][0].clone();
    let early = app
        .download(&aco.token, listed_early["url"].as_str().unwrap())
        .await;
    assert_eq!(listed_early["count"], early.lines().count());

    let done = app.wait_for_job(&aco.token, &status_url).await;
    assert_eq!(done.status(), 200);
    // The complete manifest in pages of two files, each linking to the next.
    let mut page: Value = done.json().await.unwrap();
    // A returned page never changes but for the link to the next.
    assert_eq!(page["output"], first_page["output"]);
    let mut urls = Vec::new();
    let mut pages = 1;
    loop {
        let output = page["output"].as_array().unwrap();
        assert!(output.len() <= 2);
        urls.extend(output.iter().map(|f| f["url"].as_str().unwrap().to_owned()));
        let Some(next) = page["link"][0]["url"].as_str() else {
            break;
        };
        assert_eq!(page["link"][0]["relation"], "next");
        assert_eq!(next, format!("{status_url}?page={}", pages + 1));
        page = app
            .client
            .get(next)
            .bearer_auth(&aco.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
    }
    let job: i64 = status_url.rsplit('/').next().unwrap().parse().unwrap();
    let written: Vec<String> = app
        .ctx
        .db
        .get()
        .await
        .unwrap()
        .query(
            "SELECT object_key FROM job_keys WHERE job_id = $1 \
             AND object_key IS NOT NULL AND resource_count > 0",
            &[&job],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| app.url(&format!("/data/{}", row.get::<_, &str>(0))))
        .collect();
    let listed: std::collections::BTreeSet<&String> = urls.iter().collect();
    assert_eq!(listed.len(), urls.len(), "no file is listed twice");
    assert_eq!(listed, written.iter().collect(), "every file is listed");
    assert!(pages > 3, "{pages} pages");
    assert!(urls.contains(&listed_early["url"].as_str().unwrap().to_owned()));
    let bad_page = app
        .client
        .get(format!("{status_url}?page=0"))
        .bearer_auth(&aco.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_page.status(), 400);
}
