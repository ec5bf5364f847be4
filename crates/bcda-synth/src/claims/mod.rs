//! Fee-for-service claims and Part D events of one beneficiary.
//!
//! Counts follow [`crate::rates::RATES`] scaled by the beneficiary's frailty and their
//! months in fee-for-service; dates fall in those months; money follows Medicare's cost
//! sharing (the Part B deductible is used up by the first claims of a year, then 20%
//! coinsurance; the Part A deductible by the first stay).

mod institutional;
mod pde;
mod professional;

use bcda_model::claims::{Claim, ClaimLine, ClaimType, PartBLine, PartBLineKind, PdeEvent};
use time::{Date, Duration, OffsetDateTime};

use crate::Period;
use crate::codes::{CODES, Drg};
use crate::health;
use crate::ids;
use crate::profile::{Entitlement, Profile, timestamp};
use crate::providers::Network;
use crate::rates::ClaimRate;
use crate::rng::Rng;
use crate::utilization::HURDLES;

/// Everything generated for one beneficiary's claims.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimSet {
    pub claims: Vec<Claim>,
    pub events: Vec<PdeEvent>,
    /// Claims whose final action falls after the as-of date: billed, not yet in the
    /// National Claims History.
    pub in_process: Vec<InProcessClaim>,
}

/// A claim billed before the as-of date whose final action comes after it: the shared
/// systems hold it, the National Claims History does not yet. `claim` is what it will be
/// once final (its `last_updated` is not a date the data knows yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InProcessClaim {
    pub claim: Claim,
    /// The day its final action will reach the National Claims History.
    pub final_action: Date,
}

/// Generates the claims of `profile` over `period`. With `showcase`, the beneficiary has
/// at least one claim of that kind, so even a 50-beneficiary ACO shows every kind.
pub fn generate(
    profile: &mut Profile,
    period: &Period,
    network: &Network,
    showcase: Option<ClaimType>,
    rng: &mut Rng,
) -> ClaimSet {
    let ffs_months = (0..period.months())
        .filter(|&m| profile.in_ffs(m))
        .collect();
    let mut ctx = Context {
        profile,
        period,
        network,
        ffs_months,
        showcase,
        next_index: 0,
        part_b_deductible_used: Vec::new(),
        part_a_deductible_used: Vec::new(),
        home_health_referrals: Vec::new(),
        claims: Vec::new(),
        events: Vec::new(),
        in_process: Vec::new(),
    };
    if ctx.profile.ffs_months() > 0 {
        institutional::hospice(&mut ctx, rng);
        institutional::inpatient_and_snf(&mut ctx, rng);
        institutional::outpatient(&mut ctx, rng);
        institutional::home_health(&mut ctx, rng);
        professional::carrier(&mut ctx, rng);
        professional::dme(&mut ctx, rng);
    }
    pde::events(&mut ctx, rng);
    // Nothing happens after death. A claim whose services would reach past it (a home
    // health period, a stay begun before a death drawn elsewhere) is left out, where a
    // real one would end on that day with the patient discharged as expired: a
    // simplification of a rare case. A stay still going on at the as-of date has not
    // been billed: a claim exists once it is processed, after its services end.
    if let Some(death) = ctx.profile.beneficiary.death_date {
        ctx.claims.retain(|c| c.thru_date <= death);
        ctx.events.retain(|e| e.service_date <= death);
    }
    ctx.claims.retain(|c| c.thru_date < period.as_of);
    // Claims not final by the as-of date leave the NCH's hands for the shared systems'.
    let (mut claims, mut in_process) = (Vec::new(), Vec::new());
    for claim in ctx.claims {
        match ctx.in_process.iter().find(|(id, _)| *id == claim.clm_id) {
            Some(&(_, final_action)) => in_process.push(InProcessClaim {
                claim,
                final_action,
            }),
            None => claims.push(claim),
        }
    }
    let mut set = ClaimSet {
        claims,
        events: ctx.events,
        in_process,
    };
    // A stable order: by date, then id, so the loaded tables read naturally.
    set.claims.sort_by_key(|c| (c.from_date, c.clm_id));
    set.events.sort_by_key(|e| (e.service_date, e.pde_id));
    set
}

