//! A beneficiary's health: the chronic conditions they live with, drawn at the national
//! prevalence CMS publishes for fee-for-service beneficiaries and shaped by age, sex and
//! dual status (that shape is our assumption: CMS's tables by group were not at hand),
//! and the frailty that follows from them and drives how much care they use
//! ([`crate::utilization`]).
//!
//! Conditions cluster in real people (two thirds of beneficiaries have two or more, about
//! one in six six or more): each person has a latent risk shared by all conditions, so
//! the same people carry many of them, and diabetes raises hypertension and CKD beyond it. A condition names the codes its claims carry and the
//! DRGs its admissions group to, so a diabetic's claims carry diabetes codes and a
//! heart-failure admission its DRG.
//!
//! Calibration: [`HEALTH`] scales each condition's chance so that its mean over a fixed
//! sample of the population is the published national prevalence, and divides frailty
//! by its population mean so that it averages 1.

use std::sync::LazyLock;

use crate::rates::POPULATION;
use crate::rng::{Rng, Weighted};

/// Who a person is, as far as their health depends on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demographics {
    /// Age at the end of the period.
    pub age: i32,
    pub female: bool,
    pub dual: bool,
    pub esrd: bool,
}

impl Demographics {
    /// A person drawn from the fee-for-service population's mix.
    pub fn draw(rng: &mut Rng) -> Demographics {
        let esrd = rng.chance(POPULATION.esrd_share);
        let disabled = !esrd && rng.chance(POPULATION.disabled_share);
        let age = if esrd {
            rng.between(35, 85) as i32
        } else if disabled {
            rng.between(25, 64) as i32
        } else {
            65 + (-(rng.unit().max(1e-9)).ln() * POPULATION.mean_years_over_65).min(39.0) as i32
        };
        Demographics {
            age,
            female: rng.chance(POPULATION.female_share),
            dual: rng.chance(POPULATION.dual_share),
            esrd,
        }
    }

    /// The CCW age band: under 65, 65-74, 75-84, 85 and over.
    fn band(&self) -> usize {
        match self.age {
            ..65 => 0,
            65..75 => 1,
            75..85 => 2,
            _ => 3,
        }
    }
}

/// One of the CMS Chronic Conditions Warehouse conditions the generator models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    Hypertension,
    Hyperlipidemia,
    IschemicHeartDisease,
    Arthritis,
    Diabetes,
    ChronicKidneyDisease,
    Depression,
    HeartFailure,
    Dementia,
    Copd,
    AtrialFibrillation,
    Cancer,
    Osteoporosis,
    Asthma,
    Stroke,
}

impl Condition {
    /// Every modelled condition, most prevalent first.
    pub const ALL: [Condition; 15] = [
        Condition::Hypertension,
        Condition::Hyperlipidemia,
        Condition::IschemicHeartDisease,
        Condition::Arthritis,
        Condition::Diabetes,
        Condition::ChronicKidneyDisease,
        Condition::Depression,
        Condition::HeartFailure,
        Condition::Dementia,
        Condition::Copd,
        Condition::AtrialFibrillation,
        Condition::Cancer,
        Condition::Osteoporosis,
        Condition::Asthma,
        Condition::Stroke,
    ];

    /// What CMS publishes about the condition and how the generator codes it.
    pub fn spec(self) -> &'static ConditionSpec {
        &SPECS[self as usize]
    }

    /// A diagnosis code of the condition, in proportion to how often it is coded.
    pub fn code(self, rng: &mut Rng) -> &'static str {
        CODES_BY_CONDITION[self as usize].sample(rng)
    }
}

/// A condition's published prevalence, the codes that represent it and its weight in
/// frailty.
#[derive(Debug)]
pub struct ConditionSpec {
    pub condition: Condition,
    /// The CCW name, as the report prints it.
    pub name: &'static str,
    /// Share of fee-for-service beneficiaries with the condition, national.
    pub prevalence: f64,
    /// Where the prevalence comes from.
    pub source: &'static str,
    /// Prevalence by age band (under 65, 65-74, 75-84, 85+) relative to the national
    /// figure: the shape of the age gradient.
    pub by_age: [f64; 4],
    /// Prevalence among women relative to men.
    pub female_ratio: f64,
    /// Prevalence among dual eligibles relative to others.
    pub dual_ratio: f64,
    /// How much likelier the condition is for a diabetic, beyond the risk all conditions
    /// share: diabetes damages kidneys and vessels (our calibration, to CMS's
    /// co-morbidity figures: 83.4% of diabetics have hypertension, 53.6% CKD).
    pub with_diabetes: f64,
    /// How much more care a person with the condition uses, on a log scale, other
    /// things equal (our assumption, ordered as the conditions' costs per CMS's chartbook).
    pub frailty_weight: f64,
    /// ICD-10-CM codes (no dot) that represent it on claims, with relative frequency.
    pub codes: &'static [(&'static str, u32)],
    /// MS-DRGs an admission for the condition groups to.
    pub drgs: &'static [&'static str],
}

