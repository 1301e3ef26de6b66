//! Fault injection and observability: failing, slowed and dropped requests on demand, and
//! counters of what the emulator was asked and answered.
//!
//! Rules apply to every request except the admin API's (`/__admin/...`), the token
//! endpoint included; give a `pathPrefix` (`/v4/` for the Sheets API only) to narrow them.
//! Each rule has a count of requests it still applies to (`None`: all, until a reset);
//! rules are consulted in the order they were added and the first one matching is
//! consumed. A request first waits for a latency rule, then may be dropped (the
//! connection closes without an answer), then may fail with a status.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Fail requests with a status (500, 503, 429, ...) and Google's error body for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    pub status: u16,
    /// Requests it applies to; `None`: every matching request until a reset.
    #[serde(default = "one")]
    pub count: Option<u32>,
    /// Only requests whose path starts with this (raw or percent-decoded).
    #[serde(default)]
    pub path_prefix: Option<String>,
    /// A `Retry-After` header, in seconds.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// The error message instead of Google's default for the status.
    #[serde(default)]
    pub message: Option<String>,
}

/// Delay requests before they are handled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatencySpec {
    #[serde(with = "millis", rename = "delayMillis")]
    pub delay: Duration,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub path_prefix: Option<String>,
}

/// Close connections without answering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DropSpec {
    #[serde(default = "one")]
    pub count: Option<u32>,
    #[serde(default)]
    pub path_prefix: Option<String>,
}

fn one() -> Option<u32> {
    Some(1)
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_millis() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(deserializer)?))
    }
}

impl FaultSpec {
    /// The next `count` requests fail with `status`.
    pub fn status(status: u16, count: u32) -> FaultSpec {
        FaultSpec {
            status,
            count: Some(count),
            path_prefix: None,
            retry_after_secs: None,
            message: None,
        }
    }

    pub fn path_prefix(mut self, prefix: impl Into<String>) -> FaultSpec {
        self.path_prefix = Some(prefix.into());
        self
    }

    pub fn retry_after_secs(mut self, seconds: u64) -> FaultSpec {
        self.retry_after_secs = Some(seconds);
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> FaultSpec {
        self.message = Some(message.into());
        self
    }
}

impl LatencySpec {
    /// The next `count` requests wait `delay` first.
    pub fn new(delay: Duration, count: Option<u32>) -> LatencySpec {
        LatencySpec {
            delay,
            count,
            path_prefix: None,
        }
    }

    pub fn path_prefix(mut self, prefix: impl Into<String>) -> LatencySpec {
        self.path_prefix = Some(prefix.into());
        self
    }
}

impl DropSpec {
    /// The next `count` connections close without an answer.
    pub fn new(count: u32) -> DropSpec {
        DropSpec {
            count: Some(count),
            path_prefix: None,
        }
    }

