//! Self-healing tasks: a FAILED task restarts by itself, with exponential backoff.
//!
//! Kafka Connect leaves a failed task FAILED until someone calls the REST API — its most
//! requested missing feature. Tributary restarts it: after the first failure it waits
//! `errors.restart.backoff.initial.ms` (default 1 s), then twice as long after each
//! further consecutive failure, up to `errors.restart.backoff.max.ms` (default 60 s), with
//! ±20 % jitter so that tasks failing together do not come back together. After
//! `errors.restart.max.attempts` consecutive failures (default 10; -1 for no limit) it
//! stops trying and the task stays FAILED. A task that ran for twice the maximum backoff
//! since its last failure starts counting from zero again.
//!
//! The keys can be set in the worker config (defaults for every connector) and in a
//! connector config (for that connector); `errors.restart.enable=false` turns it off.
//! The task's status shows `restarts` (how many automatic restarts so far) and
//! `last_failure` (the trace of the failure that caused the latest one), so a task that
//! healed itself still tells what happened.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use connect_api::Props;
use connect_api::config::validators::Range;
use connect_api::config::{ConfigDef, ConfigKey, ConfigType, Importance, Width};

pub const RESTART_ENABLE: &str = "errors.restart.enable";
pub const RESTART_MAX_ATTEMPTS: &str = "errors.restart.max.attempts";
pub const RESTART_BACKOFF_INITIAL_MS: &str = "errors.restart.backoff.initial.ms";
pub const RESTART_BACKOFF_MAX_MS: &str = "errors.restart.backoff.max.ms";

/// The restart keys, for worker and connector config definitions.
pub fn restart_config_def(group: Option<&str>, first_order: i32) -> ConfigDef {
    let key = |key: ConfigKey, order: i32| match group {
        Some(group) => key.group(group, first_order + order).width(Width::Short),
        None => key,
    };
    ConfigDef::new()
        .define(key(
            ConfigKey::new(RESTART_ENABLE, ConfigType::Boolean)
                .default_value("true")
                .importance(Importance::Medium)
                .doc("Whether a failed task restarts by itself after a backoff (Tributary; Kafka Connect leaves it FAILED). Set in the worker config for every connector, or in a connector config for that connector.")
                .display_name("Restart Failed Tasks"),
            0,
        ))
        .define(key(
            ConfigKey::new(RESTART_MAX_ATTEMPTS, ConfigType::Int)
                .default_value("10")
                .validator(Range::at_least(-1))
                .importance(Importance::Low)
                .doc("How many consecutive automatic restarts of a failing task are attempted before it is left FAILED; -1 for no limit.")
                .display_name("Maximum Automatic Restarts"),
            1,
        ))
        .define(key(
            ConfigKey::new(RESTART_BACKOFF_INITIAL_MS, ConfigType::Long)
                .default_value("1000")
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .doc("The wait before the first automatic restart of a failed task; it doubles with each consecutive failure.")
                .display_name("Initial Restart Backoff"),
            2,
        ))
        .define(key(
            ConfigKey::new(RESTART_BACKOFF_MAX_MS, ConfigType::Long)
                .default_value("60000")
                .validator(Range::at_least(0))
                .importance(Importance::Low)
                .doc("The longest wait between automatic restarts of a failed task.")
                .display_name("Maximum Restart Backoff"),
            3,
        ))
}

/// How and whether failed tasks of one connector restart.
#[derive(Clone, Debug, PartialEq)]
pub struct RestartPolicy {
    pub enabled: bool,
    /// `None`: no limit.
    pub max_attempts: Option<u32>,
    pub initial: Duration,
    pub max: Duration,
}

impl RestartPolicy {
    /// The connector's keys, else the worker's, else the defaults.
    pub fn resolve(connector: &Props, worker: &Props) -> Self {
        let get = |key: &str| {
            connector
                .get(key)
                .or_else(|| worker.get(key))
                .map(|v| v.trim())
        };
        let millis = |key: &str, default: u64| {
            get(key)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(default)
        };
        RestartPolicy {
            enabled: get(RESTART_ENABLE).is_none_or(|v| !v.eq_ignore_ascii_case("false")),
            max_attempts: match get(RESTART_MAX_ATTEMPTS).and_then(|v| v.parse::<i64>().ok()) {
                Some(n) if n < 0 => None,
                Some(n) => Some(u32::try_from(n).unwrap_or(u32::MAX)),
                None => Some(10),
            },
            initial: Duration::from_millis(millis(RESTART_BACKOFF_INITIAL_MS, 1_000)),
            max: Duration::from_millis(millis(RESTART_BACKOFF_MAX_MS, 60_000)),
        }
    }

    /// The wait before restart number `attempt` (1-based), with ±20 % jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let base = self
            .initial
            .saturating_mul(1u32 << exponent)
            .min(self.max.max(self.initial));
        let jitter = (random_unit() * 0.4) - 0.2;
        base.mul_f64(1.0 + jitter)
    }

    /// Whether consecutive failures are far enough apart to start counting anew.
    pub fn is_stable_after(&self, since_last_failure: Duration) -> bool {
        since_last_failure > self.max.saturating_mul(2)
    }
}

/// A number in [0, 1) from the standard library's per-process random hash keys.
fn random_unit() -> f64 {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// What the herder remembers of a task's failures.
#[derive(Clone, Debug, Default)]
pub struct RestartHistory {
    /// Consecutive failures counted toward `max_attempts`.
    pub consecutive: u32,
    /// Automatic restarts done so far.
    pub restarts: u32,
    pub last_failure: Option<String>,
    pub last_failed_at: Option<tokio::time::Instant>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn connector_keys_override_worker_keys() {
        let worker = props(&[
            (RESTART_BACKOFF_INITIAL_MS, "500"),
            (RESTART_MAX_ATTEMPTS, "3"),
        ]);
        let connector = props(&[(RESTART_MAX_ATTEMPTS, "-1")]);
        let policy = RestartPolicy::resolve(&connector, &worker);
        assert!(policy.enabled);
        assert_eq!(policy.max_attempts, None);
        assert_eq!(policy.initial, Duration::from_millis(500));
        let off = RestartPolicy::resolve(&props(&[(RESTART_ENABLE, "false")]), &worker);
        assert!(!off.enabled);
        assert_eq!(
            RestartPolicy::resolve(&Props::new(), &Props::new()).max_attempts,
            Some(10)
        );
    }

    #[test]
    fn backoff_doubles_within_bounds_with_jitter() {
        let policy = RestartPolicy {
            enabled: true,
            max_attempts: None,
            initial: Duration::from_millis(1000),
            max: Duration::from_millis(5000),
        };
        for (attempt, base) in [
            (1, 1000.0),
            (2, 2000.0),
            (3, 4000.0),
            (4, 5000.0),
            (40, 5000.0),
        ] {
            let delay = policy.delay(attempt).as_millis() as f64;
            assert!(
                delay >= base * 0.8 && delay <= base * 1.2,
                "attempt {attempt}: {delay}"
            );
        }
        assert!(policy.is_stable_after(Duration::from_secs(11)));
        assert!(!policy.is_stable_after(Duration::from_secs(9)));
    }
}
