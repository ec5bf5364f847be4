//! ExplanationOfBenefit (CCLF 1-7), as Blue Button renders it in STU3 (v1) and R4 with
//! the CARIN Blue Button profiles (v2).
//!
//! Implemented so far: the professional claim kinds, carrier and DME (ids `carrier-<clm_id>`
//! and `dme-<clm_id>`). The institutional kinds and Part D events follow the same
//! building blocks; until they exist, [`ExplanationOfBenefit::new`] refuses them with
//! [`NotYetRendered`] rather than render a wrong shape.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use super::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Instant, Meta, Money, Period,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType};

/// The URL of a Blue Button variable, built at compile time.
macro_rules! bb_var {
    ($name:literal) => {
        concat!("https://bluebutton.cms.gov/resources/variables/", $name)
    };
}

const US_NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const HCPCS: &str = "https://bluebutton.cms.gov/resources/codesystem/hcpcs";
const BB_ADJUDICATION: &str = "https://bluebutton.cms.gov/resources/codesystem/adjudication";
const C4BB_ADJUDICATION: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
const HL7_ADJUDICATION: &str = "http://terminology.hl7.org/CodeSystem/adjudication";
const C4BB_IDENTIFIER_TYPE: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType";

/// A claim kind whose ExplanationOfBenefit is not rendered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("ExplanationOfBenefit for {0} claims is not rendered yet")]
pub struct NotYetRendered(pub ClaimType);

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplanationOfBenefit<'a> {
    resource_type: &'static str,
    id: String,
    meta: Meta,
    extension: Vec<Extension<'a>>,
    identifier: [Identifier<'a>; 2],
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'a>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<&'static str>,
    patient: Reference,
    billable_period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Instant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    insurer: Option<ValueIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<ProviderReference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<ProviderReference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    care_team: Vec<CareTeam<'a>>,
    diagnosis: Vec<Diagnosis<'a>>,
    insurance: Insurance,
    item: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    total: Vec<Adjudication<'a>>,
    payment: Payment,
}

#[derive(Debug, Serialize)]
struct Reference {
    reference: String,
}

#[derive(Debug, Serialize)]
struct ValueIdentifier {
    identifier: Value,
}

#[derive(Debug, Serialize)]
struct Value {
    value: &'static str,
}

#[derive(Debug, Serialize)]
struct ProviderReference<'a> {
    identifier: Identifier<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CareTeam<'a> {
    sequence: u32,
    provider: ProviderReference<'a>,
    responsible: bool,
    role: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qualification: Option<CodeableConcept<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnosis<'a> {
    sequence: u32,
    diagnosis_codeable_concept: CodeableConcept<'a>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<[CodeableConcept<'a>; 1]>,
}

/// STU3 holds one insurance; R4 a list with the focal one marked.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Insurance {
    Single { coverage: Reference },
    List([FocalInsurance; 1]),
}

#[derive(Debug, Serialize)]
struct FocalInsurance {
    focal: bool,
    coverage: Reference,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    sequence: i16,
    #[serde(skip_serializing_if = "Option::is_none")]
    care_team_link_id: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    care_team_sequence: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis_link_id: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis_sequence: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_or_service: Option<ProductOrService<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modifier: Vec<CodeableConcept<'a>>,
    serviced_period: Period,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_codeable_concept: Option<CodeableConcept<'a>>,
    quantity: Quantity,
    adjudication: Vec<Adjudication<'a>>,
}

#[derive(Debug, Serialize)]
struct ProductOrService<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    coding: Vec<Coding<'a>>,
}

#[derive(Debug, Serialize)]
struct Quantity {
    value: i32,
}

#[derive(Debug, Serialize)]
struct Adjudication<'a> {
    category: CodeableConcept<'a>,
    amount: Money,
}

#[derive(Debug, Serialize)]
struct Payment {
    amount: Money,
}

