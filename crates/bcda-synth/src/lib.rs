//! Synthetic Medicare claims for ACOs of any size, deterministic and realistic.
//!
//! A [`Synth`] describes one ACO's data set (CMS id, beneficiaries, seed, years, as-of
//! month). Every beneficiary is generated from its own random stream, so the same
//! specification always yields byte-identical rows whatever the order or parallelism,
//! and ACOs never share a beneficiary (see [`ids`]). Rates follow published CMS
//! statistics ([`rates`]); codes come from curated tables of real codes ([`codes`]).
//! [`load`] streams the rows into Postgres with binary COPY.

pub mod attribution;
pub mod claims;
pub mod codes;
pub mod ids;
pub mod load;
pub mod profile;
pub mod providers;
pub mod rates;
pub mod rng;
pub mod sandbox;
pub mod utilization;

use bcda_model::claims::{
    Attribution, Beneficiary, Claim, ClaimType, EnrollmentMonth, EnrollmentYear, PdeEvent,
};
use time::{Date, Duration, Month};

use crate::providers::Network;
use crate::rng::Rng;

/// Share of an ACO's generated beneficiaries who have already left it (their
/// attribution has an end date); they come on top of the requested count.
const FORMER_SHARE: f64 = 0.03;

/// One beneficiary in this many has opted out of data sharing: those whose ordinal
/// leaves [`OPT_OUT_REMAINDER`], so even the 50-beneficiary sandbox ACO has one.
const OPT_OUT_EVERY: u64 = 50;
const OPT_OUT_REMAINDER: u64 = 17;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthSpec {
    /// The ACO, e.g. `A9994`.
    pub cms_id: String,
    /// Beneficiaries currently attributed.
    pub beneficiaries: u64,
    pub seed: u64,
    /// Years of claims and enrollment, ending the month before `as_of`.
    pub years: u16,
    /// The data's "today": claims are processed before it. Part of the input, so a
    /// data set is reproducible; `bcda synth` uses the first day of the current month.
    pub as_of: Date,
}

/// Every row generated for one beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiaryRecord {
    pub beneficiary: Beneficiary,
    pub attribution: Attribution,
    /// When the beneficiary opted out of sharing their data with ACOs, if they did.
    pub opted_out_on: Option<Date>,
    pub enrollment_years: Vec<EnrollmentYear>,
    pub enrollment_months: Vec<EnrollmentMonth>,
    pub claims: Vec<Claim>,
    pub events: Vec<PdeEvent>,
}

/// A generator for one ACO's data set.
#[derive(Debug, Clone)]
pub struct Synth {
    spec: SynthSpec,
    namespace: u64,
    period: Period,
    networks: Vec<Network>,
}

impl Synth {
    /// Prepares generation; fails when the CMS id cannot name a namespace.
    pub fn new(spec: SynthSpec) -> Result<Synth, ids::BadCmsId> {
        let namespace = ids::namespace(&spec.cms_id)?;
        let period = Period::new(spec.as_of, spec.years.max(1));
        let networks = providers::networks(spec.seed);
        Ok(Synth {
            spec,
            namespace,
            period,
            networks,
        })
    }

    pub fn spec(&self) -> &SynthSpec {
        &self.spec
    }

    pub fn namespace(&self) -> u64 {
        self.namespace
    }

    pub fn period(&self) -> &Period {
        &self.period
    }

    /// The data set's attribution files, oldest first.
    pub fn attribution_files(&self) -> Vec<attribution::FileSpec> {
        attribution::files(self.period.as_of)
    }

    /// Whether `record`'s beneficiary is one a `Patient/$export` covers: listed in the
    /// latest default attribution file, and not opted out of data sharing.
    pub fn is_exported(&self, record: &BeneficiaryRecord) -> bool {
        let latest = self
            .attribution_files()
            .into_iter()
            .rfind(|file| file.kind == bcda_model::attribution::AttributionKind::Default);
        record.opted_out_on.is_none() && latest.is_some_and(|file| file.lists(&record.attribution))
    }
}

/// The first day of the current month (UTC): the as-of date of data generated now.
pub fn this_month() -> Date {
    let today = time::OffsetDateTime::now_utc().date();
    today.replace_day(1).unwrap_or(today)
}

impl Synth {
    /// Beneficiaries generated: the attributed ones, then those who left.
    pub fn total(&self) -> u64 {
        let requested = self.spec.beneficiaries.min(ids::MAX_BENEFICIARIES / 2);
        requested + (requested as f64 * FORMER_SHARE).ceil() as u64
    }

