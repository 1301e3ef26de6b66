//! Worker tasks: the loops that drive a connector's source or sink tasks.
//!
//! Each task runs as one tokio task. The herder controls it through a [`TaskControl`]
//! (target state RUNNING or PAUSED, and a stop signal) and learns how it is doing through
//! the status store: RUNNING, PAUSED, FAILED with a trace, UNASSIGNED once stopped.
//!
//! Every call into connector code goes through [`guarded`], which turns a panic into an
//! error, so that a buggy task becomes FAILED with the panic message as its trace while
//! the worker and every other task keep running.

pub mod sink;
pub mod source;

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use connect_api::errors::error_chain;
use connect_api::{ConnectError, ConnectResult};
use futures_util::FutureExt;
use tokio::sync::watch;

use crate::herder::entities::{ConnectorTaskId, State, TargetState};
use crate::storage::status::{Status, StatusBackingStore};

/// The stages of record processing, with Kafka's names (they appear in traces and in
/// dead letter queue headers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    TaskStart,
    TaskPoll,
    TaskPut,
    TaskCommit,
    Transformation,
    KeyConverter,
    ValueConverter,
    HeaderConverter,
    KafkaProduce,
    KafkaConsume,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::TaskStart => "TASK_START",
            Stage::TaskPoll => "TASK_POLL",
            Stage::TaskPut => "TASK_PUT",
            Stage::TaskCommit => "TASK_COMMIT",
            Stage::Transformation => "TRANSFORMATION",
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::HeaderConverter => "HEADER_CONVERTER",
            Stage::KafkaProduce => "KAFKA_PRODUCE",
            Stage::KafkaConsume => "KAFKA_CONSUME",
        }
    }
}

/// A failure at a stage of a task, rendered like Kafka Connect's error reporter:
/// `Error encountered in task c-0. Executing stage 'VALUE_CONVERTER' with class '...'`.
#[derive(Debug, thiserror::Error)]
#[error("Error encountered in task {task}. Executing stage '{}' with class '{class_name}'{}.", stage.name(), record.as_ref().map(|r| format!(", where {r}")).unwrap_or_default())]
pub struct StageError {
    pub task: ConnectorTaskId,
    pub stage: Stage,
    pub class_name: String,
    /// A description of the record being processed (topic, partition, offset; never its
    /// contents, which may be secret).
    pub record: Option<String>,
    #[source]
    pub source: ConnectError,
}

