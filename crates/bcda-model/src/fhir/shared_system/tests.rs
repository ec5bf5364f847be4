use serde_json::{Value, json};
use time::macros::{date, datetime};

use super::{Claim, ClaimResponse};
use crate::claims::Beneficiary;
use crate::shared_system::{LineAdjustment, SharedSystem, SharedSystemClaim, SharedSystemLine};

fn bene() -> Beneficiary {
    Beneficiary {
        id: 1,
        bene_id: -10_000_000_000_001,
        mbi: "1EG4TE5MK73".into(),
        mbi_effective_date: None,
        first_name: "Bartholomew".into(),
        middle_initial: Some('q'),
        last_name: "Montgomery-Smythe".into(),
        sex_cd: '1',
        race_cd: '1',
        birth_date: date!(1950 - 01 - 31),
        death_date: None,
        state_cd: "05".into(),
        county_cd: "200".into(),
        zip_cd: "90012".into(),
        last_updated: datetime!(2026-01-01 00:00 UTC),
    }
}

pub(crate) fn line(
    line_num: i16,
    hcpcs: Option<&str>,
    diagnosis: Option<&str>,
) -> SharedSystemLine {
    SharedSystemLine {
        line_num,
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 02),
        revenue_center_cd: Some("0450".into()),
        hcpcs_cd: hcpcs.map(String::from),
        modifiers: Vec::new(),
        units: 1,
        charge_cents: 10_000,
        diagnosis_cd: diagnosis.map(String::from),
        ndc: None,
        adjustment: None,
    }
}

/// A claim of `system` in status `status_cd`, with one line: the fixture the v3 tests
/// share.
pub(crate) fn claim(system: SharedSystem, status_cd: char) -> SharedSystemClaim {
    SharedSystemClaim {
        claim_key: "123ABC".into(),
        beneficiary_id: 1,
        system,
        control_num: "123".into(),
        status_cd,
        received_date: date!(2026 - 03 - 10),
        status_date: date!(2026 - 03 - 20),
        from_date: date!(2026 - 03 - 02),
        thru_date: date!(2026 - 03 - 02),
        total_charge_cents: 10_000,
        provider_npi: Some("1497758544".into()),
        provider_number: None,
        provider_type_cd: None,
        provider_specialty_cd: None,
        fac_type_cd: None,
        srvc_clsfctn_cd: None,
        freq_cd: None,
        drg_cd: None,
        admission_type_cd: None,
        principal_diagnosis: None,
        admitting_diagnosis: None,
        diagnoses: Vec::new(),
        procedures: Vec::new(),
        payers: Vec::new(),
        mcs_claim_type: Some('3'),
        lines: vec![line(1, Some("99213"), None)],
        final_clm_id: None,
        last_updated: datetime!(2026-03-20 04:00 UTC),
    }
}

fn render_claim(claim: &SharedSystemClaim) -> Value {
    serde_json::to_value(Claim::new(claim, &bene())).unwrap()
}

fn render_response(claim: &SharedSystemClaim) -> Value {
    serde_json::to_value(ClaimResponse::new(claim, &bene())).unwrap()
}

#[test]
fn a_voided_mcs_claim_is_cancelled_and_complete() {
    let voided = claim(SharedSystem::Mcs, 'Z');
    assert_eq!(render_claim(&voided)["status"], "cancelled");
    let response = render_response(&voided);
    assert_eq!(response["status"], "cancelled");
    assert_eq!(response["outcome"], "complete");
    assert_eq!(response["request"]["reference"], "Claim/m-123ABC");
    let queued = render_response(&claim(SharedSystem::Fiss, 'A'));
    assert_eq!(
        (queued["status"].as_str(), queued["outcome"].as_str()),
        (Some("active"), Some("queued"))
    );
    assert_eq!(queued["id"], "f-123ABC");
}

