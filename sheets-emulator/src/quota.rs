//! Per-minute request quotas, as Sheets enforces them: read and write requests are counted
//! per user (the account or API key) and per project (the credential's project), each in
//! its own window that refills completely when the window has passed.
//!
//! A window opens at a consumer's first request and lasts [`QuotaConfig::window`] (a
//! minute by default), so that tests are not at the mercy of wall-clock minute
//! boundaries. Requests refused with 429 are not counted.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::ApiError;

/// Request limits per window (Sheets' defaults: 60 per user, 300 per project, per minute).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QuotaConfig {
    pub read_requests_per_user: u32,
    pub read_requests_per_project: u32,
    pub write_requests_per_user: u32,
    pub write_requests_per_project: u32,
    /// The window after which usage is forgotten (a minute).
    #[serde(with = "duration_millis", rename = "windowMillis")]
    pub window: Duration,
}

impl Default for QuotaConfig {
    fn default() -> QuotaConfig {
        QuotaConfig {
            read_requests_per_user: 60,
            read_requests_per_project: 300,
            write_requests_per_user: 60,
            write_requests_per_project: 300,
            window: Duration::from_secs(60),
        }
    }
}

mod duration_millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(deserializer)?))
    }
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuotaKind {
    Read,
    Write,
}

impl QuotaKind {
    fn metric(self) -> &'static str {
        match self {
            QuotaKind::Read => "Read requests",
            QuotaKind::Write => "Write requests",
        }
    }

    fn metric_id(self) -> &'static str {
        match self {
            QuotaKind::Read => "sheets.googleapis.com/read_requests",
            QuotaKind::Write => "sheets.googleapis.com/write_requests",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Scope {
    User,
    Project,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    used: u32,
}

/// Usage of every consumer.
#[derive(Debug, Default)]
pub struct Quotas {
    windows: HashMap<(QuotaKind, Scope, String), Window>,
}

/// A stable 12-digit project number for a project id (Google's `consumer` names it).
pub fn project_number(project_id: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in project_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    100_000_000_000 + hash % 900_000_000_000
}

impl Quotas {
    /// Counts one request of `user` in `project`, or answers Google's 429.
    pub fn charge(
        &mut self,
        config: &QuotaConfig,
        kind: QuotaKind,
        user: &str,
        project_id: &str,
        now: Instant,
    ) -> Result<(), ApiError> {
        let (user_limit, project_limit) = match kind {
            QuotaKind::Read => (
                config.read_requests_per_user,
                config.read_requests_per_project,
            ),
            QuotaKind::Write => (
                config.write_requests_per_user,
                config.write_requests_per_project,
            ),
        };
        let checks = [
            (Scope::User, user, user_limit),
            (Scope::Project, project_id, project_limit),
        ];
        for (scope, consumer, limit) in checks {
            let window = self
                .windows
                .entry((kind, scope, consumer.to_owned()))
                .or_insert(Window {
                    started: now,
                    used: 0,
                });
            if now.duration_since(window.started) >= config.window {
                *window = Window {
                    started: now,
                    used: 0,
                };
            }
            if window.used >= limit {
                return Err(exceeded(kind, scope, limit, project_id));
            }
        }
        for (scope, consumer, _) in checks {
            if let Some(window) = self.windows.get_mut(&(kind, scope, consumer.to_owned())) {
                window.used += 1;
            }
        }
        Ok(())
    }

    /// Forgets all usage: every window is full again.
    pub fn reset(&mut self) {
        self.windows.clear();
    }
}

fn exceeded(kind: QuotaKind, scope: Scope, limit: u32, project_id: &str) -> ApiError {
    let number = project_number(project_id);
    let (limit_name, limit_id) = match (kind, scope) {
        (QuotaKind::Read, Scope::User) => (
            "Read requests per minute per user",
            "ReadRequestsPerMinutePerUser",
        ),
        (QuotaKind::Read, Scope::Project) => (
            "Read requests per minute",
            "ReadRequestsPerMinutePerProject",
        ),
        (QuotaKind::Write, Scope::User) => (
            "Write requests per minute per user",
            "WriteRequestsPerMinutePerUser",
        ),
        (QuotaKind::Write, Scope::Project) => (
            "Write requests per minute",
            "WriteRequestsPerMinutePerProject",
        ),
    };
    let mut error = ApiError::new(
        429,
        "RESOURCE_EXHAUSTED",
        format!(
            "Quota exceeded for quota metric '{}' and limit '{limit_name}' of service 'sheets.googleapis.com' for consumer 'project_number:{number}'.",
            kind.metric()
        ),
    );
    error.details = Some(Box::new(json!([
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_location": "global",
                "quota_metric": kind.metric_id(),
                "quota_limit": limit_id,
                "quota_limit_value": limit.to_string(),
                "consumer": format!("projects/{number}"),
                "service": "sheets.googleapis.com",
            }
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{
                "description": "Request a higher quota limit.",
                "url": "https://cloud.google.com/docs/quotas/help/request_increase"
            }]
        }
    ])));
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_after_the_limit_and_refilled_after_the_window() {
        let config = QuotaConfig {
            read_requests_per_user: 2,
            window: Duration::from_secs(60),
            ..QuotaConfig::default()
        };
        let mut quotas = Quotas::default();
        let start = Instant::now();
        assert!(
            quotas
                .charge(&config, QuotaKind::Read, "a@x", "p", start)
                .is_ok()
        );
        assert!(
            quotas
                .charge(&config, QuotaKind::Read, "a@x", "p", start)
                .is_ok()
        );
        let refused = quotas.charge(&config, QuotaKind::Read, "a@x", "p", start);
        assert_eq!(refused.map_err(|error| error.code), Err(429));
        // Another user of the same project still has quota; writes are counted apart.
        assert!(
            quotas
                .charge(&config, QuotaKind::Read, "b@x", "p", start)
                .is_ok()
        );
        assert!(
            quotas
                .charge(&config, QuotaKind::Write, "a@x", "p", start)
                .is_ok()
        );
        let later = start + Duration::from_secs(60);
        assert!(
            quotas
                .charge(&config, QuotaKind::Read, "a@x", "p", later)
                .is_ok()
        );
    }
}
