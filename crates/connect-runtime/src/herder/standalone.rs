//! The standalone herder (Kafka's `StandaloneHerder`): one worker, configs and target
//! states in this process, offsets in a local file.
//!
//! Every request runs under one lock, so requests are applied one at a time in arrival
//! order, as Kafka's standalone herder does. Unlike Kafka's, connector configs and target
//! states are written to a [`ConfigBackingStore`] (a file in `tributary standalone`), so
//! connectors created, changed, paused or stopped through REST are back after a restart.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Weak};

use async_trait::async_trait;
use connect_api::config::{
    ConfigDef, ConfigError, ConfigKey, ConfigType, ConfigValue, ConfigValueT, HIDDEN,
};
use connect_api::plugin::PluginType;
use connect_api::{ConnectError, ConnectorContext, Props};
use tokio::sync::{Mutex, mpsc};

use super::entities::*;
use super::restart::{RestartHistory, RestartPolicy};
use super::{Created, Herder, HerderError, HerderResult};
use crate::config::connector::{self as cc, ConnectorConfig};
use crate::storage::config::{ConfigBackingStore, ConnectorEntry};
use crate::storage::status::Status;
use crate::transforms::FixedRecommender;
use crate::worker::Worker;

struct ConnectorRecord {
    config: Props,
    target: TargetState,
    task_configs: Vec<Props>,
}

#[derive(Default)]
struct HerderState {
    connectors: BTreeMap<String, ConnectorRecord>,
}

/// Connects a running connector's requests back to the herder.
struct StandaloneConnectorContext {
    name: String,
    requests: mpsc::UnboundedSender<String>,
    herder: Weak<StandaloneHerder>,
}

impl ConnectorContext for StandaloneConnectorContext {
    fn request_task_reconfiguration(&self) {
        let _ = self.requests.send(self.name.clone());
    }

    fn raise_error(&self, error: ConnectError) {
        if let Some(herder) = self.herder.upgrade() {
            tracing::error!(connector = %self.name, error = %error, "connector raised an error");
            herder.worker.status_store().put_connector(
                &self.name,
                Status {
                    state: State::Failed,
                    trace: Some(format!(
                        "{}: {}",
                        error.exception_class_name(),
                        error.trace()
                    )),
                    worker_id: herder.worker.worker_id().to_string(),
                },
            );
        }
    }
}

/// Kafka Connect's standalone herder.
pub struct StandaloneHerder {
    worker: Arc<Worker>,
    config_store: Arc<dyn ConfigBackingStore>,
    state: Mutex<HerderState>,
    reconfigure_requests: mpsc::UnboundedSender<String>,
    self_ref: Weak<StandaloneHerder>,
    kafka_cluster_id: Option<String>,
    ready: std::sync::atomic::AtomicBool,
    restart_history: std::sync::Mutex<BTreeMap<ConnectorTaskId, RestartHistory>>,
}

impl StandaloneHerder {
    /// Creates the herder and starts the connectors already in the config store.
    pub async fn start(
        worker: Arc<Worker>,
        config_store: Arc<dyn ConfigBackingStore>,
        kafka_cluster_id: Option<String>,
    ) -> Arc<Self> {
        let (sender, mut receiver) = mpsc::unbounded_channel::<String>();
        let herder = Arc::new_cyclic(|self_ref| StandaloneHerder {
            worker,
            config_store,
            state: Mutex::new(HerderState::default()),
            reconfigure_requests: sender,
            self_ref: self_ref.clone(),
            kafka_cluster_id,
            ready: std::sync::atomic::AtomicBool::new(false),
            restart_history: std::sync::Mutex::new(BTreeMap::new()),
        });
        let weak = Arc::downgrade(&herder);
        tokio::spawn(async move {
            while let Some(name) = receiver.recv().await {
                let Some(herder) = weak.upgrade() else { break };
                herder.reconfigure(&name).await;
            }
        });
        let (failures, mut failed) = mpsc::unbounded_channel::<ConnectorTaskId>();
        herder.worker.on_task_failure(failures);
        let weak = Arc::downgrade(&herder);
        tokio::spawn(async move {
            while let Some(id) = failed.recv().await {
                let Some(herder) = weak.upgrade() else { break };
                herder.schedule_restart(id).await;
            }
        });
        let stored = herder.config_store.snapshot();
        for (name, entry) in stored {
            let mut state = herder.state.lock().await;
            state.connectors.insert(
                name.clone(),
                ConnectorRecord {
                    config: entry.config,
                    target: entry.target_state,
                    task_configs: Vec::new(),
                },
            );
            herder.start_connector_and_tasks(&mut state, &name).await;
        }
        herder
    }

