//! The report's statistics, computed from a [`Tally`]: each with its target and source.

use bcda_model::claims::ClaimType;

use super::tally::{Tally, kind_index};
use super::{DISTINCT_CODES_AMONG, Statistic, Target, Unit};
use crate::health::Condition;
use crate::rates::RATES;

/// The statistics gathered so far, in the report's order.
#[derive(Debug, Default)]
pub(super) struct Statistics(pub(super) Vec<Statistic>);

impl Statistics {
    fn push(
        &mut self,
        name: impl Into<String>,
        target: Target,
        generated: f64,
        unit: Unit,
        source: &'static str,
    ) {
        self.0.push(Statistic {
            name: name.into(),
            target,
            generated,
            unit,
            source,
        });
    }
}

/// Within `tolerance` (relative) of `value`.
fn near(value: f64, tolerance: f64) -> Target {
    Target::Near { value, tolerance }
}

/// `a / b`, or zero when there is nothing to divide by.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Tally {
    /// Every statistic of the report.
    pub(super) fn statistics(&self) -> Vec<Statistic> {
        let mut out = Statistics::default();
        self.population(&mut out);
        self.health(&mut out);
        self.utilization(&mut out);
        self.coding(&mut out);
        out.0
    }

    /// The population mix: sex, age, dual eligibility, Part D.
    fn population(&self, out: &mut Statistics) {
        let people = self.people as f64;

        let months = self.months as f64;
        out.push(
            "women",
            near(0.54, 0.05),
            ratio(self.female as f64, people),
            Unit::Percent,
            "KFF: 54% of Medicare beneficiaries are women",
        );
        out.push(
            "under 65 (disabled or ESRD)",
            near(0.19, 0.10),
            ratio(self.under_65 as f64, people),
            Unit::Percent,
            "KFF: 18% of traditional Medicare beneficiaries are under 65; about 1% have ESRD",
        );
        out.push(
            "dual-eligible months",
            near(0.19, 0.10),
            ratio(self.dual_months as f64, months),
            Unit::Percent,
            "CMS MMCO data brief: 19% of FFS beneficiaries dual-eligible (2019)",
        );
        out.push(
            "months with Part D",
            near(0.77, 0.05),
            ratio(self.part_d_months as f64, months),
            Unit::Percent,
            "KFF: 77% of beneficiaries enrolled in Part D",
        );
    }

    /// Chronic conditions, how they cluster, deaths and hospice.
    fn health(&self, out: &mut Statistics) {
        let people = self.people as f64;
        for condition in Condition::ALL {
            let spec = condition.spec();
            out.push(
                format!("beneficiaries with {}", spec.name),
                near(spec.prevalence, 0.10),
                ratio(self.with(condition) as f64, people),
                Unit::Percent,
                spec.source,
            );
        }
        let at_least =
            |n: usize| ratio(self.with_conditions[n..].iter().sum::<u64>() as f64, people);
        out.push(
            "with 2 or more of the 15 conditions",
            near(0.684, 0.05),
            at_least(2),
            Unit::Percent,
            "Lochner and Cox, Prev Chronic Dis 2013;10:120137 (FFS, 2010, the same 15 conditions)",
        );
        out.push(
            "with 4 or more of the 15 conditions",
            near(0.364, 0.08),
            at_least(4),
            Unit::Percent,
            "Lochner and Cox, Prev Chronic Dis 2013;10:120137",
        );
        let among = |has: Condition, with: Condition| {
            ratio(
                self.with_both[with as usize][has as usize] as f64,
                self.with(with) as f64,
            )
        };
        for (has, with, share) in [
            (Condition::Hypertension, Condition::Diabetes, 0.834),
            (Condition::ChronicKidneyDisease, Condition::Diabetes, 0.536),
            (
                Condition::ChronicKidneyDisease,
                Condition::Hypertension,
                0.3456,
            ),
        ] {
            out.push(
                format!("{} among those with {}", has.spec().name, with.spec().name),
                near(share, 0.10),
                among(has, with),
                Unit::Percent,
                "CMS Chronic Conditions co-morbidity charts, 65+, as quoted by Synthea's Medicare targets",
            );
        }
        out.push(
            "deaths per beneficiary-year",
            near(0.040, 0.15),
            ratio(self.deaths as f64, self.months as f64 / 12.0),
            Unit::Percent,
            "KFF, Medicare Spending at the End of Life (2016): 4.0% of beneficiaries died in 2014",
        );
        out.push(
            "decedents who used hospice",
            near(0.516, 0.15),
            ratio(self.decedents_in_hospice as f64, self.deaths as f64),
            Unit::Percent,
            "MedPAC, December 2020: 51.6% of Medicare decedents (2019)",
        );
    }

    /// Claims, users, hospital stays and what follows them, payments, lines.
    fn utilization(&self, out: &mut Statistics) {
        let rates = RATES.each();
        for (kind, rate) in rates {
            let years = if kind == ClaimType::Pde {
                self.part_d_months as f64 / 12.0
            } else {
                self.ffs_years
            };
            out.push(
                format!("{} claims per beneficiary-year", kind.as_str()),
                near(rate.per_year, claim_rate_tolerance(kind)),
                ratio(self.claims[kind_index(kind)] as f64, years),
                Unit::Number,
                "docs/synthetic-data.md, Calibration (MedPAC, CMS, CBO)",
            );
        }
        for (kind, rate) in rates {
            let users = ratio(
                self.full_year_users[kind_index(kind)] as f64,
                self.full_year as f64,
            );
            let (target, source) = match rate.users {
                Some(share) => (near(share, users_tolerance(kind)), rate.users_source),
                None => (Target::Unpublished, "no national share of users found"),
            };
            out.push(
                format!("full-year FFS beneficiaries with a {} claim", kind.as_str()),
                target,
                users,
                Unit::Percent,
                source,
            );
        }
        out.push(
            "hospital stays per user",
            near(1.6, 0.15),
            ratio(
                self.full_year_stays as f64,
                self.full_year_users[kind_index(ClaimType::Inpatient)] as f64,
            ),
            Unit::Number,
            "CMS Geographic Variation PUF, 2019: 261.5 stays per 1,000 / 16.33% users",
        );
        out.push(
            "stays followed by another admission within 30 days",
            near(0.181, 0.20),
            ratio(self.readmitted as f64, self.discharged_alive as f64),
            Unit::Percent,
            "CMS Geographic Variation PUF, national 2019: hospital readmission rate 18.12%",
        );
        out.push(
            "stays discharged to a SNF",
            near(0.14, 0.20),
            ratio(self.to_snf as f64, self.stays as f64),
            Unit::Percent,
            "derived: MedPAC's 0.053 SNF stays per FFS beneficiary, 70% after a hospital stay, over 0.27 stays",
        );
        out.push(
            "stays discharged to home health",
            near(0.13, 0.20),
            ratio(self.to_home_health as f64, self.stays as f64),
            Unit::Percent,
            "AHHQI Home Health Chartbook 2020 (secondary): 13% of Medicare discharges go to home health",
        );
        out.push(
            "mean length of a hospital stay (days)",
            near(4.5, 0.15),
            ratio(self.stay_days as f64, self.stays as f64),
            Unit::Number,
            "HCUP Statistical Brief #180: 4.5 days, all payers, 2012 (Medicare's own mean not found)",
        );
        let dollars = |(cents, units): (i64, u64)| ratio(cents as f64 / 100.0, units as f64);
        out.push(
            "Medicare payment per full home health period ($)",
            near(2_038.13, 0.15),
            dollars(self.home_health_paid),
            Unit::Number,
            "CMS CY2024 home health final rule (88 FR 77676): national standardized 30-day period $2,038.13",
        );
        out.push(
            "Medicare payment per hospice day ($)",
            near(211.34, 0.15),
            dollars(self.hospice_paid),
            Unit::Number,
            "CMS FY2023 hospice final rule: routine home care, days 1-60, $211.34",
        );
        out.push(
            "Medicare payment per SNF day ($)",
            near(534.0, 0.20),
            dollars(self.snf_paid),
            Unit::Number,
            "KFF analysis of the CMS Geographic Variation PUF: $534 per SNF day (2020)",
        );
        for (kind, rate) in rates {
            if !matches!(
                kind,
                ClaimType::Carrier | ClaimType::Dme | ClaimType::Outpatient
            ) {
                continue;
            }
            let i = kind_index(kind);
            out.push(
                format!("lines per {} claim", kind.as_str()),
                near(rate.lines_per_claim, 0.10),
                ratio(self.lines[i] as f64, self.claims[i] as f64),
                Unit::Number,
                "our estimate: not published (CMS says only \"up to 13 line items\")",
            );
        }
    }

    /// Diagnoses per claim, distinct codes, and the date rules.
    fn coding(&self, out: &mut Statistics) {
        out.push(
            "hospital stays whose claim has 11 or more diagnoses",
            near(0.70, 0.10),
            ratio(self.stays_with_11_diagnoses as f64, self.stays as f64),
            Unit::Percent,
            "Ody et al., Health Affairs 2019;38(1):36-43: 70% of Medicare admission claims (January 2011, after CMS allowed 25)",
        );
        for kind in ClaimType::ALL.into_iter().filter(|&k| k != ClaimType::Pde) {
            let i = kind_index(kind);
            out.push(
                format!("diagnoses per {} claim", kind.as_str()),
                Target::Unpublished,
                ratio(self.diagnoses[i] as f64, self.claims[i] as f64),
                Unit::Number,
                "no published mean found",
            );
        }
        out.push(
            format!(
                "distinct ICD-10-CM codes among the first {DISTINCT_CODES_AMONG} beneficiaries"
            ),
            Target::AtLeast(1_000.0),
            self.distinct_diagnoses.len() as f64,
            Unit::Count,
            "issue #21: on the order of a thousand or more",
        );
        out.push(
            format!(
                "distinct ICD-10-PCS codes among the first {DISTINCT_CODES_AMONG} beneficiaries"
            ),
            Target::Unpublished,
            self.distinct_procedures.len() as f64,
            Unit::Count,
            "shown for information",
        );
        out.push(
            format!("distinct HCPCS codes among the first {DISTINCT_CODES_AMONG} beneficiaries"),
            Target::Unpublished,
            self.distinct_hcpcs.len() as f64,
            Unit::Count,
            "shown for information",
        );
        out.push(
            format!("distinct NDCs among the first {DISTINCT_CODES_AMONG} beneficiaries"),
            Target::Unpublished,
            self.distinct_ndcs.len() as f64,
            Unit::Count,
            "shown for information",
        );
        out.push(
            "claims that contradict a date rule",
            Target::AtMost(0.0),
            self.date_violations as f64,
            Unit::Count,
            "a claim ends before it is processed, before the as-of date and by the death",
        );
    }
}

/// How far a kind's share of users may stray: the rarer the kind, the noisier.
fn users_tolerance(kind: ClaimType) -> f64 {
    match kind {
        ClaimType::Carrier | ClaimType::Outpatient | ClaimType::Inpatient => 0.10,
        _ => 0.15,
    }
}

/// How far a kind's claims per year may stray: the rarer the kind, the noisier.
fn claim_rate_tolerance(kind: ClaimType) -> f64 {
    match kind {
        ClaimType::Carrier | ClaimType::Outpatient | ClaimType::Pde => 0.10,
        ClaimType::Dme | ClaimType::Inpatient | ClaimType::Hha => 0.15,
        ClaimType::Snf | ClaimType::Hospice => 0.30,
    }
}
