//! Error handling: retries, tolerance and dead letter queues (Kafka's `runtime/errors`).
//!
//! # What happens when a record cannot be processed
//!
//! Processing a record goes through stages: TRANSFORMATION, KEY_CONVERTER,
//! VALUE_CONVERTER and HEADER_CONVERTER (plus TASK_POLL/TASK_PUT and KAFKA_PRODUCE, which
//! are never tolerated, as in Kafka). When a stage fails:
//!
//! 1. A *retriable* failure (`ConnectError::Retriable`) is retried with exponential backoff
//!    — 300 ms, doubling, at most `errors.retry.delay.max.ms` apart — for up to
//!    `errors.retry.timeout` ms in total (0, the default, means no retry; -1 forever).
//! 2. If it still fails, `errors.tolerance=none` (the default) fails the task with
//!    "Tolerance exceeded in error handler" and the stage in the trace.
//!    `errors.tolerance=all` skips the record instead, after reporting it:
//!    - `errors.log.enable=true` logs the failure with the stage, the class and where the
//!      record came from; with `errors.log.include.messages=true` also the record itself;
//!    - `errors.deadletterqueue.topic.name` sends the record to a dead letter queue topic,
//!      with `__connect.errors.*` headers describing the failure when
//!      `errors.deadletterqueue.context.headers.enable=true`.
//!
//! # Dead letter queues for sinks and for sources
//!
//! A sink's dead letter record is the consumed Kafka record as it was: same key, value,
//! headers and timestamp. Tributary also gives *sources* a dead letter queue (Kafka Connect
//! has none): the failed record's key and value are written as schemaless JSON (or as
//! null where even that fails), with the same context headers plus
//! `__connect.errors.source.partition` and `__connect.errors.source.offset`. The source
//! record's offset is committed only once the dead letter record is acknowledged, so a
//! crash can never lose a failed record: it is either in the dead letter queue or read
//! again.

use std::time::Duration;

use connect_api::errors::error_chain;
use connect_api::{ConnectError, Props};

use crate::config::connector as cc;
use crate::herder::entities::ConnectorTaskId;
use crate::task::Stage;

/// The header names of a dead letter record (Kafka's `DeadLetterQueueReporter`).
pub mod headers {
    pub const PREFIX: &str = "__connect.errors.";
    pub const TOPIC: &str = "__connect.errors.topic";
    pub const PARTITION: &str = "__connect.errors.partition";
    pub const OFFSET: &str = "__connect.errors.offset";
    pub const CONNECTOR_NAME: &str = "__connect.errors.connector.name";
    pub const TASK_ID: &str = "__connect.errors.task.id";
    pub const STAGE: &str = "__connect.errors.stage";
    pub const CLASS_NAME: &str = "__connect.errors.class.name";
    pub const EXCEPTION_CLASS_NAME: &str = "__connect.errors.exception.class.name";
    pub const EXCEPTION_MESSAGE: &str = "__connect.errors.exception.message";
    pub const EXCEPTION_STACKTRACE: &str = "__connect.errors.exception.stacktrace";
    /// Tributary's source dead letter queue: the record's source partition, as JSON.
    pub const SOURCE_PARTITION: &str = "__connect.errors.source.partition";
    /// Tributary's source dead letter queue: the record's source offset, as JSON.
    pub const SOURCE_OFFSET: &str = "__connect.errors.source.offset";
}

const RETRY_DELAY_MIN: Duration = Duration::from_millis(300);

/// A connector's `errors.*` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorHandling {
    /// `None` retries forever (`errors.retry.timeout=-1`).
    pub retry_timeout: Option<Duration>,
    pub retry_delay_max: Duration,
    pub tolerate_all: bool,
    pub log_enable: bool,
    pub log_include_messages: bool,
    pub dlq_topic: Option<String>,
    pub dlq_replication_factor: i32,
    pub dlq_context_headers: bool,
}

impl Default for ErrorHandling {
    fn default() -> Self {
        ErrorHandling {
            retry_timeout: Some(Duration::ZERO),
            retry_delay_max: Duration::from_secs(60),
            tolerate_all: false,
            log_enable: false,
            log_include_messages: false,
            dlq_topic: None,
            dlq_replication_factor: 3,
            dlq_context_headers: false,
        }
    }
}