/// A diagnosis that is not one of the person's chronic conditions: a common one with
/// chance `common`, else one of the long tail.
fn other_diagnosis(rng: &mut Rng, common: f64) -> &'static str {
    if rng.chance(common) {
        CODES.diagnoses.sample(rng)
    } else {
        CODES.diagnosis_tail.sample(rng)
    }
}

/// The chance that a facility claim codes one of the person's chronic conditions.
const FACILITY_CODES_CONDITION: f64 = 0.9;

/// State while generating one beneficiary's claims.
pub(crate) struct Context<'a> {
    pub profile: &'a mut Profile,
    pub period: &'a Period,
    pub network: &'a Network,
    /// Indexes of the period's months in fee-for-service.
    ffs_months: Vec<usize>,
    showcase: Option<ClaimType>,
    next_index: u64,
    /// Per calendar year: how much of the Part B deductible was met.
    part_b_deductible_used: Vec<(i32, i64)>,
    part_a_deductible_used: Vec<i32>,
    /// Days on which a hospital discharged the beneficiary to home health.
    pub home_health_referrals: Vec<Date>,
    pub claims: Vec<Claim>,
    pub events: Vec<PdeEvent>,
    /// The ids of claims whose final action falls on or after the as-of date, with that
    /// day: they stay in the shared systems' hands (see [`InProcessClaim`]).
    in_process: Vec<(i64, Date)>,
}

