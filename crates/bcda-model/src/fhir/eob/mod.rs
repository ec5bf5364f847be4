//! ExplanationOfBenefit (CCLF 1-7), as Blue Button renders it in STU3 (v1) and R4 with
//! the CARIN Blue Button profiles (v2).
//!
//! One struct holds what both versions and all kinds can carry; `professional` fills it
//! for carrier and DME claims, `institutional` for inpatient, outpatient, SNF, home
//! health and hospice claims, and `pharmacy` for Part D events
//! ([`ExplanationOfBenefit::pde`]).

mod institutional;
mod pharmacy;
mod professional;

use std::borrow::Cow;

use serde::Serialize;

use super::datatypes::{
    CodeableConcept, Coding, Extension, FhirDate, Identifier, Instant, Meta, Money, Period, Suffix,
    char_code,
};
use crate::ApiVersion;
use crate::claims::{Claim, ClaimLine, ClaimType, PdeEvent};
use crate::fhir::codebook::CODEBOOK;
use crate::fhir::json::{self, JsonError};

/// The URL of a Blue Button variable, built at compile time.
macro_rules! bb_var {
    ($name:literal) => {
        concat!("https://bluebutton.cms.gov/resources/variables/", $name)
    };
}
pub(crate) use bb_var;

const US_NPI: &str = "http://hl7.org/fhir/sid/us-npi";
const HCPCS: &str = "https://bluebutton.cms.gov/resources/codesystem/hcpcs";
/// National Drug Codes, as FHIR names them.
const NDC: &str = "http://hl7.org/fhir/sid/ndc";
/// UCUM, the system BFD names the NDC quantity's unit in (it holds the NCPDP code).
const UCUM: &str = "http://unitsofmeasure.org";
const BB_ADJUDICATION: &str = "https://bluebutton.cms.gov/resources/codesystem/adjudication";
const BB_INFORMATION: &str = "https://bluebutton.cms.gov/resources/codesystem/information";
const C4BB_ADJUDICATION: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
const HL7_ADJUDICATION: &str = "http://terminology.hl7.org/CodeSystem/adjudication";
const C4BB_IDENTIFIER_TYPE: &str = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBIdentifierType";
/// The NUCC Health Care Provider Taxonomy, which R4 qualifies clinicians by.
const NUCC_TAXONOMY: &str = "http://nucc.org/provider-taxonomy";
const C4BB_CARE_TEAM_ROLE: &str =
    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole";

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
    /// Resources only this claim refers to: a referral (STU3) and line test results.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contained: Vec<Contained<'a>>,
    extension: Vec<Extension<'a>>,
    identifier: Vec<Identifier<'a>>,
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_type: Option<CodeableConcept<'a>>,
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    use_: Option<&'static str>,
    patient: Reference,
    billable_period: BillablePeriod<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<Instant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    insurer: Option<ValueIdentifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    provider: Option<Provider<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<ProviderReference<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    facility: Option<Facility<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    referral: Option<Referral<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'static str>,
    /// CLM_DISP_CD, e.g. `01` debit accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    disposition: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    care_team: Vec<CareTeam<'a>>,
    /// STU3 `information`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    information: Vec<SupportingInfo<'a>>,
    /// R4 `supportingInfo`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    supporting_info: Vec<SupportingInfo<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnosis: Vec<Diagnosis<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    procedure: Vec<Procedure<'a>>,
    insurance: Insurance<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hospitalization: Option<Hospitalization<'a>>,
    item: Vec<Item<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_cost: Option<Money>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    total: Vec<Adjudication<'a>>,
    payment: Payment,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    benefit_balance: Vec<BenefitBalance<'a>>,
}

#[derive(Debug, Serialize)]
struct Reference {
    reference: String,
}

/// The claim's service dates; institutional claims say in an extension what kind of bill
/// covers them.
#[derive(Debug, Serialize)]
struct BillablePeriod<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    start: FhirDate,
    end: FhirDate,
}

/// The billing provider: by identifier, or (R4 institutional claims, as BFD does) a
/// reference to the contained Organization that names it.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Provider<'a> {
    Identified(ProviderReference<'a>),
    Contained(Reference),
}

