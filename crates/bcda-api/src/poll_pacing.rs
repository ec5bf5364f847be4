//! Polite polling: a client that polls a job again before the `Retry-After` it was given
//! has passed gets `429` with the seconds it still has to wait, as the Bulk Data IG
//! allows, instead of another database round trip.
//!
//! Each API process remembers, per ACO, job and manifest page, when the next poll is
//! due, so following a partial manifest's `next` link is never held back. Behind a load
//! balancer a client may reach another replica that has not seen it: the pacing bounds
//! each replica's load, not the client's rate exactly.
//!
//! BCDA itself does not pace polls, and BCDA's sample client polls every 5 seconds
//! whatever `Retry-After` says; so a poll is refused only when it comes sooner than both
//! its `Retry-After` and those 5 seconds (less a tolerance). Clients written against BCDA
//! keep working, and a client polling several times a second is slowed down. The
//! sandbox ACOs, whose clients are BCDA's own and the guide's readers, are never paced;
//! `BCDA_POLL_PACING=false` turns it off for everyone.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use uuid::Uuid;

/// A poll may come this much earlier than its `Retry-After` says: clients round, and
/// clocks and networks jitter.
const TOLERANCE: f64 = 0.2;

/// Remembered polls before the ones whose wait has passed are dropped.
const PRUNE_AT: usize = 10_000;

/// The longest wait enforced: BCDA's sample client polls this often, whatever
/// `Retry-After` says.
const LONGEST_WAIT: Duration = Duration::from_secs(5);

/// What a poll is paced by: the ACO, the job and the manifest page polled.
pub type Polled = (Uuid, i64, i32);

/// When each paced job may next be polled.
#[derive(Debug, Default)]
pub struct PollPacer {
    enabled: bool,
    due: Mutex<HashMap<Polled, Instant>>,
}

impl PollPacer {
    /// A pacer that paces (`enabled`) or lets every poll through.
    pub fn new(enabled: bool) -> PollPacer {
        PollPacer {
            enabled,
            due: Mutex::default(),
        }
    }

    /// Whether polls of ACO `cms_id` are paced: not the sandbox ACOs'.
    pub fn paces(&self, cms_id: &str) -> bool {
        self.enabled && !bcda_model::sandbox::is_sandbox_aco(cms_id)
    }

    /// `Err` with the wait left when `polled` comes at `now`, before it is due.
    pub fn check(&self, polled: Polled, now: Instant) -> Result<(), Duration> {
        let due = self.lock().get(&polled).copied();
        match due {
            Some(due) if now < due => Err(due - now),
            _ => Ok(()),
        }
    }

    /// Records that `polled`, at `now`, was told to wait `retry_after`.
    pub fn told(&self, polled: Polled, retry_after: Duration, now: Instant) {
        let mut due = self.lock();
        if due.len() >= PRUNE_AT {
            due.retain(|_, at| *at > now);
        }
        let wait = retry_after.min(LONGEST_WAIT).mul_f64(1.0 - TOLERANCE);
        due.insert(polled, now + wait);
    }

    /// Forgets `polled`: its job is no longer running.
    pub fn forget(&self, polled: Polled) {
        self.lock().remove(&polled);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Polled, Instant>> {
        // The map holds instants only: one left by a panicking thread is still valid.
        self.due
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The whole seconds of `wait`, rounded up, for `Retry-After`.
pub fn retry_after_secs(wait: Duration) -> u32 {
    u32::try_from(wait.as_millis().div_ceil(1000)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_before_its_retry_after_must_wait_the_rest() {
        let pacer = PollPacer::new(true);
        let (aco, now) = (Uuid::new_v4(), Instant::now());
        assert_eq!(pacer.check((aco, 1, 1), now), Ok(()));
        pacer.told((aco, 1, 1), Duration::from_secs(3), now);
        let early = pacer
            .check((aco, 1, 1), now + Duration::from_secs(1))
            .unwrap_err();
        assert_eq!(
            early,
            Duration::from_millis(1400),
            "2.4 s due: 3 s less 20%"
        );
        assert_eq!(retry_after_secs(early), 2);
        assert_eq!(
            pacer.check((aco, 1, 1), now + Duration::from_millis(2400)),
            Ok(())
        );
        // Other pages, jobs and ACOs are not held back.
        assert_eq!(pacer.check((aco, 1, 2), now), Ok(()));
        assert_eq!(pacer.check((aco, 2, 1), now), Ok(()));
        assert_eq!(pacer.check((Uuid::new_v4(), 1, 1), now), Ok(()));
        pacer.forget((aco, 1, 1));
        assert_eq!(pacer.check((aco, 1, 1), now), Ok(()));
    }

    #[test]
    fn a_client_polling_every_five_seconds_as_bcdas_does_is_never_refused() {
        let pacer = PollPacer::new(true);
        let (aco, now) = (Uuid::new_v4(), Instant::now());
        pacer.told((aco, 1, 1), Duration::from_secs(60), now);
        assert_eq!(
            pacer.check((aco, 1, 1), now + Duration::from_secs(5)),
            Ok(())
        );
        assert!(
            pacer
                .check((aco, 1, 1), now + Duration::from_secs(3))
                .is_err()
        );
    }

    #[test]
    fn sandbox_acos_and_a_disabled_pacer_are_never_paced() {
        assert!(PollPacer::new(true).paces("A1234"));
        assert!(!PollPacer::new(true).paces("A9994"));
        assert!(!PollPacer::new(false).paces("A1234"));
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1000)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1001)), 2);
    }

    #[test]
    fn past_waits_are_pruned_when_the_map_grows() {
        let pacer = PollPacer::new(true);
        let (aco, now) = (Uuid::new_v4(), Instant::now());
        for job in 0..PRUNE_AT as i64 {
            pacer.told((aco, job, 1), Duration::from_secs(1), now);
        }
        let later = now + Duration::from_secs(2);
        pacer.told((aco, -1, 1), Duration::from_secs(1), later);
        assert_eq!(pacer.lock().len(), 1);
    }
}
