//! `Claim`: what the provider billed, as FISS or MCS received it.

use std::borrow::Cow;

use serde::Serialize;
use time::Date;

use super::{
    C4BB_IDENTIFIER_TYPE, ContainedPatient, LocalReference, US_NPI, V2_0203, claim_identifier,
    fiss_var, mcs_var,
};
use crate::ApiVersion;
use crate::claims::Beneficiary;
use crate::fhir::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Instant, Meta, Money, Period,
};
use crate::fhir::json::{self, JsonError};
use crate::shared_system::{SharedSystem, SharedSystemClaim, SharedSystemLine};

const ICD_10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const ICD_10_PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
const HCPCS_RELEASES: &str = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
const BB_HCPCS: &str = "https://bluebutton.cms.gov/resources/codesystem/hcpcs";
const NDC: &str = "http://hl7.org/fhir/sid/ndc";
const UCUM: &str = "http://unitsofmeasure.org";
const MODIFIER_POSITIONS: [&str; 4] = ["1", "2", "3", "4"];

/// A partially adjudicated claim's `Claim`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claim<'a> {
    resource_type: &'static str,
    id: String,
    meta: Meta,
    contained: (ContainedPatient<'a>, ProviderOrganization<'a>),
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    identifier: [Identifier<'a>; 1],
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    #[serde(rename = "use")]
    use_: &'static str,
    patient: LocalReference,
    billable_period: Period,
    created: Instant,
    provider: LocalReference,
    priority: CodeableConcept<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    facility: Option<Facility<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    supporting_info: Vec<SupportingInfo<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnosis: Vec<Diagnosis<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    procedure: Vec<Procedure<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    insurance: Vec<Insurance<'a>>,
    item: Vec<Item<'a>>,
    total: Money,
}

impl<'a> Claim<'a> {
    /// The `Claim` of `claim`, a claim of `bene`.
    pub fn new(claim: &'a SharedSystemClaim, bene: &'a Beneficiary) -> Claim<'a> {
        let fiss = claim.system == SharedSystem::Fiss;
        let diagnosis = diagnoses(claim);
        Claim {
            resource_type: "Claim",
            id: claim.resource_id(),
            meta: Meta {
                last_updated: Instant(claim.last_updated),
                profile: None,
            },
            contained: (
                ContainedPatient::new(claim.system, bene),
                ProviderOrganization::new(claim),
            ),
            // BFD leaves out a variable the claim does not have: so do we (an empty code
            // is not valid FHIR).
            extension: match claim.system {
                SharedSystem::Fiss => claim
                    .srvc_clsfctn_cd
                    .map(|code| coding_extension(fiss_var!("serv-typ-cd"), char_str(code))),
                SharedSystem::Mcs => claim
                    .mcs_claim_type
                    .map(|code| coding_extension(mcs_var!("claim-type"), char_str(code))),
            }
            .filter(|extension| !matches!(extension, Extension::Coding { coding, .. } if coding.code.is_empty()))
            .into_iter()
            .collect(),
            identifier: [claim_identifier(claim)],
            status: super::status(claim),
            kind: super::claim_type(claim.system),
            use_: "claim",
            patient: LocalReference::to("#patient"),
            billable_period: Period {
                start: Some(FhirDate(claim.from_date)),
                end: Some(FhirDate(claim.thru_date)),
            },
            // BFD writes the time of the response; ours is the time of the data, so the
            // same data renders the same bytes.
            created: Instant(claim.last_updated),
            provider: LocalReference::to("#provider-org"),
            priority: CodeableConcept::of(Coding::new(
                "http://terminology.hl7.org/CodeSystem/processpriority",
                "normal",
                Some("Normal"),
            )),
            facility: claim.fac_type_cd.filter(|_| fiss).map(|lob| Facility {
                extension: [coding_extension(fiss_var!("lob-cd"), char_str(lob))],
            }),
            supporting_info: supporting_info(claim),
            procedure: claim
                .procedures
                .iter()
                .zip(1..)
                .map(|((code, date), sequence)| Procedure {
                    sequence,
                    date: MidnightUtc(*date),
                    procedure_codeable_concept: CodeableConcept::of(Coding::new(
                        ICD_10_PCS, code, None,
                    )),
                })
                .collect(),
            insurance: insurance(claim),
            item: claim
                .lines
                .iter()
                .map(|line| item(claim.system, line, &diagnosis))
                .collect(),
            diagnosis,
            total: Money {
                cents: claim.total_charge_cents,
                version: ApiVersion::V2,
            },
        }
    }

    /// Writes the Claim as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }
}