impl<'a> ExplanationOfBenefit<'a> {
    /// The ExplanationOfBenefit of `claim`, whose beneficiary has `bene_id`.
    pub fn new(
        version: ApiVersion,
        claim: &'a Claim,
        bene_id: i64,
    ) -> Result<ExplanationOfBenefit<'a>, NotYetRendered> {
        let profile = match claim.claim_type {
            ClaimType::Carrier | ClaimType::Dme => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Professional-NonClinician"
            }
            other => return Err(NotYetRendered(other)),
        };
        let v2 = version == ApiVersion::V2;
        let money = |cents| Money { cents, version };
        let (eob_type, near_line) = match claim.claim_type {
            ClaimType::Dme => ("DME", "M"),
            _ => ("CARRIER", "O"),
        };
        let mut extension = vec![
            Extension::VariableIdentifier {
                name: "carr_num",
                value: &claim.contractor_num,
            },
            Extension::VariableIdentifier {
                name: "carr_clm_cntl_num",
                value: &claim.control_num,
            },
            Extension::variable("carr_clm_pmt_dnl_cd", "1", Some("Physician/supplier")),
            Extension::variable("asgmntcd", "A", Some("Assigned claim")),
        ];
        if v2 {
            extension.insert(
                0,
                Extension::variable("nch_near_line_rec_ident_cd", near_line, None),
            );
        } else {
            for (name, cents) in [
                ("prpayamt", claim.primary_payer_cents),
                ("carr_clm_cash_ddctbl_apld_amt", claim.deductible_cents),
                ("nch_clm_prvdr_pmt_amt", claim.provider_paid_cents),
                ("nch_clm_bene_pmt_amt", claim.bene_paid_cents),
                ("nch_carr_clm_sbmtd_chrg_amt", claim.total_charge_cents),
                ("nch_carr_clm_alowd_amt", claim.allowed_cents),
            ] {
                extension.push(Extension::VariableMoney {
                    name,
                    money: money(cents),
                });
            }
        }

        let care_team = care_team(version, claim);
        let item = claim
            .lines
            .iter()
            .map(|line| {
                let provider = care_team
                    .iter()
                    .find(|member| {
                        line.rendering_npi.as_deref()
                            == Some(member.provider.identifier.value.as_ref())
                    })
                    .map_or(1, |member| member.sequence);
                let diagnosis = line
                    .diagnosis_cd
                    .as_ref()
                    .and_then(|code| claim.diagnosis_codes.iter().position(|d| d == code))
                    .map_or(1, |i| i as u32 + 1);
                item(version, line, provider, diagnosis)
            })
            .collect();

        Ok(ExplanationOfBenefit {
            resource_type: "ExplanationOfBenefit",
            id: format!("{}-{}", claim.claim_type.as_str(), claim.clm_id),
            meta: Meta {
                last_updated: Instant(claim.last_updated),
                profile: v2.then_some([profile]),
            },
            extension,
            identifier: [
                claim_identifier(
                    version,
                    "https://bluebutton.cms.gov/resources/variables/clm_id",
                    claim.clm_id,
                ),
                claim_identifier(
                    version,
                    "https://bluebutton.cms.gov/resources/identifier/claim-group",
                    claim.clm_grp_id,
                ),
            ],
            status: "active",
            kind: CodeableConcept {
                coding: vec![
                    Coding::new(
                        "https://bluebutton.cms.gov/resources/variables/nch_clm_type_cd",
                        claim.nch_clm_type_cd,
                        Some(nch_type_display(claim.nch_clm_type_cd)),
                    ),
                    Coding::new(
                        "https://bluebutton.cms.gov/resources/codesystem/eob-type",
                        eob_type,
                        None,
                    ),
                    Coding::new(
                        if v2 {
                            "http://terminology.hl7.org/CodeSystem/claim-type"
                        } else {
                            "http://hl7.org/fhir/ex-claimtype"
                        },
                        "professional",
                        Some("Professional"),
                    ),
                ],
                text: None,
            },
            use_: v2.then_some("claim"),
            patient: Reference {
                reference: format!("Patient/{bene_id}"),
            },
            billable_period: Period {
                start: Some(FhirDate(claim.from_date)),
                end: Some(FhirDate(claim.thru_date)),
            },
            created: v2.then_some(Instant(claim.last_updated)),
            insurer: v2.then_some(ValueIdentifier {
                identifier: Value { value: "CMS" },
            }),
            provider: (v2 && claim.billing_npi.is_some()).then(|| ProviderReference {
                identifier: Identifier {
                    kind: None,
                    system: "https://bluebutton.cms.gov/resources/variables/carr_clm_blg_npi_num",
                    value: Cow::Borrowed(claim.billing_npi.as_deref().unwrap_or_default()),
                },
            }),
            organization: (!v2 && claim.billing_npi.is_some()).then(|| ProviderReference {
                identifier: Identifier {
                    kind: None,
                    system: US_NPI,
                    value: Cow::Borrowed(claim.billing_npi.as_deref().unwrap_or_default()),
                },
            }),
            outcome: v2.then_some("complete"),
            care_team,
            diagnosis: diagnoses(version, &claim.diagnosis_codes),
            insurance: {
                let coverage = Reference {
                    reference: format!("Coverage/part-b-{bene_id}"),
                };
                if v2 {
                    Insurance::List([FocalInsurance {
                        focal: true,
                        coverage,
                    }])
                } else {
                    Insurance::Single { coverage }
                }
            },
            item,
            total: if v2 { totals(claim) } else { Vec::new() },
            payment: Payment {
                amount: money(claim.paid_cents),
            },
        })
    }

    /// Writes the resource as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        out.write_all(b"\n")
    }
}

