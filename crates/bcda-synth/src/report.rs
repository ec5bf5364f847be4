//! How real a data set is: every statistic the generator is calibrated on, measured on
//! the generated rows, next to its target and where the target comes from.
//! `bcda synth --report` prints it; docs/synthetic-data.md carries the 30,000-beneficiary
//! ACO's; the tests check each statistic against its tolerance.

use std::collections::HashSet;
use std::fmt;

use bcda_model::claims::{Claim, ClaimType, EnrollmentMonth};
use time::Duration;

use crate::health::Condition;
use crate::rates::RATES;
use crate::{BeneficiaryRecord, Synth};

/// How a generated value is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Within `tolerance` (relative) of `value`.
    Near { value: f64, tolerance: f64 },
    /// At least `value`.
    AtLeast(f64),
    /// At most `value`.
    AtMost(f64),
    /// Nothing is published to compare with: shown for information.
    Unpublished,
}

/// How a value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Percent,
    Number,
    Count,
}

/// One measured statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct Statistic {
    pub name: String,
    pub target: Target,
    pub generated: f64,
    pub unit: Unit,
    pub source: &'static str,
}

impl Statistic {
    /// Whether the generated value meets the target; `None` when nothing is published.
    pub fn meets_target(&self) -> Option<bool> {
        match self.target {
            Target::Near { value, tolerance } => {
                Some((self.generated - value).abs() <= tolerance * value.abs())
            }
            Target::AtLeast(value) => Some(self.generated >= value),
            Target::AtMost(value) => Some(self.generated <= value),
            Target::Unpublished => None,
        }
    }

    fn write(&self, value: f64) -> String {
        match self.unit {
            Unit::Percent => format!("{:.1}%", value * 100.0),
            Unit::Number => format!("{value:.2}"),
            Unit::Count => format!("{value:.0}"),
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::Near { value, tolerance } => {
                format!("{} ± {:.0}%", self.write(value), tolerance * 100.0)
            }
            Target::AtLeast(value) => format!("≥ {}", self.write(value)),
            Target::AtMost(value) => format!("≤ {}", self.write(value)),
            Target::Unpublished => "not published".to_owned(),
        }
    }
}

/// The statistics of one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub beneficiaries: u64,
    pub statistics: Vec<Statistic>,
}

impl Report {
    /// Statistics that miss their target.
    pub fn misses(&self) -> Vec<&Statistic> {
        self.statistics
            .iter()
            .filter(|s| s.meets_target() == Some(false))
            .collect()
    }
}

impl fmt::Display for Report {
    /// A Markdown table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} beneficiaries generated\n", self.beneficiaries)?;
        writeln!(f, "| statistic | target | generated | ok | source |")?;
        writeln!(f, "|---|---|---|---|---|")?;
        for s in &self.statistics {
            let ok = match s.meets_target() {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            };
            writeln!(
                f,
                "| {} | {} | {} | {ok} | {} |",
                s.name,
                s.target_text(),
                s.write(s.generated),
                s.source
            )?;
        }
        Ok(())
    }
}

/// The beneficiaries among whom distinct diagnosis codes are counted, so that the count
/// compares across ACO sizes.
pub const DISTINCT_CODES_AMONG: u64 = 2_500;