impl Context<'_> {
    /// Records a death on `day` (the earliest one wins): no care and no coverage after it.
    pub fn died(&mut self, day: Date) {
        let death = self
            .profile
            .beneficiary
            .death_date
            .map_or(day, |d| d.min(day));
        self.profile.beneficiary.death_date = Some(death);
        if let Some(month) = self.period.month_index(death) {
            self.profile.last_month = self.profile.last_month.min(month);
        }
        let last = self.profile.last_month;
        self.ffs_months.retain(|&m| m <= last);
    }

    /// The Part D plan (contract, plan benefit package) covering period month `index`:
    /// the Medicare Advantage plan in Part C months, else the stand-alone plan if any.
    pub fn part_d_plan(&self, index: usize) -> Option<(String, String)> {
        if index > self.profile.last_month {
            None
        } else if !self.profile.in_ffs(index) {
            Some(self.profile.part_c_plan.clone())
        } else if self.profile.part_d {
            Some(self.profile.part_d_plan.clone())
        } else {
            None
        }
    }

    /// How many claims (or stays, periods) of `kind` to generate: a Poisson draw around
    /// `per_year` over the fee-for-service months, at least one for the showcase kind.
    pub fn count(&self, kind: ClaimType, per_year: f64, rng: &mut Rng) -> u32 {
        let drawn = rng.poisson(self.expected(per_year));
        self.showcased(kind, drawn)
    }

    /// How many claims (stays, periods) of `kind` at `rate`: a hurdle draw on the
    /// beneficiary's frailty where the share of users is published ([`HURDLES`]), so
    /// that users and intensity separate and the frail use the most; otherwise as
    /// [`Context::count`].
    pub fn claims_of(&self, kind: ClaimType, rate: &ClaimRate, rng: &mut Rng) -> u32 {
        let Some(hurdle) = HURDLES.get(&kind) else {
            return self.count(kind, rate.per_year, rng);
        };
        let years = self.ffs_months.len() as f64 / 12.0;
        let drawn = hurdle.draw(self.profile.frailty, years, rng);
        self.showcased(kind, drawn)
    }

    /// `drawn` claims of `kind`, at least one if this beneficiary must show the kind.
    fn showcased(&self, kind: ClaimType, drawn: u32) -> u32 {
        if self.showcases(kind) {
            drawn.max(1)
        } else {
            drawn
        }
    }

    /// Whether this beneficiary must show a claim of `kind`.
    pub fn showcases(&self, kind: ClaimType) -> bool {
        self.showcase == Some(kind)
    }

    /// The expected number of claims for `per_year`, over the fee-for-service months.
    pub fn expected(&self, per_year: f64) -> f64 {
        per_year * self.profile.frailty * self.ffs_months.len() as f64 / 12.0
    }

    /// Whether `day` falls in a fee-for-service month of the period.
    pub fn is_ffs_day(&self, day: Date) -> bool {
        self.period
            .month_index(day)
            .is_some_and(|month| self.ffs_months.contains(&month))
    }

    /// A random day within a fee-for-service month.
    pub fn ffs_day(&self, rng: &mut Rng) -> Option<Date> {
        if self.ffs_months.is_empty() {
            return None;
        }
        let index = *rng.pick(&self.ffs_months);
        Some(self.period.day_in_month(index, rng))
    }

    /// The next claim id of this beneficiary.
    pub fn next_id(&mut self) -> i64 {
        let id = ids::claim_id(self.profile.number, self.next_index);
        self.next_index += 1;
        id
    }

    /// A diagnosis for a claim: mostly one of the person's chronic conditions (or their
    /// end-stage renal disease), else one of the acute and other problems people have:
    /// a common one, or one of the thousands of the long tail.
    pub fn diagnosis(&self, rng: &mut Rng) -> String {
        let conditions = &self.profile.conditions;
        let esrd = self.profile.entitlement == Entitlement::Esrd;
        let chronic = conditions.len() + usize::from(esrd);
        if chronic > 0 && rng.chance(0.75) {
            match conditions.get(rng.below(chronic as u64) as usize) {
                Some(condition) => condition.code(rng),
                None => health::esrd_code(rng),
            }
            .to_string()
        } else {
            other_diagnosis(rng, 0.8).to_string()
        }
    }

    /// The diagnoses of a facility claim, principal first: hospitals, SNFs, home health
    /// agencies and hospices code the person's chronic conditions (their payment systems
    /// count comorbidities: MS-DRG severity, PDPM and PDGM comorbidity adjustments, and
    /// hospices must code every related diagnosis) and `others` further problems on
    /// average, up to the 25 an institutional claim holds. Ody et al. (Health Affairs
    /// 2019) found 70% of Medicare admission claims carrying 11 or more diagnoses once
    /// CMS allowed 25 (2011).
    pub fn facility_diagnoses(&self, rng: &mut Rng, principal: &str, others: f64) -> Vec<String> {
        const MAX_DIAGNOSES: usize = 25;
        let mut codes = vec![principal.to_owned()];
        let add = |codes: &mut Vec<String>, code: String| {
            if codes.len() < MAX_DIAGNOSES && !codes.contains(&code) {
                codes.push(code);
            }
        };
        for condition in &self.profile.conditions {
            if rng.chance(FACILITY_CODES_CONDITION) {
                add(&mut codes, condition.code(rng).to_owned());
            }
        }
        if self.profile.entitlement == Entitlement::Esrd {
            add(&mut codes, health::esrd_code(rng).to_owned());
        }
        for _ in 0..rng.poisson(others) {
            add(&mut codes, other_diagnosis(rng, 0.5).to_owned());
        }
        codes
    }

    /// The DRG of a hospital stay: half the time an admission for one of the person's
    /// conditions that has its own DRGs, else any.
    pub fn admission_drg(&self, rng: &mut Rng) -> &'static Drg {
        let drgs: Vec<&str> = self
            .profile
            .conditions
            .iter()
            .flat_map(|c| c.spec().drgs.iter().copied())
            .collect();
        if !drgs.is_empty()
            && rng.chance(0.5)
            && let Some(drg) = CODES.drg(rng.pick::<&str>(&drgs))
        {
            return drg;
        }
        CODES.drgs.sample(rng)
    }

    /// 1 to `max` distinct diagnoses, principal first.
    pub fn diagnoses(&self, rng: &mut Rng, principal: Option<&str>, max: usize) -> Vec<String> {
        let mut codes: Vec<String> = principal.map(str::to_owned).into_iter().collect();
        let wanted = 1 + rng.below(max as u64) as usize;
        for _ in 0..wanted * 2 {
            if codes.len() >= wanted {
                break;
            }
            let code = self.diagnosis(rng);
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }

    /// When a claim through `thru` was last updated: processed some days after the
    /// service, never after the data's as-of date.
    pub fn processed(&self, thru: Date, rng: &mut Rng) -> OffsetDateTime {
        self.processing(thru, rng).0
    }

    /// When a claim through `thru` was processed (never after the data's as-of date),
    /// and the day its final action falls when that is on or after the as-of date.
    fn processing(&self, thru: Date, rng: &mut Rng) -> (OffsetDateTime, Option<Date>) {
        let lag = Duration::days(3 + i64::from(rng.poisson(18.0)));
        let natural = thru + lag;
        let day = natural.min(self.period.as_of - Duration::days(1));
        let late = (natural >= self.period.as_of).then_some(natural);
        (timestamp(day, rng), late)
    }

    /// The NCH week a claim processed on `day` lands in: that week's Friday, or `day`
    /// itself when the Friday is past the data's last day.
    pub fn nch_week(&self, day: Date) -> Date {
        let to_friday = (i64::from(time::Weekday::Friday.number_days_from_monday())
            - i64::from(day.weekday().number_days_from_monday()))
        .rem_euclid(7);
        let friday = day + Duration::days(to_friday);
        if friday < self.period.as_of {
            friday
        } else {
            day
        }
    }

    /// Splits a line's allowed amount into deductible, coinsurance and Medicare payment
    /// under Part B: the year's deductible first, then 20% coinsurance.
    pub fn part_b_share(&mut self, year: i32, allowed: i64) -> (i64, i64, i64) {
        let limit = part_b_deductible(year);
        let used = match self
            .part_b_deductible_used
            .iter_mut()
            .find(|(y, _)| *y == year)
        {
            Some((_, used)) => used,
            None => {
                self.part_b_deductible_used.push((year, 0));
                let last = self.part_b_deductible_used.len() - 1;
                &mut self.part_b_deductible_used[last].1
            }
        };
        let deductible = allowed.min(limit - *used).max(0);
        *used += deductible;
        let coinsurance = (allowed - deductible) / 5;
        (deductible, coinsurance, allowed - deductible - coinsurance)
    }

    /// The Part A deductible owed by a stay starting in `year`: the whole deductible for
    /// the first stay of the year, nothing after.
    pub fn part_a_deductible(&mut self, year: i32) -> i64 {
        if self.part_a_deductible_used.contains(&year) {
            0
        } else {
            self.part_a_deductible_used.push(year);
            part_a_deductible(year)
        }
    }

    /// A claim skeleton with ids, dates, contractor and processing time filled in.
    pub fn claim(&mut self, kind: ClaimType, from: Date, thru: Date, rng: &mut Rng) -> Claim {
        let clm_id = self.next_id();
        // Drawn in this order, the order the data set was always drawn in.
        let control_num = control_number(rng);
        let (last_updated, late) = self.processing(thru, rng);
        // A claim a small ACO must show stays final, so every kind still shows.
        if let Some(final_action) = late.filter(|_| !self.showcases(kind)) {
            self.in_process.push((clm_id, final_action));
        }
        let contractor = match kind {
            ClaimType::Carrier => self.network.part_b_contractor,
            ClaimType::Dme => self.network.dme_contractor,
            _ => self.network.part_a_contractor,
        };
        Claim {
            clm_id,
            beneficiary_id: self.profile.key,
            claim_type: kind,
            nch_clm_type_cd: nch_type(kind),
            clm_grp_id: clm_id,
            from_date: from,
            thru_date: thru,
            control_num,
            original_control_num: None,
            contractor_num: contractor.to_owned(),
            billing_npi: None,
            attending_npi: None,
            operating_npi: None,
            provider_ccn: None,
            provider_state_cd: Some(self.profile.location.ssa_state.to_string()),
            fac_type_cd: None,
            srvc_clsfctn_cd: None,
            freq_cd: None,
            admission_date: None,
            discharge_date: None,
            admission_type_cd: None,
            admission_source_cd: None,
            discharge_status_cd: None,
            drg_cd: None,
            utilization_days: None,
            diagnosis_codes: Vec::new(),
            poa_indicators: Vec::new(),
            external_causes: Vec::new(),
            procedures: Vec::new(),
            total_charge_cents: 0,
            allowed_cents: 0,
            paid_cents: 0,
            deductible_cents: 0,
            coinsurance_cents: 0,
            primary_payer_cents: 0,
            primary_payer_cd: None,
            bene_paid_cents: 0,
            provider_paid_cents: 0,
            payment_denial_cd: None,
            non_payment_reason_cd: None,
            referring_npi: None,
            clinical_trial_num: None,
            attending_specialty_cd: None,
            facility: None,
            weekly_processing_date: Some(self.nch_week(last_updated.date())),
            last_updated,
            lines: Vec::new(),
        }
    }
}

