//! Partially adjudicated claims as BFD renders them on `/v2/fhir` (R4 only): a
//! [`Claim`] says what the provider billed, a [`ClaimResponse`] where the shared system's
//! processing of it stands. Both carry the beneficiary as a contained Patient, as BFD
//! does, since the shared systems know the beneficiary by MBI, not by BFD's bene id.
//!
//! The element order, systems and extension URLs are BFD's
//! (`FissClaimTransformerV2`, `McsClaimTransformerV2` and their `ClaimResponse`
//! counterparts); where BFD's output is not valid R4, we follow R4 and say so.

mod claim;
mod claim_response;

use std::borrow::Cow;

use serde::Serialize;

use super::datatypes::{CodeableConcept, Coding, Extension, FhirDate, Identifier};
use crate::claims::Beneficiary;
use crate::shared_system::{SharedSystem, SharedSystemClaim};

pub use claim::Claim;
pub use claim_response::ClaimResponse;

/// Where BFD names the variables of FISS and MCS.
macro_rules! fiss_var {
    ($name:literal) => {
        concat!(
            "https://bluebutton.cms.gov/resources/variables/fiss/",
            $name
        )
    };
}
macro_rules! mcs_var {
    ($name:literal) => {
        concat!("https://bluebutton.cms.gov/resources/variables/mcs/", $name)
    };
}
pub(crate) use {fiss_var, mcs_var};

const C4BB_IDENTIFIER_TYPE: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const US_MBI: &str = "http://hl7.org/fhir/sid/us-mbi";
const US_NPI: &str = "http://hl7.org/fhir/sid/us-npi";

/// The `Claim.type` and `ClaimResponse.type` of a system's claims.
fn claim_type(system: SharedSystem) -> CodeableConcept<'static> {
    const CLAIM_TYPE: &str = "http://terminology.hl7.org/CodeSystem/claim-type";
    CodeableConcept::of(match system {
        SharedSystem::Fiss => Coding::new(CLAIM_TYPE, "institutional", Some("Institutional")),
        SharedSystem::Mcs => Coding::new(CLAIM_TYPE, "professional", Some("Professional")),
    })
}

/// `Claim.status` and `ClaimResponse.status`: `cancelled` for a claim MCS deleted or
/// voided, else `active` (FISS's claims always are).
fn status(claim: &SharedSystemClaim) -> &'static str {
    if claim.is_cancelled() {
        "cancelled"
    } else {
        "active"
    }
}

/// The claim's identifier: FISS's DCN or MCS's ICN, typed as CARIN's unique claim id.
fn claim_identifier(claim: &SharedSystemClaim) -> Identifier<'_> {
    Identifier {
        kind: Some(CodeableConcept::of(Coding::new(
            C4BB_IDENTIFIER_TYPE,
            "uc",
            Some("Unique Claim ID"),
        ))),
        system: match claim.system {
            SharedSystem::Fiss => fiss_var!("dcn"),
            SharedSystem::Mcs => mcs_var!("icn"),
        },
        value: Cow::Borrowed(&claim.control_num),
    }
}

/// `{reference}` to a contained or another resource.
#[derive(Debug, Serialize)]
struct LocalReference {
    reference: String,
}

impl LocalReference {
    fn to(reference: impl Into<String>) -> LocalReference {
        LocalReference {
            reference: reference.into(),
        }
    }
}

/// The beneficiary as the shared system knows them: MBI, sex, and the name (and, in
/// FISS, birth date) as it was billed, shortened as the system stores it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainedPatient<'a> {
    resource_type: &'static str,
    id: &'static str,
    extension: [Extension<'a>; 1],
    identifier: [Identifier<'a>; 1],
    name: [BilledName; 1],
    gender: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<FhirDate>,
}

#[derive(Debug, Serialize)]
struct BilledName {
    text: String,
    family: String,
    given: Vec<String>,
}

impl<'a> ContainedPatient<'a> {
    fn new(system: SharedSystem, bene: &'a Beneficiary) -> ContainedPatient<'a> {
        ContainedPatient {
            resource_type: "Patient",
            id: "patient",
            extension: [Extension::Code {
                url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
                code: match bene.sex_cd {
                    '1' => "248153007",
                    '2' => "248152002",
                    _ => "184115007",
                },
            }],
            identifier: [Identifier {
                kind: Some(CodeableConcept::of(Coding::new(
                    V2_0203,
                    "MC",
                    Some("Patient's Medicare Number"),
                ))),
                system: US_MBI,
                value: Cow::Borrowed(&bene.mbi),
            }],
            name: [billed_name(system, bene)],
            gender: match bene.sex_cd {
                '1' => "male",
                '2' => "female",
                _ => "unknown",
            },
            birth_date: (system == SharedSystem::Fiss).then_some(FhirDate(bene.birth_date)),
        }
    }
}

/// The name as each system stores it, upper case: FISS the first name (up to 10
/// characters), middle initial and last name (up to 15); MCS the initials and the
/// first six letters of the last name. `text` says so, as BFD's does.
fn billed_name(system: SharedSystem, bene: &Beneficiary) -> BilledName {
    let first: String = bene.first_name.to_uppercase();
    let last: String = bene.last_name.to_uppercase();
    let middle = bene
        .middle_initial
        .map(|initial| format!("{}.", initial.to_ascii_uppercase()));
    let (given, family, format): (Vec<String>, String, &str) = match system {
        SharedSystem::Fiss => (
            std::iter::once(first.chars().take(10).collect())
                .chain(middle)
                .collect(),
            last.chars().take(15).collect(),
            "[max 10 chars of first], [middle initial], [max 15 chars of last]",
        ),
        SharedSystem::Mcs => (
            first
                .chars()
                .next()
                .map(|initial| format!("{initial}."))
                .into_iter()
                .chain(middle)
                .collect(),
            last.chars().take(6).collect(),
            "[first initial], [middle initial], [max 6 chars of last]",
        ),
    };
    BilledName {
        text: format!("{} {family} ({format})", given.join(" ")),
        family,
        given,
    }
}

#[cfg(test)]
pub(crate) mod tests;
