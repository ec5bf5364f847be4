//! `ExplanationOfBenefit` in Blue Button's v3 shape, for every claim source: NCH claims
//! ([`institutional`], [`professional`]), Part D events ([`pharmacy`]) and the shared
//! systems' partially adjudicated claims ([`shared_system`]). One struct holds what all
//! of them can carry; each module fills it.
//!
//! Each resource knows its [`ClaimFacts`] (source, final action, outcome, service
//! dates), which `_typeFilter` selects on before the resource is written.

mod institutional;
mod pharmacy;
mod professional;
mod shared_system;

use std::borrow::Cow;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use time::Date;

use super::codes::{EobType, claim_type};
use super::{CARIN_ORGANIZATION, LocalReference, TypedIdentifier, bb_cs, dotted_icd10};
use crate::ApiVersion;
use crate::claim_source::ClaimFacts;
use crate::claims::Claim;
use crate::fhir::datatypes::{CodeableConcept, Coding, FhirDate, Instant, Money, Period};
use crate::fhir::json::{self, JsonError};

const HL7_ADJUDICATION: &str = "http://terminology.hl7.org/CodeSystem/adjudication";
const C4BB_ADJUDICATION: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
const C4BB_SUPPORTING_INFO: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
const HCPCS: &str = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
const ICD_10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const ICD_10_PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
const NDC: &str = "http://hl7.org/fhir/sid/ndc";

/// A claim in v3.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExplanationOfBenefit<'a> {
    resource_type: &'static str,
    id: String,
    meta: EobMeta,
    contained: Vec<Contained<'a>>,
    identifier: [ClaimIdentifier<'a>; 2],
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_type: Option<CodeableConcept<'static>>,
    #[serde(rename = "use")]
    use_: &'static str,
    patient: LocalReference,
    billable_period: Period,
    created: Instant,
    #[serde(skip_serializing_if = "Option::is_none")]
    insurer: Option<LocalReference>,
    provider: ProviderReference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Related<'a>>,
    outcome: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    care_team: Vec<CareTeam<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    supporting_info: Vec<SupportingInfo<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnosis: Vec<Diagnosis<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    procedure: Vec<Procedure<'a>>,
    insurance: [Insurance; 1],
    item: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    adjudication: Vec<Adjudication>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    total: Vec<Adjudication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<Payment>,
    #[serde(skip)]
    facts: ClaimFacts,
}

