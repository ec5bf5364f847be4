use serde_json::Value;

use super::*;
use crate::claim_source::{ClaimOutcome, FinalAction, SystemType};
use crate::shared_system::{SharedSystem, SharedSystemClaim};

/// A FISS hospital outpatient claim (type of bill 131) with two diagnoses.
fn fiss_claim(status_cd: char) -> SharedSystemClaim {
    let mut claim = crate::fhir::shared_system::tests::claim(SharedSystem::Fiss, status_cd);
    claim.fac_type_cd = Some('1');
    claim.srvc_clsfctn_cd = Some('3');
    claim.freq_cd = Some('1');
    claim.mcs_claim_type = None;
    claim.principal_diagnosis = Some("E119".into());
    claim.diagnoses = vec![("E119".into(), None), ("I10".into(), None)];
    claim
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
