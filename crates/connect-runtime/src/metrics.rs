//! Worker metrics in Prometheus' text format (served at `GET /metrics`).
//!
//! Per connector and task (`connector`, `task` labels):
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `tributary_source_records_polled_total` | counter | records a source task's `poll` returned |
//! | `tributary_source_records_written_total` | counter | source records Kafka acknowledged |
//! | `tributary_source_poll_batch_size` | histogram | records per non-empty poll |
//! | `tributary_sink_records_read_total` | counter | records a sink task consumed |
//! | `tributary_sink_records_put_total` | counter | records handed to a sink task's `put` |
//! | `tributary_records_failed_total` | counter | records that failed a stage (`stage` label), tolerated or not |
//! | `tributary_records_dead_lettered_total` | counter | records sent to a dead letter queue |
//! | `tributary_offset_commit_seconds` | histogram | time to flush source offsets / commit sink offsets |
//! | `tributary_offset_commit_failures_total` | counter | offset flushes or commits that failed |
//! | `tributary_task_state` | gauge | 1 for the task's current state (`state` label), 0 for the others |
//!
//! For the worker (see [`crate::cluster_watch`]):
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `tributary_kafka_reachable` | gauge | 1 while the worker reaches Kafka, 0 during an outage |
//! | `tributary_kafka_outages_total` | counter | outages seen (all brokers down) |
//!
//! Connectors add their own counters through the SDK (`context.metrics().count(...)`), e.g.
//! the Google Sheets source's `google_sheets_api_requests_total`; they get the same
//! `connector` and `task` labels.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::herder::entities::{ConnectorTaskId, State};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TaskLabels {
    pub connector: String,
    pub task: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    pub connector: String,
    pub task: String,
    pub stage: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    pub connector: String,
    pub task: String,
    pub state: String,
}

/// Labels of connector-defined counters: the task's, plus the connector's own.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CustomLabels {
    pub connector: String,
    pub task: String,
    pub detail: String,
}

fn batch_histogram() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 4.0, 8))
}

fn commit_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 4.0, 10))
}

type HistogramFamily = Family<TaskLabels, Histogram, fn() -> Histogram>;

/// The worker's metrics.
pub struct WorkerMetrics {
    registry: Mutex<Registry>,
    pub source_polled: Family<TaskLabels, Counter>,
    pub source_written: Family<TaskLabels, Counter>,
    pub poll_batch_size: HistogramFamily,
    pub sink_read: Family<TaskLabels, Counter>,
    pub sink_put: Family<TaskLabels, Counter>,
    pub failed: Family<StageLabels, Counter>,
    pub dead_lettered: Family<TaskLabels, Counter>,
    pub commit_seconds: HistogramFamily,
    pub commit_failures: Family<TaskLabels, Counter>,
    pub task_state: Family<StateLabels, Gauge>,
    pub kafka_reachable: Gauge,
    pub kafka_outages: Counter,
    custom: Mutex<HashMap<String, Family<CustomLabels, Counter>>>,
}

impl Default for WorkerMetrics {
    fn default() -> Self {
        Self::new()
    }
}

const STATES: [State; 5] = [
    State::Unassigned,
    State::Running,
    State::Paused,
    State::Failed,
    State::Restarting,
];

fn state_name(state: State) -> &'static str {
    match state {
        State::Unassigned => "UNASSIGNED",
        State::Running => "RUNNING",
        State::Paused => "PAUSED",
        State::Failed => "FAILED",
        State::Restarting => "RESTARTING",
        State::Stopped => "STOPPED",
        State::Destroyed => "DESTROYED",
    }
}

impl WorkerMetrics {
    pub fn new() -> Self {
        let metrics = WorkerMetrics {
            registry: Mutex::new(Registry::default()),
            source_polled: Family::default(),
            source_written: Family::default(),
            poll_batch_size: Family::new_with_constructor(batch_histogram),
            sink_read: Family::default(),
            sink_put: Family::default(),
            failed: Family::default(),
            dead_lettered: Family::default(),
            commit_seconds: Family::new_with_constructor(commit_histogram),
            commit_failures: Family::default(),
            task_state: Family::default(),
            kafka_reachable: Gauge::default(),
            kafka_outages: Counter::default(),
            custom: Mutex::new(HashMap::new()),
        };
        {
            let mut registry = metrics.registry.lock().unwrap_or_else(|e| e.into_inner());
            let r = &mut *registry;
            r.register(
                "tributary_source_records_polled",
                "Records a source task's poll returned",
                metrics.source_polled.clone(),
            );
            r.register(
                "tributary_source_records_written",
                "Source records acknowledged by Kafka",
                metrics.source_written.clone(),
            );
            r.register(
                "tributary_source_poll_batch_size",
                "Records per non-empty poll",
                metrics.poll_batch_size.clone(),
            );
            r.register(
                "tributary_sink_records_read",
                "Records a sink task consumed from Kafka",
                metrics.sink_read.clone(),
            );
            r.register(
                "tributary_sink_records_put",
                "Records handed to a sink task's put",
                metrics.sink_put.clone(),
            );
            r.register(
                "tributary_records_failed",
                "Records that failed a processing stage, tolerated or not",
                metrics.failed.clone(),
            );
            r.register(
                "tributary_records_dead_lettered",
                "Records sent to a dead letter queue",
                metrics.dead_lettered.clone(),
            );
            r.register(
                "tributary_offset_commit_seconds",
                "Time to flush source offsets or commit sink offsets",
                metrics.commit_seconds.clone(),
            );
            r.register(
                "tributary_offset_commit_failures",
                "Offset flushes or commits that failed",
                metrics.commit_failures.clone(),
            );
            r.register(
                "tributary_task_state",
                "1 for the task's current state, 0 for the others",
                metrics.task_state.clone(),
            );
            r.register(
                "tributary_kafka_reachable",
                "1 while the worker reaches the Kafka cluster, 0 during an outage",
                metrics.kafka_reachable.clone(),
            );
            r.register(
                "tributary_kafka_outages",
                "Outages of the Kafka cluster seen by the worker (all brokers down)",
                metrics.kafka_outages.clone(),
            );
        }
        // Reachable until a cluster watch sees otherwise: a worker without a watch (one
        // embedded in a program, the runtime's own tests) must not read as in an outage,
        // or its stopping tasks would skip waiting for acknowledgements and commits.
        metrics.kafka_reachable.set(1);
        metrics
    }

