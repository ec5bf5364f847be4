//! The data are as real as the report says: at 10,000 beneficiaries, where sampling
//! noise is a few percent of even the rarer statistics (a 4% prevalence has a standard
//! error of 0.2 points, 5% of itself; a 16% share of users 0.4 points), every statistic
//! with a published target meets it within its stated tolerance.

use bcda_synth::report::report;
use bcda_synth::{Synth, SynthSpec};
use time::macros::date;

#[test]
fn every_statistic_of_a_10000_beneficiary_aco_meets_its_published_target() {
    let synth = Synth::new(SynthSpec {
        cms_id: "A9992".into(),
        beneficiaries: 10_000,
        seed: 20_261_128,
        years: 1,
        as_of: date!(2026 - 11 - 01),
    })
    .unwrap();
    let report = report(&synth);
    eprintln!("{report}");
    let misses: Vec<String> = report
        .misses()
        .iter()
        .map(|s| format!("{}: {:.4} against {:?}", s.name, s.generated, s.target))
        .collect();
    assert!(misses.is_empty(), "{misses:#?}");
}
