//! Metrics a connector reports about itself (API requests, retries, ...), next to the
//! runtime's own per-task metrics.
//!
//! The SDK does not depend on a metrics library: the worker installs a [`MetricsSink`]
//! once per process ([`install`]), and a task counts through
//! [`crate::SourceTaskContext::metrics`] / [`crate::SinkTaskContext::metrics`], which label
//! every series with the connector and task. Without an installed sink (unit tests), counting
//! does nothing.

use std::sync::{Arc, OnceLock};

/// Receives connector-defined metrics; implemented by the runtime.
pub trait MetricsSink: Send + Sync {
    /// Adds `value` to the counter `name` (a Prometheus name, e.g.
    /// `google_sheets_api_requests_total`) for `connector`/`task` with extra `labels`.
    fn add(
        &self,
        name: &str,
        help: &str,
        connector: &str,
        task: u32,
        labels: &[(&str, &str)],
        value: u64,
    );
}

static SINK: OnceLock<Arc<dyn MetricsSink>> = OnceLock::new();

/// Installs the process's metrics sink; later calls are ignored (one worker per process).
pub fn install(sink: Arc<dyn MetricsSink>) {
    let _ = SINK.set(sink);
}

/// A task's handle for counting.
#[derive(Clone, Debug)]
pub struct TaskMetrics {
    connector: String,
    task: u32,
}

impl TaskMetrics {
    pub fn new(connector: impl Into<String>, task: u32) -> Self {
        TaskMetrics {
            connector: connector.into(),
            task,
        }
    }

    /// Adds `value` to a counter of this task.
    pub fn count(&self, name: &str, help: &str, labels: &[(&str, &str)], value: u64) {
        if let Some(sink) = SINK.get() {
            sink.add(name, help, &self.connector, self.task, labels, value);
        }
    }
}
