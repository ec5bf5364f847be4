//! `/api/v3` end to end: Blue Button's v3 shapes, `_typeFilter` selecting EOBs by
//! source system, outcome and service date, BCDA's default filter and its warning file,
//! and per-ACO access.

use std::collections::BTreeMap;

use bcda_model::claim_source::ClaimFacts;
use bcda_model::export::EobFilter;
use bcda_model::fhir::v3;
use bcda_synth::{Synth, shared_system};
use serde_json::{Value, json};

use crate::support::{lines, small_batches, sorted};

const SYSTEM_TYPE: &str = "https://bluebutton.cms.gov/fhir/CodeSystem/System-Type";

/// What a v3 export of every type holds for `filter` (its ExplanationOfBenefits), as
/// the generator and the v3 renderers give it.
fn expected(synth: &Synth, filter: &EobFilter) -> BTreeMap<String, Vec<String>> {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut push = |kind: &str, write: &dyn Fn(&mut Vec<u8>)| {
        let mut line = Vec::new();
        write(&mut line);
        by_type
            .entry(kind.to_owned())
            .or_default()
            .push(String::from_utf8(line).unwrap().trim_end().to_owned());
    };
    for ordinal in 0..synth.total() {
        let record = synth.beneficiary(ordinal);
        if !synth.is_exported(&record) {
            continue;
        }
        let bene = &record.beneficiary;
        push("Patient", &|out| {
            v3::Patient::new(bene).write_ndjson(out).unwrap()
        });
        for coverage in
            v3::Coverage::all_of(bene, &record.enrollment_years, &record.enrollment_months)
        {
            push("Coverage", &|out| coverage.write_ndjson(out).unwrap());
        }
        for claim in &record.claims {
            if filter.matches(&ClaimFacts::of_claim(claim)) {
                push("ExplanationOfBenefit", &|out| {
                    v3::ExplanationOfBenefit::nch(claim, bene.bene_id)
                        .write_ndjson(out)
                        .unwrap()
                });
            }
        }
        for event in &record.events {
            if filter.matches(&ClaimFacts::of_event(event)) {
                push("ExplanationOfBenefit", &|out| {
                    v3::ExplanationOfBenefit::pde(event, bene.bene_id)
                        .write_ndjson(out)
                        .unwrap()
                });
            }
        }
        for claim in shared_system::records_of(&record, synth.period().as_of) {
            if filter.matches(&ClaimFacts::of_shared_system(&claim)) {
                push("ExplanationOfBenefit", &|out| {
                    v3::ExplanationOfBenefit::shared_system(&claim, bene.bene_id)
                        .write_ndjson(out)
                        .unwrap()
                });
            }
        }
    }
    sorted(by_type)
}