impl<'a> ExplanationOfBenefit<'a> {
    /// An NCH claim of the beneficiary with CCW id `bene_id`.
    pub fn nch(claim: &'a Claim, bene_id: i64) -> ExplanationOfBenefit<'a> {
        if claim.claim_type.is_institutional() {
            ExplanationOfBenefit::institutional(claim, bene_id)
        } else {
            ExplanationOfBenefit::professional(claim, bene_id)
        }
    }

    /// What `_typeFilter` can select this claim by.
    pub fn facts(&self) -> ClaimFacts {
        self.facts
    }

    /// Writes the resource as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }

    /// The parts every claim has, before its source adds the rest.
    fn skeleton(claim: Skeleton<'a>) -> ExplanationOfBenefit<'a> {
        let Skeleton {
            id,
            source,
            facts,
            eob_type,
            type_code,
            control_num,
            bene_id,
            last_updated,
            status,
            part,
        } = claim;
        // A code the IDR does not define (a type of bill BFD lists no claim type for)
        // is left out rather than written wrong.
        let clm_type = claim_type(type_code)
            .map(|(code, display)| Coding::new(bb_cs!("CLM-TYPE-CD"), code, Some(display)));
        ExplanationOfBenefit {
            resource_type: "ExplanationOfBenefit",
            meta: EobMeta {
                last_updated: Instant(last_updated),
                profile: [eob_type.profile()],
                source,
                tag: [
                    Tag {
                        system: bb_cs!("System-Type"),
                        code: facts.system_type.code(),
                    },
                    Tag {
                        system: bb_cs!("Final-Action"),
                        code: facts.final_action.code(),
                    },
                ],
            },
            contained: Vec::new(),
            identifier: [
                ClaimIdentifier::unique(Cow::Owned(id.clone())),
                ClaimIdentifier::control_number(control_num),
            ],
            id,
            status,
            kind: CodeableConcept {
                coding: clm_type
                    .into_iter()
                    .chain([
                        Coding::new(
                            "http://terminology.hl7.org/CodeSystem/claim-type",
                            eob_type.claim_type(),
                            None,
                        ),
                        Coding::new(
                            bb_cs!("EOB-TYPE"),
                            eob_type.code(),
                            Some(eob_type.display()),
                        ),
                    ])
                    .collect(),
                text: None,
            },
            sub_type: eob_type.institutional_subtype().map(|code| {
                CodeableConcept::of(Coding::new(
                    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBInstitutionalClaimSubType",
                    code,
                    None,
                ))
            }),
            use_: "claim",
            patient: LocalReference::to(format!("Patient/{bene_id}")),
            billable_period: Period {
                start: Some(FhirDate(facts.service_from)),
                end: Some(FhirDate(facts.service_thru)),
            },
            created: Instant(last_updated),
            insurer: None,
            provider: ProviderReference::Unidentified {
                display: "No billing provider NPI on the claim",
            },
            related: Vec::new(),
            outcome: facts.outcome.code(),
            care_team: Vec::new(),
            supporting_info: Vec::new(),
            diagnosis: Vec::new(),
            procedure: Vec::new(),
            insurance: [Insurance {
                focal: true,
                coverage: Display { display: part },
            }],
            item: Vec::new(),
            adjudication: Vec::new(),
            total: Vec::new(),
            payment: None,
            facts,
        }
    }

    /// CMS as the insurer, contained as BFD does for Parts A and B claims.
    fn insured_by_cms(&mut self) {
        self.contained.push(Contained::Insurer(Insurer {
            resource_type: "Organization",
            id: "insurer-org",
            meta: ProfileMeta {
                profile: [CARIN_ORGANIZATION],
            },
            active: true,
            name: "Centers for Medicare and Medicaid Services",
        }));
        self.insurer = Some(LocalReference::to("#insurer-org"));
    }

    /// The billing provider, contained under its NPI: an Organization (a facility or a
    /// pharmacy) or a Practitioner (a clinician or supplier). Without an NPI the
    /// provider, which R4 requires, stays a display-only reference.
    fn billed_by(&mut self, npi: Option<&'a str>, kind: ProviderKind) {
        let Some(npi) = npi else { return };
        self.contained.push(Contained::Provider(BillingProvider {
            resource_type: kind.resource_type(),
            id: npi,
            meta: ProfileMeta {
                profile: [kind.profile()],
            },
            identifier: [TypedIdentifier::npi(npi)],
        }));
        self.provider = ProviderReference::Contained {
            reference: format!("#{npi}"),
        };
    }

    /// Adds supporting information, numbered in order.
    fn info(&mut self, category: InfoCategory, value: InfoValue<'a>) {
        let sequence = self.supporting_info.len() as u32 + 1;
        self.supporting_info.push(SupportingInfo {
            sequence,
            category,
            value,
        });
    }

    /// Adds a care team member, numbered in order, unless the same NPI already has the
    /// role.
    fn care(&mut self, npi: &'a str, kind: ProviderKind, role: Role, specialty: Option<&'a str>) {
        if self
            .care_team
            .iter()
            .any(|member| member.role == role && member.provider.identifier.value == npi)
        {
            return;
        }
        let sequence = self.care_team.len() as u32 + 1;
        self.care_team.push(CareTeam {
            sequence,
            provider: CareProvider {
                identifier: TypedIdentifier::npi(npi),
                kind: kind.resource_type(),
            },
            role,
            qualification: specialty.map(Qualification),
        });
    }

    /// Adds each line's rendering clinician, with their specialty, once.
    fn rendered_by(&mut self, lines: &'a [crate::claims::ClaimLine]) {
        for line in lines {
            if let Some(npi) = &line.rendering_npi {
                self.care(
                    npi,
                    ProviderKind::Practitioner,
                    Role::Rendering,
                    line.provider_specialty_cd.as_deref(),
                );
            }
        }
    }

    /// Adds CARIN's `admtype`: the UB-04 priority of the admission, in NUBC's code
    /// system and the IDR's.
    fn admission_type(&mut self, kind: Option<char>) {
        let Some(kind) = kind else { return };
        let code = crate::fhir::datatypes::char_code(kind);
        self.info(
            InfoCategory::Carin("admtype"),
            InfoValue::Code(vec![
                Coding::new(
                    "https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit",
                    code,
                    None,
                ),
                Coding::new(bb_cs!("CLM-ADMSN-TYPE-CD"), code, None),
            ]),
        );
    }

    /// Adds CARIN's `drg`: the MS-DRG the stay was grouped to.
    fn drg(&mut self, drg: Option<&'a str>) {
        let Some(drg) = drg else { return };
        self.info(
            InfoCategory::Carin("drg"),
            InfoValue::code(
                "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software",
                drg,
                None,
            ),
        );
    }

    /// Adds diagnoses: the first `principal`, the others of `kind`, each with its
    /// present-on-admission indicator when the claim reports one.
    fn diagnoses<'c>(
        &mut self,
        codes: impl IntoIterator<Item = (&'c str, Option<char>, DiagnosisKind)>,
    ) where
        'c: 'a,
    {
        for (code, poa, kind) in codes {
            let sequence = self.diagnosis.len() as u32 + 1;
            self.diagnosis.push(Diagnosis {
                sequence,
                code: dotted_icd10(code),
                kind,
                on_admission: poa.map(crate::fhir::datatypes::char_code),
            });
        }
    }

    /// Adds procedures (ICD-10-PCS) with their dates.
    fn procedures(&mut self, procedures: &'a [(String, Date)]) {
        self.procedure = procedures
            .iter()
            .zip(1..)
            .map(|((code, date), sequence)| Procedure {
                sequence,
                date: *date,
                code,
            })
            .collect();
    }
}

/// `ExplanationOfBenefit.provider`: the contained billing provider, or, for a claim that
/// names none, a reference with a display only.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ProviderReference {
    Contained { reference: String },
    Unidentified { display: &'static str },
}

/// What every claim says about itself, whatever its source.
struct Skeleton<'a> {
    id: String,
    /// `meta.source`: NCH, DDPS, FISS or MCS.
    source: &'static str,
    facts: ClaimFacts,
    eob_type: EobType,
    /// The IDR claim type code, e.g. 71 or 2013.
    type_code: u16,
    control_num: Cow<'a, str>,
    bene_id: i64,
    last_updated: time::OffsetDateTime,
    status: &'static str,
    /// The part of Medicare that pays: `Part A`, `Part B` or `Part D`.
    part: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EobMeta {
    last_updated: Instant,
    profile: [&'static str; 1],
    source: &'static str,
    tag: [Tag; 2],
}

#[derive(Debug, Serialize)]
struct Tag {
    system: &'static str,
    code: &'static str,
}

/// The claim's identifiers: CARIN's unique claim id and the claim control number.
#[derive(Debug, Serialize)]
struct ClaimIdentifier<'a> {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<CodeableConcept<'static>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    value: Cow<'a, str>,
}

impl<'a> ClaimIdentifier<'a> {
    fn unique(value: Cow<'a, str>) -> ClaimIdentifier<'a> {
        ClaimIdentifier {
            kind: Some(CodeableConcept::of(Coding::new(
                "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType",
                "uc",
                Some("Unique Claim ID"),
            ))),
            system: None,
            value,
        }
    }

    fn control_number(value: Cow<'a, str>) -> ClaimIdentifier<'a> {
        ClaimIdentifier {
            kind: None,
            system: Some("https://bluebutton.cms.gov/identifiers/CLM-CNTL-NUM"),
            value,
        }
    }
}

/// A resource only this claim refers to.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Contained<'a> {
    Insurer(Insurer),
    Provider(BillingProvider<'a>),
    Observation(LabResult<'a>),
}

/// A line's hemoglobin or hematocrit result, as the IDR maps CLM_LINE_HCT_HGB_RSLT_NUM:
/// a LOINC-coded Observation, performed by the laboratory of the line's CLIA number.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LabResult<'a> {
    resource_type: &'static str,
    id: String,
    status: &'static str,
    code: CodeableConcept<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    performer: Option<[LabPerformer<'a>; 1]>,
    value_quantity: LabQuantity,
}

#[derive(Debug, Serialize)]
struct LabPerformer<'a> {
    identifier: LabIdentifier<'a>,
}

#[derive(Debug, Serialize)]
struct LabIdentifier<'a> {
    system: &'static str,
    value: &'a str,
}

#[derive(Debug, Serialize)]
struct LabQuantity {
    value: f64,
    unit: &'static str,
    system: &'static str,
    code: &'static str,
}

impl<'a> LabResult<'a> {
    /// Line `sequence`'s result, with the lab's CLIA number when the line has one.
    fn new(
        sequence: u32,
        result: crate::claims::HctHgbResult,
        clia: Option<&'a str>,
    ) -> LabResult<'a> {
        use crate::claims::HctHgbTest;
        let (loinc, display, unit) = match result.test {
            HctHgbTest::Hemoglobin => ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL"),
            HctHgbTest::Hematocrit => (
                "4544-3",
                "Hematocrit [Volume Fraction] of Blood by Automated count",
                "%",
            ),
        };
        LabResult {
            resource_type: "Observation",
            id: format!("line-observation-{sequence}"),
            status: "final",
            code: CodeableConcept::of(Coding::new("http://loinc.org", loinc, Some(display))),
            performer: clia.map(|value| {
                [LabPerformer {
                    identifier: LabIdentifier {
                        system: "http://terminology.hl7.org/NamingSystem/CLIA",
                        value,
                    },
                }]
            }),
            value_quantity: LabQuantity {
                value: f64::from(result.tenths) / 10.0,
                unit,
                system: "http://unitsofmeasure.org",
                code: unit,
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Insurer {
    resource_type: &'static str,
    id: &'static str,
    meta: ProfileMeta,
    active: bool,
    name: &'static str,
}

#[derive(Debug, Serialize)]
struct ProfileMeta {
    profile: [&'static str; 1],
}

/// A billing provider known only by its NPI: our providers are synthetic and have no
/// registered name.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BillingProvider<'a> {
    resource_type: &'static str,
    id: &'a str,
    meta: ProfileMeta,
    identifier: [TypedIdentifier<'a>; 1],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProviderKind {
    Organization,
    Practitioner,
}

impl ProviderKind {
    fn resource_type(self) -> &'static str {
        match self {
            ProviderKind::Organization => "Organization",
            ProviderKind::Practitioner => "Practitioner",
        }
    }

    fn profile(self) -> &'static str {
        match self {
            ProviderKind::Organization => CARIN_ORGANIZATION,
            ProviderKind::Practitioner => {
                "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Practitioner|2.2.0"
            }
        }
    }
}

/// An earlier claim this one replaced, by its control number.
#[derive(Debug, Serialize)]
struct Related<'a> {
    reference: ClaimIdentifier<'a>,
    relationship: CodeableConcept<'static>,
}

impl<'a> Related<'a> {
    fn prior(control_num: &'a str) -> Related<'a> {
        Related {
            reference: ClaimIdentifier::control_number(Cow::Borrowed(control_num)),
            relationship: CodeableConcept::of(Coding::new(
                "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship",
                "prior",
                None,
            )),
        }
    }
}

/// A care team role, coded in HL7's and CARIN's systems alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Attending,
    Operating,
    Rendering,
    Referring,
    Prescribing,
}

impl Role {
    fn code_and_display(self) -> (&'static str, &'static str) {
        match self {
            Role::Attending => ("attending", "Attending"),
            Role::Operating => ("operating", "Operating"),
            Role::Rendering => ("rendering", "Rendering provider"),
            Role::Referring => ("referring", "Referring"),
            Role::Prescribing => ("prescribing", "Prescribing provider"),
        }
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (code, display) = self.code_and_display();
        CodeableConcept {
            coding: vec![
                Coding::new(
                    "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                    code,
                    Some(display),
                ),
                Coding::new(
                    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole",
                    code,
                    Some(display),
                ),
            ],
            text: None,
        }
        .serialize(s)
    }
}

#[derive(Debug, Serialize)]
struct CareTeam<'a> {
    sequence: u32,
    provider: CareProvider<'a>,
    role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    qualification: Option<Qualification<'a>>,
}

/// A care team member by NPI (a logical reference), as BFD's v3 gives it.
#[derive(Debug, Serialize)]
struct CareProvider<'a> {
    identifier: TypedIdentifier<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A clinician's CMS specialty, with its NUCC taxonomy where one is known.
#[derive(Debug)]
struct Qualification<'a>(&'a str);

impl Serialize for Qualification<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut coding = vec![Coding::new(bb_cs!("CLM-PRVDR-SPCLTY-CD"), self.0, None)];
        if let Some((taxonomy, display)) = crate::fhir::codebook::CODEBOOK.taxonomy(self.0) {
            coding.push(Coding::new(
                "http://nucc.org/provider-taxonomy",
                taxonomy,
                Some(display),
            ));
        }
        CodeableConcept { coding, text: None }.serialize(s)
    }
}

