//! The one retry policy of the export flow: which answers mean "try again later", and
//! how long to wait before the next attempt (the server's `Retry-After` when it gives
//! one, else exponential backoff).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;

/// The longest one wait may be, whatever a server's `Retry-After` says.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// The first wait without `Retry-After`; each failure in a row doubles it.
const FIRST_WAIT: Duration = Duration::from_secs(1);

/// Whether `status` says the server (or a proxy before it) could not answer now but may
/// soon: rate limited, a gateway without its upstream, or a dependency briefly away.
pub fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

/// The delay a response's `Retry-After` asks for, in seconds (the form BCDA sends).
pub fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Failures in a row of one request, and the waits between its attempts.
#[derive(Debug, Clone)]
pub struct Backoff {
    failures: u32,
    attempts: u32,
}

impl Backoff {
    /// A policy allowing `attempts` attempts in a row before giving up.
    pub fn new(attempts: u32) -> Backoff {
        Backoff {
            failures: 0,
            attempts,
        }
    }

    /// Counts a failed attempt. Returns how long to wait before the next one (the
    /// server's `Retry-After` when given, else 1, 2, 4 ... s; never above a minute), or
    /// `None` when no attempt is left.
    pub fn failed(&mut self, server_asks: Option<Duration>) -> Option<Duration> {
        self.failures += 1;
        if self.failures >= self.attempts {
            return None;
        }
        let doubled = FIRST_WAIT.saturating_mul(1 << (self.failures - 1).min(6));
        Some(server_asks.unwrap_or(doubled).min(MAX_WAIT))
    }

    /// Failed attempts so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets past failures, after an attempt that made progress.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_until_the_attempts_run_out() {
        let mut backoff = Backoff::new(4);
        assert_eq!(backoff.failed(None), Some(Duration::from_secs(1)));
        assert_eq!(backoff.failed(None), Some(Duration::from_secs(2)));
        assert_eq!(backoff.failed(None), Some(Duration::from_secs(4)));
        assert_eq!(backoff.failed(None), None);
        backoff.reset();
        assert_eq!(backoff.failed(None), Some(Duration::from_secs(1)));
    }

    #[test]
    fn the_server_decides_the_wait_within_a_minute() {
        let mut backoff = Backoff::new(8);
        assert_eq!(
            backoff.failed(Some(Duration::from_secs(5))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            backoff.failed(Some(Duration::from_secs(3600))),
            Some(MAX_WAIT)
        );
    }

    #[test]
    fn only_answers_that_may_change_are_transient() {
        assert!(is_transient(StatusCode::SERVICE_UNAVAILABLE));
        assert!(is_transient(StatusCode::BAD_GATEWAY));
        assert!(!is_transient(StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!is_transient(StatusCode::NOT_FOUND));
    }
}