    /// Every row of beneficiary `ordinal` (`0..total()`).
    pub fn beneficiary(&self, ordinal: u64) -> BeneficiaryRecord {
        let number = ids::beneficiary_number(self.namespace, ordinal);
        let mut rng = Rng::new(self.spec.seed, number);
        let showcase = self.showcase(ordinal);
        let mut profile = profile::draw(
            &mut rng,
            self.namespace,
            ordinal,
            &self.period,
            showcase.is_some(),
        );
        let network = &self.networks[profile.location_index];
        let claim_set = claims::generate(&mut profile, &self.period, network, showcase, &mut rng);
        let attribution = self.attribution(ordinal, profile.key, &mut rng);
        BeneficiaryRecord {
            enrollment_years: profile::enrollment_years(&profile, &self.period, &mut rng),
            enrollment_months: profile::enrollment_months(&profile, &self.period),
            beneficiary: profile.beneficiary,
            attribution,
            opted_out_on: (ordinal % OPT_OUT_EVERY == OPT_OUT_REMAINDER)
                .then(|| self.period.last_day() - Duration::days((ordinal % 60) as i64)),
            claims: claim_set.claims,
            events: claim_set.events,
        }
    }

    /// The first eight beneficiaries each guarantee one claim kind, so every data set
    /// of at least eight beneficiaries shows all eight kinds.
    fn showcase(&self, ordinal: u64) -> Option<ClaimType> {
        ClaimType::ALL.get(usize::try_from(ordinal).ok()?).copied()
    }

    fn attribution(&self, ordinal: u64, key: i64, rng: &mut Rng) -> Attribution {
        let start = self.period.first_day();
        // Most joined before the period; some during it.
        let attributed_on = if rng.chance(0.85) {
            start - Duration::days(rng.between(1, 3 * 365))
        } else {
            start + Duration::days(rng.below(self.period.months() as u64 * 30) as i64)
        };
        // Those who left did so during the year before the data's, so that the runout
        // file lists them and no file of the current year does (see `attribution`).
        let ended_on = (ordinal >= self.spec.beneficiaries).then(|| {
            let (first, last) = attribution::leaving_window(self.period.as_of);
            let span = (last - first).whole_days().max(1);
            first + Duration::days(1 + rng.below(span as u64) as i64)
        });
        Attribution {
            beneficiary_id: key,
            attributed_on: ended_on.map_or(attributed_on, |ended| {
                attributed_on.min(ended - Duration::days(1))
            }),
            ended_on,
        }
    }
}

/// The months a data set covers: `months` whole months ending the month before `as_of`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// First day of the as-of month.
    pub as_of: Date,
    months: usize,
}

impl Period {
    pub fn new(as_of: Date, years: u16) -> Period {
        let as_of = as_of.replace_day(1).unwrap_or(as_of);
        Period {
            as_of,
            months: usize::from(years) * 12,
        }
    }

    /// Months covered.
    pub fn months(&self) -> usize {
        self.months
    }

    /// Year and month of month `index` (0 is the earliest).
    pub fn month(&self, index: usize) -> (i32, Month) {
        let back = self.months - index;
        let zero_based = self.as_of.year() * 12 + (self.as_of.month() as i32 - 1) - back as i32;
        let month =
            Month::try_from((zero_based.rem_euclid(12) + 1) as u8).unwrap_or(Month::January);
        (zero_based.div_euclid(12), month)
    }

    /// The index of the month containing `day`, if the period covers it.
    pub fn month_index(&self, day: Date) -> Option<usize> {
        let first = self.first_day();
        let months = (day.year() - first.year()) * 12 + (day.month() as i32 - first.month() as i32);
        (0..self.months as i32)
            .contains(&months)
            .then_some(months as usize)
    }

    /// The first day covered.
    pub fn first_day(&self) -> Date {
        let (year, month) = self.month(0);
        Date::from_calendar_date(year, month, 1).unwrap_or(self.as_of)
    }

    /// The last day covered: the day before `as_of`.
    pub fn last_day(&self) -> Date {
        self.as_of - Duration::days(1)
    }

    /// The last day of month `index`.
    pub fn month_end(&self, index: usize) -> Date {
        let (year, month) = self.month(index);
        Date::from_calendar_date(year, month, month.length(year)).unwrap_or(self.last_day())
    }

    /// A random day of month `index`.
    pub fn day_in_month(&self, index: usize, rng: &mut Rng) -> Date {
        let (year, month) = self.month(index);
        let day = 1 + rng.below(u64::from(month.length(year))) as u8;
        Date::from_calendar_date(year, month, day).unwrap_or(self.last_day())
    }

    /// The calendar years the period touches.
    pub fn years(&self) -> impl Iterator<Item = i32> {
        self.first_day().year()..=self.last_day().year()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_one_year_period_ends_the_month_before_as_of() {
        let period = Period::new(date!(2026 - 11 - 23), 1);
        assert_eq!(period.first_day(), date!(2025 - 11 - 01));
        assert_eq!(period.last_day(), date!(2026 - 10 - 31));
        assert_eq!(period.month(0), (2025, Month::November));
        assert_eq!(period.month(11), (2026, Month::October));
        assert_eq!(period.month_index(date!(2026 - 01 - 15)), Some(2));
        assert_eq!(period.month_index(date!(2026 - 11 - 01)), None);
        assert_eq!(period.years().collect::<Vec<_>>(), [2025, 2026]);
        assert_eq!(period.month_end(3), date!(2026 - 02 - 28));
    }
}