/// A supporting information category: an IDR column (with HL7's `info`) or one of
/// CARIN's own (`clmrecvddate`, `typeofbill`, ...).
#[derive(Debug, Clone, Copy)]
enum InfoCategory {
    Column(&'static str, &'static str),
    Carin(&'static str),
}

impl Serialize for InfoCategory {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let coding = match *self {
            InfoCategory::Column(code, display) => vec![
                Coding::new(bb_cs!("Supporting-Information"), code, Some(display)),
                Coding::new(
                    "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                    "info",
                    Some("Information"),
                ),
            ],
            InfoCategory::Carin(code) => vec![Coding::new(C4BB_SUPPORTING_INFO, code, None)],
        };
        CodeableConcept { coding, text: None }.serialize(s)
    }
}

/// What a piece of supporting information holds.
#[derive(Debug)]
enum InfoValue<'a> {
    Code(Vec<Coding<'a>>),
    Date(Date),
    Period(Date, Date),
    String(Cow<'a, str>),
    Quantity(i64, &'static str),
    /// A UB-04 type of bill: facility type, service classification, frequency.
    TypeOfBill([char; 3]),
    /// A contained resource, by its id.
    Reference(String),
}

impl<'a> InfoValue<'a> {
    /// A code of IDR code system `system`.
    fn code(system: &'static str, code: &'a str, display: Option<&'a str>) -> InfoValue<'a> {
        InfoValue::Code(vec![Coding::new(system, code, display)])
    }
}

#[derive(Debug)]
struct SupportingInfo<'a> {
    sequence: u32,
    category: InfoCategory,
    value: InfoValue<'a>,
}

impl Serialize for SupportingInfo<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut info = s.serialize_struct("SupportingInfo", 3)?;
        info.serialize_field("sequence", &self.sequence)?;
        info.serialize_field("category", &self.category)?;
        match &self.value {
            InfoValue::Code(coding) => info.serialize_field("code", &Codings(coding))?,
            InfoValue::Date(date) => info.serialize_field("timingDate", &FhirDate(*date))?,
            InfoValue::Period(start, end) => info.serialize_field(
                "timingPeriod",
                &Period {
                    start: Some(FhirDate(*start)),
                    end: Some(FhirDate(*end)),
                },
            )?,
            InfoValue::String(value) => info.serialize_field("valueString", value)?,
            InfoValue::Quantity(value, unit) => info.serialize_field(
                "valueQuantity",
                &Quantity {
                    value: *value,
                    unit,
                },
            )?,
            InfoValue::Reference(id) => {
                info.serialize_field("valueReference", &LocalReference::to(format!("#{id}")))?
            }
            InfoValue::TypeOfBill([facility, class, frequency]) => {
                let code = |c: &char| crate::fhir::datatypes::char_code(*c);
                let bill = format!("0{facility}{class}{frequency}");
                info.serialize_field(
                    "code",
                    &Codings(&[
                        Coding::new("https://www.nubc.org/CodeSystem/TypeOfBill", &bill, None),
                        Coding::new(bb_cs!("CLM-BILL-FAC-TYPE-CD"), code(facility), None),
                        Coding::new(bb_cs!("CLM-BILL-CLSFCTN-CD"), code(class), None),
                        Coding::new(bb_cs!("CLM-BILL-FREQ-CD"), code(frequency), None),
                    ]),
                )?
            }
        }
        info.end()
    }
}

