//! `ClaimResponse`: where the shared system's processing of a claim stands.

use serde::Serialize;

use super::{ContainedPatient, LocalReference, claim_identifier, fiss_var, mcs_var};
use crate::claims::Beneficiary;
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Instant, Meta,
};
use crate::fhir::json::{self, JsonError};
use crate::shared_system::{SharedSystem, SharedSystemClaim};

/// A partially adjudicated claim's `ClaimResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimResponse<'a> {
    resource_type: &'static str,
    id: String,
    meta: Meta,
    contained: [ContainedPatient<'a>; 1],
    extension: Vec<Extension<'a>>,
    identifier: [Identifier<'a>; 1],
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    #[serde(rename = "use")]
    use_: &'static str,
    patient: LocalReference,
    created: Instant,
    insurer: Insurer,
    request: LocalReference,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    item: Vec<Item<'a>>,
}

impl<'a> ClaimResponse<'a> {
    /// The `ClaimResponse` of `claim`, a claim of `bene`.
    pub fn new(claim: &'a SharedSystemClaim, bene: &'a Beneficiary) -> ClaimResponse<'a> {
        let id = claim.resource_id();
        ClaimResponse {
            resource_type: "ClaimResponse",
            request: LocalReference::to(format!("Claim/{id}")),
            id,
            meta: Meta {
                last_updated: Instant(claim.last_updated),
                profile: None,
            },
            contained: [ContainedPatient::new(claim.system, bene)],
            extension: status_extensions(claim),
            identifier: [claim_identifier(claim)],
            status: super::status(claim),
            kind: super::claim_type(claim.system),
            use_: "claim",
            patient: LocalReference::to("#patient"),
            // As on the Claim: the time of the data, not of the response.
            created: Instant(claim.last_updated),
            insurer: Insurer {
                identifier: InsurerName { value: "CMS" },
            },
            outcome: claim.outcome().as_str(),
            item: line_reasons(claim),
        }
    }

    /// Writes the ClaimResponse as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }
}

#[derive(Debug, Serialize)]
struct Insurer {
    identifier: InsurerName,
}

#[derive(Debug, Serialize)]
struct InsurerName {
    value: &'static str,
}

/// The status code, when the claim was received and when its status last changed.
fn status_extensions(claim: &SharedSystemClaim) -> Vec<Extension<'_>> {
    let (status, received, changed) = match claim.system {
        SharedSystem::Fiss => (
            fiss_var!("curr-status"),
            fiss_var!("recd-dt-cymd"),
            fiss_var!("curr-tran-dt-cymd"),
        ),
        SharedSystem::Mcs => (
            mcs_var!("status-code"),
            mcs_var!("claim-receipt-date"),
            mcs_var!("status-date"),
        ),
    };
    // A blank status (FISS's, before the claim is routed) has no code to give.
    let code = crate::fhir::datatypes::char_code(claim.status_cd.to_ascii_uppercase());
    let status = (!code.is_empty()).then(|| Extension::Coding {
        url: status,
        coding: Coding::new(status, code, None),
    });
    status
        .into_iter()
        .chain([
            Extension::Date {
                url: received,
                date: FhirDate(claim.received_date),
            },
            Extension::Date {
                url: changed,
                date: FhirDate(claim.status_date),
            },
        ])
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    item_sequence: i16,
    adjudication: Vec<Adjudication<'a>>,
}

#[derive(Debug, Serialize)]
struct Adjudication<'a> {
    category: CodeableConcept<'static>,
    reason: CodeableConcept<'a>,
}

/// For each FISS line the shared system reduced, why: its remark, reason and group
/// codes, in BFD's order. BFD lists every line and leaves out `itemSequence`, which R4
/// requires; ours are the lines with a reason, each naming its line.
fn line_reasons(claim: &SharedSystemClaim) -> Vec<Item<'_>> {
    let denial_reason = || {
        CodeableConcept::of(Coding::new(
            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator",
            "denialreason",
            Some("Denial Reason"),
        ))
    };
    if claim.system != SharedSystem::Fiss {
        return Vec::new();
    }
    claim
        .lines
        .iter()
        .filter_map(|line| {
            let adjustment = line.adjustment.as_ref()?;
            let codes = [
                (fiss_var!("aco-red-rarc"), adjustment.remark_cd.as_deref()),
                (
                    fiss_var!("aco-red-carc"),
                    Some(adjustment.reason_cd.as_str()),
                ),
                (
                    fiss_var!("aco-red-cagc"),
                    Some(adjustment.group_cd.as_str()),
                ),
            ];
            Some(Item {
                item_sequence: line.line_num,
                adjudication: codes
                    .into_iter()
                    .filter_map(|(system, code)| {
                        Some(Adjudication {
                            category: denial_reason(),
                            reason: CodeableConcept::of(Coding::new(system, code?, None)),
                        })
                    })
                    .collect(),
            })
        })
        .collect()
}
