//! Coverage: a beneficiary's Parts A, B, C and D, as Blue Button renders them (ids
//! `part-a-<bene_id>` to `part-d-<bene_id>`), with the reference year's monthly
//! enrollment as CCW-variable extensions.

use serde::Serialize;

use super::datatypes::{Coding, Extension, FhirDate, Instant, Meta, Period, Suffix, char_code};
use super::displays;
use super::enrollment::ReferenceYear;
use super::json::{self, JsonError};
use crate::ApiVersion;
use crate::claims::{Beneficiary, EnrollmentMonth, EnrollmentYear};

/// The four parts of Medicare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoveragePart {
    A,
    B,
    C,
    D,
}

impl CoveragePart {
    pub const ALL: [CoveragePart; 4] = [
        CoveragePart::A,
        CoveragePart::B,
        CoveragePart::C,
        CoveragePart::D,
    ];

    fn id_prefix(self) -> &'static str {
        match self {
            CoveragePart::A => "part-a",
            CoveragePart::B => "part-b",
            CoveragePart::C => "part-c",
            CoveragePart::D => "part-d",
        }
    }

    fn name(self) -> &'static str {
        match self {
            CoveragePart::A => "Part A",
            CoveragePart::B => "Part B",
            CoveragePart::C => "Part C",
            CoveragePart::D => "Part D",
        }
    }

    /// Whether `month` had this part.
    fn covers(self, month: &EnrollmentMonth) -> bool {
        match self {
            CoveragePart::A => matches!(month.buyin_cd, '1' | '3' | 'A' | 'C'),
            CoveragePart::B => matches!(month.buyin_cd, '2' | '3' | 'B' | 'C'),
            CoveragePart::C => month.in_part_c(),
            CoveragePart::D => month.in_part_d(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage<'a> {
    resource_type: &'static str,
    id: String,
    meta: Meta,
    extension: Vec<Extension<'a>>,
    status: &'static str,
    #[serde(rename = "type")]
    kind: TypeConcept,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscriber_id: Option<&'a str>,
    beneficiary: BeneficiaryReference,
    #[serde(skip_serializing_if = "Option::is_none")]
    relationship: Option<TypeConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payor: Option<[Payor; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grouping: Option<Grouping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<[Class; 2]>,
}

#[derive(Debug, Serialize)]
struct TypeConcept {
    coding: [Coding<'static>; 1],
}

#[derive(Debug, Serialize)]
struct BeneficiaryReference {
    reference: String,
}

#[derive(Debug, Serialize)]
struct Payor {
    identifier: PayorIdentifier,
}

#[derive(Debug, Serialize)]
struct PayorIdentifier {
    value: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Grouping {
    sub_group: &'static str,
    sub_plan: &'static str,
}

#[derive(Debug, Serialize)]
struct Class {
    #[serde(rename = "type")]
    kind: TypeConcept,
    value: &'static str,
}

impl<'a> Coverage<'a> {
    /// Part `part` of `bene` for `version`, from the latest enrollment year.
    pub fn new(
        version: ApiVersion,
        part: CoveragePart,
        bene: &'a Beneficiary,
        years: &'a [EnrollmentYear],
        months: &'a [EnrollmentMonth],
    ) -> Coverage<'a> {
        let reference = ReferenceYear::latest(months);
        let year_row = reference
            .as_ref()
            .and_then(|r| years.iter().find(|y| i32::from(y.year) == r.year))
            .or_else(|| years.iter().max_by_key(|y| y.year));
        let covered: Vec<&EnrollmentMonth> = months.iter().filter(|m| part.covers(m)).collect();
        let terminated = match part {
            CoveragePart::A => year_row.is_some_and(|y| y.a_trm_cd != '0'),
            CoveragePart::B => year_row.is_some_and(|y| y.b_trm_cd != '0'),
            _ => false,
        };
        let status = if covered.is_empty() || terminated {
            "cancelled"
        } else {
            "active"
        };
        let period = coverage_period(&covered, bene, terminated);
        let last_updated =
            year_row.map_or(bene.last_updated, |y| y.last_updated.max(bene.last_updated));
        let extension = extensions(part, year_row, reference.as_ref(), months);
        let part_name = part.name();
        let (kind, subscriber_id, relationship, payor, grouping, class, profile) = match version {
            ApiVersion::V1 => (
                TypeConcept {
                    coding: [Coding::new("Medicare", part_name, None)],
                },
                None,
                None,
                None,
                Some(Grouping {
                    sub_group: "Medicare",
                    sub_plan: part_name,
                }),
                None,
                None,
            ),
            ApiVersion::V2 | ApiVersion::V3 => (
                TypeConcept {
                    coding: [Coding::new(
                        "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "SUBSIDIZ",
                        None,
                    )],
                },
                Some(bene.mbi.as_str()),
                Some(TypeConcept {
                    coding: [Coding::new(
                        "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                        "self",
                        Some("Self"),
                    )],
                }),
                Some([Payor {
                    identifier: PayorIdentifier {
                        value: "Centers for Medicare and Medicaid Services",
                    },
                }]),
                None,
                Some([
                    class("group", "Group", "Medicare"),
                    class("plan", "Plan", part_name),
                ]),
                Some(["http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Coverage"]),
            ),
        };
        Coverage {
            resource_type: "Coverage",
            id: format!("{}-{}", part.id_prefix(), bene.bene_id),
            meta: Meta {
                last_updated: Instant(last_updated),
                profile,
            },
            extension,
            status,
            kind,
            subscriber_id,
            beneficiary: BeneficiaryReference {
                reference: format!("Patient/{}", bene.bene_id),
            },
            relationship,
            period,
            payor,
            grouping,
            class,
        }
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

fn class(code: &'static str, display: &'static str, value: &'static str) -> Class {
    Class {
        kind: TypeConcept {
            coding: [Coding::new(
                "http://terminology.hl7.org/CodeSystem/coverage-class",
                code,
                Some(display),
            )],
        },
        value,
    }
}

/// From the first covered month; ended by termination (death) when there was one.
fn coverage_period(
    covered: &[&EnrollmentMonth],
    bene: &Beneficiary,
    terminated: bool,
) -> Option<Period> {
    let first = covered.iter().min_by_key(|m| (m.year, m.month))?;
    let start = time::Month::try_from(first.month as u8)
        .ok()
        .and_then(|month| time::Date::from_calendar_date(i32::from(first.year), month, 1).ok())?;
    Some(Period {
        start: Some(FhirDate(start)),
        end: if terminated {
            bene.death_date.map(FhirDate)
        } else {
            None
        },
    })
}

/// Part D's contract of every month of every year on record (`ptdcntrct01/2018-1`), as
/// BFD gives them after the reference year's monthly contracts; a month without a
/// contract says so with `0`.
fn add_contract_history<'a>(extension: &mut Vec<Extension<'a>>, months: &'a [EnrollmentMonth]) {
    // The rows come by year and month, as the worker reads and the generator makes them.
    let entries = months.iter().map(|m| Extension::YearMonthVariable {
        name: "ptdcntrct",
        year: i32::from(m.year),
        month: m.month as u8,
        code: m.ptd_cntrct_id.as_deref().unwrap_or("0"),
        display: m
            .ptd_cntrct_id
            .is_none()
            .then_some("Not Medicare enrolled for the month"),
    });
    extension.extend(entries);
}

fn extensions<'a>(
    part: CoveragePart,
    year_row: Option<&'a EnrollmentYear>,
    reference: Option<&ReferenceYear<'a>>,
    months: &'a [EnrollmentMonth],
) -> Vec<Extension<'a>> {
    let mut ext = Vec::with_capacity(90);
    if let Some(y) = year_row {
        if matches!(part, CoveragePart::A | CoveragePart::B | CoveragePart::D) {
            ext.push(Extension::variable(
                "ms_cd",
                y.ms_cd,
                displays::medicare_status(y.ms_cd),
            ));
        }
        match part {
            CoveragePart::A => {
                ext.push(coded("orec", y.orec, displays::entitlement_reason(y.orec)));
                ext.push(coded("crec", y.crec, displays::entitlement_reason(y.crec)));
                ext.push(coded("esrd_ind", y.esrd_ind, None));
                ext.push(coded(
                    "a_trm_cd",
                    y.a_trm_cd,
                    displays::termination(y.a_trm_cd),
                ));
            }
            CoveragePart::B => ext.push(coded(
                "b_trm_cd",
                y.b_trm_cd,
                displays::termination(y.b_trm_cd),
            )),
            _ => {}
        }
    }
    let Some(reference) = reference else {
        return ext;
    };
    // Parts A and B: the year and dual status, then each month's buy-in. Parts C and D:
    // each plan variable's months together (Part D's contract history after its
    // contracts), then the year and dual status, in BFD's order.
    let monthly = |name: &'static str, month: u8, code: &'a str, display| Extension::Variable {
        name,
        suffix: Suffix::Month(month),
        code,
        display,
    };
    let underscored = |name: &'static str, month: u8, code: &'a str, display| Extension::Variable {
        name,
        suffix: Suffix::UnderscoreMonth(month),
        code,
        display,
    };
    match part {
        CoveragePart::A | CoveragePart::B => {
            ext.extend(reference.year_and_dual_status());
            for (month, row) in reference.each() {
                ext.push(monthly(
                    "buyin",
                    month,
                    char_code(row.buyin_cd),
                    displays::buyin(row.buyin_cd),
                ));
            }
        }
        CoveragePart::C => {
            for (month, row) in reference.each() {
                if let Some(contract) = &row.ptc_cntrct_id {
                    ext.push(underscored("ptc_cntrct_id", month, contract, None));
                }
            }
            for (month, row) in reference.each() {
                if let Some(pbp) = &row.ptc_pbp_id {
                    ext.push(underscored("ptc_pbp_id", month, pbp, None));
                }
            }
            for (month, row) in reference.each() {
                if let Some(plan_type) = &row.ptc_plan_type_cd {
                    ext.push(underscored("ptc_plan_type_cd", month, plan_type, None));
                }
            }
            for (month, row) in reference.each() {
                ext.push(underscored(
                    "hmo_ind",
                    month,
                    char_code(row.hmo_ind),
                    displays::hmo_indicator(row.hmo_ind),
                ));
            }
            ext.extend(reference.year_and_dual_status());
        }
        CoveragePart::D => {
            for (month, row) in reference.each() {
                if let Some(contract) = &row.ptd_cntrct_id {
                    ext.push(monthly("ptdcntrct", month, contract, None));
                }
            }
            add_contract_history(&mut ext, months);
            for (month, row) in reference.each() {
                if let Some(pbp) = &row.ptd_pbp_id {
                    ext.push(monthly("ptdpbpid", month, pbp, None));
                }
            }
            for (month, row) in reference.each() {
                if let Some(segment) = &row.ptd_sgmt_id {
                    ext.push(monthly("sgmtid", month, segment, None));
                }
            }
            for (month, row) in reference.each() {
                if let Some(cost_share) = &row.cst_shr_grp_cd {
                    ext.push(monthly(
                        "cstshr",
                        month,
                        cost_share,
                        displays::cost_sharing(cost_share),
                    ));
                }
            }
            for (month, row) in reference.each() {
                ext.push(monthly(
                    "rdsind",
                    month,
                    char_code(row.rds_ind),
                    displays::retiree_drug_subsidy(row.rds_ind),
                ));
            }
            ext.extend(reference.year_and_dual_status());
        }
    }
    ext
}

fn coded(name: &'static str, code: char, display: Option<&'static str>) -> Extension<'static> {
    Extension::variable(name, char_code(code), display)
}