/// `{coding: [...]}` over borrowed codings.
struct Codings<'c, 'a>(&'c [Coding<'a>]);

impl Serialize for Codings<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut concept = s.serialize_struct("CodeableConcept", 1)?;
        concept.serialize_field("coding", self.0)?;
        concept.end()
    }
}

#[derive(Debug, Serialize)]
struct Quantity {
    value: i64,
    unit: &'static str,
}

/// How a diagnosis relates to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DiagnosisKind {
    Principal,
    Admitting,
    /// A professional claim's other diagnoses.
    Secondary,
    /// An institutional claim's other diagnoses.
    Other,
    ExternalCause,
}

impl Serialize for DiagnosisKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const HL7: &str = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
        const C4BB: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType";
        let coding = match self {
            DiagnosisKind::Principal => Coding::new(HL7, "principal", None),
            DiagnosisKind::Admitting => Coding::new(HL7, "admitting", None),
            DiagnosisKind::Secondary => Coding::new(C4BB, "secondary", None),
            DiagnosisKind::Other => Coding::new(C4BB, "other", None),
            DiagnosisKind::ExternalCause => Coding::new(C4BB, "externalcauseofinjury", None),
        };
        let mut seq = s.serialize_seq(Some(1))?;
        seq.serialize_element(&CodeableConcept::of(coding))?;
        seq.end()
    }
}