/// A one-character code as a static string.
fn char_str(code: char) -> &'static str {
    crate::fhir::datatypes::char_code(code.to_ascii_uppercase())
}

/// `{url, valueCoding: {system: url, code}}`, the shape of every FISS and MCS variable.
fn coding_extension<'a>(url: &'static str, code: &'a str) -> Extension<'a> {
    Extension::Coding {
        url,
        coding: Coding::new(url, code, None),
    }
}

/// The billing provider: FISS gives the facility's CMS certification number and NPI,
/// MCS the provider's type and specialty and NPI.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderOrganization<'a> {
    resource_type: &'static str,
    id: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    identifier: Vec<Identifier<'a>>,
}

impl<'a> ProviderOrganization<'a> {
    fn new(claim: &'a SharedSystemClaim) -> ProviderOrganization<'a> {
        let mut extension = Vec::new();
        let mut identifier = Vec::new();
        match claim.system {
            SharedSystem::Fiss => {
                if let Some(number) = &claim.provider_number {
                    identifier.push(Identifier {
                        kind: Some(CodeableConcept::of(Coding::new(
                            V2_0203,
                            "PRN",
                            Some("Provider number"),
                        ))),
                        system: fiss_var!("meda-prov-6"),
                        value: Cow::Borrowed(number),
                    });
                }
            }
            SharedSystem::Mcs => {
                if let Some(kind) = &claim.provider_type_cd {
                    extension.push(coding_extension(mcs_var!("bill-prov-type"), kind));
                }
                if let Some(specialty) = &claim.provider_specialty_cd {
                    extension.push(coding_extension(mcs_var!("bill-prov-spec"), specialty));
                }
            }
        }
        if let Some(npi) = &claim.provider_npi {
            identifier.push(Identifier {
                kind: Some(CodeableConcept::of(Coding::new(
                    C4BB_IDENTIFIER_TYPE,
                    "npi",
                    Some("National Provider Identifier"),
                ))),
                system: US_NPI,
                value: Cow::Borrowed(npi),
            });
        }
        ProviderOrganization {
            resource_type: "Organization",
            id: "provider-org",
            extension,
            identifier,
        }
    }
}

#[derive(Debug, Serialize)]
struct Facility<'a> {
    extension: [Extension<'a>; 1],
}

#[derive(Debug, Serialize)]
struct SupportingInfo<'a> {
    sequence: u32,
    category: CodeableConcept<'a>,
    code: CodeableConcept<'a>,
}

/// FISS's type-of-bill frequency, and a stay's DRG and admission type, as BFD gives them.
fn supporting_info(claim: &SharedSystemClaim) -> Vec<SupportingInfo<'_>> {
    const INFORMATION: &str = "https://bluebutton.cms.gov/resources/codesystem/information";
    const C4BB_INFO: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
    const DRG: &str = "https://bluebutton.cms.gov/resources/variables/clm_drg_cd";
    const ADMISSION_TYPE: &str =
        "https://bluebutton.cms.gov/resources/variables/clm_ip_admsn_type_cd";
    if claim.system != SharedSystem::Fiss {
        return Vec::new();
    }
    let mut info = Vec::new();
    if let Some(freq) = claim.freq_cd {
        info.push((
            CodeableConcept::of(Coding::new(C4BB_INFO, "typeofbill", Some("Type of Bill"))),
            Coding::new(fiss_var!("freq-cd"), char_str(freq), None),
        ));
    }
    if let Some(drg) = &claim.drg_cd {
        info.push((
            CodeableConcept {
                coding: vec![
                    Coding::new(
                        "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                        "info",
                        Some("Information"),
                    ),
                    Coding::new(
                        INFORMATION,
                        DRG,
                        Some("Claim Diagnosis Related Group Code (or MS-DRG Code)"),
                    ),
                ],
                text: None,
            },
            Coding::new(DRG, drg, None),
        ));
    }
    if let Some(admission) = claim.admission_type_cd {
        info.push((
            CodeableConcept {
                coding: vec![
                    Coding::new(C4BB_INFO, "admtype", Some("Information")),
                    Coding::new(
                        INFORMATION,
                        ADMISSION_TYPE,
                        Some("Claim Inpatient Admission Type Code"),
                    ),
                ],
                text: None,
            },
            Coding::new(
                "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
                char_str(admission),
                None,
            ),
        ));
    }
    info.into_iter()
        .zip(1..)
        .map(|((category, code), sequence)| SupportingInfo {
            sequence,
            category,
            code: CodeableConcept::of(code),
        })
        .collect()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnosis<'a> {
    sequence: u32,
    diagnosis_codeable_concept: CodeableConcept<'a>,
    #[serde(rename = "type", skip_serializing_if = "Vec::is_empty")]
    kind: Vec<CodeableConcept<'static>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_admission: Option<CodeableConcept<'static>>,
}

