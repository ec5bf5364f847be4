//! How real a data set is: every statistic the generator is calibrated on, measured on
//! the generated rows, next to its target and where the target comes from.
//! `bcda synth --report` prints it; docs/synthetic-data.md carries the 30,000-beneficiary
//! ACO's; the tests check each statistic against its tolerance.

mod statistics;
mod tally;

use std::fmt;

use crate::Synth;
use tally::Tally;

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