#[derive(Debug)]
struct Diagnosis<'a> {
    sequence: u32,
    /// ICD-10-CM, dotted.
    code: Cow<'a, str>,
    kind: DiagnosisKind,
    on_admission: Option<&'static str>,
}

impl Serialize for Diagnosis<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut diagnosis = s.serialize_struct("Diagnosis", 4)?;
        diagnosis.serialize_field("sequence", &self.sequence)?;
        diagnosis.serialize_field(
            "diagnosisCodeableConcept",
            &CodeableConcept::of(Coding::new(ICD_10_CM, &self.code, None)),
        )?;
        diagnosis.serialize_field("type", &self.kind)?;
        if let Some(poa) = self.on_admission {
            diagnosis.serialize_field(
                "onAdmission",
                &CodeableConcept::of(Coding::new(
                    "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/HospitalAcqCond/Coding",
                    poa,
                    None,
                )),
            )?;
        }
        diagnosis.end()
    }
}

#[derive(Debug)]
struct Procedure<'a> {
    sequence: u32,
    date: Date,
    code: &'a str,
}

impl Serialize for Procedure<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut procedure = s.serialize_struct("Procedure", 3)?;
        procedure.serialize_field("sequence", &self.sequence)?;
        procedure.serialize_field("date", &FhirDate(self.date))?;
        procedure.serialize_field(
            "procedureCodeableConcept",
            &CodeableConcept::of(Coding::new(ICD_10_PCS, self.code, None)),
        )?;
        procedure.end()
    }
}

#[derive(Debug, Serialize)]
struct Insurance {
    focal: bool,
    coverage: Display,
}

#[derive(Debug, Serialize)]
struct Display {
    display: &'static str,
}

/// One service line.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<ItemExtension<'a>>,
    sequence: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnosis_sequence: Vec<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    information_sequence: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<CodeableConcept<'a>>,
    product_or_service: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modifier: Vec<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_date: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_codeable_concept: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<ItemQuantity>,
    adjudication: Vec<Adjudication>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    detail: Vec<Detail<'a>>,
}

impl<'a> Item<'a> {
    /// A line billing HCPCS code `hcpcs` (or, with none, a revenue code alone), with
    /// its modifiers, over `from`..`thru`.
    fn service(
        sequence: u32,
        hcpcs: Option<&'a str>,
        modifiers: &'a [String],
        from: Date,
        thru: Date,
    ) -> Item<'a> {
        Item {
            sequence,
            product_or_service: Some(match hcpcs {
                Some(code) => CodeableConcept::of(Coding::new(HCPCS, code, None)),
                // R4 requires a product or service: a revenue-center line without a
                // HCPCS code has none to give.
                None => CodeableConcept::of(Coding::new(
                    "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                    "not-applicable",
                    Some("Not Applicable"),
                )),
            }),
            modifier: modifiers
                .iter()
                .map(|modifier| CodeableConcept::of(Coding::new(HCPCS, modifier, None)))
                .collect(),
            serviced_period: Some(Period {
                start: Some(FhirDate(from)),
                end: Some(FhirDate(thru)),
            }),
            ..Item::default()
        }
    }
}

/// A revenue center code, in the IDR's code system and NUBC's.
fn revenue_codings(revenue: &str) -> Vec<Coding<'_>> {
    vec![
        Coding::new(bb_cs!("CLM-REV-CNTR-CD"), revenue, None),
        Coding::new(
            "https://www.nubc.org/CodeSystem/RevenueCodes",
            revenue,
            None,
        ),
    ]
}

/// A v3 line extension: a coding whose system is named like its URL, or a count.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ItemExtension<'a> {
    Coding {
        url: &'static str,
        #[serde(rename = "valueCoding")]
        value_coding: Coding<'a>,
    },
    Decimal {
        url: &'static str,
        #[serde(rename = "valueDecimal")]
        value: i64,
    },
}

#[derive(Debug, Serialize)]
struct ItemQuantity {
    value: i64,
}

/// A drug the line gave, by NDC.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Detail<'a> {
    sequence: u32,
    product_or_service: CodeableConcept<'a>,
}

