//! Sums over the beneficiaries of a data set, from which the statistics follow.

use std::collections::HashSet;

use bcda_model::claims::{Claim, ClaimType, EnrollmentMonth};
use time::Duration;

use super::DISTINCT_CODES_AMONG;
use crate::health::Condition;
use crate::{BeneficiaryRecord, Synth};

pub(super) const KINDS: usize = ClaimType::ALL.len();

pub(super) fn kind_index(kind: ClaimType) -> usize {
    ClaimType::ALL
        .iter()
        .position(|&k| k == kind)
        .unwrap_or_default()
}

/// Sums over beneficiaries.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    pub(super) period_months: usize,
    pub(super) as_of: time::Date,
    pub(super) people: u64,
    pub(super) female: u64,
    pub(super) under_65: u64,
    /// Months alive in the period, and of them dual-eligible and with Part D.
    pub(super) months: u64,
    pub(super) dual_months: u64,
    pub(super) part_d_months: u64,
    pub(super) with_conditions: [u64; Condition::ALL.len() + 1],
    /// Beneficiaries with both conditions, by the conditions' positions; the diagonal
    /// counts those with the one condition.
    pub(super) with_both: [[u64; Condition::ALL.len()]; Condition::ALL.len()],
    pub(super) deaths: u64,
    pub(super) decedents_in_hospice: u64,
    pub(super) ffs_years: f64,
    pub(super) claims: [u64; KINDS],
    /// Beneficiaries in fee-for-service every month of the period, and how many of them
    /// have a claim of each kind.
    pub(super) full_year: u64,
    pub(super) full_year_users: [u64; KINDS],
    pub(super) full_year_stays: u64,
    pub(super) stays: u64,
    pub(super) stay_days: u64,
    /// Stays ended alive, and those followed by another admission within 30 days.
    pub(super) discharged_alive: u64,
    pub(super) readmitted: u64,
    pub(super) to_snf: u64,
    pub(super) to_home_health: u64,
    pub(super) diagnoses: [u64; KINDS],
    /// Hospital stays whose claim carries 11 or more diagnoses.
    pub(super) stays_with_11_diagnoses: u64,
    pub(super) lines: [u64; KINDS],
    /// Medicare's payment and the days or periods it pays for: full-payment home health
    /// periods, hospice days, SNF days.
    pub(super) home_health_paid: (i64, u64),
    pub(super) hospice_paid: (i64, u64),
    pub(super) snf_paid: (i64, u64),
    pub(super) distinct_diagnoses: HashSet<String>,
    pub(super) distinct_procedures: HashSet<String>,
    pub(super) distinct_hcpcs: HashSet<String>,
    pub(super) distinct_ndcs: HashSet<String>,
    pub(super) date_violations: u64,
}

impl Tally {
    pub(super) fn new(synth: &Synth) -> Tally {
        Tally {
            period_months: synth.period().months(),
            as_of: synth.period().as_of,
            people: 0,
            female: 0,
            under_65: 0,
            months: 0,
            dual_months: 0,
            part_d_months: 0,
            with_conditions: [0; Condition::ALL.len() + 1],
            with_both: [[0; Condition::ALL.len()]; Condition::ALL.len()],
            deaths: 0,
            decedents_in_hospice: 0,
            ffs_years: 0.0,
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

    pub(super) fn add(&mut self, ordinal: u64, record: &BeneficiaryRecord) {
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
        self.with_conditions[record.conditions.len()] += 1;
        for a in &record.conditions {
            for b in &record.conditions {
                self.with_both[*a as usize][*b as usize] += 1;
            }
        }
        let months = &record.enrollment_months;
        let ffs_months = months.iter().filter(|m| !m.in_part_c()).count();
        self.ffs_years += ffs_months as f64 / 12.0;
        let died = record.beneficiary.death_date;
        // Utilization counts every service billed, final or still in process.
        let services = || {
            record
                .claims
                .iter()
                .chain(record.in_process_claims.iter().map(|p| &p.claim))
        };
        let has = |kind: ClaimType| services().any(|c| c.claim_type == kind);
        if died.is_some() {
            self.deaths += 1;
            self.decedents_in_hospice += u64::from(has(ClaimType::Hospice));
        }
        let full_year = ffs_months == self.period_months;
        if full_year {
            self.full_year += 1;
        }
        for claim in services() {
            let kind = kind_index(claim.claim_type);
            self.claims[kind] += 1;
            self.diagnoses[kind] += claim.diagnosis_codes.len() as u64;
            self.lines[kind] += claim.lines.len() as u64;
            self.add_payment(claim);
            if ordinal < DISTINCT_CODES_AMONG {
                self.distinct_diagnoses
                    .extend(claim.diagnosis_codes.iter().cloned());
                self.distinct_procedures
                    .extend(claim.procedures.iter().map(|(code, _)| code.clone()));
                self.distinct_hcpcs
                    .extend(claim.lines.iter().filter_map(|line| line.hcpcs_cd.clone()));
            }
            self.date_violations += u64::from(breaks_a_date_rule(claim, died, self.as_of));
        }
        self.claims[kind_index(ClaimType::Pde)] += record.events.len() as u64;
        if ordinal < DISTINCT_CODES_AMONG {
            self.distinct_ndcs
                .extend(record.events.iter().map(|event| event.ndc_cd.clone()));
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
        let mut stays: Vec<&Claim> = services()
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

    /// Beneficiaries with `condition`.
    pub(super) fn with(&self, condition: Condition) -> u64 {
        self.with_both[condition as usize][condition as usize]
    }

    pub(super) fn merge(mut self, other: Tally) -> Tally {
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
        add(&mut self.with_conditions, &other.with_conditions);
        for (mine, theirs) in self.with_both.iter_mut().zip(&other.with_both) {
            add(mine, theirs);
        }
        self.deaths += other.deaths;
        self.decedents_in_hospice += other.decedents_in_hospice;
        self.ffs_years += other.ffs_years;
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
