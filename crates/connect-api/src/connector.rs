//! The connector contract (Kafka's `Connector`).
//!
//! A connector does not move data. It reads its configuration, decides how the work splits
//! into at most `tasks.max` task configurations, and may watch an external system and ask
//! the runtime to reconfigure its tasks when that system changes (new tables, new sheets).
//!
//! Lifecycle, driven by the worker: [`Connector::start`] once with the validated props,
//! [`Connector::task_configs`] whenever the runtime (re)builds tasks, [`Connector::stop`]
//! once at the end. A connector is stopped and a fresh instance started on every
//! reconfiguration, restart or resume from STOPPED, so it should keep no state it cannot
//! rebuild from its config.

use std::sync::Arc;

use crate::Props;
use crate::config::{ConfigDef, ConfigValue};
use crate::errors::{ConnectError, ConnectResult};

/// What a connector may ask of the runtime (Kafka's `ConnectorContext`).
pub trait ConnectorContext: Send + Sync {
    /// The connector's inputs changed: the runtime calls [`Connector::task_configs`] again and
    /// restarts the tasks if their configs differ.
    fn request_task_reconfiguration(&self);
    /// An unrecoverable error in a background activity of the connector: the connector
    /// becomes FAILED with this error as its trace.
    fn raise_error(&self, error: ConnectError);
}

/// The part shared by source and sink connectors.
#[async_trait::async_trait]
pub trait Connector: Send + Sync {
    /// The connector's version, shown by `GET /connector-plugins`.
    fn version(&self) -> String;

    /// The definition of the connector's own config keys. The runtime adds Kafka's common
    /// keys (name, connector.class, tasks.max, converters, transforms, errors.*).
    fn config_def(&self) -> ConfigDef;

    /// Validates a config for `PUT /connector-plugins/{p}/config/validate` and before a
    /// create. The default checks each key against [`Connector::config_def`]; override it to
    /// add cross-key checks (append errors to the relevant key's [`ConfigValue`]).
    fn validate(&self, props: &Props) -> Vec<ConfigValue> {
        self.config_def().validate(props)
    }

    /// Starts the connector with its full config (common keys included).
    async fn start(
        &mut self,
        context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()>;

    /// The configs of at most `max_tasks` tasks. Each map is handed to one task's `start`.
    async fn task_configs(&mut self, max_tasks: usize) -> ConnectResult<Vec<Props>>;

    /// Stops the connector and releases what it holds.
    async fn stop(&mut self) -> ConnectResult<()>;
}
