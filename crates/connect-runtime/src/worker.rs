//! The worker: instantiates connectors and tasks and runs them on tokio (Kafka's
//! `Worker`). It decides nothing about *which* connectors run; herders tell it.
//!
//! A task's plumbing is built here: converters (the connector's `key.converter` etc. when
//! set, else the worker's), the producer of a source task (one per task, as in Kafka
//! Connect), the consumer of a sink task (group `connect-<connector>`). A task whose
//! plumbing cannot be built becomes FAILED with the reason, like any other failure.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use connect_api::sink::SinkTaskContext;
use connect_api::source::SourceTaskContext;
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{ConnectError, ConnectorContext, Props};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::config::connector::{self as cc, ConnectorConfig};
use crate::config::worker::{self as wc, WorkerConfig};
use crate::herder::entities::{ConnectorTaskId, State, TargetState};
use crate::kafka::{TopicAdmin, source_producer};
use crate::plugins::{ConnectorInstance, PluginRegistry};
use crate::storage::offset::{ConnectorOffsetReader, OffsetBackingStore};
use crate::storage::status::{Status, StatusBackingStore};
use crate::task::sink::{SinkTaskRunner, sink_consumer};
use crate::task::source::{Converters, SourceTaskRunner};
use crate::task::{StatusReporter, TaskControlHandle, TaskFailure, guarded, task_control};

struct RunningTask {
    control: TaskControlHandle,
    join: JoinHandle<()>,
}

/// Runs connectors and tasks.
pub struct Worker {
    worker_id: String,
    config: WorkerConfig,
    plugins: Arc<PluginRegistry>,
    offset_store: Arc<dyn OffsetBackingStore>,
    status: Arc<dyn StatusBackingStore>,
    connectors: Mutex<HashMap<String, Arc<Mutex<ConnectorInstance>>>>,
    tasks: Mutex<HashMap<ConnectorTaskId, RunningTask>>,
    topic_admin: std::sync::OnceLock<Option<Arc<TopicAdmin>>>,
    failures: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<ConnectorTaskId>>,
    metrics: Arc<crate::metrics::WorkerMetrics>,
    cluster_watch: std::sync::OnceLock<Arc<crate::cluster_watch::ClusterWatch>>,
}

impl Worker {
    pub fn new(
        worker_id: String,
        config: WorkerConfig,
        plugins: Arc<PluginRegistry>,
        offset_store: Arc<dyn OffsetBackingStore>,
        status: Arc<dyn StatusBackingStore>,
    ) -> Self {
        Worker {
            worker_id,
            config,
            plugins,
            offset_store,
            status,
            connectors: Mutex::new(HashMap::new()),
            tasks: Mutex::new(HashMap::new()),
            topic_admin: std::sync::OnceLock::new(),
            failures: std::sync::OnceLock::new(),
            metrics: Arc::new(crate::metrics::WorkerMetrics::new()),
            cluster_watch: std::sync::OnceLock::new(),
        }
    }

    /// Starts watching whether the Kafka cluster can be reached (see
    /// [`crate::cluster_watch`]); a watch that cannot start is logged and left out.
    pub fn watch_cluster(&self) {
        match crate::cluster_watch::ClusterWatch::start(
            &self.config.bootstrap_servers(),
            &self.config.client_overrides("admin."),
            Arc::clone(&self.metrics),
        ) {
            Ok(watch) => {
                let _ = self.cluster_watch.set(watch);
            }
            Err(e) => tracing::warn!(error = %e, "cannot watch the Kafka cluster's reachability"),
        }
    }