/// Who referred the beneficiary: in STU3 a reference to the contained ReferralRequest,
/// in R4 the referring physician's NPI.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Referral<'a> {
    Contained(Reference),
    Npi { identifier: Identifier<'a> },
}

/// A contained resource.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Contained<'a> {
    ReferralRequest(ReferralRequest<'a>),
    Observation(Observation),
    Organization(Organization<'a>),
}

/// R4: the facility that billed an institutional claim, by its CMS certification number
/// (the PRN, provider number) and its NPI.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Organization<'a> {
    resource_type: &'static str,
    id: &'static str,
    meta: ProfileMeta,
    identifier: Vec<Identifier<'a>>,
    active: bool,
}

#[derive(Debug, Serialize)]
struct ProfileMeta {
    profile: [&'static str; 1],
}

/// STU3: the referral behind a claim, from and to the referring physician as BFD gives
/// it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReferralRequest<'a> {
    resource_type: &'static str,
    id: &'static str,
    status: &'static str,
    /// Required by STU3 (1..1), though BFD leaves it out.
    intent: &'static str,
    subject: Reference,
    requester: ReferralRequester<'a>,
    recipient: [NpiIdentifier<'a>; 1],
}

#[derive(Debug, Serialize)]
struct ReferralRequester<'a> {
    agent: NpiIdentifier<'a>,
}

#[derive(Debug, Serialize)]
struct NpiIdentifier<'a> {
    identifier: Identifier<'a>,
}

/// A line's hemoglobin or hematocrit result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Observation {
    resource_type: &'static str,
    id: String,
    status: &'static str,
    code: CodeableConcept<'static>,
    value_quantity: Decimal,
}

/// A decimal quantity without a unit (`{value: 12.4}`).
#[derive(Debug, Serialize)]
struct Decimal {
    value: f64,
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
    /// The kind of resource referred to, e.g. `Practitioner`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    identifier: Identifier<'a>,
}

#[derive(Debug, Serialize)]
struct Facility<'a> {
    extension: [Extension<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<Identifier<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CareTeam<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    sequence: u32,
    provider: ProviderReference<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    responsible: Option<bool>,
    role: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qualification: Option<CodeableConcept<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SupportingInfo<'a> {
    sequence: u32,
    category: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing_date: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_quantity: Option<Count>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_reference: Option<Reference>,
}

impl<'a> SupportingInfo<'a> {
    /// Information of `category` with no value yet, to be numbered when added.
    fn of(category: CodeableConcept<'a>) -> SupportingInfo<'a> {
        SupportingInfo {
            sequence: 0,
            category,
            code: None,
            timing_date: None,
            timing_period: None,
            value_quantity: None,
            value_reference: None,
        }
    }
}

/// A count (`{value}`), e.g. a fill's days supply, or a measured quantity with its
/// UCUM unit, e.g. pints of blood.
#[derive(Debug, Serialize)]
struct Count {
    value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
}

impl Count {
    fn of(value: i64) -> Count {
        Count {
            value,
            unit: None,
            system: None,
            code: None,
        }
    }

    /// US pints, as BFD gives blood furnished.
    fn pints(value: i64) -> Count {
        Count {
            value,
            unit: Some("pint"),
            system: Some(UCUM),
            code: Some("[pt_us]"),
        }
    }
}

/// An item's revenue center, with what BFD says of it as extensions (its OPPS status
/// indicator, and in STU3 whether its charges were subject to cost sharing).
#[derive(Debug, Serialize)]
struct Revenue<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    coding: Vec<Coding<'a>>,
}

