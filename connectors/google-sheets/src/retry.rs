//! Retrying transient failures: truncated exponential backoff with jitter, as Google asks
//! of API clients, honouring `Retry-After`.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::Duration;

/// How retries wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before the first retry (before jitter).
    pub initial: Duration,
    /// The longest wait between two attempts.
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1 for the first failure): the
    /// exponential delay `initial * 2^(attempt-1)`, capped at `max`, then with "equal
    /// jitter" (a uniformly random point in its upper half, so waits never collapse to
    /// zero while concurrent tasks still spread out). A server's `Retry-After` is a floor.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let base = self
            .initial
            .saturating_mul(1u32 << exponent)
            .min(self.max.max(self.initial));
        let half = base / 2;
        let jitter = half.mul_f64(random_fraction());
        let delay = half + jitter;
        match retry_after {
            Some(server) => delay.max(server),
            None => delay,
        }
    }
}

/// A random number in `[0, 1)`, from the standard library's randomly keyed hasher: good
/// enough to spread retries, and no extra dependency.
fn random_fraction() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The wait a `Retry-After` header asks for: delay-seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = now.duration_until(when);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_with_jitter_and_a_cap() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let first = policy.delay(1, None);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.delay(3, None);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let late = policy.delay(40, None);
            assert!(late >= Duration::from_secs(1) && late <= Duration::from_secs(2));
        }
        let spread: std::collections::HashSet<Duration> =
            (0..20).map(|_| policy.delay(5, None)).collect();
        assert!(spread.len() > 1, "jitter varies the delays");
    }

    #[test]
    fn retry_after_is_a_floor() {
        let policy = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(60),
        };
        let delay = policy.delay(1, Some(Duration::from_secs(7)));
        assert_eq!(delay, Duration::from_secs(7));
        let now: jiff::Timestamp = "2025-04-06T10:00:00Z".parse().unwrap_or_default();
        assert_eq!(parse_retry_after("30", now), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after("Sun, 06 Apr 2025 10:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Apr 2025 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