/// The spread of the latent risk that all of a person's conditions share (log scale):
/// what makes conditions cluster in the same people. Our assumption, chosen so that
/// the share with six or more conditions is near CMS's.
const SHARED_RISK_SIGMA: f64 = 0.8;

/// Spread of frailty that no modelled condition explains (log scale; our assumption).
const RESIDUAL_FRAILTY_SIGMA: f64 = 0.3;

/// How much more care an ESRD beneficiary uses, on a log scale, beyond their conditions:
/// twice as much (dialysis three times a week, frequent admissions).
const ESRD_FRAILTY_WEIGHT: f64 = std::f64::consts::LN_2;

/// Codes an ESRD beneficiary's claims carry: end-stage renal disease, dialysis status,
/// hypertensive CKD with ESRD.
const ESRD_CODES: &[(&str, u32)] = &[("N186", 45), ("Z992", 40), ("I120", 15)];

/// A code of end-stage renal disease, for an ESRD beneficiary's claims.
pub fn esrd_code(rng: &mut Rng) -> &'static str {
    static ESRD: LazyLock<Weighted<&'static str>> =
        LazyLock::new(|| Weighted::new(ESRD_CODES.iter().copied()));
    ESRD.sample(rng)
}

/// CMS Chronic Conditions Warehouse, Table B.2a "Medicare beneficiary prevalence for
/// chronic conditions using FFS claims, 2010-2019" (31.9M FFS beneficiaries).
const CCW_2019: &str = "CCW Table B.2a, FFS beneficiaries, 2019";
/// The CMS Chronic Conditions chartbook's figures for beneficiaries 65 and over, as
/// Synthea's Medicare population targets (synthetichealth/populations) quote them.
const CHARTBOOK: &str =
    "CMS Chronic Conditions chartbook, 65+, as quoted by Synthea's Medicare targets";
/// No national figure on the current definitions was found.
const ESTIMATE: &str =
    "our estimate (CCW's figure under its older definitions; not found for 2019)";