impl Diagnosis<'_> {
    fn code(&self) -> &str {
        self.diagnosis_codeable_concept.coding[0].code
    }
}

/// The claim's diagnoses once each, as BFD lists them: FISS the claim's diagnoses, then
/// the admitting and principal ones, each typed where it is one of those two, with its
/// present-on-admission indicator (lower case, as BFD writes it); MCS the claim's
/// diagnoses, then each line's.
fn diagnoses(claim: &SharedSystemClaim) -> Vec<Diagnosis<'_>> {
    const DIAGNOSIS_TYPE: &str = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
    let mut candidates: Vec<(&str, Option<char>)> = claim
        .diagnoses
        .iter()
        .map(|(code, poa)| (code.as_str(), *poa))
        .collect();
    candidates.extend(
        claim
            .admitting_diagnosis
            .as_deref()
            .map(|code| (code, None)),
    );
    candidates.extend(
        claim
            .principal_diagnosis
            .as_deref()
            .map(|code| (code, None)),
    );
    candidates.extend(
        claim
            .lines
            .iter()
            .filter_map(|line| line.diagnosis_cd.as_deref().map(|code| (code, None))),
    );
    let mut listed: Vec<(&str, Option<char>)> = Vec::new();
    for (code, poa) in candidates {
        if !listed.iter().any(|(seen, _)| *seen == code) {
            listed.push((code, poa));
        }
    }
    let is = |given: &Option<String>, code: &str| given.as_deref() == Some(code);
    listed
        .into_iter()
        .zip(1..)
        .map(|((code, poa), sequence)| {
            let mut kind = Vec::new();
            if is(&claim.admitting_diagnosis, code) {
                kind.push(CodeableConcept::of(Coding::new(
                    DIAGNOSIS_TYPE,
                    "admitting",
                    Some("Admitting Diagnosis"),
                )));
            }
            if is(&claim.principal_diagnosis, code) {
                kind.push(CodeableConcept::of(Coding::new(
                    DIAGNOSIS_TYPE,
                    "principal",
                    Some("Principal Diagnosis"),
                )));
            }
            Diagnosis {
                sequence,
                diagnosis_codeable_concept: CodeableConcept::of(Coding::new(ICD_10_CM, code, None)),
                kind,
                on_admission: poa.map(|poa| {
                    CodeableConcept::of(Coding::new(
                        fiss_var!("diag-poa-ind"),
                        lower_char_str(poa),
                        None,
                    ))
                }),
            }
        })
        .collect()
}

/// A present-on-admission indicator in lower case, as BFD writes FISS's.
fn lower_char_str(code: char) -> &'static str {
    const CODES: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    let code = code.to_ascii_lowercase();
    CODES.find(code).map_or("", |i| &CODES[i..i + 1])
}

/// A procedure date as BFD writes it: a dateTime at midnight UTC.
#[derive(Debug)]
struct MidnightUtc(Date);

impl Serialize for MidnightUtc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let date = self.0;
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}T00:00:00+00:00",
            date.year(),
            u8::from(date.month()),
            date.day()
        ))
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Procedure<'a> {
    sequence: u32,
    date: MidnightUtc,
    procedure_codeable_concept: CodeableConcept<'a>,
}

#[derive(Debug, Serialize)]
struct Insurance<'a> {
    sequence: u32,
    focal: bool,
    coverage: PayerCoverage<'a>,
}

#[derive(Debug, Serialize)]
struct PayerCoverage<'a> {
    identifier: PayerName<'a>,
}

#[derive(Debug, Serialize)]
struct PayerName<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    value: &'a str,
}

