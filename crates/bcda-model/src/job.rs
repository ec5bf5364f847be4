//! Export job states and the rules about them that every service shares.

use std::fmt;
use std::str::FromStr;

/// Where an export job is in its life. Stored as text in Postgres (`jobs.status`), with
/// the exact spelling BCDA clients see in `X-Progress` and the job list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobStatus {
    Pending,
    InProgress,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl JobStatus {
    /// Every state, for exhaustive tests and metrics.
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Pending,
        JobStatus::InProgress,
        JobStatus::Completed,
        JobStatus::Failed,
        JobStatus::Cancelled,
        JobStatus::Expired,
    ];

    /// BCDA's spelling of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "Pending",
            JobStatus::InProgress => "In Progress",
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
            JobStatus::Cancelled => "Cancelled",
            JobStatus::Expired => "Expired",
        }
    }

    /// Whether workers may still change the job. Only active jobs count against the
    /// one-export-at-a-time rule and may be cancelled.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Pending | JobStatus::InProgress)
    }
}

/// How far a job's keys have got, as the worker that finished one sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTally {
    pub total: u64,
    /// Keys not yet done.
    pub left: u64,
    /// Done keys that gave up after their last attempt.
    pub failed: u64,
}

impl KeyTally {
    /// The job's status after a key finished: Failed as soon as the failed share passes
    /// `failure_threshold_pct` percent of all keys (BCDA's `EXPORT_FAIL_PCT`), Completed
    /// when no key is left, else In Progress.
    pub fn settle(self, failure_threshold_pct: u8) -> JobStatus {
        if self.failed * 100 > u64::from(failure_threshold_pct) * self.total {
            JobStatus::Failed
        } else if self.left == 0 {
            JobStatus::Completed
        } else {
            JobStatus::InProgress
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored job status this build does not know; a sign of a newer schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job status {0:?}")]
pub struct UnknownJobStatus(pub String);

impl FromStr for JobStatus {
    type Err = UnknownJobStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JobStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownJobStatus(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_through_their_stored_spelling() {
        for status in JobStatus::ALL {
            assert_eq!(status.as_str().parse::<JobStatus>(), Ok(status));
        }
    }

    #[test]
    fn a_job_fails_only_when_failed_keys_pass_the_threshold() {
        let tally = |left, failed| KeyTally {
            total: 10,
            left,
            failed,
        };
        assert_eq!(tally(3, 0).settle(60), JobStatus::InProgress);
        assert_eq!(tally(0, 0).settle(60), JobStatus::Completed);
        // Six of ten failed is not more than 60%: the job completes with error files.
        assert_eq!(tally(0, 6).settle(60), JobStatus::Completed);
        // Seven is, and the job fails without waiting for the rest.
        assert_eq!(tally(3, 7).settle(60), JobStatus::Failed);
        // A threshold of 0 fails a job on its first failed key.
        assert_eq!(tally(9, 1).settle(0), JobStatus::Failed);
    }

    #[test]
    fn only_pending_and_in_progress_jobs_are_active() {
        let active: Vec<_> = JobStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, [JobStatus::Pending, JobStatus::InProgress]);
    }
}
