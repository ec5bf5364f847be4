//! Patient (CCLF 8/9): the beneficiary, as Blue Button renders it in STU3 and R4.

use std::borrow::Cow;

use serde::Serialize;

use super::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Instant, Meta, Period,
};
use super::displays;
use super::enrollment::ReferenceYear;
use super::json::{self, JsonError};
use crate::ApiVersion;
use crate::claims::{Beneficiary, EnrollmentMonth};
use crate::geography::usps_state;

const US_MBI: &str = "http://hl7.org/fhir/sid/us-mbi";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
const IDENTIFIER_CURRENCY: &str =
    "https://bluebutton.cms.gov/resources/codesystem/identifier-currency";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient<'a> {
    resource_type: &'static str,
    id: String,
    meta: Meta,
    extension: Vec<Extension<'a>>,
    identifier: Vec<PatientIdentifier<'a>>,
    name: [HumanName<'a>; 1],
    gender: &'static str,
    birth_date: FhirDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    deceased_date_time: Option<FhirDate>,
    address: [Address<'a>; 1],
}

#[derive(Debug, Serialize)]
struct HumanName<'a> {
    #[serde(rename = "use")]
    use_: &'static str,
    family: &'a str,
    given: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Address<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    district: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    postal_code: &'a str,
}

impl<'a> Patient<'a> {
    /// The Patient of `bene` for `version`, with monthly dual status from `months`.
    pub fn new(
        version: ApiVersion,
        bene: &'a Beneficiary,
        months: &'a [EnrollmentMonth],
    ) -> Patient<'a> {
        let mut extension = vec![
            Extension::Code {
                url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex",
                code: match bene.sex_cd {
                    '1' => "248153007",
                    '2' => "248152002",
                    _ => "184115007",
                },
            },
            Extension::Coding {
                url: RACE_URL,
                coding: Coding::new(
                    RACE_URL,
                    race_code(bene.race_cd),
                    displays::race(bene.race_cd),
                ),
            },
        ];
        if version.is_r4() {
            extension.push(us_core_race(bene.race_cd));
        }
        if let Some(reference) = ReferenceYear::latest(months) {
            extension.extend(reference.year_and_dual_status());
        }
        Patient {
            resource_type: "Patient",
            id: bene.bene_id.to_string(),
            meta: Meta {
                last_updated: Instant(bene.last_updated),
                profile: version.is_r4().then_some([
                    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient",
                ]),
            },
            extension,
            identifier: identifiers(version, bene),
            name: [HumanName {
                use_: "usual",
                family: &bene.last_name,
                given: std::iter::once(bene.first_name.clone())
                    .chain(bene.middle_initial.map(String::from))
                    .collect(),
            }],
            gender: match bene.sex_cd {
                '1' => "male",
                '2' => "female",
                _ => "unknown",
            },
            birth_date: FhirDate(bene.birth_date),
            deceased_date_time: bene.death_date.map(FhirDate),
            address: [Address {
                district: Some(&bene.county_cd),
                state: usps_state(&bene.state_cd),
                postal_code: &bene.zip_cd,
            }],
        }
    }

    /// Writes the Patient as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }
}

const RACE_URL: &str = "https://bluebutton.cms.gov/resources/variables/race";

fn race_code(race: char) -> &'static str {
    match race {
        '1' => "1",
        '2' => "2",
        '3' => "3",
        '4' => "4",
        '5' => "5",
        '6' => "6",
        _ => "0",
    }
}

/// US Core race (R4): OMB categories where the CCW code maps to one, else unknown.
pub(crate) fn us_core_race(race: char) -> Extension<'static> {
    const OMB: &str = "urn:oid:2.16.840.1.113883.6.238";
    let category = match race {
        '1' => Coding::new(OMB, "2106-3", Some("White")),
        '2' => Coding::new(OMB, "2054-5", Some("Black or African American")),
        '4' => Coding::new(OMB, "2028-9", Some("Asian")),
        '6' => Coding::new(OMB, "1002-5", Some("American Indian or Alaska Native")),
        _ => Coding::new(
            "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
            "UNK",
            Some("Unknown"),
        ),
    };
    let text = category.display.unwrap_or("Unknown");
    Extension::Nested {
        url: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
        extension: vec![
            Extension::Coding {
                url: "ombCategory",
                coding: category,
            },
            Extension::String {
                url: "text",
                value: text,
            },
        ],
    }
}

/// An identifier with the period it has been in use, as BFD gives the MBI.
#[derive(Debug, Serialize)]
struct PatientIdentifier<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<CodeableConcept<'a>>,
    system: &'a str,
    value: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
}

impl<'a> PatientIdentifier<'a> {
    fn new(identifier: Identifier<'a>, period: Option<Period>) -> PatientIdentifier<'a> {
        PatientIdentifier {
            kind: identifier.kind,
            system: identifier.system,
            value: identifier.value,
            period,
        }
    }
}

fn identifiers(version: ApiVersion, bene: &Beneficiary) -> Vec<PatientIdentifier<'_>> {
    let bene_id_system = "https://bluebutton.cms.gov/resources/variables/bene_id";
    let bene_id = || Cow::Owned(bene.bene_id.to_string());
    let since = bene.mbi_effective_date.map(|date| Period {
        start: Some(FhirDate(date)),
        end: None,
    });
    let plain = |identifier| PatientIdentifier::new(identifier, None);
    match version {
        ApiVersion::V1 => vec![
            plain(Identifier {
                kind: None,
                system: bene_id_system,
                value: bene_id(),
            }),
            PatientIdentifier::new(
                Identifier {
                    kind: None,
                    system: US_MBI,
                    value: Cow::Borrowed(&bene.mbi),
                },
                since,
            ),
        ],
        ApiVersion::V2 | ApiVersion::V3 => {
            let mut mbi_type = Coding::new(V2_0203, "MC", Some("Patient's Medicare number"));
            mbi_type.extension = Some(Box::new([Extension::Coding {
                url: IDENTIFIER_CURRENCY,
                coding: Coding::new(IDENTIFIER_CURRENCY, "current", Some("Current")),
            }]));
            vec![
                PatientIdentifier::new(
                    Identifier {
                        kind: Some(CodeableConcept::of(mbi_type)),
                        system: US_MBI,
                        value: Cow::Borrowed(&bene.mbi),
                    },
                    since,
                ),
                plain(Identifier {
                    kind: Some(CodeableConcept::of(Coding::new(
                        V2_0203,
                        "MB",
                        Some("Member Number"),
                    ))),
                    system: bene_id_system,
                    value: bene_id(),
                }),
            ]
        }
    }
}
