//! Herders: the part of a worker that owns connector configurations and target states and
//! makes the worker's running connectors and tasks match them (Kafka's `Herder`).
//!
//! The REST API talks only to the [`Herder`] trait. A standalone herder
//! ([`standalone::StandaloneHerder`]) keeps everything in this process (with configs and
//! offsets in local files); a distributed herder shares them with other workers through
//! Kafka's internal topics and the group coordinator. Both answer the same questions with
//! the same errors, which map one-to-one onto Kafka Connect's REST status codes.

pub mod entities;
pub mod restart;
pub mod standalone;

static BUILD_COMMIT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records the git commit the running binary was built from, for `GET /`'s `commit` (the
/// binary learns it at build time; a library cannot). Only the first call counts.
pub fn set_build_commit(commit: &str) {
    let _ = BUILD_COMMIT.set(commit.to_string());
}

/// The commit recorded by [`set_build_commit`], else `unknown` as Kafka says when it cannot
/// tell.
pub fn build_commit() -> &'static str {
    BUILD_COMMIT.get().map_or("unknown", String::as_str)
}

use std::collections::BTreeMap;

use async_trait::async_trait;

use connect_api::Props;
use entities::*;

/// Why a herder request failed; each variant is one REST status code.
#[derive(Debug, thiserror::Error)]
pub enum HerderError {
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the connector exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// 409: the request conflicts with the cluster's state (rebalance in progress).
    #[error("{0}")]
    Conflict(String),
    /// 400.
    #[error("{0}")]
    BadRequest(String),
    /// 403: the worker's configuration forbids the request.
    #[error("{0}")]
    Forbidden(String),
    /// 400, with the validation answer that explains it.
    #[error("{message}")]
    InvalidConfig {
        message: String,
        infos: Box<ConfigInfos>,
    },
    /// 500.
    #[error("{message}")]
    Internal {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl HerderError {
    pub fn internal(message: impl Into<String>) -> Self {
        HerderError::Internal {
            message: message.into(),
            source: None,
        }
    }

    pub fn internal_with(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        HerderError::Internal {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The HTTP status Kafka Connect answers with for this error.
    pub fn status_code(&self) -> u16 {
        match self {
            HerderError::NotFound(_) => 404,
            HerderError::AlreadyExists(_) | HerderError::Conflict(_) => 409,
            HerderError::BadRequest(_) | HerderError::InvalidConfig { .. } => 400,
            HerderError::Forbidden(_) => 403,
            HerderError::Internal { .. } => 500,
        }
    }

    pub fn connector_not_found(name: &str) -> Self {
        HerderError::NotFound(format!("Connector {name} not found"))
    }
}

pub type HerderResult<T> = Result<T, HerderError>;

/// Whether a `PUT /connectors/{c}/config` created or updated the connector.
#[derive(Clone, Debug, PartialEq)]
pub struct Created<T> {
    pub created: bool,
    pub value: T,
}

/// What the REST API needs from a worker (Kafka's `Herder`).
#[async_trait]
pub trait Herder: Send + Sync {
    /// `GET /`.
    fn server_info(&self) -> ServerInfo;

    /// `GET /health`: `Ok` when the worker is up and serving.
    async fn health(&self) -> WorkerStatus;

    /// The names of all connectors, sorted.
    async fn connectors(&self) -> Vec<String>;

    async fn connector_info(&self, name: &str) -> HerderResult<ConnectorInfo>;

    async fn connector_config(&self, name: &str) -> HerderResult<Props>;

    /// Creates or replaces a connector. `allow_replace=false` answers 409 for an existing
    /// name (POST); `true` updates (PUT). `initial_state` applies only to a new connector.
    async fn put_connector_config(
        &self,
        name: &str,
        config: Props,
        allow_replace: bool,
        initial_state: Option<TargetState>,
    ) -> HerderResult<Created<ConnectorInfo>>;

    /// `PATCH /connectors/{c}/config`: a `None` value removes the key.
    async fn patch_connector_config(
        &self,
        name: &str,
        patch: BTreeMap<String, Option<String>>,
    ) -> HerderResult<ConnectorInfo>;

    async fn delete_connector(&self, name: &str) -> HerderResult<()>;

    async fn connector_status(&self, name: &str) -> HerderResult<ConnectorStateInfo>;

    async fn task_status(&self, id: &ConnectorTaskId) -> HerderResult<TaskState>;

    async fn task_configs(&self, name: &str) -> HerderResult<Vec<TaskInfo>>;

    async fn pause_connector(&self, name: &str) -> HerderResult<()>;

    async fn resume_connector(&self, name: &str) -> HerderResult<()>;

    /// `PUT /connectors/{c}/stop`: tasks shut down, config kept, state STOPPED.
    async fn stop_connector(&self, name: &str) -> HerderResult<()>;

    /// `POST /connectors/{c}/restart`. With both flags false, restarts the connector only
    /// and answers `None` (204); otherwise answers the status with RESTARTING marks (202).
    async fn restart_connector(
        &self,
        name: &str,
        include_tasks: bool,
        only_failed: bool,
    ) -> HerderResult<Option<ConnectorStateInfo>>;

    async fn restart_task(&self, id: &ConnectorTaskId) -> HerderResult<()>;

    /// Validates a connector config (`connector.class` names the plugin).
    async fn validate_connector_config(&self, config: Props) -> HerderResult<ConfigInfos>;

    /// `GET /connector-plugins`; `connectors_only=false` lists every plugin type.
    fn plugins(&self, connectors_only: bool) -> Vec<PluginInfo>;

    /// `GET /connector-plugins/{p}/config`.
    fn connector_plugin_config(&self, plugin: &str) -> HerderResult<Vec<ConfigKeyInfo>>;

    /// `GET /connectors/{c}/topics`: the topics the connector's tasks produced to or
    /// consumed from since it was created or its topics were reset (none for an unknown
    /// connector, as Kafka answers).
    async fn connector_active_topics(&self, name: &str) -> HerderResult<Vec<String>>;

    /// `PUT /connectors/{c}/topics/reset`: forgets the active topics.
    async fn reset_connector_active_topics(&self, name: &str) -> HerderResult<()>;

    /// `GET /connectors/{c}/offsets`.
    async fn connector_offsets(&self, name: &str) -> HerderResult<ConnectorOffsets>;

    /// `PATCH /connectors/{c}/offsets`; only while the connector is STOPPED.
    async fn alter_connector_offsets(
        &self,
        name: &str,
        offsets: ConnectorOffsets,
    ) -> HerderResult<Message>;

    /// `DELETE /connectors/{c}/offsets`; only while the connector is STOPPED.
    async fn reset_connector_offsets(&self, name: &str) -> HerderResult<Message>;
}