/// An amount's category: its CARIN or HL7 code, where it has one, and its IDR column.
#[derive(Debug, Clone, Copy)]
struct Category {
    carin: Option<(&'static str, &'static str, &'static str)>,
    column: &'static str,
    display: &'static str,
}

/// Categories of amounts, named by their IDR column.
macro_rules! categories {
    ($($name:ident = $carin:expr, $column:literal, $display:literal;)*) => {
        $(const $name: Category = Category { carin: $carin, column: $column, display: $display };)*
    };
}

const fn hl7(
    code: &'static str,
    display: &'static str,
) -> Option<(&'static str, &'static str, &'static str)> {
    Some((HL7_ADJUDICATION, code, display))
}

const fn c4bb(
    code: &'static str,
    display: &'static str,
) -> Option<(&'static str, &'static str, &'static str)> {
    Some((C4BB_ADJUDICATION, code, display))
}

categories! {
    ELIGIBLE = hl7("eligible", "Eligible Amount"), "CLM_ALOWD_CHRG_AMT", "Allowed Charge Amount";
    SUBMITTED = hl7("submitted", "Submitted Amount"), "CLM_SBMT_CHRG_AMT", "Total Charge Amount";
    PAID_BY_PATIENT = c4bb("paidbypatient", "Paid by patient"), "CLM_BENE_PMT_AMT", "Paid By Beneficiary Amount";
    PAID_TO_PROVIDER = c4bb("paidtoprovider", "Paid to provider"), "CLM_PRVDR_PMT_AMT", "Provider Payment Amount";
    DEDUCTIBLE = hl7("deductible", "Deductible"), "CLM_MDCR_DDCTBL_AMT", "Beneficiary Deductible Amount";
    COINSURANCE = c4bb("coinsurance", "Co-insurance"), "CLM_MDCR_COINSRNC_AMT", "Beneficiary Coinsurance Liability Amount";
    NONCOVERED = c4bb("noncovered", "Noncovered"), "CLM_NCVRD_CHRG_AMT", "Inpatient(or other Part A) Non-covered Charge Amount";
    PAID_TO_PATIENT_INSTITUTIONAL = c4bb("paidtopatient", "Paid to patient"), "CLM_MDCR_INSTNL_BENE_PD_AMT", "Institutional Paid to Beneficiary Amount";
    OTHER_PAYER_PAID = c4bb("priorpayerpaid", "Prior payer paid"), "CLM_OTHR_TP_PD_AMT", "Other Third Party Payer Paid Amount";
    LINE_SUBMITTED = hl7("submitted", "Submitted Amount"), "CLM_LINE_SBMT_CHRG_AMT", "Line Submitted Charge Amount";
    LINE_ELIGIBLE = hl7("eligible", "Eligible Amount"), "CLM_LINE_ALOWD_CHRG_AMT", "Line Allowed Charge Amount";
    LINE_DEDUCTIBLE = hl7("deductible", "Deductible"), "CLM_LINE_MDCR_DDCTBL_AMT", "Cash Deductible Amount";
    LINE_COINSURANCE = c4bb("coinsurance", "Co-insurance"), "CLM_LINE_MDCR_COINSRNC_AMT", "Coinsurance Amount";
    LINE_PAID_BY_PATIENT = c4bb("paidbypatient", "Paid by patient"), "CLM_LINE_BENE_PMT_AMT", "Line Paid By Beneficiary Amount";
    LINE_PAID_TO_PATIENT = c4bb("paidtopatient", "Paid to patient"), "CLM_LINE_BENE_PD_AMT", "Payment Amount to Beneficiary";
    LINE_PAID_TO_PROVIDER = c4bb("paidtoprovider", "Paid to provider"), "CLM_LINE_PRVDR_PMT_AMT", "Line Provider Payment Amount";
    LINE_NONCOVERED = c4bb("noncovered", "Noncovered"), "CLM_LINE_NCVRD_CHRG_AMT", "Non-Covered Charge Amount";
    LINE_BENEFIT = hl7("benefit", "Benefit Amount"), "CLM_LINE_CVRD_PD_AMT", "Payment Amount";
    LINE_PRIMARY_PAYER_PAID = c4bb("priorpayerpaid", "Prior payer paid"), "CLM_BENE_PRMRY_PYR_PD_AMT", "Line Primary Payer Paid Amount";
    LINE_MSP1_PAID = c4bb("priorpayerpaid", "Prior payer paid"), "CLM_LINE_INSTNL_MSP1_PD_AMT", "Revenue Center 1st MSP Paid Amount";
    LINE_MSP2_PAID = c4bb("priorpayerpaid", "Prior payer paid"), "CLM_LINE_INSTNL_MSP2_PD_AMT", "Revenue Center 2nd MSP Paid Amount";
    LINE_DISCOUNT = c4bb("discount", "Discount"), "CLM_LINE_DMERC_SCRN_SVGS_AMT", "Screen Savings Amount";
    LINE_BLOOD_DEDUCTIBLE = None, "CLM_LINE_BLOOD_DDCTBL_AMT", "Blood Deductible Amount";
    LINE_ADJUSTED_COINSURANCE = None, "CLM_LINE_INSTNL_ADJSTD_AMT", "Revenue Center Coinsurance/Wage Adjusted Coinsurance Amount";
    LINE_REDUCED_COINSURANCE = None, "CLM_LINE_INSTNL_RDCD_AMT", "Revenue Center Reduced Coinsurance Amount";
    LINE_RATE = None, "CLM_LINE_INSTNL_RATE_AMT", "Revenue Center Rate Amount";
    LINE_ADD_ON = None, "CLM_LINE_ADD_ON_PYMT_AMT", "Add On Payment Amount";
    LINE_TDAPA = None, "CLM_REV_CNTR_TDAPA_AMT", "Transitional Drug Add-On Payment Adjustment";
    LINE_THERAPY_LIMIT = None, "CLM_LINE_CARR_PSYCH_OT_LMT_AMT", "Therapy Amount Applied to Limit";
    LINE_DME_PRICE = None, "CLM_LINE_PRFNL_DME_PRICE_AMT", "Purchase Price Amount";
    LINE_INTEREST = None, "CLM_LINE_PRFNL_INTRST_AMT", "Professional Interest Amount";
    LINE_PRIMARY_PAYER_ALLOWED = None, "CLM_MDCR_PRMRY_PYR_ALOWD_AMT", "Line Primary Payer Allowed Amount";
    PROFESSIONAL_PRIMARY_PAYER = None, "CLM_MDCR_PRFNL_PRMRY_PYR_AMT", "Primary Payer Paid Amount";
    INSTITUTIONAL_PRIMARY_PAYER = None, "CLM_MDCR_INSTNL_PRMRY_PYR_AMT", "Primary Payer (if not Medicare) Claim Paid Amount";
    PROFESSIONAL_COMPONENT = None, "CLM_INSTNL_PRFNL_AMT", "Professional Component Charge Amount";
    OPERATING_DSH = None, "CLM_OPRTNL_DSPRTNT_AMT", "Operating Disproportionate Share Amount";
    OPERATING_IME = None, "CLM_OPRTNL_IME_AMT", "Operating Indirect Medical Education Amount";
    CAPITAL_FSP = None, "CLM_MDCR_IP_PPS_CPTL_FSP_AMT", "Claim PPS Capital Federal Specific Portion (FSP) Amount";
    CAPITAL_IME = None, "CLM_MDCR_IP_PPS_CPTL_IME_AMT", "Claim PPS Capital Indirect Medical Education (IME) Amount";
    CAPITAL_DSH = None, "CLM_MDCR_IP_PPS_DSPRPRTNT_AMT", "Claim PPS Capital Disproportionate Share Amount";
    CAPITAL_OUTLIER = None, "CLM_MDCR_IP_PPS_OUTLIER_AMT", "Claim PPS Capital Outlier Amount";
    CAPITAL_EXCEPTION = None, "CLM_MDCR_IP_PPS_EXCPTN_AMT", "Claim PPS Capital Exception Amount";
    CAPITAL_HOLD_HARMLESS = None, "CLM_MDCR_IP_PPS_CPTL_HRMLS_AMT", "Claim PPS Old Capital Hold Harmless Amount";
    CAPITAL_TOTAL = None, "CLM_MDCR_IP_PPS_CPTL_TOT_AMT", "Claim Total PPS Capital Amount";
    DRG_OUTLIER = None, "CLM_INSTNL_DRG_OUTLIER_AMT", "DRG Outlier Approved Payment Amount";
    PER_DIEM = None, "CLM_INSTNL_PER_DIEM_AMT", "Claim Pass Thru Per Diem Amount";
    UNCOMPENSATED_CARE = None, "CLM_HIPPS_UNCOMPD_CARE_AMT", "Claim Uncompensated Care Payment Amount";
    INPATIENT_DEDUCTIBLE = None, "CLM_MDCR_IP_BENE_DDCTBL_AMT", "Beneficiary Inpatient (or other Part A) Deductible Amount";
    BLOOD_LIABILITY = None, "CLM_BLOOD_LBLTY_AMT", "Beneficiary Blood Deductible Liability Amount";
    RX_TOTAL = hl7("submitted", "Submitted Amount"), "TOT_RX_CST_AMT", "Total RX Cost Amount";
    RX_PLRO = None, "CLM_LINE_PLRO_AMT", "Patient Liability Reduction Other Paid Amount";
    RX_LICS = None, "CLM_LINE_LIS_AMT", "Low Income Cost Sharing Subsidy Amount";
    RX_BELOW_THRESHOLD = None, "CLM_LINE_GRS_BLW_THRSHLD_AMT", "Gross Drug Cost Below Out Of Pocket Threshold";
    RX_ABOVE_THRESHOLD = None, "CLM_LINE_GRS_ABOVE_THRSHLD_AMT", "Gross Drug Cost Above Out Of Pocket Threshold";
    RX_GAP_DISCOUNT = None, "CLM_LINE_RPTD_GAP_DSCNT_AMT", "Claim Line Reported Gap Discount Amount";
    RX_PLAN_PAID = None, "CLM_LINE_CVRD_PD_AMT", "Covered D Plan Paid Amount";
}

/// The IDR's institutional payment components that our synthetic claims do not model:
/// their payments were computed without them, so each is zero, as the IDR writes a
/// component a claim does not have.
const UNMODELLED_INSTITUTIONAL_COMPONENTS: [Category; 13] = [
    Category {
        carin: None,
        column: "CLM_FINL_STDZD_PYMT_AMT",
        display: "Standardized Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_HAC_RDCTN_PYMT_AMT",
        display: "Hospital Acquired Condition Reduction Amount",
    },
    Category {
        carin: None,
        column: "CLM_HIPPS_MODEL_BNDLD_PMT_AMT",
        display: "Blended Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_HIPPS_READMSN_RDCTN_AMT",
        display: "Readmission Reduction Amount",
    },
    Category {
        carin: None,
        column: "CLM_HIPPS_VBP_AMT",
        display: "HIPPS Value Based Purchasing Amount",
    },
    Category {
        carin: None,
        column: "CLM_INSTNL_LOW_VOL_PMT_AMT",
        display: "Low Volume Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_MDCR_IP_1ST_YR_RATE_AMT",
        display: "First Year Rate Amount",
    },
    Category {
        carin: None,
        column: "CLM_MDCR_IP_SCND_YR_RATE_AMT",
        display: "Second Year Rate Amount",
    },
    Category {
        carin: None,
        column: "CLM_PPS_MD_WVR_STDZD_VAL_AMT",
        display: "Maryland Waiver Standardized Amount",
    },
    Category {
        carin: None,
        column: "CLM_SITE_NTRL_CST_BSD_PYMT_AMT",
        display: "Site-Neutral Cost-Based Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_SITE_NTRL_IP_PPS_PYMT_AMT",
        display: "Site-Neutral IPPS Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_SS_OUTLIER_STD_PYMT_AMT",
        display: "Short Stay Outlier Payment Amount",
    },
    Category {
        carin: None,
        column: "CLM_BLOOD_NCVRD_CHRG_AMT",
        display: "Blood Noncovered Charge Amount",
    },
];

/// A count or number an adjudication carries instead of an amount.
const LIFETIME_RESERVE_DAYS: Category = Category {
    carin: None,
    column: "CLM_MDCR_IP_LRD_USE_CNT",
    display: "Beneficiary Medicare Lifetime Reserve Days (LRD) Used Count",
};
const COINSURANCE_DAYS: Category = Category {
    carin: None,
    column: "CLM_INSTNL_MDCR_COINS_DAY_CNT",
    display: "Beneficiary Total Coinsurance Days Count",
};
const NONCOVERED_DAYS: Category = Category {
    carin: None,
    column: "CLM_INSTNL_NCVRD_DAY_CNT",
    display: "Claim Medicare Non Utilization Days Count",
};
const COVERED_DAYS: Category = Category {
    carin: None,
    column: "CLM_INSTNL_CVRD_DAY_CNT",
    display: "Claim Medicare Utilization Day Count",
};
const HOSPICE_PERIODS: Category = Category {
    carin: None,
    column: "CLM_MDCR_HOSPC_PRD_CNT",
    display: "Hospice Period Count",
};
const HHA_VISITS: Category = Category {
    carin: None,
    column: "CLM_MDCR_HHA_TOT_VISIT_CNT",
    display: "Claim HHA Visit Count",
};
const DRG_WEIGHT: Category = Category {
    carin: None,
    column: "CLM_MDCR_IP_PPS_DRG_WT_NUM",
    display: "PPS DRG Weight Number",
};

impl Serialize for Category {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let idr = Coding::new(bb_cs!("Adjudication"), self.column, Some(self.display));
        let coding = match self.carin {
            Some((system, code, display)) => vec![Coding::new(system, code, Some(display)), idr],
            None => vec![idr],
        };
        CodeableConcept { coding, text: None }.serialize(s)
    }
}

