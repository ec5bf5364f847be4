//! `Coverage` in Blue Button's v3 shape: one resource per part the beneficiary has had
//! (A, B, C, D) and one for dual Medicare/Medicaid eligibility, typed by the Source of
//! Payment Typology, with enrollment facts as v3 extensions. Unlike v1/v2, a part the
//! beneficiary never had is not rendered at all.

use std::borrow::Cow;

use serde::Serialize;
use time::{Date, Month};

use super::{CARIN_ORGANIZATION, CodingExtension, LocalReference, TypedIdentifier, bb_cs, bb_sd};
use crate::claims::{Beneficiary, EnrollmentMonth, EnrollmentYear};
use crate::fhir::datatypes::{CodeableConcept, Coding, FhirDate, Instant, Period};
use crate::fhir::json::{self, JsonError};
use crate::geography::usps_state;

const PROFILES: [&str; 2] = [
    "http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage|2.2.0",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-coverage|7.0.0",
];
/// The Source of Payment Typology (PHDSC), which v3 types coverage by.
const SOPT: &str = "https://nahdo.org/sopt";
const COVERAGE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/coverage-class";

/// What a v3 Coverage covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoveragePart {
    A,
    B,
    C,
    D,
    Dual,
}

impl CoveragePart {
    pub const ALL: [CoveragePart; 5] = [
        CoveragePart::A,
        CoveragePart::B,
        CoveragePart::C,
        CoveragePart::D,
        CoveragePart::Dual,
    ];

    /// Whether `month` had it.
    fn covers(self, month: &EnrollmentMonth) -> bool {
        match self {
            CoveragePart::A => matches!(month.buyin_cd, '1' | '3' | 'A' | 'C'),
            CoveragePart::B => matches!(month.buyin_cd, '2' | '3' | 'B' | 'C'),
            CoveragePart::C => month.in_part_c(),
            CoveragePart::D => month.in_part_d(),
            CoveragePart::Dual => month.is_dual(),
        }
    }

    /// The class `plan` value.
    fn plan(self) -> &'static str {
        match self {
            CoveragePart::A => "Part A",
            CoveragePart::B => "Part B",
            CoveragePart::C => "Part C",
            CoveragePart::D => "Part D",
            CoveragePart::Dual => "Dual Medicare/Medicaid",
        }
    }

    /// The SOPT code and display.
    fn payment_type(self) -> (&'static str, &'static str) {
        match self {
            CoveragePart::A => ("1", "MEDICARE"),
            CoveragePart::B => ("121", "MEDICARE FFS"),
            CoveragePart::C => (
                "11",
                "MEDICARE MANAGED CARE (Includes Medicare Advantage Plans)",
            ),
            CoveragePart::D => ("122", "Medicare Drug Benefit"),
            CoveragePart::Dual => ("14", "Dual Eligibility Medicare/Medicaid Organization"),
        }
    }
}