    /// What keeps the worker from doing its work, for `/health`: Kafka out of reach,
    /// offsets that cannot be stored. Empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(problem) = self.cluster_watch.get().and_then(|w| w.problem()) {
            problems.push(problem);
        }
        if let Some(problem) = self.offset_store.problem() {
            problems.push(problem);
        }
        problems
    }

    /// Where to announce tasks that ended FAILED (the herder's auto-restart listens).
    pub fn on_task_failure(&self, listener: tokio::sync::mpsc::UnboundedSender<ConnectorTaskId>) {
        let _ = self.failures.set(listener);
    }

    fn announce_failure(&self, id: &ConnectorTaskId) {
        if let Some(listener) = self.failures.get() {
            let _ = listener.send(id.clone());
        }
    }

    /// The worker's metrics (`GET /metrics`).
    pub fn metrics(&self) -> &Arc<crate::metrics::WorkerMetrics> {
        &self.metrics
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    pub fn plugins(&self) -> &Arc<PluginRegistry> {
        &self.plugins
    }

    pub fn offset_store(&self) -> &Arc<dyn OffsetBackingStore> {
        &self.offset_store
    }

    pub fn status_store(&self) -> &Arc<dyn StatusBackingStore> {
        &self.status
    }

    fn connector_status(&self, name: &str, state: State, trace: Option<String>) {
        self.status.put_connector(
            name,
            Status {
                state,
                trace,
                worker_id: self.worker_id.clone(),
            },
        );
    }

    /// Instantiates and starts a connector. On failure the connector is FAILED and the
    /// error is returned.
    pub async fn start_connector(
        &self,
        name: &str,
        props: &Props,
        context: Arc<dyn ConnectorContext>,
        target: TargetState,
    ) -> Result<(), ConnectError> {
        if target == TargetState::Stopped {
            self.connector_status(name, State::Stopped, None);
            return Ok(());
        }
        let class = props.get(cc::CONNECTOR_CLASS).cloned().unwrap_or_default();
        let mut instance = match self.plugins.new_connector(&class) {
            Ok(instance) => instance,
            Err(e) => {
                let error = ConnectError::other(e.to_string());
                self.connector_status(name, State::Failed, Some(error.trace()));
                return Err(error);
            }
        };
        if let Err(error) = guarded(instance.as_connector_mut().start(context, props.clone())).await
        {
            tracing::error!(connector = name, error = %error, "connector failed to start");
            self.connector_status(
                name,
                State::Failed,
                Some(format!(
                    "{}: {}",
                    error.exception_class_name(),
                    error.trace()
                )),
            );
            return Err(error);
        }
        tracing::info!(connector = name, "connector started");
        self.connectors
            .lock()
            .await
            .insert(name.to_string(), Arc::new(Mutex::new(instance)));
        self.connector_status(
            name,
            if target == TargetState::Paused {
                State::Paused
            } else {
                State::Running
            },
            None,
        );
        Ok(())
    }

    /// Whether the connector is a sink, from its class.
    pub fn is_sink(&self, props: &Props) -> Option<bool> {
        let class = props.get(cc::CONNECTOR_CLASS)?;
        let desc = self.plugins.connector(class).ok()?;
        Some(desc.plugin_type() == connect_api::plugin::PluginType::Sink)
    }

    /// The task configs of a running connector, with values that came from config
    /// provider placeholders in `raw_props` turned back into those placeholders.
    pub async fn connector_task_configs(
        &self,
        name: &str,
        raw_props: &Props,
        max_tasks: usize,
    ) -> Result<Vec<Props>, ConnectError> {
        let instance = self
            .connectors
            .lock()
            .await
            .get(name)
            .cloned()
            .ok_or_else(|| ConnectError::other(format!("connector {name} is not running")))?;
        let mut instance = instance.lock().await;
        let result = guarded(instance.as_connector_mut().task_configs(max_tasks)).await;
        if let Err(error) = &result {
            self.connector_status(
                name,
                State::Failed,
                Some(format!(
                    "{}: {}",
                    error.exception_class_name(),
                    error.trace()
                )),
            );
        }
        let transformer = self.config.config_transformer();
        let task_class = raw_props
            .get(cc::CONNECTOR_CLASS)
            .and_then(|class| self.plugins.connector(class).ok())
            .map(|desc| task_class_name(&desc.class_name));
        result.map(|configs| {
            configs
                .into_iter()
                .map(|task| {
                    let mut task = transformer.reverse_transform(raw_props, task);
                    if let Some(class) = &task_class {
                        task.insert(TASK_CLASS.to_string(), class.clone());
                    }
                    task
                })
                .collect()
        })
    }

    /// Marks a running connector's state (pause and resume do not restart it).
    pub fn set_connector_state(&self, name: &str, target: TargetState) {
        let state = match target {
            TargetState::Running => State::Running,
            TargetState::Paused => State::Paused,
            TargetState::Stopped => State::Stopped,
        };
        if self.status.connector(name).map(|s| s.state) != Some(State::Failed) {
            self.connector_status(name, state, None);
        }
    }

    /// Stops a connector (not its tasks).
    pub async fn stop_connector(&self, name: &str) {
        let instance = self.connectors.lock().await.remove(name);
        if let Some(instance) = instance {
            let mut instance = instance.lock().await;
            if let Err(e) = guarded(instance.as_connector_mut().stop()).await {
                tracing::warn!(connector = name, error = %e, "connector stop failed");
            }
            tracing::info!(connector = name, "connector stopped");
        }
    }

    pub async fn is_connector_running(&self, name: &str) -> bool {
        self.connectors.lock().await.contains_key(name)
    }

    fn converter(
        &self,
        connector_props: &Props,
        key: &str,
        is_key: bool,
    ) -> Result<(Box<dyn Converter>, String), ConnectError> {
        let (class, props) = match connector_props.get(key) {
            Some(class) => (class.clone(), prefixed(connector_props, key)),
            None => (
                if is_key {
                    self.config.key_converter()
                } else {
                    self.config.value_converter()
                }
                .to_string(),
                self.config.converter_props(key),
            ),
        };
        let mut converter = self
            .plugins
            .new_converter(&class)
            .map_err(|e| ConnectError::other(e.to_string()))?;
        converter.configure(&props, is_key)?;
        Ok((converter, class))
    }

    fn header_converter(
        &self,
        connector_props: &Props,
    ) -> Result<(Box<dyn HeaderConverter>, String), ConnectError> {
        let (class, props) = match connector_props.get(cc::HEADER_CONVERTER) {
            Some(class) => (
                class.clone(),
                prefixed(connector_props, cc::HEADER_CONVERTER),
            ),
            None => (
                self.config.header_converter().to_string(),
                self.config.converter_props(wc::HEADER_CONVERTER),
            ),
        };
        let mut converter = self
            .plugins
            .new_header_converter(&class)
            .map_err(|e| ConnectError::other(e.to_string()))?;
        converter.configure(&props)?;
        Ok((converter, class))
    }

    fn converters(&self, connector_props: &Props) -> Result<Converters, ConnectError> {
        let (key, key_class) = self.converter(connector_props, cc::KEY_CONVERTER, true)?;
        let (value, value_class) = self.converter(connector_props, cc::VALUE_CONVERTER, false)?;
        let (header, header_class) = self.header_converter(connector_props)?;
        Ok(Converters {
            key,
            key_class,
            value,
            value_class,
            header,
            header_class,
        })
    }

    fn topic_admin(&self) -> Option<Arc<TopicAdmin>> {
        self.topic_admin
            .get_or_init(|| {
                if !self.config.topic_creation_enable() {
                    return None;
                }
                match TopicAdmin::new(&self.config.bootstrap_servers(), &self.config.client_overrides("admin.")) {
                    Ok(admin) => Some(Arc::new(admin)),
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot create the admin client; topics will not be created");
                        None
                    }
                }
            })
            .clone()
    }

    /// Starts a task; a task that cannot be built is reported FAILED.
    pub async fn start_task(
        &self,
        id: ConnectorTaskId,
        connector_props: &Props,
        task_props: Props,
        target: TargetState,
    ) {
        let reporter = StatusReporter {
            id: id.clone(),
            worker_id: self.worker_id.clone(),
            store: Arc::clone(&self.status),
            metrics: crate::metrics::TaskMetricsHandle::new(Arc::clone(&self.metrics), id.clone()),
            track_topics: self.config.topic_tracking_enable(),
            permanent_failure: Arc::default(),
        };
        let permanent_failure = Arc::clone(&reporter.permanent_failure);
        let (handle, control) = task_control(target);
        // Placeholders are resolved only here, at the last moment, and never stored.
        let transformer = self.config.config_transformer();
        let connector_props = transformer.transform(connector_props);
        let task_props = transformer.transform(&task_props);
        let future =
            match self.build_task(&id, &connector_props, task_props, reporter.clone(), control) {
                Ok(future) => future,
                Err(failure) => {
                    reporter.failed(&failure);
                    if !permanent_failure.load(std::sync::atomic::Ordering::SeqCst) {
                        self.announce_failure(&id);
                    }
                    return;
                }
            };
        let status = Arc::clone(&self.status);
        let failures = self.failures.get().cloned();
        let task_id = id.clone();
        let join = tokio::spawn(async move {
            future.await;
            if status.task(&task_id).map(|s| s.state) == Some(State::Failed)
                && !permanent_failure.load(std::sync::atomic::Ordering::SeqCst)
                && let Some(listener) = failures
            {
                let _ = listener.send(task_id);
            }
        });
        self.tasks.lock().await.insert(
            id,
            RunningTask {
                control: handle,
                join,
            },
        );
    }

    fn build_task(
        &self,
        id: &ConnectorTaskId,
        connector_props: &Props,
        task_props: Props,
        status: StatusReporter,
        control: crate::task::TaskControl,
    ) -> Result<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>, TaskFailure> {
        let class = connector_props
            .get(cc::CONNECTOR_CLASS)
            .cloned()
            .unwrap_or_default();
        let instance = self
            .plugins
            .new_connector(&class)
            .map_err(|e| TaskFailure::runtime("cannot instantiate the connector's task", e))?;
        let converters = self
            .converters(connector_props)
            .map_err(|e| TaskFailure::runtime("cannot configure the task's converters", e))?;
        let bootstrap = self.config.bootstrap_servers();
        let client_id = format!(
            "connector-{}-{}",
            if instance.is_sink() {
                "consumer"
            } else {
                "producer"
            },
            id
        );
        match instance {
            ConnectorInstance::Source(connector) => {
                let def = cc::source_config_def();
                let config = ConnectorConfig::new(&def, connector_props)
                    .map_err(|e| TaskFailure::runtime("invalid connector config", e))?;
                let (producer, acks) = source_producer(
                    &bootstrap,
                    &client_id,
                    &self.config.client_overrides("producer."),
                    &prefixed(connector_props, "producer.override"),
                )
                .map_err(|e| TaskFailure::runtime("cannot create the task's producer", e))?;
                let transforms = crate::transforms::build_chain(&self.plugins, connector_props)
                    .map_err(|e| TaskFailure::runtime("invalid transformation config", e))?;
                let runner = SourceTaskRunner {
                    id: id.clone(),
                    task: connector.create_task(),
                    context: SourceTaskContext {
                        connector_name: id.connector.clone(),
                        task_id: id.task,
                        configs: task_props.clone(),
                        offset_storage_reader: Arc::new(ConnectorOffsetReader {
                            connector: id.connector.clone(),
                            store: Arc::clone(&self.offset_store),
                        }),
                    },
                    task_props,
                    converters,
                    transforms,
                    errors: crate::errors::ErrorHandling::from_props(connector_props),
                    producer: Arc::new(producer),
                    acks,
                    topic_admin: self.topic_admin(),
                    topic_partitions: config.topic_creation_partitions(),
                    topic_replication: config.topic_creation_replication_factor(),
                    offset_store: Arc::clone(&self.offset_store),
                    flush_interval: self.config.offset_flush_interval(),
                    flush_timeout: self.config.offset_flush_timeout(),
                    status,
                    control,
                };
                Ok(Box::pin(runner.run()))
            }
            ConnectorInstance::Sink(connector) => {
                let def = cc::sink_config_def();
                let config = ConnectorConfig::new(&def, connector_props)
                    .map_err(|e| TaskFailure::runtime("invalid connector config", e))?;
                let mut consumer_overrides = self.config.client_overrides("consumer.");
                let connector_overrides = prefixed(connector_props, "consumer.override");
                let max_poll_records = connector_overrides
                    .get("max.poll.records")
                    .or(consumer_overrides.get("max.poll.records"))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(500usize)
                    .max(1);
                consumer_overrides.remove("max.poll.records");
                let (consumer, events) = sink_consumer(
                    &bootstrap,
                    &format!("connect-{}", id.connector),
                    &client_id,
                    &consumer_overrides,
                    &connector_overrides,
                )
                .map_err(|e| TaskFailure::runtime("cannot create the task's consumer", e))?;
                let transforms = crate::transforms::build_chain(&self.plugins, connector_props)
                    .map_err(|e| TaskFailure::runtime("invalid transformation config", e))?;
                let errors = crate::errors::ErrorHandling::from_props(connector_props);
                let dlq = match &errors.dlq_topic {
                    None => None,
                    Some(_) => {
                        let producer: crate::task::sink::DlqProducer = crate::kafka::client_config(
                            &bootstrap,
                            &[
                                &self.config.client_overrides("producer."),
                                &prefixed(connector_props, "producer.override"),
                            ],
                        )
                        .map_err(|e| {
                            TaskFailure::runtime("cannot create the dead letter queue producer", e)
                        })?
                        .set("client.id", format!("connector-dlq-producer-{id}"))
                        .create_with_context(crate::task::sink::DlqContext)
                        .map_err(|e| {
                            TaskFailure::runtime("cannot create the dead letter queue producer", e)
                        })?;
                        Some(Arc::new(producer))
                    }
                };
                let runner = SinkTaskRunner {
                    id: id.clone(),
                    task: connector.create_task(),
                    context: SinkTaskContext {
                        connector_name: id.connector.clone(),
                        task_id: id.task,
                        configs: task_props.clone(),
                    },
                    task_props,
                    converters,
                    transforms,
                    errors,
                    dlq,
                    topic_admin: self.topic_admin(),
                    consumer: Arc::new(consumer),
                    assignment_events: events,
                    topics: config.topics(),
                    topics_regex: config.topics_regex().map(str::to_string),
                    max_poll_records,
                    flush_interval: self.config.offset_flush_interval(),
                    status,
                    control,
                };
                Ok(Box::pin(runner.run()))
            }
        }
    }

    /// Pauses or resumes a running task.
    pub async fn set_task_target(&self, id: &ConnectorTaskId, target: TargetState) {
        if let Some(task) = self.tasks.lock().await.get(id) {
            let _ = task.control.target.send(target);
        }
    }

    /// The ids of the tasks running for `connector`.
    pub async fn task_ids(&self, connector: &str) -> Vec<ConnectorTaskId> {
        let mut ids: Vec<_> = self
            .tasks
            .lock()
            .await
            .keys()
            .filter(|id| id.connector == connector)
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// Stops tasks gracefully, all at once, waiting up to
    /// `task.shutdown.graceful.timeout.ms` in total; tasks still running then are aborted.
    pub async fn stop_tasks(&self, ids: &[ConnectorTaskId]) {
        let mut running = Vec::new();
        {
            let mut tasks = self.tasks.lock().await;
            for id in ids {
                if let Some(task) = tasks.remove(id) {
                    let _ = task.control.stop.send(true);
                    running.push((id.clone(), task.join));
                }
            }
        }
        let deadline = tokio::time::Instant::now() + self.config.task_shutdown_graceful_timeout();
        for (id, join) in running {
            let abort = join.abort_handle();
            match tokio::time::timeout_at(deadline, join).await {
                Ok(_) => {}
                Err(_) => {
                    tracing::warn!(
                        task = %id,
                        "graceful stop of task failed: it did not stop in time and was cancelled; \
                         records it had not committed (sent but not yet acknowledged by Kafka, \
                         or consumed but not yet committed) are not lost: the task processes \
                         them again from its last committed offset when it next starts, so \
                         some may arrive twice"
                    );
                    abort.abort();
                    self.status.put_task(
                        &id,
                        Status {
                            state: State::Unassigned,
                            trace: None,
                            worker_id: self.worker_id.clone(),
                        },
                    );
                }
            }
        }
    }

    /// Stops every connector and task (graceful worker shutdown).
    pub async fn stop_all(&self) {
        if let Some(watch) = self.cluster_watch.get() {
            watch.stop();
        }
        let ids: Vec<_> = self.tasks.lock().await.keys().cloned().collect();
        self.stop_tasks(&ids).await;
        let names: Vec<_> = self.connectors.lock().await.keys().cloned().collect();
        for name in names {
            self.stop_connector(&name).await;
        }
    }
}