/// FISS's payers, Medicare the focal one. MCS keeps no payers, and BFD gives its claims
/// no insurance, which R4 requires: ours name Medicare.
fn insurance<'a>(claim: &'a SharedSystemClaim) -> Vec<Insurance<'a>> {
    let payer = |(name, sequence): (&'a str, u32)| Insurance {
        sequence,
        focal: name == "MEDICARE",
        coverage: PayerCoverage {
            identifier: PayerName {
                system: (claim.system == SharedSystem::Fiss).then_some(fiss_var!("payers-name")),
                value: name,
            },
        },
    };
    match claim.system {
        SharedSystem::Fiss => claim
            .payers
            .iter()
            .map(String::as_str)
            .zip(1..)
            .map(payer)
            .collect(),
        SharedSystem::Mcs => vec![payer(("MEDICARE", 1))],
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    sequence: i16,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnosis_sequence: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<CodeableConcept<'a>>,
    product_or_service: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modifier: Vec<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_date: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<SimpleQuantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<[Detail<'a>; 1]>,
}

#[derive(Debug, Serialize)]
struct SimpleQuantity {
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
}

impl SimpleQuantity {
    fn count(value: i32) -> SimpleQuantity {
        SimpleQuantity {
            value: f64::from(value),
            unit: None,
            system: None,
            code: None,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Detail<'a> {
    sequence: u32,
    product_or_service: CodeableConcept<'a>,
    quantity: SimpleQuantity,
}

/// A FISS revenue line (its revenue centre, units as an extension and as the quantity,
/// the day of service) or an MCS detail line (the diagnosis it was for, its period); the
/// drug of a drug line as its one detail.
fn item<'a>(
    system: SharedSystem,
    line: &'a SharedSystemLine,
    diagnosis: &[Diagnosis<'_>],
) -> Item<'a> {
    let fiss = system == SharedSystem::Fiss;
    let modifier_system = if fiss { BB_HCPCS } else { HCPCS_RELEASES };
    let product_or_service = match &line.hcpcs_cd {
        Some(code) => CodeableConcept::of(Coding::new(HCPCS_RELEASES, code, None)),
        // R4 requires a product or service (BFD leaves it out): say there is none.
        None => CodeableConcept::of(Coding::new(
            "http://terminology.hl7.org/CodeSystem/data-absent-reason",
            "not-applicable",
            Some("Not Applicable"),
        )),
    };
    let detail = line.ndc.as_ref().map(|(ndc, given)| {
        let quantity = if fiss {
            SimpleQuantity {
                value: f64::from(given.quantity),
                unit: Some(given.unit.code()),
                system: Some(UCUM),
                code: Some(ucum(given.unit.code())),
            }
        } else {
            SimpleQuantity::count(given.quantity)
        };
        [Detail {
            sequence: 1,
            product_or_service: CodeableConcept::of(Coding::new(NDC, ndc, None)),
            quantity,
        }]
    });
    Item {
        extension: if fiss {
            vec![Extension::Quantity {
                url: fiss_var!("rev-serv-unit-cnt"),
                value: i64::from(line.units),
            }]
        } else {
            Vec::new()
        },
        sequence: line.line_num,
        diagnosis_sequence: line
            .diagnosis_cd
            .as_deref()
            .and_then(|code| diagnosis.iter().find(|d| d.code() == code))
            .map(|d| vec![d.sequence])
            .unwrap_or_default(),
        revenue: line
            .revenue_center_cd
            .as_deref()
            .filter(|_| fiss)
            .map(|code| CodeableConcept::of(Coding::new(fiss_var!("rev-cd"), code, None))),
        product_or_service,
        modifier: line
            .modifiers
            .iter()
            .zip(MODIFIER_POSITIONS)
            .map(|(code, position)| {
                CodeableConcept::of(Coding::new(modifier_system, code, None).in_version(position))
            })
            .collect(),
        serviced_date: fiss.then_some(FhirDate(line.from_date)),
        serviced_period: (!fiss).then_some(Period {
            start: Some(FhirDate(line.from_date)),
            end: Some(FhirDate(line.thru_date)),
        }),
        quantity: fiss.then(|| SimpleQuantity::count(line.units)),
        detail,
    }
}

/// The UCUM code of an NCPDP unit, as BFD maps them.
fn ucum(unit: &str) -> &'static str {
    match unit {
        "ML" => "mL",
        "GR" => "g",
        "ME" => "mg",
        "F2" => "[IU]",
        _ => "[arb'U]",
    }
}