/// `value` percent-encoded for a query string.
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The tag of each EOB line: (System-Type, Final-Action).
fn tags(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .map(|line| {
            let eob: Value = serde_json::from_str(line).unwrap();
            let tag = &eob["meta"]["tag"];
            (
                tag[0]["code"].as_str().unwrap().to_owned(),
                tag[1]["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn v3_exports_final_claims_by_default_and_warns_of_it() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("D9994", 20).await;
    let path = "/api/v3/Patient/$export";
    let manifest = app.export(&aco.token, path).await;
    let job = manifest["JobID"].as_i64().unwrap();
    assert_eq!(manifest["request"], app.url(path));
    // BCDA lists the warnings file first in `error`, and nowhere in `output`.
    assert_eq!(
        manifest["error"],
        json!([{
            "type": "OperationOutcome",
            "url": app.url(&format!("/data/{job}/warnings-and-info.ndjson")),
            "count": 1,
        }])
    );
    let warnings = app
        .download(&aco.token, manifest["error"][0]["url"].as_str().unwrap())
        .await;
    assert_eq!(
        warnings,
        "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"warning\",\"code\":\"processing\",\"details\":{\"text\":\"Default System-Type behavior includes only claims from NCH and DDPS in this export.\"}}]}\n"
    );
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let mut default = EobFilter::default();
    default.with_default_system_type();
    let want = expected(&aco.synth, &default);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        ["Coverage", "ExplanationOfBenefit", "Patient"]
    );
    for (kind, lines) in &want {
        assert_eq!(got[kind].len(), lines.len(), "{kind} count");
        assert!(got[kind] == *lines, "{kind} lines differ");
    }
    // Final claims only: NCH and Part D, no shared-system record.
    let systems: std::collections::BTreeSet<String> = tags(&got["ExplanationOfBenefit"])
        .into_iter()
        .map(|(system, _)| system)
        .collect();
    assert_eq!(
        systems,
        ["DDPS".to_owned(), "NationalClaimsHistory".to_owned()].into()
    );
}

#[tokio::test]
async fn type_filter_selects_shared_system_claims_by_outcome_and_service_date() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("D9994", 20).await;
    // Claims still in process in the shared systems.
    let filter = format!("ExplanationOfBenefit?_tag={SYSTEM_TYPE}|SharedSystem&outcome=partial");
    let path = format!(
        "/api/v3/Patient/$export?_type=ExplanationOfBenefit&_typeFilter={}",
        encoded(&filter)
    );
    let manifest = app.export(&aco.token, &path).await;
    assert_eq!(manifest["error"], json!([]), "no default, no warning");
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = expected(&aco.synth, &EobFilter::parse(&filter).unwrap());
    let in_process = &want["ExplanationOfBenefit"];
    assert!(!in_process.is_empty());
    assert!(
        got["ExplanationOfBenefit"] == *in_process,
        "exactly the claims in process"
    );
    assert!(
        tags(in_process)
            .iter()
            .all(|tag| *tag == ("SharedSystem".to_owned(), "NotFinalAction".to_owned()))
    );

    // Every source, through dates from a day on: the median of the shared systems'.
    let mut dates: Vec<time::Date> = (0..aco.synth.total())
        .flat_map(|n| aco.synth.beneficiary(n).claims)
        .map(|claim| claim.thru_date)
        .collect();
    dates.sort();
    let from = dates[dates.len() / 2];
    let filter = format!(
        "ExplanationOfBenefit?_tag={SYSTEM_TYPE}|SharedSystem,{SYSTEM_TYPE}|NationalClaimsHistory,{SYSTEM_TYPE}|DDPS&service-date=ge{from}"
    );
    let path = format!(
        "/api/v3/Group/all/$export?_type=ExplanationOfBenefit&_typeFilter={}",
        encoded(&filter)
    );
    let manifest = app.export(&aco.token, &path).await;
    let got = sorted(lines(&app, &aco.token, &manifest, "output").await);
    let want = expected(&aco.synth, &EobFilter::parse(&filter).unwrap());
    let all = expected(
        &aco.synth,
        &EobFilter::parse(&format!(
            "ExplanationOfBenefit?_tag={SYSTEM_TYPE}|SharedSystem,{SYSTEM_TYPE}|NationalClaimsHistory,{SYSTEM_TYPE}|DDPS"
        ))
        .unwrap(),
    );
    let (newer, every) = (
        want["ExplanationOfBenefit"].len(),
        all["ExplanationOfBenefit"].len(),
    );
    assert!(newer > 0 && newer < every, "{newer} of {every}");
    assert!(got["ExplanationOfBenefit"] == want["ExplanationOfBenefit"]);
    for line in &got["ExplanationOfBenefit"] {
        let eob: Value = serde_json::from_str(line).unwrap();
        let end = eob["billablePeriod"]["end"].as_str().unwrap();
        assert!(end >= from.to_string().as_str(), "{end}");
    }
}

#[tokio::test]
async fn v3_refuses_acos_without_access_and_bad_filters_in_its_own_outcome_shape() {
    let app = small_batches().spawn().await;
    let aco = app.synthetic_aco("A9994", 5).await;
    let bad = format!(
        "/api/v3/Patient/$export?_typeFilter={}",
        encoded("ExplanationOfBenefit?outcome=queued")
    );
    let response = app.kick_off(&aco.token, &bad).await;
    assert_eq!(response.status(), 400);
    let message =
        "invalid outcome value: queued. Supported outcome values are 'complete' and 'partial'";
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"resourceType": "OperationOutcome", "issue": [{
            "severity": "error", "code": "structure",
            "diagnostics": message, "details": {"text": message},
        }]})
    );
    // v1 and v2 ignore `_typeFilter`, as BCDA does.
    let v2 = bad.replace("/api/v3/", "/api/v2/");
    assert_eq!(app.kick_off(&aco.token, &v2).await.status(), 202);

    let closed = app.create_client("A1239").await;
    app.attribute_nobody("A1239").await;
    app.ctx
        .db
        .get()
        .await
        .unwrap()
        .execute(
            "UPDATE acos SET v3_enabled = false WHERE cms_id = 'A1239'",
            &[],
        )
        .await
        .unwrap();
    let token = app.token(&closed).await;
    let denied = "V3 access not enabled for this ACO";
    for path in ["/api/v3/Patient/$export", "/api/v3/Group/nonsense/$export"] {
        let response = app.kick_off(&token, path).await;
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({"resourceType": "OperationOutcome", "issue": [{
                "severity": "error", "code": "forbidden",
                "diagnostics": denied, "details": {"text": denied},
            }]})
        );
    }
    // v1 and v2 are open to it, and v3's metadata to everyone.
    assert_eq!(
        app.kick_off(&token, "/api/v2/Patient/$export")
            .await
            .status(),
        202
    );
    let metadata = app
        .client
        .get(app.url("/api/v3/metadata"))
        .send()
        .await
        .unwrap();
    assert_eq!(metadata.status(), 200);
    let statement: Value = metadata.json().await.unwrap();
    assert_eq!(statement["fhirVersion"], "4.0.1");
}
