//! Partially adjudicated claims from the shared systems (FISS, MCS) in v3: each claim's
//! record as an ExplanationOfBenefit tagged `SharedSystem`. A claim still in process is
//! in its phase 1 (claim type 1xxx, `NotFinalAction`, outcome `partial`); one the
//! shared system has decided is in phase 2 (2xxx, `FinalAction`, `complete`), as the
//! IDR holds them.

use std::borrow::Cow;

use super::{
    Adjudication, DiagnosisKind, ExplanationOfBenefit, InfoCategory, InfoValue, Item, ItemQuantity,
    ProviderKind, Role, Skeleton,
};
use super::{LINE_SUBMITTED, SUBMITTED, revenue_codings};
use crate::claim_source::{ClaimFacts, FinalAction};
use crate::fhir::datatypes::{CodeableConcept, char_code};
use crate::fhir::v3::bb_cs;
use crate::fhir::v3::codes::EobType;
use crate::shared_system::{SharedSystem, SharedSystemClaim};

/// Whether the shared system has decided the claim: its phase 2.
fn decided(claim: &SharedSystemClaim) -> bool {
    ClaimFacts::of_shared_system(claim).final_action == FinalAction::FinalAction
}

/// The IDR claim type code: the phase (1 or 2) in the thousands; then the type of bill
/// (FISS, e.g. 013 hospital outpatient) or 700 (MCS, Part B professional).
fn type_code(claim: &SharedSystemClaim) -> u16 {
    let phase = if decided(claim) { 2000 } else { 1000 };
    let kind = match claim.system {
        SharedSystem::Mcs => 700,
        SharedSystem::Fiss => {
            let digit = |c: Option<char>| c.and_then(|c| c.to_digit(10)).unwrap_or(0) as u16;
            digit(claim.fac_type_cd) * 10 + digit(claim.srvc_clsfctn_cd)
        }
    };
    phase + kind
}

impl<'a> ExplanationOfBenefit<'a> {
    /// The shared system's record of a claim of the beneficiary with CCW id `bene_id`.
    pub fn shared_system(claim: &'a SharedSystemClaim, bene_id: i64) -> ExplanationOfBenefit<'a> {
        let code = type_code(claim);
        let fiss = claim.system == SharedSystem::Fiss;
        let eob_type = EobType::of_shared_system(code);
        let mut eob = ExplanationOfBenefit::skeleton(Skeleton {
            id: claim.resource_id(),
            source: if fiss { "FISS" } else { "MCS" },
            facts: ClaimFacts::of_shared_system(claim),
            eob_type,
            type_code: code,
            control_num: Cow::Borrowed(&claim.control_num),
            bene_id,
            last_updated: claim.last_updated,
            status: if claim.is_cancelled() {
                "cancelled"
            } else {
                "active"
            },
            part: match eob_type {
                EobType::Outpatient | EobType::Carrier => "Part B",
                _ => "Part A",
            },
        });
        eob.insured_by_cms();
        let provider_kind = if fiss {
            ProviderKind::Organization
        } else {
            ProviderKind::Practitioner
        };
        eob.billed_by(claim.provider_npi.as_deref(), provider_kind);
        if let (false, Some(npi)) = (fiss, claim.provider_npi.as_deref()) {
            eob.care(
                npi,
                ProviderKind::Practitioner,
                Role::Rendering,
                claim.provider_specialty_cd.as_deref(),
            );
        }
        supporting_info(&mut eob, claim);
        let principal = claim
            .principal_diagnosis
            .iter()
            .map(|code| (code.as_str(), None, DiagnosisKind::Principal));
        let admitting = claim
            .admitting_diagnosis
            .iter()
            .map(|code| (code.as_str(), None, DiagnosisKind::Admitting));
        let others = claim
            .diagnoses
            .iter()
            .filter(|(code, _)| claim.principal_diagnosis.as_ref() != Some(code))
            .map(move |(code, poa)| {
                let kind = if fiss {
                    DiagnosisKind::Other
                } else {
                    DiagnosisKind::Secondary
                };
                (code.as_str(), *poa, kind)
            });
        eob.diagnoses(principal.chain(admitting).chain(others));
        eob.procedures(&claim.procedures);
        eob.item = claim
            .lines
            .iter()
            .zip(1..)
            .map(|(line, sequence)| {
                let mut item = Item::service(
                    sequence,
                    line.hcpcs_cd.as_deref(),
                    &line.modifiers,
                    line.from_date,
                    line.thru_date,
                );
                item.revenue = line
                    .revenue_center_cd
                    .as_deref()
                    .map(|revenue| CodeableConcept {
                        coding: revenue_codings(revenue),
                        text: None,
                    });
                item.quantity = Some(ItemQuantity {
                    value: i64::from(line.units),
                });
                item.adjudication = vec![Adjudication::amount(LINE_SUBMITTED, line.charge_cents)];
                item
            })
            .collect();
        eob.adjudication = vec![Adjudication::PaymentStatus];
        // What the shared system will pay is not known until the claim is final: only
        // the billed total is.
        eob.total = vec![Adjudication::amount(SUBMITTED, claim.total_charge_cents)];
        eob
    }
}

fn supporting_info<'a>(eob: &mut ExplanationOfBenefit<'a>, claim: &'a SharedSystemClaim) {
    use InfoCategory::{Carin, Column};
    eob.info(
        Column("CLM_IDR_LD_DT", "Claim IDR Load Date"),
        InfoValue::Date(claim.last_updated.date()),
    );
    if let (Some(facility), Some(class), Some(frequency)) =
        (claim.fac_type_cd, claim.srvc_clsfctn_cd, claim.freq_cd)
    {
        eob.info(
            Carin("typeofbill"),
            InfoValue::TypeOfBill([facility, class, frequency]),
        );
    }
    eob.info(Carin("clmrecvddate"), InfoValue::Date(claim.received_date));
    // Where the claim stands in the shared system's processing (FISS `S` suspended, `P`
    // paid; MCS `A` active, `D` paid, ...): the audit trail's status.
    eob.info(
        Column("CLM_AUDT_TRL_STUS_CD", "Claim Status Code"),
        InfoValue::code(
            bb_cs!("CLM-AUDT-TRL-STUS-CD"),
            char_code(claim.status_cd.to_ascii_uppercase()),
            None,
        ),
    );
    eob.info(
        Column("CLM_CMS_PROC_DT", "FI Claim Process Date"),
        InfoValue::Date(claim.status_date),
    );
    eob.admission_type(claim.admission_type_cd);
    eob.drg(claim.drg_cd.as_deref());
}
