//! When a failed read is tried again: bounded attempts, exponential backoff with jitter,
//! `Retry-After` honoured up to a cap, and a total time budget.
//!
//! Only [`CallKind::Read`](super::CallKind::Read) calls reach this policy; sends are never
//! retried. `Retry-After` is understood in its delta-seconds form only; an HTTP-date falls
//! back to the computed backoff.

use std::time::Duration;

use reqwest::header::HeaderValue;

use super::RpcError;

/// How reads are retried on transient failures (see [`RpcError::is_transient`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// Longest computed delay between two attempts.
    pub max_delay: Duration,
    /// Longest `Retry-After` that is waited for. An endpoint asking for more is not
    /// retried: the error (which carries the delay) goes back to the caller.
    pub max_retry_after: Duration,
    /// No retry starts later than this after the first attempt started.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
            budget: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The delay before the next attempt after `attempts` attempts failed with `error`,
    /// `elapsed` after the first one started; `None` means give up.
    pub(super) fn next_delay(&self, error: &RpcError, attempts: u32, elapsed: Duration) -> Option<Duration> {
        if !error.is_transient() || attempts >= self.max_attempts {
            return None;
        }
        let mut delay = self.backoff(attempts);
        if let Some(asked) = error.retry_after() {
            if asked > self.max_retry_after {
                return None;
            }
            delay = delay.max(asked);
        }
        (elapsed + delay <= self.budget).then_some(delay)
    }

    /// Exponential backoff with "equal jitter": uniformly random in `[d/2, d]` where
    /// `d = base_delay · 2^(retry − 1)`, capped at `max_delay`.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32 << retry.saturating_sub(1).min(16);
        let full = self.base_delay.saturating_mul(factor).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(rand::random_range(0.0..=1.0))
    }
}

/// `Retry-After` in its delta-seconds form.
pub(super) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let seconds: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unavailable(retry_after: Option<Duration>) -> RpcError {
        RpcError::Http {
            method: "m".into(),
            host: "h".into(),
            status: if retry_after.is_some() { 429 } else { 503 },
            retry_after,
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100), "{d1:?}");
            let d2 = p.backoff(2);
            assert!(d2 >= Duration::from_millis(100) && d2 <= Duration::from_millis(200), "{d2:?}");
            let d9 = p.backoff(9);
            assert!(d9 >= Duration::from_millis(150) && d9 <= Duration::from_millis(300), "{d9:?}");
        }
        assert!(p.backoff(u32::MAX) <= Duration::from_millis(300));
    }

    #[test]
    fn attempts_and_budget_bound_retries() {
        let p = RetryPolicy::default();
        let err = unavailable(None);
        assert!(p.next_delay(&err, 1, Duration::ZERO).is_some());
        assert!(p.next_delay(&err, 4, Duration::ZERO).is_none());
        assert!(p.next_delay(&err, 1, Duration::from_secs(30)).is_none());
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let p = RetryPolicy::default();
        let d = p.next_delay(&unavailable(Some(Duration::from_secs(7))), 1, Duration::ZERO).unwrap_or_default();
        assert_eq!(d, Duration::from_secs(7));
        assert_eq!(p.next_delay(&unavailable(Some(Duration::from_secs(11))), 1, Duration::ZERO), None);
    }

    #[test]
    fn permanent_errors_are_not_retried() {
        let err = RpcError::BadResponse { method: "m".into(), host: "h".into(), reason: "r".into() };
        assert_eq!(RetryPolicy::default().next_delay(&err, 1, Duration::ZERO), None);
    }

    #[test]
    fn retry_after_parses_delta_seconds_only() {
        assert_eq!(parse_retry_after(&HeaderValue::from_static("3")), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT")), None);
    }
}