fn claim_identifier(version: ApiVersion, system: &'static str, value: i64) -> Identifier<'static> {
    Identifier {
        kind: (version == ApiVersion::V2).then(|| {
            CodeableConcept::of(Coding::new(
                C4BB_IDENTIFIER_TYPE,
                "uc",
                Some("Unique Claim ID"),
            ))
        }),
        system,
        value: Cow::Owned(value.to_string()),
    }
}

/// The rendering clinicians of the claim's lines, once each, in line order.
fn care_team(version: ApiVersion, claim: &Claim) -> Vec<CareTeam<'_>> {
    let mut team: Vec<CareTeam<'_>> = Vec::new();
    for line in &claim.lines {
        let Some(npi) = line.rendering_npi.as_deref() else {
            continue;
        };
        if team.iter().any(|m| m.provider.identifier.value == npi) {
            continue;
        }
        let role = match version {
            ApiVersion::V1 => Coding::new(
                "http://hl7.org/fhir/claimcareteamrole",
                "primary",
                Some("Primary provider"),
            ),
            ApiVersion::V2 => Coding::new(
                "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole",
                "performing",
                Some("Performing provider"),
            ),
        };
        let identifier = match version {
            ApiVersion::V1 => Identifier {
                kind: None,
                system: US_NPI,
                value: Cow::Borrowed(npi),
            },
            ApiVersion::V2 => Identifier {
                kind: Some(CodeableConcept::of(Coding::new(
                    C4BB_IDENTIFIER_TYPE,
                    "npi",
                    Some("National Provider Identifier"),
                ))),
                system: US_NPI,
                value: Cow::Borrowed(npi),
            },
        };
        team.push(CareTeam {
            sequence: team.len() as u32 + 1,
            provider: ProviderReference { identifier },
            responsible: true,
            role: CodeableConcept::of(role),
            qualification: line.provider_specialty_cd.as_deref().map(|specialty| {
                CodeableConcept::of(Coding::new(
                    "https://bluebutton.cms.gov/resources/variables/prvdr_spclty",
                    specialty,
                    None,
                ))
            }),
        });
    }
    team
}