/// One part of a beneficiary's coverage.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage<'a> {
    resource_type: &'static str,
    id: String,
    meta: CoverageMeta,
    contained: [Payer<'a>; 1],
    extension: Vec<Extension<'a>>,
    identifier: [TypedIdentifier<'a>; 1],
    status: &'static str,
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    subscriber_id: &'a str,
    beneficiary: LocalReference,
    relationship: CodeableConcept<'static>,
    period: Period,
    payor: [LocalReference; 1],
    class: Vec<Class<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CoverageMeta {
    last_updated: Instant,
    profile: [&'static str; 2],
}

/// A v3 Coverage extension: a coding or a string.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Extension<'a> {
    Coding(CodingExtension<'a>),
    String {
        url: &'static str,
        #[serde(rename = "valueString")]
        value: &'a str,
    },
}

/// The payer: CMS for Parts A and B and dual status, the plan for Parts C and D.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Payer<'a> {
    resource_type: &'static str,
    id: &'static str,
    meta: PayerMeta,
    active: bool,
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<[Contact; 1]>,
}

#[derive(Debug, Serialize)]
struct PayerMeta {
    profile: [&'static str; 1],
}

#[derive(Debug, Serialize)]
struct Contact {
    purpose: CodeableConcept<'static>,
    telecom: [Telecom; 3],
}

#[derive(Debug, Serialize)]
struct Telecom {
    system: &'static str,
    value: &'static str,
}

#[derive(Debug, Serialize)]
struct Class<'a> {
    #[serde(rename = "type")]
    kind: CodeableConcept<'static>,
    value: &'a str,
}

impl<'a> Coverage<'a> {
    /// Every Coverage of `bene`: the parts and dual eligibility that any month of
    /// `months` shows, from the latest enrollment year's facts.
    pub fn all_of(
        bene: &'a Beneficiary,
        years: &'a [EnrollmentYear],
        months: &'a [EnrollmentMonth],
    ) -> Vec<Coverage<'a>> {
        CoveragePart::ALL
            .into_iter()
            .filter_map(|part| Coverage::new(part, bene, years, months))
            .collect()
    }

    /// Part `part` of `bene`, if any month had it.
    pub fn new(
        part: CoveragePart,
        bene: &'a Beneficiary,
        years: &'a [EnrollmentYear],
        months: &'a [EnrollmentMonth],
    ) -> Option<Coverage<'a>> {
        let covered: Vec<&'a EnrollmentMonth> = months.iter().filter(|m| part.covers(m)).collect();
        let latest = *covered.iter().max_by_key(|m| (m.year, m.month))?;
        let first = covered.iter().min_by_key(|m| (m.year, m.month))?;
        let last_on_record = months.iter().map(|m| (m.year, m.month)).max()?;
        let year = years.iter().max_by_key(|y| y.year);
        let ended = (latest.year, latest.month) < last_on_record
            || year.is_some_and(|y| match part {
                CoveragePart::A => y.a_trm_cd != '0',
                CoveragePart::B => y.b_trm_cd != '0',
                _ => false,
            });
        let last_updated =
            year.map_or(bene.last_updated, |y| y.last_updated.max(bene.last_updated));
        let plan = match part {
            CoveragePart::C => latest
                .ptc_cntrct_id
                .as_deref()
                .zip(latest.ptc_pbp_id.as_deref()),
            CoveragePart::D => latest
                .ptd_cntrct_id
                .as_deref()
                .zip(latest.ptd_pbp_id.as_deref()),
            _ => None,
        };
        let id = match (part, plan) {
            (CoveragePart::A, _) => format!("part-a-{}", bene.bene_id),
            (CoveragePart::B, _) => format!("part-b-{}", bene.bene_id),
            (CoveragePart::Dual, _) => format!("dual-{}", bene.bene_id),
            (CoveragePart::C, Some((contract, pbp))) => {
                format!("part-c-{}-{contract}-{pbp}", bene.bene_id)
            }
            (CoveragePart::D, Some((contract, pbp))) => {
                format!("part-d-{}-{contract}-{pbp}", bene.bene_id)
            }
            (CoveragePart::C, None) => format!("part-c-{}", bene.bene_id),
            (CoveragePart::D, None) => format!("part-d-{}", bene.bene_id),
        };
        let (code, display) = part.payment_type();
        let payer = match (part, plan) {
            (CoveragePart::C | CoveragePart::D, Some((contract, _))) => Payer::plan(contract),
            _ => Payer::cms(),
        };
        let mut class = vec![Class {
            kind: CodeableConcept::of(Coding::new(COVERAGE_CLASS, "plan", None)),
            value: part.plan(),
        }];
        if let (CoveragePart::D, Some((_, pbp))) = (part, plan) {
            class.push(Class {
                kind: CodeableConcept::of(Coding::new(COVERAGE_CLASS, "rxgroup", None)),
                value: pbp,
            });
        }
        Some(Coverage {
            resource_type: "Coverage",
            id,
            meta: CoverageMeta {
                last_updated: Instant(last_updated),
                profile: PROFILES,
            },
            extension: extensions(part, bene, year, latest),
            identifier: [TypedIdentifier::mbi(&bene.mbi)],
            status: if ended { "cancelled" } else { "active" },
            kind: CodeableConcept::of(Coding::new(SOPT, code, Some(display))),
            subscriber_id: &bene.mbi,
            beneficiary: LocalReference::to(format!("Patient/{}", bene.bene_id)),
            relationship: CodeableConcept::of(Coding::new(
                "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                "self",
                Some("Self"),
            )),
            period: Period {
                start: month_start(first),
                end: if ended { month_end(latest) } else { None },
            },
            payor: [LocalReference::to(format!("#{}", payer.id))],
            contained: [payer],
            class,
        })
    }

    /// When the Coverage last changed (`meta.lastUpdated`), which `_since` compares with.
    pub fn last_updated(&self) -> time::OffsetDateTime {
        self.meta.last_updated.0
    }

    /// Writes the Coverage as one NDJSON line.
    pub fn write_ndjson(&self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        json::write_line(self, out)
    }
}

impl Payer<'static> {
    /// CMS, with Medicare's numbers for beneficiaries, as BFD contains it.
    fn cms() -> Payer<'static> {
        Payer {
            resource_type: "Organization",
            id: "cms-org",
            meta: PayerMeta {
                profile: [CARIN_ORGANIZATION],
            },
            active: true,
            name: Cow::Borrowed("Centers for Medicare and Medicaid Services"),
            contact: Some([Contact {
                purpose: CodeableConcept::of(Coding::new(
                    "http://terminology.hl7.org/CodeSystem/contactentity-type",
                    "PATINF",
                    Some("Patient"),
                )),
                telecom: [
                    Telecom {
                        system: "phone",
                        value: "1-800-633-4227",
                    },
                    Telecom {
                        system: "phone",
                        value: "TTY: 1-877-486-2048",
                    },
                    Telecom {
                        system: "url",
                        value: "www.medicare.gov",
                    },
                ],
            }]),
        }
    }
}

