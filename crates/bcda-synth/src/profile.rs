//! Who a synthetic beneficiary is: demographics, entitlement, coverage and health, drawn
//! once per beneficiary and used by every generator after it.

use bcda_model::claims::{Beneficiary, EnrollmentMonth, EnrollmentYear};
use time::{Date, Duration, OffsetDateTime, Time};

use crate::Period;
use crate::codes::{CODES, Location};
use crate::health::{Condition, Demographics, HEALTH, Health};
use crate::ids;
use crate::rates::POPULATION;
use crate::rng::Rng;

/// Why a beneficiary is entitled to Medicare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entitlement {
    /// 65 or older (OASI).
    Aged,
    /// Under 65, entitled through disability.
    Disabled,
    /// End-stage renal disease.
    Esrd,
}

/// Everything drawn about one beneficiary before their claims.
#[derive(Debug, Clone)]
pub struct Profile {
    pub number: u64,
    pub key: i64,
    pub beneficiary: Beneficiary,
    pub entitlement: Entitlement,
    pub location: &'static Location,
    /// Location index, selecting the provider network the beneficiary uses.
    pub location_index: usize,
    pub dual: bool,
    /// Dual status code of every month (`00` when not dual).
    pub dual_code: &'static str,
    pub part_d: bool,
    /// Stand-alone Part D plan: contract and plan benefit package.
    pub part_d_plan: (String, String),
    /// Medicare Advantage plan, used from `part_c_from` on.
    pub part_c_plan: (String, String),
    /// Part D cost-sharing group: low-income subsidy levels for duals, `09` otherwise.
    pub cost_share: &'static str,
    /// First month (index into the period) enrolled in Medicare Advantage, if any.
    pub part_c_from: Option<usize>,
    /// How much care this person uses relative to the average (mean 1).
    pub frailty: f64,
    /// Chronic conditions, which the diagnoses on their claims mostly name.
    pub conditions: Vec<Condition>,
    /// Index of the last period month with coverage (death ends it).
    pub last_month: usize,
}

impl Profile {
    /// Whether month `index` of the period was fee-for-service (A and B, not Part C).
    pub fn in_ffs(&self, index: usize) -> bool {
        index <= self.last_month && self.part_c_from.is_none_or(|from| index < from)
    }

    /// Months of the period in fee-for-service.
    pub fn ffs_months(&self) -> usize {
        (0..=self.last_month).filter(|&m| self.in_ffs(m)).count()
    }
}

/// Draws beneficiary `ordinal` of the ACO in `namespace`. A `showcase` beneficiary
/// stays alive, in fee-for-service and in Part D for the whole period.
pub fn draw(
    rng: &mut Rng,
    namespace: u64,
    ordinal: u64,
    period: &Period,
    showcase: bool,
) -> Profile {
    let codes = &*CODES;
    let number = ids::beneficiary_number(namespace, ordinal);
    let key = ids::beneficiary_key(number);

    let person = Demographics::draw(rng);
    let entitlement = if person.esrd {
        Entitlement::Esrd
    } else if person.age < 65 {
        Entitlement::Disabled
    } else {
        Entitlement::Aged
    };
    let age_at_end = person.age;
    let end = period.last_day();
    let birth_year = end.year() - age_at_end;
    let birth_date = Date::from_ordinal_date(birth_year, rng.between(1, 365) as u16).unwrap_or(end);

    let female = person.female;
    let location_index = rng.below(codes.locations.len() as u64) as usize;
    let location = &codes.locations[location_index];
    let first_name = if female {
        rng.pick(&codes.female_names)
    } else {
        rng.pick(&codes.male_names)
    };
    let last_name = rng.pick(&codes.surnames);
    let middle_initial = rng
        .chance(0.7)
        .then(|| char::from(b'A' + rng.below(26) as u8));

    let months = period.months();
    let dies = rng.chance(POPULATION.annual_death_rate * months as f64 / 12.0) && !showcase;
    let last_month = if dies {
        rng.below(months as u64) as usize
    } else {
        months - 1
    };
    let death_date = dies.then(|| {
        let (year, month) = period.month(last_month);
        let day = rng.between(1, 28) as u8;
        Date::from_calendar_date(year, month, day).unwrap_or(end)
    });

    let dual = person.dual;
    let part_d = dual || rng.chance(POPULATION.part_d_share_non_dual) || showcase;
    let part_c_from = (rng.chance(POPULATION.joins_medicare_advantage) && !showcase)
        .then(|| 1 + rng.below(months.saturating_sub(1).max(1) as u64) as usize);

    let dual_code = if dual {
        *rng.pick(&["01", "02", "02", "04", "08", "08"])
    } else {
        "00"
    };
    let cost_share = if dual {
        *rng.pick(&["01", "02", "03"])
    } else {
        "09"
    };
    let part_d_plan = (
        format!("S{:04}", 5_000 + rng.below(900)),
        format!("{:03}", 1 + rng.below(40)),
    );
    let part_c_plan = (
        format!("H{:04}", 1_000 + rng.below(8_000)),
        format!("{:03}", 1 + rng.below(60)),
    );

    let Health {
        conditions,
        frailty,
    } = HEALTH.draw(&person, rng);

    let beneficiary = Beneficiary {
        id: key,
        bene_id: ids::bene_id(number),
        mbi: ids::mbi(number),
        mbi_effective_date: Some(mbi_effective_date(number, birth_date, entitlement)),
        first_name: first_name.to_string(),
        middle_initial,
        last_name: last_name.to_string(),
        sex_cd: if female { '2' } else { '1' },
        race_cd: *codes.races.sample(rng),
        birth_date,
        death_date,
        state_cd: location.ssa_state.to_string(),
        county_cd: location.ssa_county.to_string(),
        zip_cd: format!("{}{:04}", location.zip5, rng.below(10_000)),
        last_updated: period.recent_timestamp(rng),
    };
    Profile {
        number,
        key,
        beneficiary,
        entitlement,
        location,
        location_index,
        dual,
        dual_code,
        part_d,
        part_d_plan,
        part_c_plan,
        cost_share,
        part_c_from,
        frailty,
        conditions,
        last_month,
    }
}