    pub fn path_prefix(mut self, prefix: impl Into<String>) -> DropSpec {
        self.path_prefix = Some(prefix.into());
        self
    }
}

/// The active rules.
#[derive(Debug, Default)]
pub struct Faults {
    pub failures: Vec<FaultSpec>,
    pub latencies: Vec<LatencySpec>,
    pub drops: Vec<DropSpec>,
}

/// What the fault rules decided for one request.
#[derive(Debug, Default)]
pub struct FaultPlan {
    pub delay: Option<Duration>,
    pub drop: bool,
    pub failure: Option<FaultSpec>,
}

fn matches(prefix: &Option<String>, raw_path: &str, decoded_path: &str) -> bool {
    prefix
        .as_deref()
        .is_none_or(|prefix| raw_path.starts_with(prefix) || decoded_path.starts_with(prefix))
}

/// Consumes the first matching rule of a list.
fn take<T: Clone>(
    rules: &mut Vec<T>,
    count: impl Fn(&mut T) -> &mut Option<u32>,
    prefix: impl Fn(&T) -> &Option<String>,
    raw_path: &str,
    decoded_path: &str,
) -> Option<T> {
    let index = rules
        .iter()
        .position(|rule| matches(prefix(rule), raw_path, decoded_path))?;
    let taken = rules[index].clone();
    match count(&mut rules[index]) {
        Some(remaining) if *remaining <= 1 => {
            rules.remove(index);
        }
        Some(remaining) => *remaining -= 1,
        None => {}
    }
    Some(taken)
}

impl Faults {
    pub fn plan(&mut self, raw_path: &str, decoded_path: &str) -> FaultPlan {
        let delay = take(
            &mut self.latencies,
            |rule| &mut rule.count,
            |rule| &rule.path_prefix,
            raw_path,
            decoded_path,
        )
        .map(|rule| rule.delay);
        let drop = take(
            &mut self.drops,
            |rule| &mut rule.count,
            |rule| &rule.path_prefix,
            raw_path,
            decoded_path,
        )
        .is_some();
        let failure = if drop {
            None
        } else {
            take(
                &mut self.failures,
                |rule| &mut rule.count,
                |rule| &rule.path_prefix,
                raw_path,
                decoded_path,
            )
        };
        FaultPlan {
            delay,
            drop,
            failure,
        }
    }
}

/// Which API method a request called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EndpointKind {
    /// `GET /v4/spreadsheets/{id}`
    #[serde(rename = "metadata")]
    Metadata,
    /// `POST /v4/spreadsheets`
    #[serde(rename = "create")]
    Create,
    /// `POST /v4/spreadsheets/{id}:batchUpdate`
    #[serde(rename = "batchUpdate")]
    BatchUpdate,
    /// `GET .../values/{range}`
    #[serde(rename = "values.get")]
    ValuesGet,
    /// `GET .../values:batchGet`
    #[serde(rename = "batchGet")]
    BatchGet,
    /// `PUT .../values/{range}`
    #[serde(rename = "values.update")]
    ValuesUpdate,
    /// `POST .../values/{range}:append`
    #[serde(rename = "append")]
    Append,
    /// `POST .../values/{range}:clear`
    #[serde(rename = "values.clear")]
    ValuesClear,
    /// `POST .../values:batchUpdate`
    #[serde(rename = "values.batchUpdate")]
    ValuesBatchUpdate,
    /// `POST .../values:batchClear`
    #[serde(rename = "values.batchClear")]
    ValuesBatchClear,
    /// `POST .../values:batchGetByDataFilter`, `...:batchUpdateByDataFilter`,
    /// `...:batchClearByDataFilter`, `POST /v4/spreadsheets/{id}:getByDataFilter`
    #[serde(rename = "byDataFilter")]
    ByDataFilter,
    /// `POST /v4/spreadsheets/{id}/sheets/{sheetId}:copyTo`
    #[serde(rename = "sheets.copyTo")]
    CopyTo,
    /// `POST .../developerMetadata:search`, `GET .../developerMetadata/{metadataId}`
    #[serde(rename = "developerMetadata")]
    DeveloperMetadata,
    /// `POST /token`
    #[serde(rename = "token")]
    Token,
    /// Anything else outside the admin API (unknown paths and methods).
    #[serde(rename = "other")]
    Other,
}

/// Request and response counters since the start or the last reset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// Requests received, admin API excluded (dropped and failed ones included).
    pub total: u64,
    /// Requests by endpoint, keys as [`EndpointKind`]'s names (`"values.get"`, ...).
    pub by_endpoint: BTreeMap<EndpointKind, u64>,
    /// Responses by HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// Bytes of response bodies sent.
    pub response_bytes: u64,
    /// Requests answered by an injected failure.
    pub injected_faults: u64,
    /// Connections closed without an answer.
    pub dropped_connections: u64,
    /// Requests delayed by a latency rule.
    pub delayed_requests: u64,
}

impl Counters {
    /// Requests of one endpoint kind.
    pub fn endpoint(&self, kind: EndpointKind) -> u64 {
        self.by_endpoint.get(&kind).copied().unwrap_or(0)
    }

    /// Responses with one status.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// One request, as the request log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub method: String,
    /// Path and query as received (percent-encoded).
    pub uri: String,
    pub endpoint: EndpointKind,
    /// The status answered; `None` for a dropped connection.
    pub status: Option<u16>,
    /// The account (or `key:...`) the request was authenticated as.
    pub principal: Option<String>,
    pub response_bytes: u64,
}

/// The last [`RequestLog::CAPACITY`] requests.
#[derive(Debug, Default)]
pub struct RequestLog {
    pub records: VecDeque<RequestRecord>,
}

impl RequestLog {
    pub const CAPACITY: usize = 1000;

    pub fn push(&mut self, record: RequestRecord) {
        if self.records.len() == Self::CAPACITY {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_consumed_in_order_and_by_prefix() {
        let mut faults = Faults::default();
        faults
            .failures
            .push(FaultSpec::status(503, 2).path_prefix("/v4/"));
        faults.failures.push(FaultSpec::status(500, 1));
        let statuses: Vec<Option<u16>> = [
            "/token",
            "/v4/spreadsheets/x",
            "/v4/spreadsheets/x",
            "/v4/a",
        ]
        .iter()
        .map(|path| faults.plan(path, path).failure.map(|rule| rule.status))
        .collect();
        assert_eq!(statuses, vec![Some(500), Some(503), Some(503), None]);
    }
}