/// CLM_MDCR_NON_PMT_RSN_CD of a claim whose primary payer paid it all: "MSP cost
/// avoided - COB Contractor".
const MSP_COST_AVOIDED: &str = "00";

/// Totals a claim from its lines: charges, allowed, payment and cost sharing; about 3% of
/// claims have another primary payer (Medicare Secondary Payer).
pub fn total_from_lines(claim: &mut Claim, rng: &mut Rng) {
    let sum = |f: fn(&ClaimLine) -> i64| claim.lines.iter().map(f).sum::<i64>();
    claim.total_charge_cents = sum(|l| l.submitted_cents);
    claim.allowed_cents = sum(|l| l.allowed_cents);
    claim.deductible_cents = sum(|l| l.deductible_cents);
    claim.coinsurance_cents = sum(|l| l.coinsurance_cents);
    claim.paid_cents = sum(|l| l.paid_cents);
    if rng.chance(0.03) {
        // One institutional claim in three with another primary payer was cost avoided:
        // that payer paid it all and Medicare nothing. Which ones follows from the
        // claim's control number.
        let cost_avoided = claim.claim_type.is_institutional()
            && claim.paid_cents > 0
            && stable_digits(&claim.control_num).is_multiple_of(3);
        let primary = if cost_avoided {
            claim.paid_cents
        } else {
            claim.paid_cents / 2
        };
        if cost_avoided {
            claim.non_payment_reason_cd = Some(MSP_COST_AVOIDED.to_owned());
        }
        claim.primary_payer_cents = primary;
        claim.primary_payer_cd = Some(*rng.pick(&['A', 'B', 'E', 'G']));
        claim.paid_cents -= primary;
        // The other payer's share comes off the lines' payments in order, so the lines
        // still add up to the claim.
        let mut left = primary;
        for line in &mut claim.lines {
            let share = left.min(line.paid_cents);
            line.paid_cents -= share;
            line.primary_payer_cents += share;
            left -= share;
        }
        if let Some(line) = claim.lines.first_mut()
            && let Some(PartBLine {
                kind:
                    PartBLineKind::Dme {
                        primary_allowed_cents,
                        ..
                    },
                ..
            }) = &mut line.part_b
        {
            *primary_allowed_cents = line.allowed_cents;
        }
    }
    claim.provider_paid_cents = claim.paid_cents;
    claim.bene_paid_cents = 0;
}

