//! Attribution: which beneficiaries an ACO may export, as CMS delivers it to BCDA in
//! CCLF8 files. Each file lists the ACO's beneficiaries as of its date, for one
//! performance year: `default` files during the year, and one `runout` file after it
//! for the claims that arrive in the run-out months. BCDA's rules for choosing the file
//! an export reads, and its answers when none fits, live here.

use std::fmt;
use std::str::FromStr;

use time::{Date, Duration, Month, OffsetDateTime};

use crate::export::ExportGroup;

/// The two kinds of CCLF8 file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributionKind {
    /// The performance year's assignment, refreshed during the year.
    Default,
    /// The prior performance year's beneficiaries, for its run-out claims.
    Runout,
}

impl AttributionKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionKind::Default => "default",
            AttributionKind::Runout => "runout",
        }
    }
}

impl fmt::Display for AttributionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttributionKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "default" => Ok(AttributionKind::Default),
            "runout" => Ok(AttributionKind::Runout),
            other => Err(format!("unknown attribution kind {other:?}")),
        }
    }
}

impl ExportGroup {
    /// The kind of file the group's exports read.
    pub fn attribution_kind(self) -> AttributionKind {
        match self {
            ExportGroup::All => AttributionKind::Default,
            ExportGroup::Runout => AttributionKind::Runout,
        }
    }
}

/// One loaded attribution file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributionFile {
    pub id: i64,
    pub kind: AttributionKind,
    pub performance_year: i32,
    /// The date the file carries (BCDA reads it from the file's name).
    pub date: OffsetDateTime,
    /// When it was loaded.
    pub ingested_at: OffsetDateTime,
}

/// How long after its date a runout file still serves `Group/runout` (BCDA: 180 days).
pub const RUNOUT_RETENTION: Duration = Duration::days(180);

/// The performance year at `now`: the calendar year, as BCDA counts it.
pub fn performance_year(now: OffsetDateTime) -> i32 {
    now.year()
}

/// Why an export cannot start for want of attribution. `Display` gives BCDA's message;
/// every one is a `404`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributionError {
    /// The ACO has no attribution file of the kind the export reads.
    #[error("failed to start job; attribution file not found")]
    NotFound,
    /// The newest file is of another performance year (BCDA: awaiting the new year's).
    #[error(
        "unable to perform export operations for this Group. No up-to-date attribution \
         information is available for ACOID '{0}'. Usually this is due to awaiting new \
         attribution information at the beginning of a Performance Year"
    )]
    Stale(String),
    /// No runout file dated within [`RUNOUT_RETENTION`].
    #[error("runout data is no longer available. Runout data expires 180 days after ingestion")]
    RunoutExpired,
    /// `Group/all` with `_since` before the ACO's first attribution file.
    #[error("failed to start job; attribution file not found for given _since parameter.")]
    NotFoundForSince,
}

/// Checks `latest`, the ACO's newest file of the kind `group` reads, as BCDA does: a
/// default file must be of the current performance year; a runout file must be dated
/// within [`RUNOUT_RETENTION`] and be of the year before.
pub fn check_latest<'f>(
    group: ExportGroup,
    latest: Option<&'f AttributionFile>,
    cms_id: &str,
    now: OffsetDateTime,
) -> Result<&'f AttributionFile, AttributionError> {
    let (file, year) = match group {
        ExportGroup::All => (
            latest.ok_or(AttributionError::NotFound)?,
            performance_year(now),
        ),
        ExportGroup::Runout => (
            latest
                .filter(|file| file.date >= now - RUNOUT_RETENTION)
                .ok_or(AttributionError::RunoutExpired)?,
            performance_year(now) - 1,
        ),
    };
    if file.performance_year != year {
        return Err(AttributionError::Stale(cms_id.to_owned()));
    }
    Ok(file)
}

/// For `Group/all/$export?_since=T`: the latest date a file may carry to be the
/// baseline, whose beneficiaries count as already attributed at `T` and get only their
/// changes; everyone else in `latest` is newly attributed and gets full history. `None`
/// when `latest` was loaded before `T`: then nobody is new. As BCDA: the baseline is the
/// newest default file dated at or before `T`, and never `latest` itself.
pub fn since_baseline_cutoff(
    latest: &AttributionFile,
    since: OffsetDateTime,
) -> Option<OffsetDateTime> {
    (latest.ingested_at >= since).then(|| since.min(latest.date - Duration::seconds(1)))
}