    /// Whether the cluster watch sees Kafka out of reach ([`crate::cluster_watch`]):
    /// stopping tasks then do not wait for acknowledgements or commits that cannot come.
    pub fn kafka_unreachable(&self) -> bool {
        self.kafka_reachable.get() == 0
    }

    pub fn labels(id: &ConnectorTaskId) -> TaskLabels {
        TaskLabels {
            connector: id.connector.clone(),
            task: id.task.to_string(),
        }
    }

    pub fn record_failure(&self, id: &ConnectorTaskId, stage: &str) {
        self.failed
            .get_or_create(&StageLabels {
                connector: id.connector.clone(),
                task: id.task.to_string(),
                stage: stage.to_string(),
            })
            .inc();
    }

    pub fn observe_commit(&self, id: &ConnectorTaskId, took: Duration, ok: bool) {
        let labels = Self::labels(id);
        self.commit_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
        if !ok {
            self.commit_failures.get_or_create(&labels).inc();
        }
    }

    /// Sets the task's state gauge: 1 for `state`, 0 for the others.
    pub fn set_state(&self, id: &ConnectorTaskId, state: State) {
        for candidate in STATES {
            self.task_state
                .get_or_create(&StateLabels {
                    connector: id.connector.clone(),
                    task: id.task.to_string(),
                    state: state_name(candidate).to_string(),
                })
                .set(i64::from(candidate == state));
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if encode(&mut out, &registry).is_err() {
            out.clear();
        }
        out
    }
}

fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    cleaned
        .strip_suffix("_total")
        .map(str::to_string)
        .unwrap_or(cleaned)
}

impl connect_api::metrics::MetricsSink for WorkerMetrics {
    fn add(
        &self,
        name: &str,
        help: &str,
        connector: &str,
        task: u32,
        labels: &[(&str, &str)],
        value: u64,
    ) {
        let name = sanitize(name);
        let family = {
            let mut custom = self.custom.lock().unwrap_or_else(|e| e.into_inner());
            custom
                .entry(name.clone())
                .or_insert_with(|| {
                    let family = Family::<CustomLabels, Counter>::default();
                    self.registry
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .register(name.clone(), help.to_string(), family.clone());
                    family
                })
                .clone()
        };
        let detail = labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        family
            .get_or_create(&CustomLabels {
                connector: connector.to_string(),
                task: task.to_string(),
                detail,
            })
            .inc_by(value);
    }
}

/// The metrics of one task, cheap to clone into its loop.
#[derive(Clone)]
pub struct TaskMetricsHandle {
    pub metrics: Arc<WorkerMetrics>,
    pub id: ConnectorTaskId,
    pub labels: TaskLabels,
    /// `source_written` of this task, looked up once (it is bumped per record).
    pub written: Counter,
}

impl TaskMetricsHandle {
    pub fn new(metrics: Arc<WorkerMetrics>, id: ConnectorTaskId) -> Self {
        let labels = WorkerMetrics::labels(&id);
        let written = metrics.source_written.get_or_create(&labels).clone();
        TaskMetricsHandle {
            metrics,
            id,
            labels,
            written,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::metrics::MetricsSink;

    /// Without a cluster watch nothing has seen an outage: Kafka reads as reachable.
    #[test]
    fn kafka_is_reachable_until_a_watch_says_otherwise() {
        let metrics = WorkerMetrics::new();
        assert!(!metrics.kafka_unreachable());
        assert!(
            metrics
                .encode()
                .lines()
                .any(|l| l == "tributary_kafka_reachable 1"),
            "{}",
            metrics.encode()
        );
        metrics.kafka_reachable.set(0);
        assert!(metrics.kafka_unreachable());
    }

    #[test]
    fn renders_task_counters_states_and_connector_counters() {
        let metrics = WorkerMetrics::new();
        let id = ConnectorTaskId::new("c", 0);
        metrics
            .source_written
            .get_or_create(&WorkerMetrics::labels(&id))
            .inc_by(42);
        metrics.set_state(&id, State::Running);
        metrics.add(
            "google_sheets_api_requests_total",
            "API requests",
            "c",
            0,
            &[("endpoint", "batchGet")],
            3,
        );
        metrics.observe_commit(&id, Duration::from_millis(2), false);
        let text = metrics.encode();
        assert!(
            text.contains("tributary_source_records_written_total{connector=\"c\",task=\"0\"} 42"),
            "{text}"
        );
        assert!(
            text.contains("tributary_task_state{connector=\"c\",task=\"0\",state=\"RUNNING\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("tributary_task_state{connector=\"c\",task=\"0\",state=\"FAILED\"} 0"),
            "{text}"
        );
        assert!(text.contains("google_sheets_api_requests_total{connector=\"c\",task=\"0\",detail=\"endpoint=batchGet\"} 3"), "{text}");
        assert!(
            text.contains("tributary_offset_commit_failures_total{connector=\"c\",task=\"0\"} 1"),
            "{text}"
        );
    }
}
