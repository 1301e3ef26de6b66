//! Test support: an in-memory [`Herder`] double and helpers that drive the router with
//! `oneshot` requests (no socket).
//!
//! `FakeHerder` keeps connector configs in a `Mutex<BTreeMap>` and behaves like a tiny
//! standalone herder: `tasks.max` tasks per connector, target states, offsets that can only
//! change while STOPPED. A few magic names drive the error paths: a connector named
//! `explode` fails with a 500, `panic` panics, `slow` never answers in time. It records the
//! calls the REST layer makes, so tests can assert what reached the herder.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

use connect_api::{Props, async_trait};
use connect_rest::{RestOptions, RestState, TracingLoggerAdmin, app_with_options};
use connect_runtime::herder::entities::*;
use connect_runtime::herder::{Created, Herder, HerderError, HerderResult};

pub const WORKER_ID: &str = "fake-worker:8083";

#[derive(Clone, Debug)]
struct FakeConnector {
    config: Props,
    target: TargetState,
    offsets: Vec<ConnectorOffset>,
    topics: Vec<String>,
}

pub struct FakeHerder {
    connectors: Mutex<BTreeMap<String, FakeConnector>>,
    health: Mutex<WorkerStatus>,
    calls: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakeHerder {
    pub fn new() -> Self {
        FakeHerder {
            connectors: Mutex::new(BTreeMap::new()),
            health: Mutex::new(WorkerStatus {
                status: "healthy".to_owned(),
                message: "Worker has completed startup and is ready to handle requests.".to_owned(),
            }),
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn set_health(&self, status: &str, message: &str) {
        *lock(&self.health) = WorkerStatus {
            status: status.to_owned(),
            message: message.to_owned(),
        };
    }

    /// Adds a connector directly, bypassing validation.
    pub fn insert(&self, name: &str, class: &str, tasks: u32) {
        let config: Props = [
            ("connector.class", class.to_owned()),
            ("name", name.to_owned()),
            ("tasks.max", tasks.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        lock(&self.connectors).insert(
            name.to_owned(),
            FakeConnector {
                config,
                target: TargetState::Running,
                offsets: vec![],
                topics: vec![format!("{name}-topic")],
            },
        );
    }

    pub fn set_offsets(&self, name: &str, offsets: Vec<ConnectorOffset>) {
        if let Some(connector) = lock(&self.connectors).get_mut(name) {
            connector.offsets = offsets;
        }
    }

    pub fn config_of(&self, name: &str) -> Option<Props> {
        lock(&self.connectors).get(name).map(|c| c.config.clone())
    }

    pub fn target_of(&self, name: &str) -> Option<TargetState> {
        lock(&self.connectors).get(name).map(|c| c.target)
    }

    pub fn calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    fn record(&self, call: String) {
        lock(&self.calls).push(call);
    }

    fn get(&self, name: &str) -> HerderResult<FakeConnector> {
        lock(&self.connectors)
            .get(name)
            .cloned()
            .ok_or_else(|| HerderError::connector_not_found(name))
    }

    fn update(&self, name: &str, f: impl FnOnce(&mut FakeConnector)) -> HerderResult<()> {
        let mut connectors = lock(&self.connectors);
        let connector = connectors
            .get_mut(name)
            .ok_or_else(|| HerderError::connector_not_found(name))?;
        f(connector);
        Ok(())
    }

    fn task_count(config: &Props) -> u32 {
        config
            .get("tasks.max")
            .and_then(|t| t.parse().ok())
            .unwrap_or(1)
    }

    fn connector_type(config: &Props) -> ConnectorType {
        match config.get("connector.class") {
            Some(class) if class.contains("Source") => ConnectorType::Source,
            Some(class) if class.contains("Sink") => ConnectorType::Sink,
            _ => ConnectorType::Unknown,
        }
    }

    fn info(name: &str, connector: &FakeConnector) -> ConnectorInfo {
        ConnectorInfo {
            name: name.to_owned(),
            config: connector.config.clone(),
            tasks: (0..Self::task_count(&connector.config))
                .map(|task| ConnectorTaskId::new(name, task))
                .collect(),
            connector_type: Self::connector_type(&connector.config),
        }
    }

    fn state_of(target: TargetState) -> State {
        match target {
            TargetState::Running => State::Running,
            TargetState::Paused => State::Paused,
            TargetState::Stopped => State::Stopped,
        }
    }

    fn status(name: &str, connector: &FakeConnector) -> ConnectorStateInfo {
        let tasks = if connector.target == TargetState::Stopped {
            vec![]
        } else {
            (0..Self::task_count(&connector.config))
                .map(|id| TaskState {
                    id,
                    state: Self::state_of(connector.target),
                    worker_id: WORKER_ID.to_owned(),
                    version: Some("1.0".to_owned()),
                    trace: None,
                    restarts: None,
                    last_failure: None,
                })
                .collect()
        };
        ConnectorStateInfo {
            name: name.to_owned(),
            connector: ConnectorState {
                state: Self::state_of(connector.target),
                worker_id: WORKER_ID.to_owned(),
                version: Some("1.0".to_owned()),
                trace: None,
            },
            tasks,
            connector_type: Self::connector_type(&connector.config),
        }
    }

    fn key(name: &str) -> ConfigKeyInfo {
        ConfigKeyInfo {
            name: name.to_owned(),
            config_type: "STRING".to_owned(),
            required: true,
            default_value: None,
            importance: "HIGH".to_owned(),
            documentation: format!("the {name}"),
            group: Some("Common".to_owned()),
            order_in_group: 1,
            width: "MEDIUM".to_owned(),
            display_name: name.to_owned(),
            dependents: vec![],
        }
    }

    /// Validates like a ConfigDef with `connector.class` required and `tasks.max` an INT.
    fn validate(config: &Props) -> ConfigInfos {
        let mut configs = Vec::new();
        let mut error_count = 0;
        for key in ["connector.class", "tasks.max"] {
            let value = config.get(key).cloned();
            let mut errors = Vec::new();
            match (key, &value) {
                ("connector.class", None) => errors.push(
                    "Missing required configuration \"connector.class\" which has no default value."
                        .to_owned(),
                ),
                ("tasks.max", Some(v)) if v.parse::<u32>().is_err() => errors.push(format!(
                    "Invalid value {v} for configuration tasks.max: Not a number of type INT"
                )),
                _ => {}
            }
            error_count += errors.len();
            configs.push(ConfigInfo {
                definition: Self::key(key),
                value: ConfigValueInfo {
                    name: key.to_owned(),
                    value,
                    recommended_values: vec![],
                    errors,
                    visible: true,
                },
            });
        }
        ConfigInfos {
            name: config.get("connector.class").cloned().unwrap_or_default(),
            error_count,
            groups: vec!["Common".to_owned()],
            configs,
        }
    }

    fn check_stopped(connector: &FakeConnector) -> HerderResult<()> {
        if connector.target == TargetState::Stopped {
            Ok(())
        } else {
            Err(HerderError::BadRequest(
                "Connectors must be in the STOPPED state before their offsets can be modified."
                    .to_owned(),
            ))
        }
    }
}

#[async_trait]
impl Herder for FakeHerder {
    fn server_info(&self) -> ServerInfo {
        ServerInfo {
            version: "0.1.0".to_owned(),
            commit: "abc123".to_owned(),
            kafka_cluster_id: Some("fake-cluster".to_owned()),
        }
    }

    async fn health(&self) -> WorkerStatus {
        let status = lock(&self.health).clone();
        if status.status == "hang" {
            std::future::pending::<()>().await;
        }
        status
    }

    async fn connectors(&self) -> Vec<String> {
        lock(&self.connectors).keys().cloned().collect()
    }

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo> {
        if name == "explode" {
            return Err(HerderError::internal_with(
                "Failed to read the config topic",
                std::io::Error::other("broker down"),
            ));
        }
        let connector = self.get(name)?;
        Ok(Self::info(name, &connector))
    }

    async fn connector_config(&self, name: &str) -> HerderResult<Props> {
        if name == "slow" {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Ok(self.get(name)?.config)
    }

    async fn put_connector_config(
        &self,
        name: &str,
        config: Props,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<Created<ConnectorInfo>> {
        self.record(format!(
            "put {name} replace={allow_replace} initial_state={initial_state:?}"
        ));
        let infos = Self::validate(&config);
        if infos.error_count > 0 {
            return Err(HerderError::InvalidConfig {
                message: "herder text that the rest layer replaces".to_owned(),
                infos: Box::new(infos),
            });
        }
        let mut connectors = lock(&self.connectors);
        let existing = connectors.get(name).cloned();
        if existing.is_some() && !allow_replace {
            return Err(HerderError::AlreadyExists(format!(
                "Connector {name} already exists"
            )));
        }
        let connector = match existing {
            Some(mut connector) => {
                connector.config = config;
                connector
            }
            None => FakeConnector {
                config,
                target: initial_state.unwrap_or(TargetState::Running),
                offsets: vec![],
                topics: vec![],
            },
        };
        let info = Self::info(name, &connector);
        let created = !connectors.contains_key(name);
        connectors.insert(name.to_owned(), connector);
        Ok(Created {
            created,
            value: info,
        })
    }

    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo> {
        let mut connector = self.get(name)?;
        for (key, value) in patch {
            match value {
                Some(value) => {
                    connector.config.insert(key, value);
                }
                None => {
                    connector.config.remove(&key);
                }
            }
        }
        let info = Self::info(name, &connector);
        lock(&self.connectors).insert(name.to_owned(), connector);
        Ok(info)
    }

    async fn delete_connector(&self, name: &str) -> HerderResult<()> {
        lock(&self.connectors)
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| HerderError::connector_not_found(name))
    }

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo> {
        if name == "panic" {
            panic!("the fake herder panics on purpose");
        }
        let connector = self.get(name)?;
        Ok(Self::status(name, &connector))
    }

    async fn task_status(&self, id: &ConnectorTaskId) -> HerderResult<TaskState> {
        let connector = self.get(&id.connector)?;
        Self::status(&id.connector, &connector)
            .tasks
            .into_iter()
            .find(|task| task.id == id.task)
            .ok_or_else(|| HerderError::NotFound(format!("No status found for task {id}")))
    }

    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>> {
        let connector = self.get(name)?;
        Ok((0..Self::task_count(&connector.config))
            .map(|task| {
                let mut config = Props::new();
                config.insert("task.class".to_owned(), "FakeTask".to_owned());
                config.insert("task.id".to_owned(), task.to_string());
                TaskInfo {
                    id: ConnectorTaskId::new(name, task),
                    config,
                }
            })
            .collect())
    }

    async fn pause_connector(&self, name: &str) -> HerderResult<()> {
        self.update(name, |c| c.target = TargetState::Paused)
    }

    async fn resume_connector(&self, name: &str) -> HerderResult<()> {
        self.update(name, |c| c.target = TargetState::Running)
    }

    async fn stop_connector(&self, name: &str) -> HerderResult<()> {
        self.update(name, |c| c.target = TargetState::Stopped)
    }

    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>> {
        let connector = self.get(name)?;
        self.record(format!(
            "restart {name} include_tasks={include_tasks} only_failed={only_failed}"
        ));
        if !include_tasks && !only_failed {
            return Ok(None);
        }
        let mut status = Self::status(name, &connector);
        if !only_failed {
            status.connector.state = State::Restarting;
            if include_tasks {
                for task in &mut status.tasks {
                    task.state = State::Restarting;
                }
            }
        }
        Ok(Some(status))
    }

    async fn restart_task(&self, id: &ConnectorTaskId) -> HerderResult<()> {
        let connector = self.get(&id.connector)?;
        if id.task >= Self::task_count(&connector.config) {
            return Err(HerderError::NotFound(format!("Task {id} not found")));
        }
        self.record(format!("restart task {id}"));
        Ok(())
    }

    async fn validate_connector_config(&self, config: Props) -> HerderResult<ConfigInfos> {
        self.record(format!(
            "validate {}",
            config.get("connector.class").cloned().unwrap_or_default()
        ));
        Ok(Self::validate(&config))
    }

    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo> {
        let plugin = |class: &str, plugin_type: &str| PluginInfo {
            class_name: class.to_owned(),
            plugin_type: plugin_type.to_owned(),
            version: Some("0.1.0".to_owned()),
        };
        let mut plugins = vec![
            plugin("FileStreamSinkConnector", "sink"),
            plugin("FileStreamSourceConnector", "source"),
        ];
        if !connectors_only {
            plugins.push(plugin("JsonConverter", "converter"));
            plugins.push(plugin("InsertField", "transformation"));
        }
        plugins
    }

    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>> {
        match plugin {
            "FileStreamSourceConnector" | "FileStreamSource" => {
                Ok(vec![Self::key("file"), Self::key("topic")])
            }
            _ => Err(HerderError::NotFound(format!("Unknown plugin {plugin}."))),
        }
    }

    async fn connector_active_topics(&self, name: &str) -> HerderResult<Vec<String>> {
        Ok(self.get(name)?.topics)
    }

    async fn reset_connector_active_topics(&self, name: &str) -> HerderResult<()> {
        self.update(name, |c| c.topics.clear())
    }

    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets> {
        Ok(ConnectorOffsets {
            offsets: self.get(name)?.offsets,
        })
    }

    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<Message> {
        let connector = self.get(name)?;
        Self::check_stopped(&connector)?;
        self.update(name, |c| {
            for change in offsets.offsets {
                c.offsets.retain(|o| o.partition != change.partition);
                if change.offset.is_some() {
                    c.offsets.push(change);
                }
            }
        })?;
        Ok(Message {
            message: "The offsets for this connector have been altered successfully".to_owned(),
        })
    }

    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message> {
        let connector = self.get(name)?;
        Self::check_stopped(&connector)?;
        self.update(name, |c| c.offsets.clear())?;
        Ok(Message {
            message: "The offsets for this connector have been reset successfully".to_owned(),
        })
    }
}

/// A router over a fresh `FakeHerder` and a `TracingLoggerAdmin` whose subscriber the
/// returned `Harness` keeps alive (it is never installed globally).
pub struct Harness {
    pub herder: Arc<FakeHerder>,
    pub loggers: Arc<TracingLoggerAdmin>,
    pub app: Router,
    _subscriber: Box<dyn tracing::Subscriber + Send + Sync>,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_options(RestOptions::default())
    }

    pub fn with_options(options: RestOptions) -> Self {
        use tracing_subscriber::prelude::*;

        let directives = "info,connect_runtime=debug";
        let (filter, handle) =
            reload::Layer::<EnvFilter, Registry>::new(EnvFilter::new(directives));
        let subscriber = tracing_subscriber::registry().with(filter);
        let loggers = match TracingLoggerAdmin::new(handle, directives) {
            Ok(loggers) => Arc::new(loggers),
            Err(error) => panic!("logger admin: {error}"),
        };
        let herder = Arc::new(FakeHerder::new());
        let app = app_with_options(
            RestState {
                herder: herder.clone(),
                loggers: loggers.clone(),
            },
            options,
        );
        Harness {
            herder,
            loggers,
            app,
            _subscriber: Box::new(subscriber),
        }
    }

    /// Sends a request with an optional JSON body; answers status, headers and the body
    /// parsed as JSON (`Value::Null` when empty).
    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        let request = match body {
            Some(body) => Request::builder()
                .method(method)
                .uri(uri)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty()),
        };
        match request {
            Ok(request) => self.send(request).await,
            Err(error) => panic!("bad test request: {error}"),
        }
    }

    /// Sends a raw body with the given content type (or none).
    pub async fn call_raw(
        &self,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: &str,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut builder = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            builder = builder.header("content-type", content_type);
        }
        match builder.body(Body::from(body.to_owned())) {
            Ok(request) => self.send(request).await,
            Err(error) => panic!("bad test request: {error}"),
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response = match self.app.clone().oneshot(request).await {
            Ok(response) => response,
            Err(infallible) => match infallible {},
        };
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = match axum::body::to_bytes(response.into_body(), usize::MAX).await {
            Ok(bytes) => bytes,
            Err(error) => panic!("reading the body: {error}"),
        };
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&bytes) {
                Ok(value) => value,
                Err(error) => panic!(
                    "body is not JSON ({error}): {}",
                    String::from_utf8_lossy(&bytes)
                ),
            }
        };
        (status, headers, body)
    }
}
