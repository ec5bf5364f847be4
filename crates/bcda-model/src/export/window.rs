//! Which rows of a beneficiary's history an export includes, by when they were updated
//! and, for runout exports, by service and processing dates.

use time::{Date, OffsetDateTime};

/// Which rows of a beneficiary's history an export includes: updated after `since`
/// (when the client asked for `_since`) and no later than `until` (the job's
/// transaction time, or just before the client's `_until` when earlier: the IG includes
/// what changed before `_until`). A runout export bounds
/// claims and Part D events further: service dates in its performance year, processed
/// by the runout file's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateWindow {
    pub since: Option<OffsetDateTime>,
    pub until: OffsetDateTime,
    /// First and last service (through) date of the claims exported, if bounded.
    pub service_dates: Option<(Date, Date)>,
    /// Claims and events processed later than this are left out (at most `until`).
    pub claims_until: OffsetDateTime,
}

/// What bounds a runout export's claims: service dates in its performance year,
/// processed by the runout file's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunoutBounds {
    pub service_dates: (Date, Date),
    pub processed_by: OffsetDateTime,
}

impl UpdateWindow {
    /// The window of a job started at `transaction_time` with the client's `_since` and
    /// `_until`, bounded further for a runout export.
    pub fn of_job(
        transaction_time: OffsetDateTime,
        since: Option<OffsetDateTime>,
        until: Option<OffsetDateTime>,
        runout: Option<RunoutBounds>,
    ) -> UpdateWindow {
        // Timestamps are kept to the microsecond: the last one before `_until`.
        let before = |u: OffsetDateTime| u - time::Duration::microseconds(1);
        let until = until.map_or(transaction_time, |u| before(u).min(transaction_time));
        UpdateWindow {
            since,
            until,
            service_dates: runout.map(|r| r.service_dates),
            claims_until: runout.map_or(until, |r| r.processed_by.min(until)),
        }
    }

    /// Whether a Patient or Coverage row updated at `at` belongs to the export.
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        at <= self.until && self.since.is_none_or(|since| at > since)
    }

    /// The window of one beneficiary: newly attributed ones get their full history.
    pub fn of(&self, newly_attributed: bool) -> UpdateWindow {
        UpdateWindow {
            since: self.since.filter(|_| !newly_attributed),
            ..*self
        }
    }

    /// The first service (through) date exported, if bounded.
    pub fn first_service_date(&self) -> Option<Date> {
        self.service_dates.map(|(first, _)| first)
    }

    /// The last service (through) date exported, if bounded.
    pub fn last_service_date(&self) -> Option<Date> {
        self.service_dates.map(|(_, last)| last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_window_excludes_its_start_and_includes_its_end() {
        let window = UpdateWindow::of_job(
            datetime!(2026-06-01 0:00 UTC),
            Some(datetime!(2026-01-01 0:00 UTC)),
            None,
            None,
        );
        assert!(!window.contains(datetime!(2026-01-01 0:00 UTC)));
        assert!(window.contains(datetime!(2026-01-01 0:00:01 UTC)));
        assert!(window.contains(datetime!(2026-06-01 0:00 UTC)));
        assert!(!window.contains(datetime!(2026-06-01 0:00:01 UTC)));
        let everything = UpdateWindow {
            since: None,
            ..window
        };
        assert!(everything.contains(datetime!(1990-01-01 0:00 UTC)));
    }

    #[test]
    fn until_ends_the_window_early_but_never_after_the_transaction_time() {
        let now = datetime!(2026-06-01 0:00 UTC);
        let early = UpdateWindow::of_job(now, None, Some(datetime!(2026-03-01 0:00 UTC)), None);
        assert_eq!(early.claims_until, early.until);
        assert!(early.contains(datetime!(2026-02-28 23:59:59.999999 UTC)));
        assert!(
            !early.contains(datetime!(2026-03-01 0:00 UTC)),
            "what changed at _until is not before it"
        );
        let late = UpdateWindow::of_job(now, None, Some(datetime!(2027-01-01 0:00 UTC)), None);
        assert_eq!(late.until, now);
    }

    #[test]
    fn a_runout_bounds_claims_by_service_year_and_processing_date() {
        let runout = RunoutBounds {
            service_dates: (date!(2025 - 01 - 01), date!(2025 - 12 - 31)),
            processed_by: datetime!(2026-03-31 0:00 UTC),
        };
        let window = UpdateWindow::of_job(datetime!(2026-06-01 0:00 UTC), None, None, Some(runout));
        assert_eq!(window.claims_until, datetime!(2026-03-31 0:00 UTC));
        assert_eq!(window.first_service_date(), Some(date!(2025 - 01 - 01)));
        let until = UpdateWindow::of_job(
            datetime!(2026-06-01 0:00 UTC),
            None,
            Some(datetime!(2026-02-01 0:00 UTC)),
            Some(runout),
        );
        assert_eq!(
            until.claims_until,
            datetime!(2026-01-31 23:59:59.999999 UTC)
        );
    }
}
