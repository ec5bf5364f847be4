//! Who uses a kind of care, and how much: a beneficiary's claims of a kind are a hurdle
//! draw on their frailty. Whether they use the kind at all in a year is a chance that
//! grows with frailty, and a user's further claims a Poisson count that grows with it
//! too. So users and intensity separate as in real claims (16% of fee-for-service
//! beneficiaries have a hospital stay, at 1.6 stays each, where a plain Poisson draw at
//! the mean of 0.27 gave 21% at 1.25), and the same frail people are the heavy users of
//! every kind, since one frailty drives them all.
//!
//! Calibration: for frailty `f` (mean 1, from [`crate::health`]) and a year
//! of fee-for-service enrollment, a beneficiary uses the kind with chance
//! `1 - exp(-alpha f)` and then has `1 + Poisson(beta f)` claims. `alpha` is found so that
//! the mean chance over the frailty distribution is the published share of users, and
//! `beta` so that the mean count is the published claims per beneficiary-year.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use bcda_model::claims::ClaimType;

use crate::health::HEALTH;
use crate::rates::{ClaimRate, RATES};
use crate::rng::Rng;

/// How one kind's claims follow from frailty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hurdle {
    /// How fast the chance of using the kind grows with frailty.
    alpha: f64,
    /// A user's further claims per unit of frailty.
    beta: f64,
}

impl Hurdle {
    /// The hurdle whose users and claims, over the population's frailty, are `rate`'s.
    /// `None` when `rate` publishes no share of users.
    pub fn calibrated(rate: &ClaimRate, frailties: &[f64]) -> Option<Hurdle> {
        let users = rate.users?;
        let mean = |g: &dyn Fn(f64) -> f64| -> f64 {
            frailties.iter().map(|&f| g(f)).sum::<f64>() / frailties.len() as f64
        };
        // The share of users grows with alpha: bisect on a log scale.
        let (mut low, mut high) = (1e-6_f64, 1e3_f64);
        for _ in 0..100 {
            let alpha = (low * high).sqrt();
            if mean(&|f| 1.0 - (-alpha * f).exp()) < users {
                low = alpha;
            } else {
                high = alpha;
            }
        }
        let alpha = (low * high).sqrt();
        // Mean claims = users + beta * E[f * P(use | f)].
        let weighted = mean(&|f| f * (1.0 - (-alpha * f).exp()));
        let beta = ((rate.per_year - users) / weighted).max(0.0);
        Some(Hurdle { alpha, beta })
    }

    /// The claims of a beneficiary of `frailty` over `years` of fee-for-service
    /// enrollment (a fraction for a partial year).
    pub fn draw(&self, frailty: f64, years: f64, rng: &mut Rng) -> u32 {
        let exposure = frailty * years;
        if rng.chance(1.0 - (-self.alpha * exposure).exp()) {
            1 + rng.poisson(self.beta * exposure)
        } else {
            0
        }
    }
}

/// The hurdle of every kind whose share of users is published, calibrated once on a
/// fixed sample of the population's frailty (the same on every run).
pub static HURDLES: LazyLock<BTreeMap<ClaimType, Hurdle>> = LazyLock::new(|| {
    let frailties = HEALTH.population_frailties(50_000);
    RATES
        .each()
        .into_iter()
        .filter_map(|(kind, mut rate)| {
            if kind == ClaimType::Hha {
                rate.users = rate.users.map(|users| users - HHA_USERS_FROM_DISCHARGES);
                rate.per_year -= HHA_USERS_FROM_DISCHARGES;
            }
            Some((kind, Hurdle::calibrated(&rate, &frailties)?))
        })
        .collect()
});

/// The share of beneficiaries whose only home health is the period a hospital discharge
/// to home health starts (measured on the generated data): the hurdle draws the other
/// users, so that all together are the published share.
const HHA_USERS_FROM_DISCHARGES: f64 = 0.028;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calibrated_hurdle_gives_the_published_users_and_claims() {
        let rate = ClaimRate {
            per_year: 0.27,
            users: Some(0.163),
            users_source: "",
            lines_per_claim: 5.0,
        };
        let mut rng = Rng::new(7, 1);
        let frailties: Vec<f64> = (0..50_000).map(|_| rng.frailty(1.0)).collect();
        let hurdle = Hurdle::calibrated(&rate, &frailties).unwrap();
        let mut rng = Rng::new(8, 1);
        let counts: Vec<u32> = (0..200_000)
            .map(|_| {
                let frailty = rng.frailty(1.0);
                hurdle.draw(frailty, 1.0, &mut rng)
            })
            .collect();
        let users = counts.iter().filter(|&&c| c > 0).count() as f64 / counts.len() as f64;
        let mean = counts.iter().map(|&c| f64::from(c)).sum::<f64>() / counts.len() as f64;
        assert!((users - 0.163).abs() < 0.005, "users {users}");
        assert!((mean - 0.27).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn a_rate_without_a_share_of_users_has_no_hurdle() {
        let rate = ClaimRate {
            per_year: 2.0,
            users: None,
            users_source: "",
            lines_per_claim: 1.0,
        };
        assert_eq!(Hurdle::calibrated(&rate, &[1.0]), None);
    }
}