/// STU3's period of a stay, with any extension about it (a hospice claim's benefit
/// period count).
#[derive(Debug, Serialize)]
struct Hospitalization<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<FhirDate>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Diagnosis<'a> {
    /// Whether it was present on admission (inpatient claims).
    #[serde(skip_serializing_if = "Option::is_none")]
    extension: Option<[Extension<'a>; 1]>,
    sequence: u32,
    diagnosis_codeable_concept: CodeableConcept<'a>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<[CodeableConcept<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_code: Option<CodeableConcept<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Procedure<'a> {
    sequence: u32,
    date: FhirDate,
    procedure_codeable_concept: CodeableConcept<'a>,
}

/// STU3 holds one insurance; R4 a list with the focal one marked.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Insurance<'a> {
    Single { coverage: CoverageReference<'a> },
    List([FocalInsurance<'a>; 1]),
}

#[derive(Debug, Serialize)]
struct FocalInsurance<'a> {
    focal: bool,
    coverage: CoverageReference<'a>,
}

/// The Coverage a claim was paid under; Part D events name the plan in extensions.
#[derive(Debug, Serialize)]
struct CoverageReference<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    reference: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Item<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    sequence: i16,
    #[serde(skip_serializing_if = "Option::is_none")]
    care_team_link_id: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    care_team_sequence: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis_link_id: Option<[u32; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    diagnosis_sequence: Option<[u32; 1]>,
    /// R4: the supporting information about the line, e.g. its test result.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_sequence: Option<[u32; 1]>,
    /// A line's type of service (carrier and DME).
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<Revenue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<ProductOrService<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    product_or_service: Option<ProductOrService<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    modifier: Vec<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_date: Option<FhirDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serviced_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_codeable_concept: Option<Location<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location_address: Option<StateAddress>,
    quantity: Quantity<'a>,
    adjudication: Vec<Adjudication<'a>>,
    /// STU3 only: a Part D fill's dispense-or-compound invoice type.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<[Detail<'a>; 1]>,
}

#[derive(Debug, Serialize)]
struct Detail<'a> {
    sequence: u32,
    #[serde(rename = "type")]
    kind: CodeableConcept<'a>,
}

/// Where a carrier or DME line was rendered: the place of service, with the provider's
/// state and pricing in extensions.
#[derive(Debug, Serialize)]
struct Location<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    coding: Vec<Coding<'a>>,
}

#[derive(Debug, Serialize)]
struct StateAddress {
    state: &'static str,
}

/// What a line gave: its HCPCS code (or NDC), with the drug's NDC as an extension where
/// BFD puts it there; STU3 `service` and R4 `productOrService`.
#[derive(Debug, Serialize)]
struct ProductOrService<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    coding: Vec<Coding<'a>>,
}

impl<'a> ProductOrService<'a> {
    fn of(coding: Coding<'a>) -> ProductOrService<'a> {
        ProductOrService {
            extension: Vec::new(),
            coding: vec![coding],
        }
    }
}

#[derive(Debug, Serialize)]
struct Quantity<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    value: i32,
}

#[derive(Debug, Serialize)]
struct Adjudication<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extension: Vec<Extension<'a>>,
    category: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<CodeableConcept<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
}

#[derive(Debug, Serialize)]
struct Payment {
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<FhirDate>,
}

#[derive(Debug, Serialize)]
struct BenefitBalance<'a> {
    category: CodeableConcept<'a>,
    financial: Vec<Financial<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Financial<'a> {
    #[serde(rename = "type")]
    kind: CodeableConcept<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    used_unsigned_int: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    used_money: Option<Money>,
}

impl Financial<'static> {
    /// A claim-level count under its Blue Button variable.
    fn count(variable: &'static str, display: &'static str, count: u32) -> Financial<'static> {
        Financial {
            kind: benefit_balance_type(variable, display),
            used_unsigned_int: Some(count),
            used_money: None,
        }
    }

    /// A claim-level amount under its Blue Button variable.
    fn money(
        version: ApiVersion,
        variable: &'static str,
        display: &'static str,
        cents: i64,
    ) -> Financial<'static> {
        Financial {
            kind: benefit_balance_type(variable, display),
            used_unsigned_int: None,
            used_money: Some(Money { cents, version }),
        }
    }
}

fn benefit_balance_type(variable: &'static str, display: &'static str) -> CodeableConcept<'static> {
    CodeableConcept::of(Coding::new(
        "https://bluebutton.cms.gov/resources/codesystem/benefit-balance",
        variable,
        Some(display),
    ))
}