/// How long a sink connector's offsets request may take at the broker.
const SINK_OFFSETS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A sink connector's consumer group and the client settings of its tasks' consumers.
struct SinkGroup {
    bootstrap: String,
    group_id: String,
    worker: BTreeMap<String, String>,
    connector: BTreeMap<String, String>,
}

impl Worker {
    fn sink_group(&self, name: &str, props: &Props) -> SinkGroup {
        let mut worker = self.config.client_overrides("consumer.");
        worker.remove("max.poll.records");
        let mut connector = prefixed(props, "consumer.override");
        connector.remove("max.poll.records");
        // The tasks' consumers take group.id from the connector's override, then the
        // worker's consumer settings, then `connect-<name>` (see `sink_consumer`).
        let group_id = connector
            .get("group.id")
            .or(worker.get("group.id"))
            .cloned()
            .unwrap_or_else(|| format!("connect-{name}"));
        SinkGroup {
            bootstrap: self.config.bootstrap_servers(),
            group_id,
            worker,
            connector,
        }
    }

    /// Runs `op` on a blocking thread with a client of a sink connector's consumer group;
    /// `what` names the operation in errors.
    async fn with_sink_group<T: Send + 'static>(
        &self,
        name: &str,
        props: &Props,
        what: &'static str,
        op: impl FnOnce(&crate::kafka::SinkGroupOffsets) -> Result<T, rdkafka::error::KafkaError>
        + Send
        + 'static,
    ) -> Result<T, ConnectError> {
        let group = self.sink_group(name, props);
        tokio::task::spawn_blocking(move || {
            let client = crate::kafka::SinkGroupOffsets::new(
                &group.bootstrap,
                &group.group_id,
                &[&group.worker, &group.connector],
                SINK_OFFSETS_TIMEOUT,
            )
            .map_err(|e| ConnectError::other_with("cannot create a consumer for the group", e))?;
            op(&client).map_err(|e| {
                let unknown_member = e.rdkafka_error_code()
                    == Some(rdkafka::error::RDKafkaErrorCode::UnknownMemberId);
                if unknown_member {
                    // A commit from outside the group is refused while the group has
                    // members; librdkafka's mock cluster (the quickstart's broker) refuses
                    // it for every group that ever had one.
                    return ConnectError::other(format!(
                        "failed to {what} of consumer group {}: the group coordinator \
                         answered UNKNOWN_MEMBER_ID, so the group still has members (a \
                         consumer outside this worker using the same group.id?); on the \
                         quickstart's embedded broker (librdkafka's mock cluster) sink \
                         offsets cannot be altered",
                        group.group_id
                    ));
                }
                ConnectError::other_with(
                    format!("failed to {what} of consumer group {}", group.group_id),
                    e,
                )
            })
        })
        .await
        .map_err(|e| ConnectError::other_with("offsets request interrupted", e))?
    }

    /// The committed offsets of a sink connector's consumer group on its topics, as
    /// `(topic, partition, offset)`.
    pub async fn sink_connector_offsets(
        &self,
        name: &str,
        props: &Props,
    ) -> Result<Vec<(String, i32, i64)>, ConnectError> {
        let topics = sink_topics(props)?;
        self.with_sink_group(name, props, "read the offsets", move |client| {
            client.committed(&topics)
        })
        .await
    }

    /// Commits `(topic, partition, offset)` for a sink connector's consumer group.
    pub async fn alter_sink_connector_offsets(
        &self,
        name: &str,
        props: &Props,
        offsets: Vec<(String, i32, i64)>,
    ) -> Result<(), ConnectError> {
        self.with_sink_group(name, props, "alter the offsets", move |client| {
            client.commit(&offsets)
        })
        .await
    }

    /// Deletes a sink connector's consumer group, as Kafka Connect resets sink offsets:
    /// its tasks then start from `auto.offset.reset` (earliest).
    pub async fn reset_sink_connector_offsets(
        &self,
        name: &str,
        props: &Props,
    ) -> Result<(), ConnectError> {
        let group = self.sink_group(name, props);
        crate::kafka::delete_group(
            &group.bootstrap,
            &group.group_id,
            &[&group.worker, &group.connector],
            SINK_OFFSETS_TIMEOUT,
        )
        .await
        .map(|_| ())
        .map_err(|e| match e {
            rdkafka::error::KafkaError::AdminOp(
                rdkafka::error::RDKafkaErrorCode::UnsupportedVersion,
            ) => ConnectError::other(format!(
                "failed to delete consumer group {}: the Kafka cluster does not support \
                 deleting consumer groups (the DeleteGroups API of Kafka 1.1 and later; \
                 the quickstart's embedded broker, librdkafka's mock cluster, lacks it)",
                group.group_id
            )),
            e => ConnectError::other_with(
                format!("failed to delete consumer group {}", group.group_id),
                e,
            ),
        })
    }
}