/// An adjudication (claim, line) or total: an amount, a number, or CARIN's benefit
/// payment status.
#[derive(Debug)]
enum Adjudication {
    Amount(Category, i64),
    Value(Category, f64),
    PaymentStatus,
}

impl Adjudication {
    fn amount(category: Category, cents: i64) -> Adjudication {
        Adjudication::Amount(category, cents)
    }
}

impl Serialize for Adjudication {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut adjudication = s.serialize_struct("Adjudication", 2)?;
        match self {
            Adjudication::Amount(category, cents) => {
                adjudication.serialize_field("category", category)?;
                adjudication.serialize_field(
                    "amount",
                    &Money {
                        cents: *cents,
                        version: ApiVersion::V3,
                    },
                )?;
            }
            Adjudication::Value(category, value) => {
                adjudication.serialize_field("category", category)?;
                adjudication.serialize_field("value", value)?;
            }
            Adjudication::PaymentStatus => {
                adjudication.serialize_field(
                    "category",
                    &CodeableConcept::of(Coding::new(
                        "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator",
                        "benefitpaymentstatus",
                        Some("Benefit Payment Status"),
                    )),
                )?;
                // Medicare is the only payer in these claims: CARIN's `other` is the
                // status BFD gives them.
                adjudication.serialize_field(
                    "reason",
                    &CodeableConcept::of(Coding::new(
                        "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBPayerAdjudicationStatus",
                        "other",
                        Some("Other"),
                    )),
                )?;
            }
        }
        adjudication.end()
    }
}

#[derive(Debug, Serialize)]
struct Payment {
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<FhirDate>,
}

impl Payment {
    fn of(cents: i64) -> Option<Payment> {
        Some(Payment {
            amount: Some(Money {
                cents,
                version: ApiVersion::V3,
            }),
            date: None,
        })
    }
}