fn millis(value: Option<&String>, default: i64) -> i64 {
    value.and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

fn flag(value: Option<&String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl ErrorHandling {
    /// Reads the `errors.*` keys of a (validated) connector config.
    pub fn from_props(props: &Props) -> Self {
        let timeout = millis(props.get(cc::ERRORS_RETRY_TIMEOUT), 0);
        ErrorHandling {
            retry_timeout: if timeout < 0 {
                None
            } else {
                Some(Duration::from_millis(timeout as u64))
            },
            retry_delay_max: Duration::from_millis(
                millis(props.get(cc::ERRORS_RETRY_DELAY_MAX_MS), 60_000).max(0) as u64,
            ),
            tolerate_all: props
                .get(cc::ERRORS_TOLERANCE)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("all")),
            log_enable: flag(props.get(cc::ERRORS_LOG_ENABLE)),
            log_include_messages: flag(props.get(cc::ERRORS_LOG_INCLUDE_MESSAGES)),
            dlq_topic: props
                .get(cc::DLQ_TOPIC_NAME)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty()),
            dlq_replication_factor: millis(props.get(cc::DLQ_TOPIC_REPLICATION_FACTOR), 3) as i32,
            dlq_context_headers: flag(props.get(cc::DLQ_CONTEXT_HEADERS_ENABLE)),
        }
    }

    /// Whether failures at `stage` may be tolerated at all (Kafka tolerates only
    /// transformation and conversion failures).
    pub fn is_tolerable(stage: Stage) -> bool {
        matches!(
            stage,
            Stage::Transformation
                | Stage::KeyConverter
                | Stage::ValueConverter
                | Stage::HeaderConverter
        )
    }

    /// Runs `operation`, retrying retriable failures within `errors.retry.timeout`.
    pub async fn retry<T>(
        &self,
        mut operation: impl FnMut() -> Result<T, ConnectError>,
    ) -> Result<T, ConnectError> {
        // The clock starts at the first failure: the common first-time success reads no
        // clock (this runs for every key and value a task converts).
        let mut started = None;
        let mut delay = RETRY_DELAY_MIN;
        loop {
            match operation() {
                Ok(value) => return Ok(value),
                Err(error) if error.is_retriable() => {
                    let started = *started.get_or_insert_with(tokio::time::Instant::now);
                    let remaining = match self.retry_timeout {
                        None => delay,
                        Some(timeout) => timeout.saturating_sub(started.elapsed()),
                    };
                    if remaining.is_zero() {
                        return Err(error);
                    }
                    tokio::time::sleep(delay.min(remaining)).await;
                    delay = (delay * 2).min(self.retry_delay_max.max(RETRY_DELAY_MIN));
                }
                Err(error) => return Err(error),
            }
        }
    }
}

/// What a dead letter record says about its failure.
pub struct FailureContext<'a> {
    pub task: &'a ConnectorTaskId,
    pub stage: Stage,
    pub class_name: &'a str,
    pub error: &'a ConnectError,
    pub topic: &'a str,
    pub partition: i32,
    pub offset: i64,
}

/// The `__connect.errors.*` headers for a failure, as Kafka writes them (UTF-8 strings).
pub fn context_headers(context: &FailureContext<'_>) -> Vec<(&'static str, String)> {
    vec![
        (headers::TOPIC, context.topic.to_string()),
        (headers::PARTITION, context.partition.to_string()),
        (headers::OFFSET, context.offset.to_string()),
        (headers::CONNECTOR_NAME, context.task.connector.clone()),
        (headers::TASK_ID, context.task.task.to_string()),
        (headers::STAGE, context.stage.name().to_string()),
        (headers::CLASS_NAME, context.class_name.to_string()),
        (
            headers::EXCEPTION_CLASS_NAME,
            context.error.exception_class_name().to_string(),
        ),
        (headers::EXCEPTION_MESSAGE, context.error.to_string()),
        (
            headers::EXCEPTION_STACKTRACE,
            format!(
                "{}: {}",
                context.error.exception_class_name(),
                error_chain(context.error)
            ),
        ),
    ]
}

/// Logs a tolerated failure when `errors.log.enable` is set. `record` is only logged with
/// `errors.log.include.messages`.
pub fn log_tolerated(
    handling: &ErrorHandling,
    context: &FailureContext<'_>,
    record: impl FnOnce() -> String,
) {
    if !handling.log_enable {
        return;
    }
    let location = format!(
        "topic='{}', partition={}, offset={}",
        context.topic, context.partition, context.offset
    );
    if handling.log_include_messages {
        tracing::error!(
            task = %context.task,
            stage = context.stage.name(),
            class = context.class_name,
            record = %record(),
            error = %error_chain(context.error),
            "Error encountered in task {}. Executing stage '{}' with class '{}', where {location}; the record is skipped",
            context.task,
            context.stage.name(),
            context.class_name
        );
    } else {
        tracing::error!(
            task = %context.task,
            stage = context.stage.name(),
            class = context.class_name,
            error = %error_chain(context.error),
            "Error encountered in task {}. Executing stage '{}' with class '{}', where {location}; the record is skipped",
            context.task,
            context.stage.name(),
            context.class_name
        );
    }
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
    fn reads_kafkas_keys() {
        let handling = ErrorHandling::from_props(&props(&[
            ("errors.retry.timeout", "-1"),
            ("errors.tolerance", "all"),
            ("errors.deadletterqueue.topic.name", "dlq"),
            ("errors.deadletterqueue.context.headers.enable", "true"),
        ]));
        assert_eq!(handling.retry_timeout, None);
        assert!(handling.tolerate_all);
        assert_eq!(handling.dlq_topic.as_deref(), Some("dlq"));
        assert!(handling.dlq_context_headers);
        assert_eq!(
            ErrorHandling::from_props(&Props::new()),
            ErrorHandling::default()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retries_retriable_failures_within_the_timeout() {
        let handling = ErrorHandling {
            retry_timeout: Some(Duration::from_secs(2)),
            retry_delay_max: Duration::from_secs(1),
            ..ErrorHandling::default()
        };
        let mut calls = 0;
        let result = handling
            .retry(|| {
                calls += 1;
                if calls < 4 {
                    Err(ConnectError::retriable("busy"))
                } else {
                    Ok(calls)
                }
            })
            .await;
        assert_eq!(result.ok(), Some(4));

        let mut calls = 0;
        let started = tokio::time::Instant::now();
        let result: Result<(), _> = handling
            .retry(|| {
                calls += 1;
                Err(ConnectError::retriable("still busy"))
            })
            .await;
        assert!(result.is_err());
        assert!(started.elapsed() >= Duration::from_secs(2));
        assert!(calls >= 3, "{calls}");

        let mut calls = 0;
        let result: Result<(), _> = handling
            .retry(|| {
                calls += 1;
                Err(ConnectError::data("bad"))
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls, 1, "non-retriable failures are not retried");
    }
}