impl BenefitBalance<'static> {
    /// Claim-level amounts and counts, as Blue Button files them: medical care benefits.
    fn medical(version: ApiVersion, financial: Vec<Financial<'static>>) -> BenefitBalance<'static> {
        let category = match version {
            ApiVersion::V1 => Coding::new(
                "http://hl7.org/fhir/benefit-category",
                "medical",
                Some("Medical Health Coverage"),
            ),
            ApiVersion::V2 | ApiVersion::V3 => Coding::new(
                "http://terminology.hl7.org/CodeSystem/ex-benefitcategory",
                "1",
                Some("Medical Care"),
            ),
        };
        BenefitBalance {
            category: CodeableConcept::of(category),
            financial,
        }
    }
}

impl<'a> ExplanationOfBenefit<'a> {
    /// The ExplanationOfBenefit of `claim`, whose beneficiary has `bene_id`.
    pub fn new(
        version: ApiVersion,
        claim: &'a Claim,
        bene_id: i64,
    ) -> Result<ExplanationOfBenefit<'a>, NotYetRendered> {
        match claim.claim_type {
            ClaimType::Carrier | ClaimType::Dme => Ok(professional::build(version, claim, bene_id)),
            // Part D events are not `Claim` rows: see [`ExplanationOfBenefit::pde`].
            ClaimType::Pde => Err(NotYetRendered(ClaimType::Pde)),
            _ => Ok(institutional::build(version, claim, bene_id)),
        }
    }

    /// The ExplanationOfBenefit of a Part D event, whose beneficiary has `bene_id`.
    pub fn pde(version: ApiVersion, event: &'a PdeEvent, bene_id: i64) -> ExplanationOfBenefit<'a> {
        pharmacy::build(version, event, bene_id)
    }

    /// Writes the resource as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }

    /// The parts every Parts A/B kind shares; the builders fill in the rest.
    fn skeleton(
        version: ApiVersion,
        claim: &'a Claim,
        bene_id: i64,
        profile: &'static str,
        types: (&'static str, &'static str, &'static str),
        coverage_part: &'static str,
    ) -> ExplanationOfBenefit<'a> {
        let mut eob = ExplanationOfBenefit::common(
            version,
            Common {
                kind: claim.claim_type,
                id: claim.clm_id,
                id_system: bb_var!("clm_id"),
                group: claim.clm_grp_id,
                nch_type: Some(claim.nch_clm_type_cd),
                types,
                profile,
                bene_id,
                from: claim.from_date,
                thru: claim.thru_date,
                last_updated: claim.last_updated,
                coverage_part,
            },
        );
        eob.payment.amount = Some(Money {
            cents: claim.paid_cents,
            version,
        });
        eob
    }

    /// What every kind, Part D included, starts from.
    fn common(version: ApiVersion, c: Common) -> ExplanationOfBenefit<'a> {
        let v2 = version.is_r4();
        let (eob_type, claim_type, claim_type_display) = c.types;
        let coverage = CoverageReference {
            extension: Vec::new(),
            reference: format!("Coverage/{}-{}", c.coverage_part, c.bene_id),
        };
        let mut coding = Vec::with_capacity(3);
        if let Some(nch) = c.nch_type {
            coding.push(Coding::new(
                bb_var!("nch_clm_type_cd"),
                nch,
                Some(nch_type_display(nch)),
            ));
        }
        coding.push(Coding::new(
            "https://bluebutton.cms.gov/resources/codesystem/eob-type",
            eob_type,
            None,
        ));
        coding.push(Coding::new(
            if v2 {
                "http://terminology.hl7.org/CodeSystem/claim-type"
            } else {
                "http://hl7.org/fhir/ex-claimtype"
            },
            claim_type,
            Some(claim_type_display),
        ));
        ExplanationOfBenefit {
            resource_type: "ExplanationOfBenefit",
            id: format!("{}-{}", c.kind.as_str(), c.id),
            meta: Meta {
                last_updated: Instant(c.last_updated),
                profile: v2.then_some([c.profile]),
            },
            contained: Vec::new(),
            extension: Vec::new(),
            identifier: vec![
                claim_identifier(version, c.id_system, c.id),
                claim_identifier(
                    version,
                    "https://bluebutton.cms.gov/resources/identifier/claim-group",
                    c.group,
                ),
            ],
            status: "active",
            kind: CodeableConcept { coding, text: None },
            sub_type: None,
            use_: v2.then_some("claim"),
            patient: Reference {
                reference: format!("Patient/{}", c.bene_id),
            },
            billable_period: BillablePeriod {
                extension: Vec::new(),
                start: FhirDate(c.from),
                end: FhirDate(c.thru),
            },
            created: v2.then_some(Instant(c.last_updated)),
            insurer: v2.then_some(ValueIdentifier {
                identifier: Value { value: "CMS" },
            }),
            provider: None,
            organization: None,
            facility: None,
            referral: None,
            outcome: v2.then_some("complete"),
            disposition: None,
            care_team: Vec::new(),
            information: Vec::new(),
            supporting_info: Vec::new(),
            diagnosis: Vec::new(),
            procedure: Vec::new(),
            insurance: if v2 {
                Insurance::List([FocalInsurance {
                    focal: true,
                    coverage,
                }])
            } else {
                Insurance::Single { coverage }
            },
            hospitalization: None,
            item: Vec::new(),
            total_cost: None,
            total: Vec::new(),
            payment: Payment {
                amount: None,
                date: None,
            },
            benefit_balance: Vec::new(),
        }
    }

    /// Adds supporting information in the field of `version` (STU3 `information`, R4
    /// `supportingInfo`), numbering it.
    fn add_info(
        &mut self,
        version: ApiVersion,
        category: CodeableConcept<'a>,
        code: Option<CodeableConcept<'a>>,
        timing: Option<Period>,
    ) {
        self.push_info(
            version,
            SupportingInfo {
                code,
                timing_period: timing,
                ..SupportingInfo::of(category)
            },
        );
    }

    /// Adds supporting information (`information` in STU3), numbering it.
    fn push_info(&mut self, version: ApiVersion, mut info: SupportingInfo<'a>) {
        let list = match version {
            ApiVersion::V1 => &mut self.information,
            ApiVersion::V2 | ApiVersion::V3 => &mut self.supporting_info,
        };
        info.sequence = list.len() as u32 + 1;
        list.push(info);
    }
}

