use serde_json::Value;
use time::macros::{date, datetime};

use super::*;
use crate::claim_source::{ClaimOutcome, FinalAction, SystemType};
use crate::shared_system::{SharedSystem, SharedSystemClaim, SharedSystemLine};

fn fiss_claim(status_cd: char) -> SharedSystemClaim {
    SharedSystemClaim {
        claim_key: "123456789-01111".into(),
        beneficiary_id: 1,
        system: SharedSystem::Fiss,
        control_num: "26145600012345ABC".into(),
        status_cd,
        received_date: date!(2026 - 10 - 20),
        status_date: date!(2026 - 10 - 22),
        from_date: date!(2026 - 10 - 10),
        thru_date: date!(2026 - 10 - 12),
        total_charge_cents: 123_456,
        provider_npi: Some("1497758544".into()),
        provider_number: Some("050001".into()),
        provider_type_cd: None,
        provider_specialty_cd: None,
        fac_type_cd: Some('1'),
        srvc_clsfctn_cd: Some('3'),
        freq_cd: Some('1'),
        drg_cd: None,
        admission_type_cd: None,
        principal_diagnosis: Some("E119".into()),
        admitting_diagnosis: None,
        diagnoses: vec![("E119".into(), None), ("I10".into(), None)],
        procedures: Vec::new(),
        payers: Vec::new(),
        mcs_claim_type: None,
        lines: vec![SharedSystemLine {
            line_num: 1,
            from_date: date!(2026 - 10 - 10),
            thru_date: date!(2026 - 10 - 10),
            revenue_center_cd: Some("0450".into()),
            hcpcs_cd: Some("99284".into()),
            modifiers: Vec::new(),
            units: 1,
            charge_cents: 123_456,
            diagnosis_cd: None,
            ndc: None,
            adjustment: None,
        }],
        final_clm_id: None,
        last_updated: datetime!(2026-10-22 06:00 UTC),
    }
}

fn render(claim: &SharedSystemClaim) -> Value {
    serde_json::to_value(ExplanationOfBenefit::shared_system(claim, -7)).unwrap()
}

#[test]
fn a_claim_in_process_is_phase_one_and_not_final() {
    let claim = fiss_claim('S');
    let eob = ExplanationOfBenefit::shared_system(&claim, -7);
    let facts = eob.facts();
    assert_eq!(facts.system_type, SystemType::SharedSystem);
    assert_eq!(facts.final_action, FinalAction::NotFinalAction);
    assert_eq!(facts.outcome, ClaimOutcome::Partial);
    let json = render(&claim);
    assert_eq!(json["meta"]["source"], "FISS");
    assert_eq!(json["meta"]["tag"][0]["code"], "SharedSystem");
    assert_eq!(json["meta"]["tag"][1]["code"], "NotFinalAction");
    assert_eq!(json["type"]["coding"][0]["code"], "1013");
    assert_eq!(
        json["type"]["coding"][0]["display"],
        "013X MEDICARE SS HOSPITAL OUTPATIENT - PHASE 1"
    );
    assert_eq!(json["type"]["coding"][2]["code"], "OUTPATIENT");
    assert_eq!(json["outcome"], "partial");
}

#[test]
fn a_decided_claim_is_phase_two_and_final() {
    let json = render(&fiss_claim('P'));
    assert_eq!(json["meta"]["tag"][1]["code"], "FinalAction");
    assert_eq!(json["type"]["coding"][0]["code"], "2013");
    assert_eq!(json["outcome"], "complete");
}

#[test]
fn diagnoses_are_dotted_as_icd_10_cm_writes_them() {
    let json = render(&fiss_claim('S'));
    let codes: Vec<&str> = json["diagnosis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["diagnosisCodeableConcept"]["coding"][0]["code"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(codes, ["E11.9", "I10"]);
}

#[test]
fn a_claim_without_a_billing_npi_still_has_the_provider_r4_requires() {
    let mut claim = fiss_claim('S');
    claim.provider_npi = None;
    let json = render(&claim);
    assert_eq!(
        json["provider"],
        serde_json::json!({"display": "No billing provider NPI on the claim"})
    );
    assert_eq!(
        json["contained"].as_array().unwrap().len(),
        1,
        "the insurer only"
    );
}

#[test]
fn a_type_of_bill_the_idr_has_no_claim_type_for_gets_no_claim_type_code() {
    let mut claim = fiss_claim('S');
    claim.fac_type_cd = Some('6');
    claim.srvc_clsfctn_cd = Some('1');
    let json = render(&claim);
    let systems: Vec<&str> = json["type"]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["system"].as_str().unwrap())
        .collect();
    assert_eq!(
        systems,
        [
            "http://terminology.hl7.org/CodeSystem/claim-type",
            "https://bluebutton.cms.gov/fhir/CodeSystem/EOB-TYPE"
        ]
    );
}