fn diagnoses(version: ApiVersion, codes: &[String]) -> Vec<Diagnosis<'_>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let principal = i == 0;
            let mut coding = vec![Coding::new("http://hl7.org/fhir/sid/icd-10", code, None)];
            let kind = match version {
                ApiVersion::V1 => principal.then(|| {
                    [CodeableConcept::of(Coding::new(
                        "https://bluebutton.cms.gov/resources/codesystem/diagnosis-type",
                        "principal",
                        Some("The single medical diagnosis that is most relevant to the patient's chief complaint or need for treatment."),
                    ))]
                }),
                ApiVersion::V2 => {
                    coding.insert(0, Coding::new("http://hl7.org/fhir/sid/icd-10-cm", code, None));
                    Some([CodeableConcept::of(if principal {
                        Coding::new("http://terminology.hl7.org/CodeSystem/ex-diagnosistype", "principal", Some("principal"))
                    } else {
                        Coding::new(
                            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType",
                            "secondary",
                            Some("Secondary"),
                        )
                    })])
                }
            };
            Diagnosis {
                sequence: i as u32 + 1,
                diagnosis_codeable_concept: CodeableConcept { coding, text: None },
                kind,
            }
        })
        .collect()
}

fn item(version: ApiVersion, line: &ClaimLine, care_team: u32, diagnosis: u32) -> Item<'_> {
    let v2 = version == ApiVersion::V2;
    let hcpcs: Vec<Coding<'_>> = line
        .hcpcs_cd
        .as_deref()
        .map(|code| Coding::new(HCPCS, code, None))
        .into_iter()
        .collect();
    let ndc: Vec<Extension<'_>> = line
        .ndc_cd
        .as_deref()
        .map(|ndc| Extension::Coding {
            url: "http://hl7.org/fhir/sid/ndc",
            coding: Coding::new("http://hl7.org/fhir/sid/ndc", ndc, None),
        })
        .into_iter()
        .collect();
    let location = line.place_of_service_cd.as_deref().map(|pos| {
        let mut coding = vec![Coding::new(
            "https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd",
            pos,
            None,
        )];
        if v2 {
            coding.push(Coding::new(
                "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                pos,
                None,
            ));
        }
        CodeableConcept { coding, text: None }
    });
    Item {
        sequence: line.line_num,
        care_team_link_id: (!v2).then_some([care_team]),
        care_team_sequence: v2.then_some([care_team]),
        diagnosis_link_id: (!v2).then_some([diagnosis]),
        diagnosis_sequence: v2.then_some([diagnosis]),
        service: (!v2).then(|| CodeableConcept {
            coding: hcpcs.clone(),
            text: None,
        }),
        product_or_service: v2.then_some(ProductOrService {
            extension: ndc,
            coding: hcpcs,
        }),
        modifier: line
            .modifiers
            .iter()
            .map(|m| CodeableConcept::of(Coding::new(HCPCS, m, None)))
            .collect(),
        serviced_period: Period {
            start: Some(FhirDate(line.from_date)),
            end: Some(FhirDate(line.thru_date)),
        },
        location_codeable_concept: location,
        quantity: Quantity { value: line.units },
        adjudication: line_adjudications(version, line),
    }
}