impl<'a> ExplanationOfBenefit<'a> {
    /// Adds an R4 supporting-information count (`valueQuantity`), numbering it.
    fn add_count(&mut self, category: CodeableConcept<'a>, value: i64) {
        let list = &mut self.supporting_info;
        list.push(SupportingInfo {
            sequence: list.len() as u32 + 1,
            category,
            code: None,
            timing_date: None,
            timing_period: None,
            value_quantity: Some(Count::of(value)),
            value_reference: None,
        });
    }

    /// Adds the week the claim was processed into the NCH, which R4 (CARIN) names the
    /// claim's received date, as BFD does.
    fn add_received_date(&mut self, version: ApiVersion, date: time::Date) {
        let weekly = Coding::new(
            BB_INFORMATION,
            bb_var!("nch_wkly_proc_dt"),
            Some("NCH Weekly Claim Processing Date"),
        );
        let coding = match version {
            ApiVersion::V1 => vec![weekly],
            ApiVersion::V2 | ApiVersion::V3 => vec![
                Coding::new(
                    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType",
                    "clmrecvddate",
                    Some("Claim Received Date"),
                ),
                weekly,
            ],
        };
        let list = match version {
            ApiVersion::V1 => &mut self.information,
            ApiVersion::V2 | ApiVersion::V3 => &mut self.supporting_info,
        };
        list.push(SupportingInfo {
            sequence: list.len() as u32 + 1,
            category: CodeableConcept { coding, text: None },
            code: None,
            timing_date: Some(FhirDate(date)),
            timing_period: None,
            value_quantity: None,
            value_reference: None,
        });
    }
}