/// What the generator knows of each condition; docs/synthetic-data.md has the sources.
static SPECS: [ConditionSpec; Condition::ALL.len()] = [
    ConditionSpec {
        condition: Condition::Hypertension,
        name: "Hypertension",
        prevalence: 0.590,
        source: CCW_2019,
        by_age: [0.65, 0.88, 1.10, 1.20],
        female_ratio: 1.05,
        dual_ratio: 1.05,
        with_diabetes: 1.2,
        frailty_weight: 0.09,
        codes: &[
            ("I10", 80),
            ("I129", 8),
            ("I110", 4),
            ("I119", 3),
            ("I1310", 2),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::Hyperlipidemia,
        name: "Hyperlipidemia",
        prevalence: 0.500,
        source: CCW_2019,
        by_age: [0.65, 0.98, 1.10, 0.95],
        female_ratio: 0.95,
        dual_ratio: 0.90,
        with_diabetes: 1.0,
        frailty_weight: 0.0,
        codes: &[
            ("E785", 50),
            ("E782", 20),
            ("E7800", 15),
            ("E7849", 10),
            ("E781", 5),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::IschemicHeartDisease,
        name: "Ischemic heart disease",
        prevalence: 0.278,
        source: CCW_2019,
        by_age: [0.55, 0.80, 1.20, 1.45],
        female_ratio: 0.75,
        dual_ratio: 1.05,
        with_diabetes: 1.0,
        frailty_weight: 0.18,
        codes: &[
            ("I2510", 60),
            ("I252", 10),
            ("Z951", 8),
            ("Z955", 6),
            ("I25119", 5),
            ("I209", 5),
            ("I25118", 3),
            ("I25810", 3),
        ],
        drgs: &["280", "321", "322"],
    },
    ConditionSpec {
        condition: Condition::Arthritis,
        name: "Rheumatoid arthritis/osteoarthritis",
        prevalence: 0.352,
        source: CCW_2019,
        by_age: [0.70, 0.90, 1.15, 1.25],
        female_ratio: 1.40,
        dual_ratio: 1.05,
        with_diabetes: 1.0,
        frailty_weight: 0.12,
        codes: &[
            ("M170", 20),
            ("M1990", 20),
            ("M069", 10),
            ("M1711", 8),
            ("M1712", 8),
            ("M160", 5),
        ],
        drgs: &["469", "470"],
    },
    ConditionSpec {
        condition: Condition::Diabetes,
        name: "Diabetes",
        prevalence: 0.275,
        source: CCW_2019,
        by_age: [1.00, 0.95, 1.05, 0.90],
        female_ratio: 0.90,
        dual_ratio: 1.35,
        with_diabetes: 1.0,
        frailty_weight: 0.18,
        codes: &[
            ("E119", 35),
            ("E1165", 20),
            ("E1122", 15),
            ("Z794", 10),
            ("Z7984", 10),
            ("E1140", 6),
            ("E1142", 6),
            ("E1151", 4),
            ("E11649", 4),
            ("E1169", 4),
            ("E1136", 2),
            ("E118", 2),
        ],
        drgs: &["638"],
    },
    ConditionSpec {
        condition: Condition::ChronicKidneyDisease,
        name: "Chronic kidney disease",
        prevalence: 0.260,
        source: CCW_2019,
        by_age: [0.60, 0.75, 1.15, 1.60],
        female_ratio: 0.95,
        dual_ratio: 1.30,
        with_diabetes: 1.7,
        frailty_weight: 0.3,
        codes: &[
            ("N1830", 20),
            ("N189", 20),
            ("N1831", 15),
            ("N184", 15),
            ("N1832", 12),
            ("N182", 10),
            ("N185", 5),
        ],
        drgs: &["682", "683"],
    },
    ConditionSpec {
        condition: Condition::Depression,
        name: "Depression",
        prevalence: 0.194,
        source: CCW_2019,
        by_age: [1.90, 0.80, 0.80, 0.95],
        female_ratio: 1.50,
        dual_ratio: 1.70,
        with_diabetes: 1.0,
        frailty_weight: 0.18,
        codes: &[
            ("F329", 40),
            ("F331", 15),
            ("F339", 15),
            ("F32A", 12),
            ("F321", 8),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::HeartFailure,
        name: "Heart failure",
        prevalence: 0.146,
        source: CCW_2019,
        by_age: [0.55, 0.60, 1.10, 2.10],
        female_ratio: 0.95,
        dual_ratio: 1.35,
        with_diabetes: 1.0,
        frailty_weight: 0.48,
        codes: &[
            ("I5032", 20),
            ("I509", 20),
            ("I5022", 15),
            ("I110", 10),
            ("I5042", 10),
            ("I5033", 8),
            ("I5030", 8),
            ("I5020", 8),
            ("I5023", 6),
            ("I130", 5),
        ],
        drgs: &["291", "292", "293"],
    },
    ConditionSpec {
        condition: Condition::Dementia,
        name: "Alzheimer's disease and related dementia",
        prevalence: 0.12,
        source: CHARTBOOK,
        by_age: [0.25, 0.35, 1.10, 3.00],
        female_ratio: 1.30,
        dual_ratio: 2.00,
        with_diabetes: 1.0,
        frailty_weight: 0.36,
        codes: &[
            ("F0390", 35),
            ("G309", 25),
            ("G301", 10),
            ("G3184", 5),
            ("F0150", 5),
            ("G311", 3),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::Copd,
        name: "COPD",
        prevalence: 0.12,
        source: CHARTBOOK,
        by_age: [0.95, 0.95, 1.05, 1.00],
        female_ratio: 1.05,
        dual_ratio: 1.55,
        with_diabetes: 1.0,
        frailty_weight: 0.3,
        codes: &[
            ("J449", 55),
            ("J441", 20),
            ("J440", 8),
            ("J439", 5),
            ("J9611", 5),
        ],
        drgs: &["190", "191", "192"],
    },
    ConditionSpec {
        condition: Condition::AtrialFibrillation,
        name: "Atrial fibrillation",
        prevalence: 0.08,
        source: ESTIMATE,
        by_age: [0.20, 0.65, 1.40, 2.00],
        female_ratio: 0.85,
        dual_ratio: 0.85,
        with_diabetes: 1.0,
        frailty_weight: 0.18,
        codes: &[
            ("I4891", 45),
            ("Z7901", 20),
            ("I480", 15),
            ("I4820", 10),
            ("I4819", 8),
            ("I4892", 5),
        ],
        drgs: &["308", "309"],
    },
    ConditionSpec {
        condition: Condition::Cancer,
        name: "Cancer (breast, colorectal, lung, prostate)",
        prevalence: 0.07,
        source: ESTIMATE,
        by_age: [0.40, 1.00, 1.20, 1.10],
        female_ratio: 0.85,
        dual_ratio: 0.75,
        with_diabetes: 1.0,
        frailty_weight: 0.3,
        codes: &[
            ("C61", 20),
            ("C50911", 15),
            ("Z8546", 12),
            ("Z853", 12),
            ("C3490", 10),
            ("C189", 8),
            ("Z5111", 5),
            ("Z85038", 4),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::Osteoporosis,
        name: "Osteoporosis",
        prevalence: 0.07,
        source: CHARTBOOK,
        by_age: [0.25, 0.70, 1.30, 1.80],
        female_ratio: 4.50,
        dual_ratio: 1.00,
        with_diabetes: 1.0,
        frailty_weight: 0.06,
        codes: &[("M810", 85), ("Z7983", 15)],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::Asthma,
        name: "Asthma",
        prevalence: 0.05,
        source: CHARTBOOK,
        by_age: [1.60, 0.90, 0.80, 0.65],
        female_ratio: 1.60,
        dual_ratio: 1.60,
        with_diabetes: 1.0,
        frailty_weight: 0.12,
        codes: &[
            ("J45909", 50),
            ("J4530", 10),
            ("J4540", 10),
            ("J45901", 10),
            ("J4550", 5),
            ("J45998", 5),
        ],
        drgs: &[],
    },
    ConditionSpec {
        condition: Condition::Stroke,
        name: "Stroke/transient ischemic attack",
        prevalence: 0.04,
        source: ESTIMATE,
        by_age: [0.50, 0.75, 1.20, 1.60],
        female_ratio: 1.05,
        dual_ratio: 1.25,
        with_diabetes: 1.0,
        frailty_weight: 0.3,
        codes: &[
            ("Z8673", 30),
            ("I639", 20),
            ("G459", 20),
            ("I69351", 5),
            ("I69354", 5),
            ("I63512", 3),
        ],
        drgs: &["064", "065", "069"],
    },
];

static CODES_BY_CONDITION: LazyLock<Vec<Weighted<&'static str>>> = LazyLock::new(|| {
    SPECS
        .iter()
        .map(|spec| Weighted::new(spec.codes.iter().copied()))
        .collect()
});

/// A person's health: their conditions and how much care they use.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// Conditions, in [`Condition::ALL`]'s order.
    pub conditions: Vec<Condition>,
    /// How much care this person uses relative to the average (mean 1 over the
    /// population).
    pub frailty: f64,
}

/// The calibration of the model on the population.
#[derive(Debug)]
pub struct Calibration {
    /// Per condition, what its relative chance is multiplied by.
    scale: [f64; Condition::ALL.len()],
    /// What raw frailty is divided by so that it averages 1.
    frailty_mean: f64,
}

/// The calibration, computed once from a fixed sample (the same on every run).
pub static HEALTH: LazyLock<Calibration> = LazyLock::new(|| {
    let sample = calibration_sample();
    let mut scale = [0.0; Condition::ALL.len()];
    // Diabetes first: the chance of the conditions that follow it depends on it.
    let diabetes = Condition::Diabetes as usize;
    let diabetes_scale = calibrated_scale(&sample, &SPECS[diabetes], |_| 0.0);
    scale[diabetes] = diabetes_scale;
    let diabetic_chance = |person: &Demographics, risk: f64| {
        (diabetes_scale * relative_chance(&SPECS[diabetes], person) * risk).min(MAX_CHANCE)
    };
    for (i, spec) in SPECS.iter().enumerate().filter(|(i, _)| *i != diabetes) {
        scale[i] = calibrated_scale(&sample, spec, |(person, risk)| {
            diabetic_chance(person, *risk)
        });
    }
    let mut uncalibrated = Calibration {
        scale,
        frailty_mean: 1.0,
    };
    let frailties = uncalibrated.sample_frailties(2, CALIBRATION_SIZE);
    uncalibrated.frailty_mean = frailties.iter().sum::<f64>() / CALIBRATION_SIZE as f64;
    uncalibrated
});

/// The scale that makes `spec`'s mean chance over `sample` its prevalence, for people
/// who are diabetic with the chance `diabetic` gives (the mean of the capped chance grows
/// with the scale: bisect).
fn calibrated_scale(
    sample: &[(Demographics, f64)],
    spec: &ConditionSpec,
    diabetic: impl Fn(&(Demographics, f64)) -> f64,
) -> f64 {
    let (mut low, mut high) = (0.0_f64, 20.0_f64);
    for _ in 0..60 {
        let mid = (low + high) / 2.0;
        let mean = sample
            .iter()
            .map(|entry| {
                let base = mid * relative_chance(spec, &entry.0) * entry.1;
                let p = diabetic(entry);
                p * (base * spec.with_diabetes).min(MAX_CHANCE) + (1.0 - p) * base.min(MAX_CHANCE)
            })
            .sum::<f64>()
            / sample.len() as f64;
        if mean < spec.prevalence {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
}

const CALIBRATION_SEED: u64 = 0x4EA1_7401;
const CALIBRATION_SIZE: usize = 50_000;
/// No condition is certain for anyone.
const MAX_CHANCE: f64 = 0.97;

/// A fixed sample of people with their shared risk, to calibrate on.
fn calibration_sample() -> Vec<(Demographics, f64)> {
    let mut rng = Rng::new(CALIBRATION_SEED, 1);
    (0..CALIBRATION_SIZE)
        .map(|_| (Demographics::draw(&mut rng), shared_risk(&mut rng)))
        .collect()
}

fn shared_risk(rng: &mut Rng) -> f64 {
    (SHARED_RISK_SIGMA * rng.normal() - SHARED_RISK_SIGMA * SHARED_RISK_SIGMA / 2.0).exp()
}

/// A condition's chance for `person` relative to the national prevalence, before
/// calibration: the age gradient and the sex and dual ratios, each normalised so the
/// population's mean is kept.
fn relative_chance(spec: &ConditionSpec, person: &Demographics) -> f64 {
    let female = POPULATION.female_share;
    let sex = if person.female {
        spec.female_ratio / (female * spec.female_ratio + 1.0 - female)
    } else {
        1.0 / (female * spec.female_ratio + 1.0 - female)
    };
    let dual_share = POPULATION.dual_share;
    let dual = if person.dual {
        spec.dual_ratio / (dual_share * spec.dual_ratio + 1.0 - dual_share)
    } else {
        1.0 / (dual_share * spec.dual_ratio + 1.0 - dual_share)
    };
    spec.prevalence * spec.by_age[person.band()] * sex * dual
}

impl Calibration {
    /// The health of `person`.
    pub fn draw(&self, person: &Demographics, rng: &mut Rng) -> Health {
        let risk = shared_risk(rng);
        let chance = |spec: &ConditionSpec, scale: f64, diabetic: bool| {
            let multiplier = if diabetic { spec.with_diabetes } else { 1.0 };
            (scale * relative_chance(spec, person) * risk * multiplier).min(MAX_CHANCE)
        };
        let diabetes = Condition::Diabetes as usize;
        let diabetic = rng.chance(chance(&SPECS[diabetes], self.scale[diabetes], false));
        let conditions: Vec<Condition> = SPECS
            .iter()
            .zip(self.scale)
            .filter(|(spec, scale)| {
                if spec.condition == Condition::Diabetes {
                    diabetic
                } else {
                    rng.chance(chance(spec, *scale, diabetic))
                }
            })
            .map(|(spec, _)| spec.condition)
            .collect();
        let log_frailty = conditions
            .iter()
            .map(|c| c.spec().frailty_weight)
            .sum::<f64>()
            + if person.esrd {
                ESRD_FRAILTY_WEIGHT
            } else {
                0.0
            }
            + RESIDUAL_FRAILTY_SIGMA * rng.normal();
        Health {
            conditions,
            frailty: log_frailty.exp() / self.frailty_mean,
        }
    }

    /// The frailty of `n` people drawn from the population (a fixed sample): what the
    /// utilization model calibrates on.
    pub fn population_frailties(&self, n: usize) -> Vec<f64> {
        self.sample_frailties(3, n)
    }

    /// The frailty of `n` people drawn from the population on calibration stream
    /// `stream`.
    fn sample_frailties(&self, stream: u64, n: usize) -> Vec<f64> {
        let mut rng = Rng::new(CALIBRATION_SEED, stream);
        (0..n)
            .map(|_| {
                let person = Demographics::draw(&mut rng);
                self.draw(&person, &mut rng).frailty
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn population(n: usize, seed: u64) -> Vec<(Demographics, Health)> {
        let mut rng = Rng::new(seed, 9);
        (0..n)
            .map(|_| {
                let person = Demographics::draw(&mut rng);
                let health = HEALTH.draw(&person, &mut rng);
                (person, health)
            })
            .collect()
    }

    #[test]
    fn every_condition_has_its_published_prevalence() {
        let people = population(100_000, 1);
        for spec in &SPECS {
            let share = people
                .iter()
                .filter(|(_, h)| h.conditions.contains(&spec.condition))
                .count() as f64
                / people.len() as f64;
            assert!(
                (share - spec.prevalence).abs() < 0.01,
                "{}: {share:.3} against {}",
                spec.name,
                spec.prevalence
            );
        }
    }

    #[test]
    fn frailty_averages_one_and_grows_with_conditions() {
        let people = population(100_000, 2);
        let mean = people.iter().map(|(_, h)| h.frailty).sum::<f64>() / people.len() as f64;
        let sd = (people
            .iter()
            .map(|(_, h)| (h.frailty - mean).powi(2))
            .sum::<f64>()
            / people.len() as f64)
            .sqrt();
        eprintln!("frailty mean {mean:.3} cv {:.3}", sd / mean);
        assert!((mean - 1.0).abs() < 0.03, "mean frailty {mean}");
        let group_mean = |range: std::ops::RangeInclusive<usize>| {
            let group: Vec<f64> = people
                .iter()
                .filter(|(_, h)| range.contains(&h.conditions.len()))
                .map(|(_, h)| h.frailty)
                .collect();
            group.iter().sum::<f64>() / group.len() as f64
        };
        eprintln!(
            "frailty by conditions: 0-1 {:.2} 2-3 {:.2} 4-5 {:.2} 6+ {:.2}",
            group_mean(0..=1),
            group_mean(2..=3),
            group_mean(4..=5),
            group_mean(6..=15)
        );
        let mean_of = |few: bool| {
            let group: Vec<f64> = people
                .iter()
                .filter(|(_, h)| (h.conditions.len() <= 1) == few)
                .map(|(_, h)| h.frailty)
                .collect();
            group.iter().sum::<f64>() / group.len() as f64
        };
        assert!(mean_of(false) > 1.5 * mean_of(true));
        // The frailty spread stays near the coefficient of variation of 1 that the
        // claim rates were calibrated with.
        assert!((0.9..1.3).contains(&(sd / mean)), "cv {}", sd / mean);
        assert!(group_mean(6..=15) > 3.0 * group_mean(0..=1));
    }

    #[test]
    fn conditions_cluster_in_the_same_people_as_in_cms_data() {
        // Lochner and Cox (2013), the same 15 conditions, 2010: 68.4% of FFS
        // beneficiaries had two or more, 36.4% four or more.
        let people = population(100_000, 4);
        let share = |at_least: usize| {
            people
                .iter()
                .filter(|(_, h)| h.conditions.len() >= at_least)
                .count() as f64
                / people.len() as f64
        };
        eprintln!("2+ {:.3} 4+ {:.3} 6+ {:.3}", share(2), share(4), share(6));
        assert!((share(2) - 0.684).abs() < 0.03, "two or more: {}", share(2));
        assert!(
            (share(4) - 0.364).abs() < 0.03,
            "four or more: {}",
            share(4)
        );
    }

    #[test]
    fn dementia_is_far_more_common_among_the_oldest() {
        let people = population(100_000, 3);
        let share = |old: bool| {
            let group: Vec<_> = people
                .iter()
                .filter(|(p, _)| (p.age >= 85) == old)
                .collect();
            group
                .iter()
                .filter(|(_, h)| h.conditions.contains(&Condition::Dementia))
                .count() as f64
                / group.len() as f64
        };
        assert!(share(true) > 2.5 * share(false));
    }

    #[test]
    fn every_condition_names_codes_and_its_drgs_exist() {
        let drgs: Vec<&str> = crate::codes::CODES
            .drgs
            .items()
            .iter()
            .map(|d| d.code)
            .collect();
        for spec in &SPECS {
            assert!(!spec.codes.is_empty(), "{}", spec.name);
            for drg in spec.drgs {
                assert!(
                    drgs.contains(drg),
                    "{}: DRG {drg} not in drg.csv",
                    spec.name
                );
            }
        }
        for (i, spec) in SPECS.iter().enumerate() {
            assert_eq!(spec.condition as usize, i, "SPECS is in Condition's order");
        }
    }
}
