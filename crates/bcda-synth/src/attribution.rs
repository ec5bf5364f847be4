//! The attribution files of a synthetic data set, derived from its as-of date and each
//! beneficiary's attribution dates, the way CMS's CCLF8 files would list them.
//!
//! For a data set as of `A` (the first of a month) in year `Y`:
//! - `default` file of performance year `Y - 1`, dated January 1st of `Y - 1`;
//! - `runout` file of `Y - 1`, dated 30 days before `A` but not before January 1st of
//!   `Y`: everyone attributed at some time during `Y - 1`, including those who left the
//!   ACO before `Y` (they are in no later file);
//! - `default` file of `Y`, dated January 1st of `Y`;
//! - `default` file of `Y`, dated `A` (when `A` is after January 1st): the latest.
//!   Beneficiaries attributed between the two `Y` files appear only in the latest: they
//!   are the newly attributed ones that `Group/all/$export?_since` gives full history.
//!
//! A default file dated `d` lists those attributed on or before `d` who had not left by
//! then.

use bcda_model::attribution::{AttributionKind, year_bounds};
use bcda_model::claims::Attribution;
use time::{Date, Duration, OffsetDateTime, Time};

/// One attribution file of a data set, before it is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSpec {
    pub kind: AttributionKind,
    pub performance_year: i32,
    pub date: Date,
}

impl FileSpec {
    /// The file's date as the instant it carries (midnight UTC).
    pub fn timestamp(&self) -> OffsetDateTime {
        self.date.with_time(Time::MIDNIGHT).assume_utc()
    }

    /// Whether the file lists the beneficiary with `attribution`.
    pub fn lists(&self, attribution: &Attribution) -> bool {
        match self.kind {
            AttributionKind::Default => {
                attribution.attributed_on <= self.date
                    && attribution.ended_on.is_none_or(|ended| ended > self.date)
            }
            AttributionKind::Runout => {
                let (first, last) = year_bounds(self.performance_year);
                attribution.attributed_on <= last
                    && attribution.ended_on.is_none_or(|ended| ended > first)
            }
        }
    }
}

/// The files of a data set as of `as_of`, oldest first.
pub fn files(as_of: Date) -> Vec<FileSpec> {
    let year = as_of.year();
    let (this_year, _) = year_bounds(year);
    let (last_year, _) = year_bounds(year - 1);
    let mut files = vec![
        FileSpec {
            kind: AttributionKind::Default,
            performance_year: year - 1,
            date: last_year,
        },
        FileSpec {
            kind: AttributionKind::Runout,
            performance_year: year - 1,
            date: (as_of - Duration::days(30)).max(this_year),
        },
        FileSpec {
            kind: AttributionKind::Default,
            performance_year: year,
            date: this_year,
        },
    ];
    if as_of > this_year {
        files.push(FileSpec {
            kind: AttributionKind::Default,
            performance_year: year,
            date: as_of,
        });
    }
    files
}

/// The date range during which beneficiaries who left the ACO did so: the year before
/// `as_of`'s, so that only the runout file (and older ones) list them.
pub fn leaving_window(as_of: Date) -> (Date, Date) {
    year_bounds(as_of.year() - 1)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn attribution(on: Date, ended: Option<Date>) -> Attribution {
        Attribution {
            beneficiary_id: 1,
            attributed_on: on,
            ended_on: ended,
        }
    }

    #[test]
    fn a_data_set_has_last_years_default_and_runout_and_two_of_this_year() {
        let november = files(date!(2026 - 11 - 01));
        let summary: Vec<_> = november
            .iter()
            .map(|f| (f.kind, f.performance_year, f.date))
            .collect();
        assert_eq!(
            summary,
            [
                (AttributionKind::Default, 2025, date!(2025 - 01 - 01)),
                (AttributionKind::Runout, 2025, date!(2026 - 10 - 02)),
                (AttributionKind::Default, 2026, date!(2026 - 01 - 01)),
                (AttributionKind::Default, 2026, date!(2026 - 11 - 01)),
            ]
        );
        // In January there is no second file of the year yet, and runout is dated in it.
        let january = files(date!(2027 - 01 - 01));
        assert_eq!(january.len(), 3);
        assert_eq!(january[1].date, date!(2027 - 01 - 01));
    }

    #[test]
    fn membership_follows_the_attribution_dates() {
        let [last_year, runout, january, latest] = files(date!(2026 - 11 - 01))[..] else {
            panic!("four files");
        };
        let long_standing = attribution(date!(2023 - 05 - 01), None);
        let new = attribution(date!(2026 - 06 - 15), None);
        let left = attribution(date!(2024 - 02 - 01), Some(date!(2025 - 08 - 01)));
        for (who, want) in [
            (&long_standing, [true, true, true, true]),
            (&new, [false, false, false, true]),
            (&left, [true, true, false, false]),
        ] {
            let got = [
                last_year.lists(who),
                runout.lists(who),
                january.lists(who),
                latest.lists(who),
            ];
            assert_eq!(got, want, "{who:?}");
        }
    }
}