/// The identity of a claim or event, for [`ExplanationOfBenefit::common`].
struct Common {
    kind: ClaimType,
    id: i64,
    id_system: &'static str,
    group: i64,
    nch_type: Option<&'static str>,
    /// EOB type, FHIR claim type and its display.
    types: (&'static str, &'static str, &'static str),
    profile: &'static str,
    bene_id: i64,
    from: time::Date,
    thru: time::Date,
    last_updated: time::OffsetDateTime,
    coverage_part: &'static str,
}

fn claim_identifier(version: ApiVersion, system: &'static str, value: i64) -> Identifier<'static> {
    Identifier {
        kind: version.is_r4().then(|| {
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

/// An NPI as a care-team provider: a plain NPI identifier in STU3, a typed one in R4.
fn npi_provider(version: ApiVersion, npi: &str) -> ProviderReference<'_> {
    ProviderReference {
        kind: None,
        identifier: Identifier {
            kind: version.is_r4().then(|| {
                CodeableConcept::of(Coding::new(
                    C4BB_IDENTIFIER_TYPE,
                    "npi",
                    Some("National Provider Identifier"),
                ))
            }),
            system: US_NPI,
            value: Cow::Borrowed(npi),
        },
    }
}

/// ICD-10-CM diagnoses, principal first, each with whether it was present on admission
/// when `poa` says (one indicator per diagnosis); in STU3 the DRG rides on the principal
/// one.
fn diagnoses<'a>(
    version: ApiVersion,
    codes: &'a [String],
    poa: &[char],
    drg: Option<&'a str>,
) -> Vec<Diagnosis<'a>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let principal = i == 0;
            let display = CODEBOOK.icd10cm.display(code);
            let mut coding = vec![Coding::new("http://hl7.org/fhir/sid/icd-10", code, display)];
            let kind = match version {
                ApiVersion::V1 => principal.then(|| {
                    [CodeableConcept::of(Coding::new(
                        "https://bluebutton.cms.gov/resources/codesystem/diagnosis-type",
                        "principal",
                        Some("The single medical diagnosis that is most relevant to the patient's chief complaint or need for treatment."),
                    ))]
                }),
                ApiVersion::V2 | ApiVersion::V3 => {
                    coding.insert(0, Coding::new("http://hl7.org/fhir/sid/icd-10-cm", code, display));
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
                extension: poa.get(i).map(|&indicator| {
                    let code = char_code(indicator);
                    [Extension::Variable {
                        name: "clm_poa_ind_sw",
                        suffix: Suffix::Number(i as u8 + 1),
                        code,
                        display: present_on_admission_display(indicator),
                    }]
                }),
                sequence: i as u32 + 1,
                diagnosis_codeable_concept: CodeableConcept { coding, text: None },
                kind,
                package_code: (principal && !version.is_r4())
                    .then_some(drg)
                    .flatten()
                    .map(|drg| CodeableConcept::of(Coding::new(bb_var!("clm_drg_cd"), drg, None))),
            }
        })
        .collect()
}

/// An injury stay's external causes after its other diagnoses (numbered on from
/// `after`), typed as BFD types them (STU3 names the first apart), each with its
/// CLM_E_POA_IND_SW indicator.
fn external_causes(
    version: ApiVersion,
    causes: &[(String, char)],
    after: u32,
) -> impl Iterator<Item = Diagnosis<'_>> {
    causes.iter().enumerate().map(move |(i, (code, poa))| {
        let display = CODEBOOK.icd10cm.display(code);
        let mut coding = vec![Coding::new("http://hl7.org/fhir/sid/icd-10", code, display)];
        let kind = match version {
            ApiVersion::V1 if i == 0 => Coding::new(
                "https://bluebutton.cms.gov/resources/codesystem/diagnosis-type",
                "external-first",
                Some("The code used to identify the 1st external cause of injury, poisoning, or other adverse effect."),
            ),
            ApiVersion::V1 => Coding::new(
                "https://bluebutton.cms.gov/resources/codesystem/diagnosis-type",
                "external",
                Some("A code used to identify an external cause of injury, poisoning, or other adverse effect."),
            ),
            ApiVersion::V2 | ApiVersion::V3 => {
                coding.insert(0, Coding::new("http://hl7.org/fhir/sid/icd-10-cm", code, display));
                Coding::new(
                    "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimDiagnosisType",
                    "externalcauseofinjury",
                    Some("External Cause of Injury"),
                )
            }
        };
        Diagnosis {
            extension: Some([Extension::Variable {
                name: "clm_e_poa_ind_sw",
                suffix: Suffix::Number(i as u8 + 1),
                code: char_code(*poa),
                display: present_on_admission_display(*poa),
            }]),
            sequence: after + i as u32 + 1,
            diagnosis_codeable_concept: CodeableConcept { coding, text: None },
            kind: Some([CodeableConcept::of(kind)]),
            package_code: None,
        }
    })
}

/// The NUCC taxonomy coding R4 qualifies a clinician of CMS `specialty` by, as BFD gives
/// it on every claim kind.
fn nucc_taxonomy(specialty: &str) -> Option<Coding<'static>> {
    CODEBOOK
        .taxonomy(specialty)
        .map(|(taxonomy, display)| Coding::new(NUCC_TAXONOMY, taxonomy, Some(display)))
}

