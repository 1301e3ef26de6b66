//! The JSON entities of Kafka Connect's REST API (Kafka's `runtime/rest/entities`), with
//! Kafka's field names, so that kafka-ui, kcctl and REST scripts read them unchanged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use connect_api::Props;

/// `GET /`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerInfo {
    pub version: String,
    pub commit: String,
    pub kafka_cluster_id: Option<String>,
}

/// A task's identity: connector name and task number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConnectorTaskId {
    pub connector: String,
    pub task: u32,
}

impl ConnectorTaskId {
    pub fn new(connector: impl Into<String>, task: u32) -> Self {
        ConnectorTaskId {
            connector: connector.into(),
            task,
        }
    }
}

impl std::fmt::Display for ConnectorTaskId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.connector, self.task)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorType {
    Source,
    Sink,
    Unknown,
}

/// `GET /connectors/{c}` and the answer to create and update.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorInfo {
    pub name: String,
    pub config: Props,
    pub tasks: Vec<ConnectorTaskId>,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// The states of a connector or task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum State {
    Unassigned,
    Running,
    Paused,
    Failed,
    Restarting,
    Stopped,
    Destroyed,
}

/// A connector's state in `GET /connectors/{c}/status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorState {
    pub state: State,
    pub worker_id: String,
    /// The version of the connector's plugin (Kafka 4.1's KIP-891; `null` when unknown).
    #[serde(default)]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trace: Option<String>,
}

/// A task's state in `GET /connectors/{c}/status` and `.../tasks/{n}/status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskState {
    pub id: u32,
    pub state: State,
    pub worker_id: String,
    /// The version of the task's plugin (`null` when unknown).
    #[serde(default)]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trace: Option<String>,
    /// Tributary: automatic restarts of this task so far (absent when none).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub restarts: Option<u32>,
    /// Tributary: the trace of the failure behind the latest automatic restart.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_failure: Option<String>,
}

/// `GET /connectors/{c}/status` (Kafka's `ConnectorStateInfo`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorStateInfo {
    pub name: String,
    pub connector: ConnectorState,
    pub tasks: Vec<TaskState>,
    #[serde(rename = "type")]
    pub connector_type: ConnectorType,
}

/// One element of `GET /connectors/{c}/tasks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskInfo {
    pub id: ConnectorTaskId,
    pub config: Props,
}

/// One key's definition in validate answers and `GET /connector-plugins/{p}/config`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigKeyInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub config_type: String,
    pub required: bool,
    pub default_value: Option<String>,
    pub importance: String,
    pub documentation: String,
    pub group: Option<String>,
    pub order_in_group: i32,
    pub width: String,
    pub display_name: String,
    pub dependents: Vec<String>,
}

/// One key's value and errors in a validate answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigValueInfo {
    pub name: String,
    pub value: Option<String>,
    pub recommended_values: Vec<String>,
    pub errors: Vec<String>,
    pub visible: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigInfo {
    pub definition: ConfigKeyInfo,
    pub value: ConfigValueInfo,
}

/// `PUT /connector-plugins/{p}/config/validate` (Kafka's `ConfigInfos`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigInfos {
    pub name: String,
    pub error_count: usize,
    pub groups: Vec<String>,
    pub configs: Vec<ConfigInfo>,
}

impl ConfigInfos {
    /// The errors as Kafka lists them in a 400 answer to an invalid create or update.
    pub fn error_messages(&self) -> Vec<String> {
        self.configs
            .iter()
            .flat_map(|c| {
                c.value
                    .errors
                    .iter()
                    .map(move |e| format!("{}: {}", c.definition.name, e))
            })
            .collect()
    }
}

/// One element of `GET /connector-plugins`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PluginInfo {
    #[serde(rename = "class")]
    pub class_name: String,
    #[serde(rename = "type")]
    pub plugin_type: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
}

/// One partition's offset in the offsets API; `offset: null` resets the partition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffset {
    pub partition: serde_json::Map<String, serde_json::Value>,
    pub offset: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `GET /connectors/{c}/offsets` and the body of `PATCH`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectorOffsets {
    pub offsets: Vec<ConnectorOffset>,
}

/// A `{"message": ...}` answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub message: String,
}

/// The target state a connector is asked to be in (Kafka's `TargetState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TargetState {
    #[serde(alias = "STARTED")]
    Running,
    Paused,
    Stopped,
}

/// The body of `POST /connectors`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateConnectorRequest {
    pub name: Option<String>,
    pub config: Option<Props>,
    #[serde(default)]
    pub initial_state: Option<TargetState>,
}

/// `GET /health` (Kafka 3.9's `WorkerStatus`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerStatus {
    pub status: String,
    pub message: String,
}

/// `GET /connectors/{c}/topics`: connector name to `{"topics": [...]}`.
pub type ActiveTopics = BTreeMap<String, TopicsInfo>;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicsInfo {
    pub topics: Vec<String>,
}