/// One line adjudication: the Blue Button variable (its URL) and, in R4, its CARIN
/// category.
struct AdjudicationKind {
    variable: &'static str,
    display: &'static str,
    carin: (&'static str, &'static str, &'static str),
}

const LINE_ADJUDICATIONS: [AdjudicationKind; 8] = [
    AdjudicationKind {
        variable: bb_var!("line_nch_pmt_amt"),
        display: "Line NCH Medicare Payment Amount",
        carin: (HL7_ADJUDICATION, "benefit", "Benefit Amount"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_pmt_amt"),
        display: "Line Payment Amount to Beneficiary",
        carin: (C4BB_ADJUDICATION, "paidtopatient", "Paid to patient"),
    },
    AdjudicationKind {
        variable: bb_var!("line_prvdr_pmt_amt"),
        display: "Line Provider Payment Amount",
        carin: (C4BB_ADJUDICATION, "paidtoprovider", "Paid to provider"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_ptb_ddctbl_amt"),
        display: "Line Beneficiary Part B Deductible Amount",
        carin: (HL7_ADJUDICATION, "deductible", "Deductible"),
    },
    AdjudicationKind {
        variable: bb_var!("line_bene_prmry_pyr_pd_amt"),
        display: "Line Primary Payer (if not Medicare) Paid Amount",
        carin: (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid"),
    },
    AdjudicationKind {
        variable: bb_var!("line_coinsrnc_amt"),
        display: "Line Beneficiary Coinsurance Amount",
        carin: (C4BB_ADJUDICATION, "coinsurance", "Co-insurance"),
    },
    AdjudicationKind {
        variable: bb_var!("line_sbmtd_chrg_amt"),
        display: "Line Submitted Charge Amount",
        carin: (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
    },
    AdjudicationKind {
        variable: bb_var!("line_alowd_chrg_amt"),
        display: "Line Allowed Charge Amount",
        carin: (HL7_ADJUDICATION, "eligible", "Eligible Amount"),
    },
];

fn line_adjudications(version: ApiVersion, line: &ClaimLine) -> Vec<Adjudication<'static>> {
    let amounts = [
        line.paid_cents,
        0,
        line.paid_cents,
        line.deductible_cents,
        line.primary_payer_cents,
        line.coinsurance_cents,
        line.submitted_cents,
        line.allowed_cents,
    ];
    LINE_ADJUDICATIONS
        .iter()
        .zip(amounts)
        .map(|(kind, cents)| adjudication(version, kind.variable, kind.display, kind.carin, cents))
        .collect()
}

fn adjudication(
    version: ApiVersion,
    variable: &'static str,
    display: &'static str,
    carin: (&'static str, &'static str, &'static str),
    cents: i64,
) -> Adjudication<'static> {
    let bb = Coding::new(BB_ADJUDICATION, variable, Some(display));
    let coding = match version {
        ApiVersion::V1 => vec![bb],
        ApiVersion::V2 => vec![Coding::new(carin.0, carin.1, Some(carin.2)), bb],
    };
    Adjudication {
        category: CodeableConcept { coding, text: None },
        amount: Money { cents, version },
    }
}

/// Claim-level totals (R4).
fn totals(claim: &Claim) -> Vec<Adjudication<'static>> {
    let v = ApiVersion::V2;
    vec![
        adjudication(
            v,
            bb_var!("nch_carr_clm_sbmtd_chrg_amt"),
            "NCH Carrier Claim Submitted Charge Amount (sum of all line-level submitted charges)",
            (HL7_ADJUDICATION, "submitted", "Submitted Amount"),
            claim.total_charge_cents,
        ),
        adjudication(
            v,
            bb_var!("nch_carr_clm_alowd_amt"),
            "NCH Carrier Claim Allowed Charge Amount (sum of all line-level allowed charges)",
            (HL7_ADJUDICATION, "eligible", "Eligible Amount"),
            claim.allowed_cents,
        ),
        adjudication(
            v,
            bb_var!("prpayamt"),
            "NCH Primary Payer Claim Paid Amount",
            (C4BB_ADJUDICATION, "priorpayerpaid", "Prior payer paid"),
            claim.primary_payer_cents,
        ),
        adjudication(
            v,
            bb_var!("carr_clm_cash_ddctbl_apld_amt"),
            "Carrier Claim Cash Deductible Applied Amount (sum of all line-level deductible amounts)",
            (HL7_ADJUDICATION, "deductible", "Deductible"),
            claim.deductible_cents,
        ),
        adjudication(
            v,
            bb_var!("nch_clm_prvdr_pmt_amt"),
            "NCH Claim Provider Payment Amount",
            (C4BB_ADJUDICATION, "paidtoprovider", "Paid to provider"),
            claim.provider_paid_cents,
        ),
        adjudication(
            v,
            bb_var!("nch_clm_bene_pmt_amt"),
            "NCH Claim Payment Amount to Beneficiary",
            (C4BB_ADJUDICATION, "paidtopatient", "Paid to patient"),
            claim.bene_paid_cents,
        ),
    ]
}

/// NCH_CLM_TYPE_CD display texts, as BFD words them.
fn nch_type_display(code: &str) -> &'static str {
    match code {
        "71" => {
            "Local carrier non-durable medical equipment, prosthetics, orthotics, and supplies (DMEPOS) claim"
        }
        "72" => "Local carrier DMEPOS claim",
        "81" => "Durable medical equipment regional carrier (DMERC); non-DMEPOS claim",
        "82" => "DMERC; DMEPOS claim",
        _ => "Unknown",
    }
}