#[test]
fn fiss_lists_each_diagnosis_once_typed_and_with_its_admission_indicator_in_lower_case() {
    let mut stay = claim(SharedSystem::Fiss, 'P');
    stay.principal_diagnosis = Some("I5023".into());
    stay.admitting_diagnosis = Some("R0602".into());
    stay.diagnoses = vec![("I5023".into(), Some('Y')), ("N179".into(), Some('N'))];
    let diagnosis = render_claim(&stay)["diagnosis"].clone();
    let codes: Vec<&str> = diagnosis
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["diagnosisCodeableConcept"]["coding"][0]["code"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(codes, ["I5023", "N179", "R0602"]);
    assert_eq!(diagnosis[0]["type"][0]["coding"][0]["code"], "principal");
    assert_eq!(diagnosis[0]["onAdmission"]["coding"][0]["code"], "y");
    assert_eq!(diagnosis[1].get("type"), None);
    assert_eq!(diagnosis[2]["type"][0]["coding"][0]["code"], "admitting");
    assert_eq!(diagnosis[2].get("onAdmission"), None);
}

#[test]
fn names_are_shortened_as_each_system_stores_them() {
    let fiss = render_claim(&claim(SharedSystem::Fiss, 'P'));
    assert_eq!(
        fiss["contained"][0]["name"][0],
        json!({
            "text": "BARTHOLOME Q. MONTGOMERY-SMYT ([max 10 chars of first], [middle initial], [max 15 chars of last])",
            "family": "MONTGOMERY-SMYT",
            "given": ["BARTHOLOME", "Q."]
        })
    );
    assert_eq!(fiss["contained"][0]["birthDate"], "1950-01-31");
    let mcs = render_claim(&claim(SharedSystem::Mcs, 'A'));
    assert_eq!(
        mcs["contained"][0]["name"][0]["text"],
        "B. Q. MONTGO ([first initial], [middle initial], [max 6 chars of last])"
    );
    assert_eq!(mcs["contained"][0].get("birthDate"), None);
}

#[test]
fn every_line_names_a_product_or_service_and_mcs_lines_point_at_their_diagnosis() {
    let mut fiss = claim(SharedSystem::Fiss, 'P');
    fiss.lines = vec![line(1, None, None)];
    assert_eq!(
        render_claim(&fiss)["item"][0]["productOrService"]["coding"][0]["code"],
        "not-applicable"
    );
    let mut mcs = claim(SharedSystem::Mcs, 'D');
    mcs.diagnoses = vec![("E119".into(), None)];
    mcs.lines = vec![
        line(1, Some("99213"), Some("I10")),
        line(2, Some("82947"), Some("E119")),
    ];
    let rendered = render_claim(&mcs);
    assert_eq!(
        rendered["diagnosis"][1]["diagnosisCodeableConcept"]["coding"][0]["code"],
        "I10"
    );
    assert_eq!(rendered["item"][0]["diagnosisSequence"], json!([2]));
    assert_eq!(rendered["item"][1]["diagnosisSequence"], json!([1]));
    assert_eq!(rendered["item"][0].get("revenue"), None);
}

#[test]
fn a_fiss_response_gives_the_reasons_of_the_reduced_lines_only() {
    let mut fiss = claim(SharedSystem::Fiss, 'P');
    let mut reduced = line(2, Some("J1940"), None);
    reduced.adjustment = Some(LineAdjustment {
        group_cd: "CO".into(),
        reason_cd: "45".into(),
        remark_cd: None,
    });
    fiss.lines.push(reduced);
    let items = render_response(&fiss)["item"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["itemSequence"], 2);
    let reasons: Vec<&str> = items[0]["adjudication"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["reason"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["45", "CO"]);
    assert_eq!(
        render_response(&claim(SharedSystem::Mcs, 'D')).get("item"),
        None
    );
}

#[test]
fn a_blank_status_or_bill_part_is_left_out_rather_than_given_an_empty_code() {
    let mut unrouted = claim(SharedSystem::Fiss, ' ');
    unrouted.srvc_clsfctn_cd = None;
    let response = render_response(&unrouted);
    assert_eq!(response["outcome"], "queued");
    let urls: Vec<&str> = response["extension"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    assert!(
        urls.iter().all(|url| !url.ends_with("curr-status")),
        "{urls:?}"
    );
    assert_eq!(urls.len(), 2);
    assert_eq!(render_claim(&unrouted).get("extension"), None);
}