/// A number that depends only on `id`'s digits (an NPI, a control number), for what
/// follows from who or what a row is rather than from the random stream, so adding it
/// changes nothing else that is drawn.
pub(crate) fn stable_digits(id: &str) -> u64 {
    id.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, digit| {
            (hash ^ u64::from(digit)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// NCH claim type codes as BFD carries them.
fn nch_type(kind: ClaimType) -> &'static str {
    match kind {
        ClaimType::Carrier => "71",
        ClaimType::Dme => "82",
        ClaimType::Hha => "10",
        ClaimType::Hospice => "50",
        ClaimType::Inpatient => "60",
        ClaimType::Outpatient => "40",
        ClaimType::Snf => "20",
        ClaimType::Pde => "PD",
    }
}

/// A 14-character claim control number.
fn control_number(rng: &mut Rng) -> String {
    format!("{:014}", rng.below(100_000_000_000_000))
}

/// Part B deductible in cents (CMS annual announcements).
pub fn part_b_deductible(year: i32) -> i64 {
    match year {
        ..=2022 => 23_300,
        2023 => 22_600,
        2024 => 24_000,
        2025 => 25_700,
        _ => 28_300,
    }
}

/// Part A inpatient deductible in cents (CMS annual announcements).
pub fn part_a_deductible(year: i32) -> i64 {
    match year {
        ..=2022 => 155_600,
        2023 => 160_000,
        2024 => 163_200,
        2025 => 167_600,
        _ => 173_600,
    }
}

/// An amount around `typical_cents`, varied by up to `spread` either way.
pub fn around(rng: &mut Rng, typical_cents: i64, spread: f64) -> i64 {
    let factor = 1.0 + spread * (2.0 * rng.unit() - 1.0);
    ((typical_cents as f64 * factor).round() as i64).max(1)
}
