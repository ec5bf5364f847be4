//! `Patient` in Blue Button's v3 shape: US Core 7 and CARIN 2.2.0, the MBI as the only
//! identifier, and the address as state and ZIP code.

use serde::Serialize;

use super::TypedIdentifier;
use crate::claims::Beneficiary;
use crate::fhir::datatypes::{CodeableConcept, Coding, Extension, FhirDate, Instant, Period};
use crate::fhir::json::{self, JsonError};
use crate::geography::usps_state;

const PROFILES: [&str; 2] = [
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.2.0",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|7.0.0",
];

/// A beneficiary as BFD's v3 renders them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient<'a> {
    resource_type: &'static str,
    id: String,
    meta: PatientMeta,
    extension: Vec<Extension<'static>>,
    identifier: [TypedIdentifier<'a>; 1],
    name: [Name<'a>; 1],
    gender: &'static str,
    birth_date: FhirDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    deceased_date_time: Option<FhirDate>,
    address: [Address<'a>; 1],
    communication: [Communication; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PatientMeta {
    last_updated: Instant,
    profile: [&'static str; 2],
}

#[derive(Debug, Serialize)]
struct Name<'a> {
    family: &'a str,
    given: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Address<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    postal_code: &'a str,
}

/// The beneficiary's language, which Medicare's files do not record: BFD writes
/// `unknown`.
#[derive(Debug, Serialize)]
struct Communication {
    language: CodeableConcept<'static>,
}

impl<'a> Patient<'a> {
    /// The v3 Patient of `bene`.
    pub fn new(bene: &'a Beneficiary) -> Patient<'a> {
        Patient {
            resource_type: "Patient",
            id: bene.bene_id.to_string(),
            meta: PatientMeta {
                last_updated: Instant(bene.last_updated),
                profile: PROFILES,
            },
            extension: vec![
                Extension::Code {
                    url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
                    code: match bene.sex_cd {
                        '1' => "248153007",
                        '2' => "248152002",
                        _ => "184115007",
                    },
                },
                crate::fhir::patient::us_core_race(bene.race_cd),
            ],
            identifier: [TypedIdentifier {
                period: bene.mbi_effective_date.map(|start| Period {
                    start: Some(FhirDate(start)),
                    end: None,
                }),
                ..TypedIdentifier::mbi(&bene.mbi)
            }],
            name: [Name {
                family: &bene.last_name,
                given: std::iter::once(bene.first_name.clone())
                    .chain(bene.middle_initial.map(String::from))
                    .collect(),
            }],
            gender: super::gender(bene.sex_cd),
            birth_date: FhirDate(bene.birth_date),
            deceased_date_time: bene.death_date.map(FhirDate),
            address: [Address {
                state: usps_state(&bene.state_cd),
                postal_code: bene.zip_cd.get(..5).unwrap_or(&bene.zip_cd),
            }],
            communication: [Communication {
                language: CodeableConcept::of(Coding::new("urn:ietf:bcp:47", "unknown", None)),
            }],
        }
    }

    /// Writes the Patient as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }
}