/// Measures every statistic on `synth`'s data set, generating it on all cores.
pub fn report(synth: &Synth) -> Report {
    let threads = std::thread::available_parallelism().map_or(1, usize::from) as u64;
    let total = synth.total();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|first| {
                scope.spawn(move || {
                    let mut tally = Tally::new(synth);
                    let mut ordinal = first;
                    while ordinal < total {
                        tally.add(ordinal, &synth.beneficiary(ordinal));
                        ordinal += threads;
                    }
                    tally
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a report thread panicked"))
            .collect()
    });
    let tally = tallies
        .into_iter()
        .reduce(Tally::merge)
        .unwrap_or_else(|| Tally::new(synth));
    Report {
        beneficiaries: total,
        statistics: tally.statistics(),
    }
}

const KINDS: usize = ClaimType::ALL.len();

fn kind_index(kind: ClaimType) -> usize {
    ClaimType::ALL
        .iter()
        .position(|&k| k == kind)
        .unwrap_or_default()
}

/// Sums over beneficiaries.
#[derive(Debug, Clone)]
struct Tally {
    period_months: usize,
    as_of: time::Date,
    people: u64,
    female: u64,
    under_65: u64,
    /// Months alive in the period, and of them dual-eligible and with Part D.
    months: u64,
    dual_months: u64,
    part_d_months: u64,
    with_condition: [u64; Condition::ALL.len()],
    with_conditions: [u64; Condition::ALL.len() + 1],
    /// Beneficiaries with both conditions, by the conditions' positions.
    with_both: [[u64; Condition::ALL.len()]; Condition::ALL.len()],
    /// Years alive within the period.
    person_years: f64,
    deaths: u64,
    decedents_in_hospice: u64,
    ffs_years: f64,
    part_d_years: f64,
    claims: [u64; KINDS],
    /// Beneficiaries in fee-for-service every month of the period, and how many of them
    /// have a claim of each kind.
    full_year: u64,
    full_year_users: [u64; KINDS],
    full_year_stays: u64,
    stays: u64,
    stay_days: u64,
    /// Stays ended alive, and those followed by another admission within 30 days.
    discharged_alive: u64,
    readmitted: u64,
    to_snf: u64,
    to_home_health: u64,
    diagnoses: [u64; KINDS],
    /// Hospital stays whose claim carries 11 or more diagnoses.
    stays_with_11_diagnoses: u64,
    lines: [u64; KINDS],
    /// Medicare's payment and the days or periods it pays for: full-payment home health
    /// periods, hospice days, SNF days.
    home_health_paid: (i64, u64),
    hospice_paid: (i64, u64),
    snf_paid: (i64, u64),
    distinct_diagnoses: HashSet<String>,
    distinct_procedures: HashSet<String>,
    distinct_hcpcs: HashSet<String>,
    distinct_ndcs: HashSet<String>,
    date_violations: u64,
}

impl Tally {
    fn new(synth: &Synth) -> Tally {
        Tally {
            period_months: synth.period().months(),
            as_of: synth.period().as_of,
            people: 0,
            female: 0,
            under_65: 0,
            months: 0,
            dual_months: 0,
            part_d_months: 0,
            with_condition: [0; Condition::ALL.len()],
            with_conditions: [0; Condition::ALL.len() + 1],
            with_both: [[0; Condition::ALL.len()]; Condition::ALL.len()],
            person_years: 0.0,
            deaths: 0,
            decedents_in_hospice: 0,
            ffs_years: 0.0,
            part_d_years: 0.0,
            claims: [0; KINDS],
            full_year: 0,
            full_year_users: [0; KINDS],
            full_year_stays: 0,
            stays: 0,
            stay_days: 0,
            discharged_alive: 0,
            readmitted: 0,
            to_snf: 0,
            to_home_health: 0,
            diagnoses: [0; KINDS],
            stays_with_11_diagnoses: 0,
            lines: [0; KINDS],
            home_health_paid: (0, 0),
            hospice_paid: (0, 0),
            snf_paid: (0, 0),
            distinct_diagnoses: HashSet::new(),
            distinct_procedures: HashSet::new(),
            distinct_hcpcs: HashSet::new(),
            distinct_ndcs: HashSet::new(),
            date_violations: 0,
        }
    }

    fn add(&mut self, ordinal: u64, record: &BeneficiaryRecord) {
        self.people += 1;
        let beneficiary = &record.beneficiary;
        self.female += u64::from(beneficiary.sex_cd == '2');
        let age = self.as_of.year() - beneficiary.birth_date.year();
        self.under_65 += u64::from(age < 65);
        self.months += record.enrollment_months.len() as u64;
        let count = |f: fn(&EnrollmentMonth) -> bool| {
            record.enrollment_months.iter().filter(|m| f(m)).count() as u64
        };
        self.dual_months += count(EnrollmentMonth::is_dual);
        self.part_d_months += count(EnrollmentMonth::in_part_d);
        for condition in &record.conditions {
            self.with_condition[*condition as usize] += 1;
        }
        self.with_conditions[record.conditions.len()] += 1;
        for a in &record.conditions {
            for b in &record.conditions {
                self.with_both[*a as usize][*b as usize] += 1;
            }
        }
        let months = &record.enrollment_months;
        self.person_years += months.len() as f64 / 12.0;
        let ffs_months = months.iter().filter(|m| !m.in_part_c()).count();
        self.ffs_years += ffs_months as f64 / 12.0;
        self.part_d_years += months.iter().filter(|m| m.in_part_d()).count() as f64 / 12.0;
        let died = record.beneficiary.death_date;
        let has = |kind: ClaimType| record.claims.iter().any(|c| c.claim_type == kind);
        if died.is_some() {
            self.deaths += 1;
            self.decedents_in_hospice += u64::from(has(ClaimType::Hospice));
        }
        let full_year = ffs_months == self.period_months;
        if full_year {
            self.full_year += 1;
        }
        for claim in &record.claims {
            let kind = kind_index(claim.claim_type);
            self.claims[kind] += 1;
            self.diagnoses[kind] += claim.diagnosis_codes.len() as u64;
            self.lines[kind] += claim.lines.len() as u64;
            self.add_payment(claim);
            if ordinal < DISTINCT_CODES_AMONG {
                let procedures = claim.procedures.iter().map(|(code, _)| code);
                let hcpcs = claim.lines.iter().filter_map(|line| line.hcpcs_cd.as_ref());
                for (set, codes) in [
                    (
                        &mut self.distinct_diagnoses,
                        claim.diagnosis_codes.iter().collect(),
                    ),
                    (
                        &mut self.distinct_procedures,
                        procedures.collect::<Vec<_>>(),
                    ),
                    (&mut self.distinct_hcpcs, hcpcs.collect()),
                ] {
                    for code in codes {
                        if !set.contains(code) {
                            set.insert(code.clone());
                        }
                    }
                }
            }
            self.date_violations += u64::from(breaks_a_date_rule(claim, died, self.as_of));
        }
        self.claims[kind_index(ClaimType::Pde)] += record.events.len() as u64;
        if ordinal < DISTINCT_CODES_AMONG {
            for event in &record.events {
                if !self.distinct_ndcs.contains(&event.ndc_cd) {
                    self.distinct_ndcs.insert(event.ndc_cd.clone());
                }
            }
        }
        if full_year {
            for kind in ClaimType::ALL {
                let used = if kind == ClaimType::Pde {
                    !record.events.is_empty()
                } else {
                    has(kind)
                };
                self.full_year_users[kind_index(kind)] += u64::from(used);
            }
        }
        let mut stays: Vec<&Claim> = record
            .claims
            .iter()
            .filter(|c| c.claim_type == ClaimType::Inpatient)
            .collect();
        stays.sort_by_key(|c| c.from_date);
        if full_year {
            self.full_year_stays += stays.len() as u64;
        }
        for (i, stay) in stays.iter().enumerate() {
            self.stays += 1;
            self.stays_with_11_diagnoses += u64::from(stay.diagnosis_codes.len() >= 11);
            self.stay_days += (stay.thru_date - stay.from_date).whole_days().max(1) as u64;
            let status = stay.discharge_status_cd.as_deref().unwrap_or("01");
            self.to_snf += u64::from(status == "03");
            self.to_home_health += u64::from(status == "06");
            if status != "20" {
                self.discharged_alive += 1;
                let readmitted = stays
                    .get(i + 1)
                    .is_some_and(|next| next.from_date - stay.thru_date <= Duration::days(30));
                self.readmitted += u64::from(readmitted);
            }
        }
    }

    fn add_payment(&mut self, claim: &Claim) {
        let days = || u64::try_from(claim.utilization_days.unwrap_or(0)).unwrap_or(0);
        let (sum, units) = match claim.claim_type {
            ClaimType::Hha => {
                let lupa = claim
                    .facility
                    .as_ref()
                    .and_then(|f| f.home_health.as_ref())
                    .is_some_and(|h| h.lupa_cd.is_some());
                if lupa {
                    return;
                }
                (&mut self.home_health_paid, 1)
            }
            ClaimType::Hospice => (&mut self.hospice_paid, days()),
            ClaimType::Snf => (&mut self.snf_paid, days()),
            _ => return,
        };
        sum.0 += claim.paid_cents;
        sum.1 += units;
    }

    fn merge(mut self, other: Tally) -> Tally {
        fn add<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        self.people += other.people;
        self.female += other.female;
        self.under_65 += other.under_65;
        self.months += other.months;
        self.dual_months += other.dual_months;
        self.part_d_months += other.part_d_months;
        add(&mut self.with_condition, &other.with_condition);
        add(&mut self.with_conditions, &other.with_conditions);
        for (mine, theirs) in self.with_both.iter_mut().zip(&other.with_both) {
            add(mine, theirs);
        }
        self.person_years += other.person_years;
        self.deaths += other.deaths;
        self.decedents_in_hospice += other.decedents_in_hospice;
        self.ffs_years += other.ffs_years;
        self.part_d_years += other.part_d_years;
        add(&mut self.claims, &other.claims);
        self.full_year += other.full_year;
        add(&mut self.full_year_users, &other.full_year_users);
        self.full_year_stays += other.full_year_stays;
        self.stays += other.stays;
        self.stays_with_11_diagnoses += other.stays_with_11_diagnoses;
        self.stay_days += other.stay_days;
        self.discharged_alive += other.discharged_alive;
        self.readmitted += other.readmitted;
        self.to_snf += other.to_snf;
        self.to_home_health += other.to_home_health;
        add(&mut self.diagnoses, &other.diagnoses);
        add(&mut self.lines, &other.lines);
        for (mine, theirs) in [
            (&mut self.home_health_paid, other.home_health_paid),
            (&mut self.hospice_paid, other.hospice_paid),
            (&mut self.snf_paid, other.snf_paid),
        ] {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        self.distinct_diagnoses.extend(other.distinct_diagnoses);
        self.distinct_procedures.extend(other.distinct_procedures);
        self.distinct_hcpcs.extend(other.distinct_hcpcs);
        self.distinct_ndcs.extend(other.distinct_ndcs);
        self.date_violations += other.date_violations;
        self
    }

    fn statistics(&self) -> Vec<Statistic> {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let people = self.people as f64;
        let mut out = Vec::new();
        let mut push = |name: String, target: Target, generated: f64, unit, source| {
            out.push(Statistic {
                name,
                target,
                generated,
                unit,
                source,
            })
        };
        let near = |value: f64, tolerance: f64| Target::Near { value, tolerance };

        let months = self.months as f64;
        push(
            "women".into(),
            near(0.54, 0.05),
            ratio(self.female as f64, people),
            Unit::Percent,
            "KFF: 54% of Medicare beneficiaries are women",
        );
        push(
            "under 65 (disabled or ESRD)".into(),
            near(0.19, 0.10),
            ratio(self.under_65 as f64, people),
            Unit::Percent,
            "KFF: 18% of traditional Medicare beneficiaries are under 65; about 1% have ESRD",
        );
        push(
            "dual-eligible months".into(),
            near(0.19, 0.10),
            ratio(self.dual_months as f64, months),
            Unit::Percent,
            "CMS MMCO data brief: 19% of FFS beneficiaries dual-eligible (2019)",
        );
        push(
            "months with Part D".into(),
            near(0.77, 0.05),
            ratio(self.part_d_months as f64, months),
            Unit::Percent,
            "KFF: 77% of beneficiaries enrolled in Part D",
        );
        for condition in Condition::ALL {
            let spec = condition.spec();
            push(
                format!("beneficiaries with {}", spec.name),
                near(spec.prevalence, 0.10),
                ratio(self.with_condition[condition as usize] as f64, people),
                Unit::Percent,
                spec.source,
            );
        }
        let at_least =
            |n: usize| ratio(self.with_conditions[n..].iter().sum::<u64>() as f64, people);
        push(
            "with 2 or more of the 15 conditions".into(),
            near(0.684, 0.05),
            at_least(2),
            Unit::Percent,
            "Lochner and Cox, Prev Chronic Dis 2013;10:120137 (FFS, 2010, the same 15 conditions)",
        );
        push(
            "with 4 or more of the 15 conditions".into(),
            near(0.364, 0.08),
            at_least(4),
            Unit::Percent,
            "Lochner and Cox, Prev Chronic Dis 2013;10:120137",
        );
        let among = |has: Condition, with: Condition| {
            ratio(
                self.with_both[with as usize][has as usize] as f64,
                self.with_condition[with as usize] as f64,
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
            push(
                format!("{} among those with {}", has.spec().name, with.spec().name),
                near(share, 0.10),
                among(has, with),
                Unit::Percent,
                "CMS Chronic Conditions co-morbidity charts, 65+, as quoted by Synthea's Medicare targets",
            );
        }
        push(
            "deaths per beneficiary-year".into(),
            near(0.040, 0.15),
            ratio(self.deaths as f64, self.person_years),
            Unit::Percent,
            "KFF, Medicare Spending at the End of Life (2016): 4.0% of beneficiaries died in 2014",
        );
        push(
            "decedents who used hospice".into(),
            near(0.516, 0.15),
            ratio(self.decedents_in_hospice as f64, self.deaths as f64),
            Unit::Percent,
            "MedPAC, December 2020: 51.6% of Medicare decedents (2019)",
        );

        let rates = RATES.each();
        for (kind, rate) in rates {
            let years = if kind == ClaimType::Pde {
                self.part_d_years
            } else {
                self.ffs_years
            };
            push(
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
            push(
                format!("full-year FFS beneficiaries with a {} claim", kind.as_str()),
                target,
                users,
                Unit::Percent,
                source,
            );
        }
        push(
            "hospital stays per user".into(),
            near(1.6, 0.15),
            ratio(
                self.full_year_stays as f64,
                self.full_year_users[kind_index(ClaimType::Inpatient)] as f64,
            ),
            Unit::Number,
            "CMS Geographic Variation PUF, 2019: 261.5 stays per 1,000 / 16.33% users",
        );
        push(
            "stays followed by another admission within 30 days".into(),
            near(0.181, 0.20),
            ratio(self.readmitted as f64, self.discharged_alive as f64),
            Unit::Percent,
            "CMS Geographic Variation PUF, national 2019: hospital readmission rate 18.12%",
        );
        push(
            "stays discharged to a SNF".into(),
            near(0.14, 0.20),
            ratio(self.to_snf as f64, self.stays as f64),
            Unit::Percent,
            "derived: MedPAC's 0.053 SNF stays per FFS beneficiary, 70% after a hospital stay, over 0.27 stays",
        );
        push(
            "stays discharged to home health".into(),
            near(0.13, 0.20),
            ratio(self.to_home_health as f64, self.stays as f64),
            Unit::Percent,
            "AHHQI Home Health Chartbook 2020 (secondary): 13% of Medicare discharges go to home health",
        );
        push(
            "mean length of a hospital stay (days)".into(),
            near(4.5, 0.15),
            ratio(self.stay_days as f64, self.stays as f64),
            Unit::Number,
            "HCUP Statistical Brief #180: 4.5 days, all payers, 2012 (Medicare's own mean not found)",
        );
        let dollars = |(cents, units): (i64, u64)| ratio(cents as f64 / 100.0, units as f64);
        push(
            "Medicare payment per full home health period ($)".into(),
            near(2_038.13, 0.15),
            dollars(self.home_health_paid),
            Unit::Number,
            "CMS CY2024 home health final rule (88 FR 77676): national standardized 30-day period $2,038.13",
        );
        push(
            "Medicare payment per hospice day ($)".into(),
            near(211.34, 0.15),
            dollars(self.hospice_paid),
            Unit::Number,
            "CMS FY2023 hospice final rule: routine home care, days 1-60, $211.34",
        );
        push(
            "Medicare payment per SNF day ($)".into(),
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
            push(
                format!("lines per {} claim", kind.as_str()),
                near(rate.lines_per_claim, 0.10),
                ratio(self.lines[i] as f64, self.claims[i] as f64),
                Unit::Number,
                "our estimate: not published (CMS says only \"up to 13 line items\")",
            );
        }
        push(
            "hospital stays whose claim has 11 or more diagnoses".into(),
            near(0.70, 0.10),
            ratio(self.stays_with_11_diagnoses as f64, self.stays as f64),
            Unit::Percent,
            "Ody et al., Health Affairs 2019;38(1):36-43: 70% of Medicare admission claims (January 2011, after CMS allowed 25)",
        );
        for kind in ClaimType::ALL.into_iter().filter(|&k| k != ClaimType::Pde) {
            let i = kind_index(kind);
            push(
                format!("diagnoses per {} claim", kind.as_str()),
                Target::Unpublished,
                ratio(self.diagnoses[i] as f64, self.claims[i] as f64),
                Unit::Number,
                "no published mean found",
            );
        }
        push(
            format!(
                "distinct ICD-10-CM codes among the first {DISTINCT_CODES_AMONG} beneficiaries"
            ),
            Target::AtLeast(1_000.0),
            self.distinct_diagnoses.len() as f64,
            Unit::Count,
            "issue #21: on the order of a thousand or more",
        );
        push(
            format!(
                "distinct ICD-10-PCS codes among the first {DISTINCT_CODES_AMONG} beneficiaries"
            ),
            Target::Unpublished,
            self.distinct_procedures.len() as f64,
            Unit::Count,
            "shown for information",
        );
        push(
            format!("distinct HCPCS codes among the first {DISTINCT_CODES_AMONG} beneficiaries"),
            Target::Unpublished,
            self.distinct_hcpcs.len() as f64,
            Unit::Count,
            "shown for information",
        );
        push(
            format!("distinct NDCs among the first {DISTINCT_CODES_AMONG} beneficiaries"),
            Target::Unpublished,
            self.distinct_ndcs.len() as f64,
            Unit::Count,
            "shown for information",
        );
        push(
            "claims that contradict a date rule".into(),
            Target::AtMost(0.0),
            self.date_violations as f64,
            Unit::Count,
            "a claim ends before it is processed, before the as-of date and by the death",
        );
        out
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

/// Whether `claim` ends after it was processed, is processed on or after the data's
/// as-of date, or ends after the beneficiary's death.
fn breaks_a_date_rule(claim: &Claim, died: Option<time::Date>, as_of: time::Date) -> bool {
    let processed = claim.last_updated.date();
    claim.from_date > claim.thru_date
        || claim.thru_date > processed
        || processed >= as_of
        || died.is_some_and(|death| claim.thru_date > death)
}