/// The service dates a runout export covers: its performance year.
pub fn runout_service_dates(performance_year: i32) -> (Date, Date) {
    year_bounds(performance_year)
}

/// January 1st and December 31st of `year` (a performance year is a calendar year).
pub fn year_bounds(year: i32) -> (Date, Date) {
    let first = Date::from_calendar_date(year, Month::January, 1).unwrap_or(Date::MIN);
    let last = Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX);
    (first, last)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn file(kind: AttributionKind, year: i32, date: OffsetDateTime) -> AttributionFile {
        AttributionFile {
            id: 1,
            kind,
            performance_year: year,
            date,
            ingested_at: date,
        }
    }

    const NOW: OffsetDateTime = datetime!(2026-11-28 12:00 UTC);

    #[test]
    fn a_default_export_needs_a_file_of_the_current_performance_year() {
        let current = file(
            AttributionKind::Default,
            2026,
            datetime!(2026-11-01 0:00 UTC),
        );
        assert_eq!(
            check_latest(ExportGroup::All, Some(&current), "A1", NOW),
            Ok(&current)
        );
        assert_eq!(
            check_latest(ExportGroup::All, None, "A1", NOW),
            Err(AttributionError::NotFound)
        );
        let last_year = file(
            AttributionKind::Default,
            2025,
            datetime!(2025-11-01 0:00 UTC),
        );
        let stale = check_latest(ExportGroup::All, Some(&last_year), "A9996", NOW).unwrap_err();
        assert_eq!(
            stale.to_string(),
            "unable to perform export operations for this Group. No up-to-date attribution \
             information is available for ACOID 'A9996'. Usually this is due to awaiting new \
             attribution information at the beginning of a Performance Year"
        );
    }

    #[test]
    fn a_runout_export_needs_last_years_file_from_the_last_180_days() {
        let recent = file(
            AttributionKind::Runout,
            2025,
            datetime!(2026-10-02 0:00 UTC),
        );
        assert_eq!(
            check_latest(ExportGroup::Runout, Some(&recent), "A1", NOW),
            Ok(&recent)
        );
        let old = file(AttributionKind::Runout, 2025, NOW - Duration::days(181));
        for latest in [Some(&old), None] {
            let error = check_latest(ExportGroup::Runout, latest, "A1", NOW).unwrap_err();
            assert_eq!(error, AttributionError::RunoutExpired);
            assert_eq!(
                error.to_string(),
                "runout data is no longer available. Runout data expires 180 days after ingestion"
            );
        }
        let two_years_back = file(
            AttributionKind::Runout,
            2024,
            datetime!(2026-10-02 0:00 UTC),
        );
        assert!(matches!(
            check_latest(ExportGroup::Runout, Some(&two_years_back), "A1", NOW),
            Err(AttributionError::Stale(_))
        ));
    }

    #[test]
    fn the_since_baseline_precedes_the_latest_file_and_the_since() {
        let mut latest = file(
            AttributionKind::Default,
            2026,
            datetime!(2026-11-01 0:00 UTC),
        );
        latest.ingested_at = datetime!(2026-11-02 0:00 UTC);
        let before = datetime!(2026-03-01 0:00 UTC);
        assert_eq!(since_baseline_cutoff(&latest, before), Some(before));
        // A `_since` after the latest file's date: the baseline is still an older file.
        assert_eq!(
            since_baseline_cutoff(&latest, datetime!(2026-11-01 12:00 UTC)),
            Some(datetime!(2026-10-31 23:59:59 UTC))
        );
        // Loaded before `_since`: nobody is newly attributed.
        assert_eq!(
            since_baseline_cutoff(&latest, datetime!(2026-11-03 0:00 UTC)),
            None
        );
    }

    #[test]
    fn runout_covers_its_performance_year() {
        assert_eq!(
            runout_service_dates(2025),
            (date!(2025 - 01 - 01), date!(2025 - 12 - 31))
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [AttributionKind::Default, AttributionKind::Runout] {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
    }
}