    /// A new config or a deleted connector starts its restart history anew.
    fn forget_restarts(&self, connector: &str) {
        self.restart_history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|id, _| id.connector != connector);
    }

    /// Plans the automatic restart of a task that just failed (see [`super::restart`]).
    async fn schedule_restart(&self, id: ConnectorTaskId) {
        let policy = {
            let state = self.state.lock().await;
            let Some(record) = state.connectors.get(&id.connector) else {
                return;
            };
            RestartPolicy::resolve(&record.config, self.worker.config().originals())
        };
        if !policy.enabled {
            return;
        }
        let trace = self.worker.status_store().task(&id).and_then(|s| s.trace);
        let attempt = {
            let mut history = self
                .restart_history
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let entry = history.entry(id.clone()).or_default();
            let now = tokio::time::Instant::now();
            if entry
                .last_failed_at
                .is_some_and(|at| policy.is_stable_after(now.duration_since(at)))
            {
                entry.consecutive = 0;
            }
            entry.consecutive += 1;
            entry.last_failed_at = Some(now);
            entry.last_failure = trace;
            entry.consecutive
        };
        if policy.max_attempts.is_some_and(|max| attempt > max) {
            tracing::error!(task = %id, attempts = attempt - 1, "task keeps failing; giving up on automatic restarts");
            return;
        }
        let delay = policy.delay(attempt);
        tracing::warn!(task = %id, attempt, delay_ms = delay.as_millis() as u64, "task failed; restarting it after a backoff");
        let weak = self.self_ref.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(herder) = weak.upgrade() {
                herder.auto_restart(&id).await;
            }
        });
    }

    /// Restarts a task that is still FAILED (not deleted, stopped or restarted meanwhile).
    async fn auto_restart(&self, id: &ConnectorTaskId) {
        let state = self.state.lock().await;
        let Some(record) = state.connectors.get(&id.connector) else {
            return;
        };
        let Some(task_props) = record.task_configs.get(id.task as usize) else {
            return;
        };
        if record.target == TargetState::Stopped
            || self.worker.status_store().task(id).map(|s| s.state) != Some(State::Failed)
        {
            return;
        }
        if let Some(entry) = self
            .restart_history
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(id)
        {
            entry.restarts += 1;
        }
        tracing::info!(task = %id, "restarting failed task");
        self.worker.stop_tasks(std::slice::from_ref(id)).await;
        self.worker
            .start_task(
                id.clone(),
                &record.config,
                task_props.clone(),
                record.target,
            )
            .await;
    }

    /// Applies a connector config given on the command line: creates or replaces the
    /// connector unless the stored config (from `config.storage.file.filename`) is the same,
    /// in which case the running connector is left alone: a restart of the worker does not
    /// restart its connectors twice, rewrite the file, or fail on a full disk. Answers whether
    /// anything changed.
    pub async fn apply_command_line_config(
        &self,
        name: &str,
        mut config: Props,
    ) -> HerderResult<bool> {
        config.insert(cc::NAME.to_string(), name.to_string());
        let unchanged = self
            .state
            .lock()
            .await
            .connectors
            .get(name)
            .is_some_and(|record| record.config == config);
        if unchanged {
            return Ok(false);
        }
        self.put_connector_config(name, config, true, None).await?;
        Ok(true)
    }

    /// Marks start-up done: `/health` answers healthy from now on (503 "starting" before).
    pub fn mark_ready(&self) {
        self.ready.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn worker(&self) -> &Arc<Worker> {
        &self.worker
    }

    /// Stops every connector and task gracefully (offsets flushed).
    pub async fn shutdown(&self) {
        let _state = self.state.lock().await;
        self.worker.stop_all().await;
    }

    fn context(&self, name: &str) -> Arc<dyn ConnectorContext> {
        Arc::new(StandaloneConnectorContext {
            name: name.to_string(),
            requests: self.reconfigure_requests.clone(),
            herder: self.self_ref.clone(),
        })
    }

    /// A connector asked for its tasks to be reconfigured.
    async fn reconfigure(&self, name: &str) {
        let mut state = self.state.lock().await;
        self.update_tasks(&mut state, name).await;
    }

    /// Asks a RUNNING connector for its task configs and restarts its tasks if they changed
    /// (Kafka's `updateConnectorTasks`: a paused or stopped connector is not asked).
    async fn update_tasks(&self, state: &mut HerderState, name: &str) {
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        if record.target != TargetState::Running {
            return;
        }
        let max_tasks = ConnectorConfig::new(&cc::common_config_def(), &record.config)
            .map(|c| c.tasks_max())
            .unwrap_or(1);
        let raw = record.config.clone();
        let Ok(new_configs) = self
            .worker
            .connector_task_configs(name, &raw, max_tasks)
            .await
        else {
            return;
        };
        if new_configs != record.task_configs {
            self.stop_tasks(state, name).await;
            if let Some(record) = state.connectors.get_mut(name) {
                record.task_configs = new_configs;
            }
            self.start_tasks(state, name).await;
        }
    }

    /// Starts a connector and its tasks. As in Kafka's standalone herder, a connector that
    /// starts PAUSED without tasks gets them only once it is resumed; one paused with
    /// tasks (a restart) keeps them, paused.
    async fn start_connector_and_tasks(&self, state: &mut HerderState, name: &str) {
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        let config = record.config.clone();
        let target = record.target;
        if self
            .worker
            .start_connector(name, &config, self.context(name), target)
            .await
            .is_err()
            || target == TargetState::Stopped
        {
            if let Some(record) = state.connectors.get_mut(name) {
                record.task_configs.clear();
            }
            return;
        }
        if target == TargetState::Paused {
            self.start_tasks(state, name).await;
            return;
        }
        self.generate_and_start_tasks(state, name).await;
    }

    /// Asks the running connector for its task configs and starts those tasks.
    async fn generate_and_start_tasks(&self, state: &mut HerderState, name: &str) {
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        let config = record.config.clone();
        let max_tasks = ConnectorConfig::new(&cc::common_config_def(), &config)
            .map(|c| c.tasks_max())
            .unwrap_or(1);
        let task_configs = self
            .worker
            .connector_task_configs(name, &config, max_tasks)
            .await
            .unwrap_or_default();
        if let Some(record) = state.connectors.get_mut(name) {
            record.task_configs = task_configs;
        }
        self.start_tasks(state, name).await;
    }

    async fn start_tasks(&self, state: &HerderState, name: &str) {
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        for (index, task_props) in record.task_configs.iter().enumerate() {
            let id = ConnectorTaskId::new(name, index as u32);
            self.worker
                .start_task(id, &record.config, task_props.clone(), record.target)
                .await;
        }
    }

    async fn stop_tasks(&self, _state: &HerderState, name: &str) {
        let ids = self.worker.task_ids(name).await;
        self.worker.stop_tasks(&ids).await;
    }

    async fn stop_connector_and_tasks(&self, state: &HerderState, name: &str) {
        self.stop_tasks(state, name).await;
        self.worker.stop_connector(name).await;
    }

    async fn persist(&self, name: &str, record: &ConnectorRecord) -> HerderResult<()> {
        self.config_store
            .put(
                name,
                ConnectorEntry {
                    config: record.config.clone(),
                    target_state: record.target,
                },
            )
            .await
            .map_err(|e| {
                HerderError::internal_with("failed to store the connector configuration", e)
            })
    }

    fn connector_type(&self, config: &Props) -> ConnectorType {
        match self.worker.is_sink(config) {
            Some(true) => ConnectorType::Sink,
            Some(false) => ConnectorType::Source,
            None => ConnectorType::Unknown,
        }
    }

    /// The PASSWORD-typed keys of a connector config (its plugin's and the common ones),
    /// and its Kafka client overrides that hold secrets (`producer.override.sasl.jaas.config`,
    /// `consumer.override.ssl.keystore.password`, ...).
    fn password_keys(&self, config: &Props) -> BTreeSet<String> {
        let mut keys: BTreeSet<String> = config
            .keys()
            .filter(|key| {
                [
                    "producer.override.",
                    "consumer.override.",
                    "admin.override.",
                ]
                .iter()
                .any(|prefix| key.starts_with(prefix))
                    && crate::client_configs::is_secret_key(key)
            })
            .cloned()
            .collect();
        let Some(class) = config.get(cc::CONNECTOR_CLASS) else {
            return keys;
        };
        let Ok(instance) = self.worker.plugins().new_connector(class) else {
            return keys;
        };
        let common = if instance.is_sink() {
            cc::sink_config_def()
        } else {
            cc::source_config_def()
        };
        keys.extend(
            common
                .merge(&instance.as_connector().config_def())
                .keys()
                .filter(|k| k.config_type == ConfigType::Password)
                .map(|k| k.name.clone()),
        );
        keys
    }

    /// A config as REST shows it: PASSWORD values are `[hidden]` (Kafka shows them in
    /// clear; a `[hidden]` sent back in a PUT keeps the stored secret). Placeholders of
    /// config providers are shown as they are: they are not secrets.
    fn redact(&self, config: &Props, password_keys: &BTreeSet<String>) -> Props {
        config
            .iter()
            .map(|(key, value)| {
                let hide = password_keys.contains(key)
                    && !crate::config::ConfigTransformer::has_placeholder(value);
                let shown = if hide {
                    HIDDEN.to_string()
                } else {
                    value.clone()
                };
                (key.clone(), shown)
            })
            .collect()
    }

    fn info(&self, name: &str, record: &ConnectorRecord) -> ConnectorInfo {
        let password_keys = self.password_keys(&record.config);
        ConnectorInfo {
            name: name.to_string(),
            config: self.redact(&record.config, &password_keys),
            tasks: (0..record.task_configs.len())
                .map(|i| ConnectorTaskId::new(name, i as u32))
                .collect(),
            connector_type: self.connector_type(&record.config),
        }
    }

    /// The version of a connector config's plugin, as the status shows it.
    fn plugin_version(&self, config: &Props) -> Option<String> {
        let class = config.get(cc::CONNECTOR_CLASS)?;
        let desc = self.worker.plugins().connector(class).ok()?;
        Some(desc.version.clone())
    }

    fn status_of(&self, name: &str, record: &ConnectorRecord) -> ConnectorStateInfo {
        let store = self.worker.status_store();
        let worker_id = self.worker.worker_id().to_string();
        let version = self.plugin_version(&record.config);
        let connector = store.connector(name).unwrap_or(Status {
            state: State::Unassigned,
            trace: None,
            worker_id: worker_id.clone(),
        });
        let tasks = (0..record.task_configs.len())
            .map(|i| {
                let id = ConnectorTaskId::new(name, i as u32);
                let status = store.task(&id).unwrap_or(Status {
                    state: State::Unassigned,
                    trace: None,
                    worker_id: worker_id.clone(),
                });
                let history = self
                    .restart_history
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .cloned()
                    .unwrap_or_default();
                TaskState {
                    id: i as u32,
                    state: status.state,
                    worker_id: status.worker_id,
                    version: version.clone(),
                    trace: status.trace,
                    restarts: (history.restarts > 0).then_some(history.restarts),
                    last_failure: if history.restarts > 0 {
                        history.last_failure
                    } else {
                        None
                    },
                }
            })
            .collect();
        ConnectorStateInfo {
            name: name.to_string(),
            connector: ConnectorState {
                state: connector.state,
                worker_id: connector.worker_id,
                version,
                trace: connector.trace,
            },
            tasks,
            connector_type: self.connector_type(&record.config),
        }
    }

    /// A `[hidden]` value for a PASSWORD key means "keep the stored secret": it is what
    /// GET answered, sent back by a client that edits and re-submits the config.
    async fn restore_hidden_secrets(&self, name: &str, config: &mut Props) -> HerderResult<()> {
        let password_keys = self.password_keys(config);
        let hidden: Vec<String> = config
            .iter()
            .filter(|(k, v)| password_keys.contains(*k) && v.as_str() == HIDDEN)
            .map(|(k, _)| k.clone())
            .collect();
        if hidden.is_empty() {
            return Ok(());
        }
        let state = self.state.lock().await;
        let stored = state.connectors.get(name).map(|r| &r.config);
        for key in hidden {
            match stored.and_then(|c| c.get(&key)) {
                Some(secret) => {
                    config.insert(key, secret.clone());
                }
                None => {
                    return Err(HerderError::BadRequest(format!(
                        "the value of {key} is {HIDDEN}, which is how GET shows a secret, and connector {name} has no stored secret to keep: send the secret itself, or a config provider placeholder such as ${{file:/etc/secrets/{name}.properties:{key}}} (with config.providers=file in the worker config) so that it never appears in the config"
                    )));
                }
            }
        }
        Ok(())
    }

    fn require_stopped(&self, name: &str, record: &ConnectorRecord) -> HerderResult<()> {
        if record.target != TargetState::Stopped {
            return Err(HerderError::BadRequest(format!(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )));
        }
        Ok(())
    }

    async fn set_target(&self, name: &str, target: TargetState) -> HerderResult<()> {
        let mut state = self.state.lock().await;
        let Some(record) = state.connectors.get_mut(name) else {
            // Kafka's words differ: pause and resume say "Unknown connector".
            return Err(match target {
                TargetState::Stopped => HerderError::connector_not_found(name),
                _ => HerderError::NotFound(format!("Unknown connector {name}")),
            });
        };
        let previous = record.target;
        record.target = target;
        let snapshot = ConnectorRecord {
            config: record.config.clone(),
            target,
            task_configs: record.task_configs.clone(),
        };
        self.persist(name, &snapshot).await?;
        match (previous, target) {
            (TargetState::Stopped, TargetState::Stopped) => {}
            (_, TargetState::Stopped) => {
                self.stop_connector_and_tasks(&state, name).await;
                if let Some(record) = state.connectors.get_mut(name) {
                    record.task_configs.clear();
                }
                self.worker.set_connector_state(name, TargetState::Stopped);
            }
            (TargetState::Stopped, _) => {
                self.start_connector_and_tasks(&mut state, name).await;
            }
            (_, target) => {
                self.worker.set_connector_state(name, target);
                for id in self.worker.task_ids(name).await {
                    self.worker.set_task_target(&id, target).await;
                }
                // Resumed, the connector is asked for its tasks again, as in Kafka: one that
                // started PAUSED gets them now.
                if target == TargetState::Running && self.worker.is_connector_running(name).await {
                    self.update_tasks(&mut state, name).await;
                }
            }
        }
        Ok(())
    }

    async fn restart_connector_only(&self, state: &mut HerderState, name: &str) {
        let ids = self.worker.task_ids(name).await;
        let _ = ids;
        self.worker.stop_connector(name).await;
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        let config = record.config.clone();
        let target = record.target;
        let _ = self
            .worker
            .start_connector(name, &config, self.context(name), target)
            .await;
    }

    async fn restart_tasks(&self, state: &HerderState, name: &str, only_failed: bool) {
        let Some(record) = state.connectors.get(name) else {
            return;
        };
        let store = self.worker.status_store();
        for (index, task_props) in record.task_configs.iter().enumerate() {
            let id = ConnectorTaskId::new(name, index as u32);
            if only_failed && store.task(&id).map(|s| s.state) != Some(State::Failed) {
                continue;
            }
            self.worker.stop_tasks(std::slice::from_ref(&id)).await;
            self.worker
                .start_task(id, &record.config, task_props.clone(), record.target)
                .await;
        }
    }

    /// Validation shared by the validate endpoint and create/update.
    /// Validates `raw`: checks run on the config with provider placeholders resolved,
    /// while answers show the placeholders, never what they resolve to.
    fn validate(&self, raw: &Props) -> HerderResult<ConfigInfos> {
        if raw
            .get(cc::CONNECTOR_CLASS)
            .is_none_or(|class| class.trim().is_empty())
        {
            // Kafka's words, with the config as Java prints a map.
            return Err(HerderError::BadRequest(format!(
                "Connector config {} contains no connector type",
                java_map(raw)
            )));
        }
        let resolved = self.worker.config().config_transformer().transform(raw);
        let mut infos = self.validate_resolved(&resolved)?;
        for info in &mut infos.configs {
            if let Some(raw_value) = raw.get(&info.value.name)
                && crate::config::ConfigTransformer::has_placeholder(raw_value)
            {
                info.value.value = Some(raw_value.clone());
            }
        }
        Ok(infos)
    }

    /// The common keys of a source or sink connector of `version`, as Kafka's
    /// `ConnectorConfig.enrich` shows them: `connector.plugin.version` defaults to the
    /// plugin's version, and the converter keys recommend every converter. When validating
    /// `config`, the converter keys default to the worker's converters, and each
    /// `*.converter.plugin.version` to the version of the converter in use (none when that
    /// converter is unknown).
    fn connector_common_def(
        &self,
        is_sink: bool,
        version: &str,
        config: Option<&Props>,
    ) -> ConfigDef {
        let plugins = self.worker.plugins();
        let mut def = if is_sink {
            cc::sink_config_def()
        } else {
            cc::source_config_def()
        };
        let mut set = |name: &str, change: &dyn Fn(ConfigKey) -> ConfigKey| {
            if let Some(key) = def.key(name).cloned() {
                def = std::mem::take(&mut def).define(change(key));
            }
        };
        let version = version.to_string();
        set(cc::CONNECTOR_VERSION, &|key| {
            key.default_value(version.clone())
                .recommender(FixedRecommender(vec![version.clone()]))
        });
        let worker = self.worker.config();
        for (class_key, version_key, worker_class, header) in [
            (
                cc::KEY_CONVERTER,
                cc::KEY_CONVERTER_VERSION,
                worker.key_converter().to_string(),
                false,
            ),
            (
                cc::VALUE_CONVERTER,
                cc::VALUE_CONVERTER_VERSION,
                worker.value_converter().to_string(),
                false,
            ),
            (
                cc::HEADER_CONVERTER,
                cc::HEADER_CONVERTER_VERSION,
                worker.header_converter().to_string(),
                true,
            ),
        ] {
            let plugin_type = if header {
                PluginType::HeaderConverter
            } else {
                PluginType::Converter
            };
            let classes = plugins.class_names(plugin_type);
            set(class_key, &|key| {
                let key = key.recommender(FixedRecommender(classes.clone()));
                match config {
                    Some(_) => key.default_value(worker_class.clone()),
                    None => key,
                }
            });
            let Some(config) = config else { continue };
            let in_use = config.get(class_key).unwrap_or(&worker_class);
            let desc = if header {
                plugins.header_converter_desc(in_use)
            } else {
                plugins.converter_desc(in_use)
            };
            if let Some(desc) = desc {
                let converter_version = desc.version.clone();
                set(version_key, &|key| {
                    key.default_value(converter_version.clone())
                        .recommender(FixedRecommender(vec![converter_version.clone()]))
                });
            }
        }
        def
    }

    fn validate_resolved(&self, config: &Props) -> HerderResult<ConfigInfos> {
        let given_class = config.get(cc::CONNECTOR_CLASS).cloned().unwrap_or_default();
        let class = given_class.trim().to_string();
        let plugins = self.worker.plugins();
        let desc = plugins
            .connector(&class)
            .map_err(|e| HerderError::BadRequest(e.to_string()))?;
        let instance = plugins
            .new_connector(&class)
            .map_err(|e| HerderError::BadRequest(e.to_string()))?;
        let is_sink = desc.plugin_type() == PluginType::Sink;
        let common_def = self.connector_common_def(is_sink, &desc.version, Some(config));
        let mut common_values = common_def.validate(config);
        if is_sink {
            for (key, message) in cc::validate_sink_topics(config) {
                if let Some(value) = common_values.iter_mut().find(|v| v.name == key) {
                    value.errors.push(message);
                }
            }
        }
        for (key, is_header) in [
            (cc::KEY_CONVERTER, false),
            (cc::VALUE_CONVERTER, false),
            (cc::HEADER_CONVERTER, true),
        ] {
            let Some(name) = config.get(key) else {
                continue;
            };
            let known = if is_header {
                plugins.header_converter_desc(name).is_some()
            } else {
                plugins.converter_desc(name).is_some()
            };
            if !known && let Some(value) = common_values.iter_mut().find(|v| v.name == key) {
                // A class that cannot be loaded, in the words of Kafka's CLASS parsing.
                let name = name.trim();
                value.errors.push(
                    ConfigError::invalid(key, name, format!("Class {name} could not be found."))
                        .to_string(),
                );
                value.value = ConfigValueT::Null;
            }
        }
        let connector_def = instance.as_connector().config_def();
        let connector_values = instance.as_connector().validate(config);
        let (chain_def, chain_values) = crate::transforms::validate_chain(plugins, config);
        // Kafka's order: the common keys, the transformations' and predicates' keys, then
        // the connector's own.
        let mut configs = Vec::new();
        let mut groups = common_def.groups();
        for group in chain_def.groups().into_iter().chain(connector_def.groups()) {
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
        for value in &common_values {
            if let Some(key) = common_def.key(&value.name) {
                configs.push(config_info(key, value));
            }
        }
        for value in &chain_values {
            if let Some(key) = chain_def.key(&value.name) {
                configs.push(config_info(key, value));
            }
        }
        for value in &connector_values {
            if common_def.key(&value.name).is_some() {
                continue;
            }
            let key = connector_def
                .key(&value.name)
                .cloned()
                .unwrap_or_else(|| ConfigKey::new(value.name.clone(), ConfigType::String));
            configs.push(config_info(&key, value));
        }
        configs.extend(self.client_override_errors(config, is_sink));
        let error_count = configs.iter().map(|c| c.value.errors.len()).sum();
        Ok(ConfigInfos {
            // The class as the config names it, as Kafka answers.
            name: given_class,
            error_count,
            groups,
            configs,
        })
    }

    /// The connector's Kafka client overrides (`producer.override.*`, `consumer.override.*`,
    /// `admin.override.*`) that Tributary's client cannot honour, over the worker's own
    /// client settings: one entry naming the connector's key each, its value hidden when
    /// it is a secret.
    fn client_override_errors(&self, config: &Props, is_sink: bool) -> Vec<ConfigInfo> {
        let worker = self.worker.config();
        let clients: &[(&str, &str)] = if is_sink {
            &[
                ("consumer.override", "consumer."),
                ("producer.override", "producer."),
                ("admin.override", "admin."),
            ]
        } else {
            &[
                ("producer.override", "producer."),
                ("admin.override", "admin."),
            ]
        };
        let mut errors = Vec::new();
        for (override_prefix, worker_prefix) in clients {
            let overrides = crate::worker::prefixed(config, override_prefix);
            if overrides.is_empty() {
                continue;
            }
            let base = worker.client_overrides(worker_prefix);
            let checked = crate::client_configs::to_librdkafka(&[&base, &overrides])
                .and_then(|settings| crate::client_configs::check(&settings));
            let Err(error) = checked else { continue };
            if !overrides.contains_key(&error.key) {
                continue;
            }
            let name = format!("{override_prefix}.{}", error.key);
            let secret = crate::client_configs::is_secret_key(&error.key);
            let key = ConfigKey::new(
                name.clone(),
                if secret {
                    ConfigType::Password
                } else {
                    ConfigType::String
                },
            );
            let mut value = connect_api::config::ConfigValue::new(name.clone());
            value.value = match overrides.get(&error.key) {
                Some(_) if secret => ConfigValueT::String("[hidden]".into()),
                Some(given) => ConfigValueT::String(given.clone()),
                None => ConfigValueT::Null,
            };
            value
                .errors
                .push(error.to_string().replacen(&error.key, &name, 1));
            errors.push(config_info(&key, &value));
        }
        errors
    }

    /// `GET /connector-plugins/{p}/config`: a connector's own keys, then the common keys of
    /// its kind (Kafka 4's answer); another plugin's own keys.
    fn plugin_config_keys(&self, plugin: &str) -> Option<Vec<ConfigKeyInfo>> {
        let desc = self.worker.plugins().any(plugin)?;
        use connect_api::plugin::PluginFactory;
        let (def, common) = match &desc.factory {
            PluginFactory::Source(f) => (
                f().config_def(),
                Some(self.connector_common_def(false, &desc.version, None)),
            ),
            PluginFactory::Sink(f) => (
                f().config_def(),
                Some(self.connector_common_def(true, &desc.version, None)),
            ),
            PluginFactory::Converter(f) => (f().config_def(), None),
            PluginFactory::HeaderConverter(f) => (f().config_def(), None),
            PluginFactory::Transformation { source, .. } => (source().config_def(), None),
            PluginFactory::Predicate { source, .. } => (source().config_def(), None),
        };
        let mut keys: Vec<ConfigKeyInfo> = def.keys().map(config_key_info).collect();
        if let Some(common) = common {
            keys.extend(
                common
                    .keys()
                    .filter(|k| def.key(&k.name).is_none())
                    .map(config_key_info),
            );
        }
        Some(keys)
    }
}

/// A config as Java's `AbstractMap.toString` prints it: `{k1=v1, k2=v2}`.
fn java_map(config: &Props) -> String {
    let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", entries.join(", "))
}

/// The REST form of a key and its validated value; passwords are `[hidden]`.
pub fn config_info(key: &ConfigKey, value: &ConfigValue) -> ConfigInfo {
    ConfigInfo {
        definition: config_key_info(key),
        value: ConfigValueInfo {
            name: value.name.clone(),
            value: match (&value.value, key.config_type) {
                (ConfigValueT::Null, _) => None,
                (_, ConfigType::Password) => Some(connect_api::config::HIDDEN.to_string()),
                (v, _) => v.to_config_string(),
            },
            recommended_values: value
                .recommended_values
                .iter()
                .filter_map(ConfigValueT::to_config_string)
                .collect(),
            errors: value.errors.clone(),
            visible: value.visible,
        },
    }
}

pub fn config_key_info(key: &ConfigKey) -> ConfigKeyInfo {
    ConfigKeyInfo {
        name: key.name.clone(),
        config_type: key.config_type.name().to_string(),
        required: key.is_required(),
        default_value: key.default_string(),
        importance: key.importance.name().to_string(),
        documentation: key.documentation.clone(),
        group: key.group.clone(),
        order_in_group: key.order_in_group,
        width: key.width.name().to_string(),
        display_name: key.display_name.clone(),
        dependents: key.dependents.clone(),
    }
}

#[async_trait]
impl Herder for StandaloneHerder {
    fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            commit: super::build_commit().to_string(),
            kafka_cluster_id: self.kafka_cluster_id.clone(),
        }
    }

    async fn health(&self) -> WorkerStatus {
        // Taking the request lock proves the herder is not stuck: a herder that cannot get
        // it within the REST health timeout is reported unhealthy.
        let _state = self.state.lock().await;
        let problems = self.worker.problems();
        if !problems.is_empty() {
            WorkerStatus {
                status: "unhealthy".to_string(),
                message: problems.join("; "),
            }
        } else if self.ready.load(std::sync::atomic::Ordering::SeqCst) {
            WorkerStatus {
                status: "healthy".to_string(),
                message: "Worker has completed startup and is ready to handle requests."
                    .to_string(),
            }
        } else {
            WorkerStatus {
                status: "starting".to_string(),
                message: "Worker is still starting up.".to_string(),
            }
        }
    }

    async fn connectors(&self) -> Vec<String> {
        self.state.lock().await.connectors.keys().cloned().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        Ok(self.info(name, record))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<Props> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        Ok(self.redact(&record.config, &self.password_keys(&record.config)))
    }

    async fn put_connector_config(
        &self,
        name: &str,
        mut config: Props,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<Created<ConnectorInfo>> {
        if name.trim().is_empty() {
            return Err(HerderError::BadRequest(
                "Connector name is required".to_string(),
            ));
        }
        config.insert(cc::NAME.to_string(), name.to_string());
        self.restore_hidden_secrets(name, &mut config).await?;
        let infos = self.validate(&config)?;
        if infos.error_count > 0 {
            let errors = infos.error_messages();
            let message = format!(
                "Connector configuration is invalid and contains the following {} error(s):\n{}\nYou can also find the above list of errors at the endpoint `/connector-plugins/{{connectorType}}/config/validate`",
                errors.len(),
                errors.join("\n")
            );
            return Err(HerderError::InvalidConfig {
                message,
                infos: Box::new(infos),
            });
        }
        let mut state = self.state.lock().await;
        let exists = state.connectors.contains_key(name);
        if exists && !allow_replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        let target = match state.connectors.get(name) {
            Some(existing) => existing.target,
            None => initial_state.unwrap_or(TargetState::Running),
        };
        let record = ConnectorRecord {
            config,
            target,
            task_configs: Vec::new(),
        };
        self.persist(name, &record).await?;
        if exists {
            self.stop_connector_and_tasks(&state, name).await;
            self.forget_restarts(name);
        }
        state.connectors.insert(name.to_string(), record);
        self.start_connector_and_tasks(&mut state, name).await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::internal("connector vanished while being created"))?;
        Ok(Created {
            created: !exists,
            value: self.info(name, record),
        })
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        let mut config = self.connector_config(name).await?;
        for (key, value) in patch {
            match value {
                Some(value) => {
                    config.insert(key, value);
                }
                None => {
                    config.remove(&key);
                }
            }
        }
        Ok(self
            .put_connector_config(name, config, true, None)
            .await?
            .value)
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        let mut state = self.state.lock().await;
        if !state.connectors.contains_key(name) {
            return Err(HerderError::connector_not_found(name));
        }
        self.stop_connector_and_tasks(&state, name).await;
        state.connectors.remove(name);
        self.worker.status_store().remove_connector(name);
        self.forget_restarts(name);
        self.config_store.remove(name).await.map_err(|e| {
            HerderError::internal_with("failed to remove the connector configuration", e)
        })
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        let state = self.state.lock().await;
        let record = state.connectors.get(name).ok_or_else(|| {
            HerderError::NotFound(format!("No status found for connector {name}"))
        })?;
        Ok(self.status_of(name, record))
    }

    async fn task_status(&self, id: &ConnectorTaskId) -> HerderResult<TaskState> {
        let not_found = || HerderError::NotFound(format!("No status found for task {id}"));
        let status = match self.connector_status(&id.connector).await {
            Ok(status) => status,
            Err(HerderError::NotFound(_)) => return Err(not_found()),
            Err(other) => return Err(other),
        };
        status
            .tasks
            .into_iter()
            .find(|t| t.id == id.task)
            .ok_or_else(not_found)
    }

    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        let password_keys = self.password_keys(&record.config);
        Ok(record
            .task_configs
            .iter()
            .enumerate()
            .map(|(i, config)| TaskInfo {
                id: ConnectorTaskId::new(name, i as u32),
                config: self.redact(config, &password_keys),
            })
            .collect())
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Paused).await
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Running).await
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.set_target(name, TargetState::Stopped).await
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        let mut state = self.state.lock().await;
        let Some(record) = state.connectors.get(name) else {
            return Err(if include_tasks || only_failed {
                HerderError::NotFound(format!("Unknown connector: {name}"))
            } else {
                HerderError::connector_not_found(name)
            });
        };
        // A STOPPED connector restarts STOPPED, without tasks, as in Kafka.
        let store = self.worker.status_store();
        let connector_failed = store.connector(name).map(|s| s.state) == Some(State::Failed);
        let restart_connector = !only_failed || connector_failed;
        if !include_tasks && !only_failed {
            self.restart_connector_only(&mut state, name).await;
            return Ok(None);
        }
        let mut status = self.status_of(name, record);
        if restart_connector {
            status.connector.state = State::Restarting;
        }
        if include_tasks {
            for task in &mut status.tasks {
                if !only_failed || task.state == State::Failed {
                    task.state = State::Restarting;
                }
            }
        }
        if restart_connector {
            if include_tasks && !only_failed {
                self.stop_connector_and_tasks(&state, name).await;
                self.start_connector_and_tasks(&mut state, name).await;
                return Ok(Some(status));
            }
            self.restart_connector_only(&mut state, name).await;
        }
        if include_tasks {
            self.restart_tasks(&state, name, only_failed).await;
        }
        Ok(Some(status))
    }

    async fn restart_task(&self, id: &ConnectorTaskId) -> HerderResult<()> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(&id.connector)
            .ok_or_else(|| HerderError::connector_not_found(&id.connector))?;
        let Some(task_props) = record.task_configs.get(id.task as usize) else {
            return Err(HerderError::NotFound(format!("Task {id} not found")));
        };
        self.worker.stop_tasks(std::slice::from_ref(id)).await;
        self.worker
            .start_task(
                id.clone(),
                &record.config,
                task_props.clone(),
                record.target,
            )
            .await;
        Ok(())
    }

    async fn validate_connector_config(&self, config: Props) -> HerderResult<ConfigInfos> {
        self.validate(&config)
    }

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let mut plugins: Vec<PluginInfo> = self
            .worker
            .plugins()
            .all()
            .iter()
            .filter(|p| {
                !connectors_only || matches!(p.plugin_type(), PluginType::Source | PluginType::Sink)
            })
            .map(|p| PluginInfo {
                class_name: p.class_name.clone(),
                plugin_type: p.plugin_type().name().to_string(),
                version: Some(p.version.clone()),
            })
            .collect();
        // Kafka's order: sinks, sources, transformations, predicates, converters, header
        // converters, each by class name.
        let rank = |plugin_type: &str| {
            [
                PluginType::Sink,
                PluginType::Source,
                PluginType::Transformation,
                PluginType::Predicate,
                PluginType::Converter,
                PluginType::HeaderConverter,
            ]
            .iter()
            .position(|t| t.name() == plugin_type)
        };
        plugins.sort_by(|a, b| {
            rank(&a.plugin_type)
                .cmp(&rank(&b.plugin_type))
                .then(a.class_name.cmp(&b.class_name))
        });
        plugins
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        self.plugin_config_keys(plugin)
            .ok_or_else(|| HerderError::NotFound(format!("Unknown plugin {plugin}.")))
    }

    /// The topics the connector's tasks have used since it was created or its topics were
    /// reset, as Kafka tracks them; an unknown connector has used none (Kafka answers so).
    async fn connector_active_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        if !self.worker.config().topic_tracking_enable() {
            return Err(HerderError::Forbidden(
                "Topic tracking is disabled.".to_string(),
            ));
        }
        Ok(self.worker.status_store().topics(name))
    }

    async fn reset_connector_active_topics(&self, name: &str) -> HerderResult<()> {
        let config = self.worker.config();
        if !config.topic_tracking_enable() {
            return Err(HerderError::Forbidden(
                "Topic tracking is disabled.".to_string(),
            ));
        }
        if !config.topic_tracking_allow_reset() {
            return Err(HerderError::Forbidden(
                "Topic tracking reset is disabled.".to_string(),
            ));
        }
        self.worker.status_store().delete_topics(name);
        Ok(())
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        if self.connector_type(&record.config) == ConnectorType::Sink {
            let config = record.config.clone();
            drop(state);
            let committed = self
                .worker
                .sink_connector_offsets(name, &config)
                .await
                .map_err(|e| HerderError::internal_with("failed to read offsets", e))?;
            return Ok(ConnectorOffsets {
                offsets: committed
                    .into_iter()
                    .map(|(topic, partition, offset)| ConnectorOffset {
                        partition: serde_json::Map::from_iter([
                            (SINK_TOPIC_KEY.to_string(), topic.into()),
                            (SINK_PARTITION_KEY.to_string(), partition.into()),
                        ]),
                        offset: Some(serde_json::Map::from_iter([(
                            SINK_OFFSET_KEY.to_string(),
                            offset.into(),
                        )])),
                    })
                    .collect(),
            });
        }
        let offsets = self
            .worker
            .offset_store()
            .connector_offsets(name)
            .await
            .map_err(|e| HerderError::internal_with("failed to read offsets", e))?;
        Ok(ConnectorOffsets {
            offsets: offsets
                .into_iter()
                .map(|(partition, offset)| ConnectorOffset {
                    partition,
                    offset: Some(offset),
                })
                .collect(),
        })
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<Message> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        self.require_stopped(name, record)?;
        if offsets.offsets.is_empty() {
            return Err(HerderError::BadRequest(
                "The offsets to be modified must not be null or empty".to_string(),
            ));
        }
        if self.connector_type(&record.config) == ConnectorType::Sink {
            let parsed = parse_sink_offsets(&offsets)?;
            let failed = || format!("Failed to modify offsets for sink connector {name}");
            if parsed.iter().any(|(_, _, offset)| *offset < 0) {
                return Err(HerderError::internal(failed()));
            }
            let config = record.config.clone();
            drop(state);
            self.worker
                .alter_sink_connector_offsets(name, &config, parsed)
                .await
                .map_err(|e| HerderError::internal_with(failed(), e))?;
            return Ok(Message {
                message: "The offsets for this connector have been altered successfully"
                    .to_string(),
            });
        }
        let pairs: Vec<_> = offsets
            .offsets
            .into_iter()
            .map(|o| (o.partition, o.offset))
            .collect();
        let class = record
            .config
            .get(cc::CONNECTOR_CLASS)
            .cloned()
            .unwrap_or_default();
        if let Ok(crate::plugins::ConnectorInstance::Source(connector)) =
            self.worker.plugins().new_connector(&class)
        {
            // Kafka answers 500 with the connector's own message.
            connector
                .alter_offsets(&record.config, &pairs)
                .map_err(|e| HerderError::internal_with(e.to_string(), e))?;
        }
        self.worker
            .offset_store()
            .set(name, pairs)
            .await
            .map_err(|e| HerderError::internal_with("failed to write offsets", e))?;
        Ok(Message {
            message: "The offsets for this connector have been altered successfully".to_string(),
        })
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message> {
        let state = self.state.lock().await;
        let record = state
            .connectors
            .get(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        self.require_stopped(name, record)?;
        if self.connector_type(&record.config) == ConnectorType::Sink {
            let config = record.config.clone();
            drop(state);
            self.worker
                .reset_sink_connector_offsets(name, &config)
                .await
                .map_err(|e| {
                    HerderError::internal_with(
                        format!("Failed to reset offsets for connector {name}"),
                        e,
                    )
                })?;
            return Ok(Message {
                message: "The offsets for this connector have been reset successfully".to_string(),
            });
        }
        let existing = self
            .worker
            .offset_store()
            .connector_offsets(name)
            .await
            .map_err(|e| HerderError::internal_with("failed to read offsets", e))?;
        self.worker
            .offset_store()
            .set(name, existing.into_iter().map(|(p, _)| (p, None)).collect())
            .await
            .map_err(|e| HerderError::internal_with("failed to write offsets", e))?;
        Ok(Message {
            message: "The offsets for this connector have been reset successfully".to_string(),
        })
    }
}

/// The keys of a sink connector's offsets (Kafka's `SinkUtils`).
const SINK_TOPIC_KEY: &str = "kafka_topic";
const SINK_PARTITION_KEY: &str = "kafka_partition";
const SINK_OFFSET_KEY: &str = "kafka_offset";

/// A JSON number or numeric string as an integer (Kafka accepts both `10` and `"10"`).
fn json_integer(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `PATCH /connectors/{c}/offsets` for a sink connector, as Kafka's
/// `SinkUtils.parseSinkConnectorOffsets` checks it: `(topic, partition, offset)`.
fn parse_sink_offsets(offsets: &ConnectorOffsets) -> HerderResult<Vec<(String, i32, i64)>> {
    let bad = |message: String| HerderError::BadRequest(message);
    let mut parsed = Vec::with_capacity(offsets.offsets.len());
    for entry in &offsets.offsets {
        let partition = &entry.partition;
        let (Some(topic), Some(number)) = (
            partition.get(SINK_TOPIC_KEY),
            partition.get(SINK_PARTITION_KEY),
        ) else {
            return Err(bad(format!(
                "The partition for a sink connector offset must contain the keys '{SINK_TOPIC_KEY}' and '{SINK_PARTITION_KEY}'"
            )));
        };
        let topic = match topic {
            serde_json::Value::String(topic) if !topic.is_empty() => topic.clone(),
            serde_json::Value::Null => {
                return Err(bad(
                    "Kafka topic names must be valid strings and may not be null".to_string(),
                ));
            }
            other => other.to_string().trim_matches('"').to_string(),
        };
        if number.is_null() {
            return Err(bad(
                "Kafka partitions must be valid numbers and may not be null".to_string(),
            ));
        }
        let partition = json_integer(number)
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                bad(format!(
                    "Failed to parse the following Kafka partition value in the provided offsets: '{}'. Partition values for sink connectors need to be integers.",
                    number.to_string().trim_matches('"')
                ))
            })?;
        let Some(offset) = &entry.offset else {
            return Err(bad(format!(
                "Resetting the offset of one partition ({topic}-{partition}) of a sink connector is not supported by this worker; DELETE /connectors/{{connector}}/offsets resets them all"
            )));
        };
        let Some(value) = offset.get(SINK_OFFSET_KEY) else {
            return Err(bad(format!(
                "The offset for a sink connector should either be null or contain the key '{SINK_OFFSET_KEY}'"
            )));
        };
        // A negative offset parses, as in Kafka, and fails when it is committed.
        let offset = json_integer(value).ok_or_else(|| {
            bad(format!(
                "Failed to parse the following Kafka offset value in the provided offsets: '{}'. Offset values for sink connectors need to be integers.",
                value.to_string().trim_matches('"')
            ))
        })?;
        parsed.push((topic, partition, offset));
    }
    Ok(parsed)
}