/// Why a task loop ended in failure.
#[derive(Debug, thiserror::Error)]
pub enum TaskFailure {
    /// A record-processing stage failed and errors are not tolerated.
    #[error("Tolerance exceeded in error handler")]
    ToleranceExceeded(#[source] Box<StageError>),
    /// A lifecycle call (start, poll, put, commit) failed.
    #[error("{0}")]
    Stage(#[source] Box<StageError>),
    /// The runtime itself could not go on (producer, offsets, consumer).
    #[error("{message}")]
    Runtime {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl TaskFailure {
    pub fn stage(error: StageError) -> Self {
        TaskFailure::Stage(Box::new(error))
    }

    pub fn tolerance(error: StageError) -> Self {
        TaskFailure::ToleranceExceeded(Box::new(error))
    }

    pub fn runtime(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        TaskFailure::Runtime {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// True for a failure only a change of configuration can cure (a Kafka client key
    /// that cannot be honoured): restarting the task would fail the same way, so it is
    /// not restarted automatically.
    pub fn is_permanent(&self) -> bool {
        match self {
            TaskFailure::Runtime {
                source: Some(source),
                ..
            } => {
                source
                    .downcast_ref::<rdkafka::error::KafkaError>()
                    .is_some_and(|error| {
                        matches!(error, rdkafka::error::KafkaError::ClientConfig(..))
                    })
                    || source.is::<crate::kafka::ClientSecurityError>()
            }
            _ => false,
        }
    }

    /// The trace shown in status: Java-style exception names with `Caused by:` lines, so
    /// a Connect user reads it as they would read Kafka's.
    pub fn trace(&self) -> String {
        let head = format!("org.apache.kafka.connect.errors.ConnectException: {self}");
        match self {
            TaskFailure::ToleranceExceeded(stage) => format!(
                "{head}\nCaused by: org.apache.kafka.connect.errors.ConnectException: {stage}\nCaused by: {}: {}",
                stage.source.exception_class_name(),
                error_chain(&stage.source)
            ),
            TaskFailure::Stage(stage) => format!(
                "{head}\nCaused by: {}: {}",
                stage.source.exception_class_name(),
                error_chain(&stage.source)
            ),
            TaskFailure::Runtime { .. } => error_chain(self).replacen(&self.to_string(), &head, 1),
        }
    }
}

/// Runs connector code, turning a panic into an error.
pub async fn guarded<T>(future: impl Future<Output = ConnectResult<T>>) -> ConnectResult<T> {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => Err(ConnectError::other(format!(
            "task panicked: {}",
            panic_message(&panic)
        ))),
    }
}

/// The message of a panic payload.
pub fn panic_message(panic: &Box<dyn Any + Send>) -> String {
    if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// How the herder steers a running task.
#[derive(Clone)]
pub struct TaskControl {
    pub target: watch::Receiver<TargetState>,
    pub stop: watch::Receiver<bool>,
}

impl TaskControl {
    pub fn is_stopping(&self) -> bool {
        *self.stop.borrow()
    }

    pub fn is_paused(&self) -> bool {
        *self.target.borrow() == TargetState::Paused
    }

    /// Resolves once a stop is requested.
    pub async fn stopped(&mut self) {
        wait_for_stop(&mut self.stop).await
    }

    /// Waits while paused; `false` when a stop arrived instead.
    pub async fn wait_while_paused(&mut self, status: &StatusReporter) -> bool {
        if !self.is_paused() {
            return !self.is_stopping();
        }
        status.report(State::Paused, None);
        loop {
            if self.is_stopping() {
                return false;
            }
            if !self.is_paused() {
                status.report(State::Running, None);
                return true;
            }
            tokio::select! {
                changed = self.target.changed() => if changed.is_err() { return false; },
                changed = self.stop.changed() => if changed.is_err() { return false; },
            }
        }
    }
}

/// Resolves once `stop` says true (or its sender is gone).
pub async fn wait_for_stop(stop: &mut watch::Receiver<bool>) {
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// The sending half of a [`TaskControl`], kept by the worker.
pub struct TaskControlHandle {
    pub target: watch::Sender<TargetState>,
    pub stop: watch::Sender<bool>,
}

/// A new control pair starting in `initial`.
pub fn task_control(initial: TargetState) -> (TaskControlHandle, TaskControl) {
    let (target_tx, target_rx) = watch::channel(initial);
    let (stop_tx, stop_rx) = watch::channel(false);
    (
        TaskControlHandle {
            target: target_tx,
            stop: stop_tx,
        },
        TaskControl {
            target: target_rx,
            stop: stop_rx,
        },
    )
}

/// Writes a task's state changes to the status store.
#[derive(Clone)]
pub struct StatusReporter {
    pub id: ConnectorTaskId,
    pub worker_id: String,
    pub store: Arc<dyn StatusBackingStore>,
    /// The task's metrics (its state gauge is kept in step with the status).
    pub metrics: crate::metrics::TaskMetricsHandle,
    /// `topic.tracking.enable`: whether the topics the task uses are recorded.
    pub track_topics: bool,
    /// Set when the task failed in a way only a change of settings cures
    /// ([`TaskFailure::is_permanent`]): the worker does not announce it for an automatic
    /// restart.
    pub permanent_failure: Arc<std::sync::atomic::AtomicBool>,
}

impl StatusReporter {
    pub fn report(&self, state: State, trace: Option<String>) {
        self.metrics.metrics.set_state(&self.id, state);
        self.store.put_task(
            &self.id,
            Status {
                state,
                trace,
                worker_id: self.worker_id.clone(),
            },
        );
    }

    pub fn failed(&self, failure: &TaskFailure) {
        tracing::error!(task = %self.id, error = %failure, "task failed");
        if failure.is_permanent() {
            self.permanent_failure
                .store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::error!(task = %self.id, "the task failed on its settings; it is not restarted automatically: fix them and restart it");
        }
        self.report(State::Failed, Some(failure.trace()));
    }

    /// Records `topic` as one the task produces to or consumes from (Kafka's
    /// `WorkerTask.recordActiveTopic`): once, and once more after the connector's topics
    /// were reset. Cheap for the topic recorded last, so it can run for every record.
    pub fn record_active_topic(&self, recorded: &mut ActiveTopics, topic: &str) {
        if !self.track_topics {
            return;
        }
        let generation = self.store.topics_generation();
        if generation != recorded.generation {
            recorded.topics.clear();
            recorded.last = None;
            recorded.generation = generation;
        }
        if recorded.last.as_deref() == Some(topic) {
            return;
        }
        if !recorded.topics.contains(topic) {
            self.store.put_topic(&self.id.connector, topic);
            recorded.topics.insert(topic.to_string());
        }
        recorded.last = Some(topic.to_string());
    }
}

/// The topics a task has recorded as active (see [`StatusReporter::record_active_topic`]).
#[derive(Debug, Default)]
pub struct ActiveTopics {
    topics: std::collections::HashSet<String>,
    last: Option<String>,
    generation: u64,
}