/// The yearly entitlement rows of the years the period touches.
pub fn enrollment_years(profile: &Profile, period: &Period, rng: &mut Rng) -> Vec<EnrollmentYear> {
    let (orec, ms_cd, esrd_ind) = match profile.entitlement {
        Entitlement::Aged if rng.chance(0.12) => ('1', "10", '0'),
        Entitlement::Aged => ('0', "10", '0'),
        Entitlement::Disabled => ('1', "20", '0'),
        Entitlement::Esrd
            if profile.beneficiary.birth_date.year() < period.last_day().year() - 65 =>
        {
            ('2', "11", 'Y')
        }
        Entitlement::Esrd => ('2', "31", 'Y'),
    };
    period
        .years()
        .map(|year| {
            let died_this_year = profile
                .beneficiary
                .death_date
                .is_some_and(|d| d.year() == year);
            EnrollmentYear {
                beneficiary_id: profile.key,
                year: year as i16,
                orec,
                crec: orec,
                esrd_ind,
                ms_cd,
                a_trm_cd: if died_this_year { '1' } else { '0' },
                b_trm_cd: if died_this_year { '1' } else { '0' },
                last_updated: period.recent_timestamp(rng),
            }
        })
        .collect()
}

/// One row per month of the period while alive.
pub fn enrollment_months(profile: &Profile, period: &Period) -> Vec<EnrollmentMonth> {
    let (part_c_plan, part_d_plan) = (&profile.part_c_plan, &profile.part_d_plan);
    (0..=profile.last_month)
        .map(|index| {
            let (year, month) = period.month(index);
            let in_c = !profile.in_ffs(index);
            let (ptd_contract, ptd_pbp) = if in_c {
                (Some(part_c_plan.0.clone()), Some(part_c_plan.1.clone()))
            } else if profile.part_d {
                (Some(part_d_plan.0.clone()), Some(part_d_plan.1.clone()))
            } else {
                (None, None)
            };
            let has_d = ptd_contract.is_some();
            EnrollmentMonth {
                beneficiary_id: profile.key,
                year: year as i16,
                month: month as u8 as i16,
                buyin_cd: if profile.dual { 'C' } else { '3' },
                hmo_ind: if in_c { 'C' } else { '0' },
                ptc_cntrct_id: in_c.then(|| part_c_plan.0.clone()),
                ptc_pbp_id: in_c.then(|| part_c_plan.1.clone()),
                ptc_plan_type_cd: in_c.then(|| "01".to_owned()),
                ptd_cntrct_id: ptd_contract,
                ptd_pbp_id: ptd_pbp,
                ptd_sgmt_id: has_d.then(|| "000".to_owned()),
                cst_shr_grp_cd: has_d.then(|| profile.cost_share.to_owned()),
                rds_ind: 'N',
                dual_stus_cd: profile.dual_code.to_owned(),
            }
        })
        .collect()
}

impl Period {
    /// A timestamp in the last year before the period's end, for records that are not
    /// claims (beneficiary and enrollment updates).
    pub fn recent_timestamp(&self, rng: &mut Rng) -> OffsetDateTime {
        let day = self.as_of - Duration::days(rng.between(1, 365));
        timestamp(day, rng)
    }
}

/// A time of day on `day`, in UTC.
pub fn timestamp(day: Date, rng: &mut Rng) -> OffsetDateTime {
    let seconds = rng.below(86_400) as u32;
    let time = Time::from_hms(
        (seconds / 3600) as u8,
        (seconds / 60 % 60) as u8,
        (seconds % 60) as u8,
    )
    .unwrap_or(Time::MIDNIGHT);
    day.with_time(time).assume_utc()
}

/// When a beneficiary's MBI took effect: CMS issued MBIs to everyone already entitled
/// between April 2018 and December 2019 (spread over those 640 days by the beneficiary's
/// number, so no random draw moves); the aged who turned 65 since got theirs at
/// entitlement, the first of their 65th birthday's month.
fn mbi_effective_date(number: u64, birth_date: Date, entitlement: Entitlement) -> Date {
    let transition = Date::from_calendar_date(2018, time::Month::April, 1).unwrap_or(Date::MIN)
        + time::Duration::days((number % 640) as i64);
    let at_65 = Date::from_calendar_date(birth_date.year() + 65, birth_date.month(), 1)
        .unwrap_or(transition);
    match entitlement {
        Entitlement::Aged => transition.max(at_65),
        Entitlement::Disabled | Entitlement::Esrd => transition,
    }
}