/// CLM_POA_IND_SW display texts BFD gives (others are rendered without one).
fn present_on_admission_display(indicator: char) -> Option<&'static str> {
    match indicator {
        'Y' => Some("Diagnosis was present at the time of admission (POA)"),
        'N' => Some("Diagnosis was not present at the time of admission"),
        _ => None,
    }
}

/// A line's HCPCS modifiers, from the HCPCS release of `hcpcs_version` when the claim
/// names it.
fn modifiers<'a>(line: &'a ClaimLine, hcpcs_version: Option<&'a str>) -> Vec<CodeableConcept<'a>> {
    line.modifiers
        .iter()
        .map(|m| {
            let coding = Coding::new(HCPCS, m, None);
            CodeableConcept::of(match hcpcs_version {
                Some(version) => coding.in_version(version),
                None => coding,
            })
        })
        .collect()
}

/// A line's service dates.
fn line_period(line: &ClaimLine) -> Option<Period> {
    Some(Period {
        start: Some(FhirDate(line.from_date)),
        end: Some(FhirDate(line.thru_date)),
    })
}

/// An amount with its Blue Button variable and, in R4, its CARIN category first.
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
        ApiVersion::V2 | ApiVersion::V3 => vec![Coding::new(carin.0, carin.1, Some(carin.2)), bb],
    };
    Adjudication {
        extension: Vec::new(),
        category: CodeableConcept { coding, text: None },
        reason: None,
        amount: Some(Money { cents, version }),
    }
}

/// An adjudication that gives a reason and no amount: in STU3 under the variable's own
/// category, in R4 as CARIN's denial reason.
fn reason<'a>(
    version: ApiVersion,
    (variable, variable_display): (&'static str, &'static str),
    code: &'a str,
    display: Option<&'static str>,
) -> Adjudication<'a> {
    let category = match version {
        ApiVersion::V1 => Coding::new(BB_ADJUDICATION, variable, Some(variable_display)),
        ApiVersion::V2 | ApiVersion::V3 => Coding::new(
            "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator",
            "denialreason",
            Some("Denial Reason"),
        ),
    };
    Adjudication {
        extension: Vec::new(),
        category: CodeableConcept::of(category),
        reason: Some(CodeableConcept::of(Coding::new(variable, code, display))),
        amount: None,
    }
}

/// NCH_CLM_TYPE_CD display texts, as BFD words them.
fn nch_type_display(code: &str) -> &'static str {
    match code {
        "10" => "Home Health Agency (HHA) claim",
        "20" => "Non swing bed Skilled Nursing Facility (SNF) claim",
        "30" => "Swing bed SNF claim",
        "40" => "Outpatient claim",
        "50" => "Hospice claim",
        "60" => "Inpatient claim",
        "71" => {
            "Local carrier non-durable medical equipment, prosthetics, orthotics, and supplies (DMEPOS) claim"
        }
        "72" => "Local carrier DMEPOS claim",
        "81" => "Durable medical equipment regional carrier (DMERC); non-DMEPOS claim",
        "82" => "DMERC; DMEPOS claim",
        _ => "Unknown",
    }
}