/// A sink connector's `topics` or `topics.regex`, read as its tasks read them.
fn sink_topics(props: &Props) -> Result<crate::kafka::SinkTopics, ConnectError> {
    let config = ConnectorConfig::new(&cc::sink_config_def(), props)
        .map_err(|e| ConnectError::other_with("invalid connector config", e))?;
    match config.topics_regex() {
        Some(regex) => regex::Regex::new(&format!("^(?:{regex})$"))
            .map(crate::kafka::SinkTopics::Regex)
            .map_err(|e| {
                ConnectError::other(format!(
                    "Invalid value {regex} for configuration topics.regex: {e}"
                ))
            }),
        None => Ok(crate::kafka::SinkTopics::List(config.topics())),
    }
}

/// The key naming a task's class in its config, as Kafka's worker adds it.
pub const TASK_CLASS: &str = "task.class";

/// The task class of a connector class, by Kafka's naming convention:
/// `org.apache.kafka.connect.file.FileStreamSourceConnector` has the task
/// `org.apache.kafka.connect.file.FileStreamSourceTask`.
pub fn task_class_name(connector_class: &str) -> String {
    let base = connector_class
        .strip_suffix("Connector")
        .unwrap_or(connector_class);
    format!("{base}Task")
}

/// The keys of `props` under `prefix.`, with the prefix removed.
pub fn prefixed(props: &Props, prefix: &str) -> BTreeMap<String, String> {
    let prefix = format!("{prefix}.");
    props
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&prefix)
                .map(|rest| (rest.to_string(), v.clone()))
        })
        .collect()
}