impl<'a> Payer<'a> {
    /// A Medicare Advantage or Part D plan, known by its contract number: our plans are
    /// synthetic and have no registered name or phone numbers.
    fn plan(contract: &'a str) -> Payer<'a> {
        Payer {
            resource_type: "Organization",
            id: "insurer-org",
            meta: PayerMeta {
                profile: [CARIN_ORGANIZATION],
            },
            active: true,
            name: Cow::Owned(format!("Medicare contract {contract}")),
            contact: None,
        }
    }
}

/// A v3 coding extension whose URL and code system share the variable's name.
macro_rules! coding_extension {
    ($name:literal, $code:expr) => {
        Extension::Coding(CodingExtension {
            url: bb_sd!($name),
            value_coding: Coding::new(bb_cs!($name), $code, None),
        })
    };
}

fn extensions<'a>(
    part: CoveragePart,
    bene: &'a Beneficiary,
    year: Option<&'a EnrollmentYear>,
    latest: &'a EnrollmentMonth,
) -> Vec<Extension<'a>> {
    let mut extension = Vec::new();
    match part {
        CoveragePart::A | CoveragePart::B => {
            extension.push(coding_extension!(
                "BENE-BUYIN-CD",
                crate::fhir::datatypes::char_code(latest.buyin_cd)
            ));
            extension.push(coding_extension!("BENE-MDCR-ENTLMT-STUS-CD", "Y"));
            if let Some(year) = year {
                extension.push(coding_extension!("BENE-MDCR-STUS-CD", year.ms_cd));
                extension.push(coding_extension!(
                    "BENE-ESRD-STUS-ID",
                    if year.esrd_ind == 'Y' { "Y" } else { "N" }
                ));
                extension.push(coding_extension!(
                    "BENE-DSBLD-STUS-ID",
                    if matches!(year.ms_cd, "20" | "21") {
                        "Y"
                    } else {
                        "N"
                    }
                ));
                extension.push(coding_extension!(
                    "BENE-MDCR-ENTLMT-RSN-CD",
                    crate::fhir::datatypes::char_code(year.orec)
                ));
            }
        }
        CoveragePart::C | CoveragePart::D => {
            let (contract, pbp, plan_type) = match part {
                CoveragePart::C => (
                    latest.ptc_cntrct_id.as_deref(),
                    latest.ptc_pbp_id.as_deref(),
                    latest.ptc_plan_type_cd.as_deref(),
                ),
                _ => (
                    latest.ptd_cntrct_id.as_deref(),
                    latest.ptd_pbp_id.as_deref(),
                    None,
                ),
            };
            if let Some(contract) = contract {
                extension.push(Extension::String {
                    url: bb_sd!("BENE-CNTRCT-NUM"),
                    value: contract,
                });
            }
            if let Some(pbp) = pbp {
                extension.push(Extension::String {
                    url: bb_sd!("BENE-PBP-NUM"),
                    value: pbp,
                });
            }
            if let Some(plan_type) = plan_type {
                extension.push(coding_extension!("BENE-CVRG-TYPE-CD", plan_type));
            }
            if part == CoveragePart::D
                && let Some(level) = latest
                    .cst_shr_grp_cd
                    .as_deref()
                    .and_then(low_income_copay_level)
            {
                extension.push(coding_extension!("BENE-LIS-COPMT-LVL-CD", level));
            }
        }
        CoveragePart::Dual => {
            extension.push(coding_extension!(
                "BENE-DUAL-STUS-CD",
                latest.dual_stus_cd.as_str()
            ));
            if let Some(state) = usps_state(&bene.state_cd) {
                extension.push(Extension::Coding(CodingExtension {
                    url: bb_sd!("MEDICAID-STATE-CD"),
                    value_coding: Coding::new("https://www.usps.com", state, None),
                }));
            }
        }
    }
    extension
}

/// The low-income subsidy copayment level of a Part D cost-sharing group (01-08; 09,
/// no subsidy, has none): groups 01-03 are level 1 to 3 of full subsidy, 04-08 partial.
fn low_income_copay_level(group: &str) -> Option<&'static str> {
    match group {
        "01" => Some("1"),
        "02" => Some("2"),
        "03" => Some("3"),
        "04" | "05" | "06" | "07" | "08" => Some("4"),
        _ => None,
    }
}

fn month_start(month: &EnrollmentMonth) -> Option<FhirDate> {
    let m = Month::try_from(month.month as u8).ok()?;
    Date::from_calendar_date(i32::from(month.year), m, 1)
        .ok()
        .map(FhirDate)
}

fn month_end(month: &EnrollmentMonth) -> Option<FhirDate> {
    let m = Month::try_from(month.month as u8).ok()?;
    Date::from_calendar_date(i32::from(month.year), m, m.length(i32::from(month.year)))
        .ok()
        .map(FhirDate)
}
