//! A heartbeat source: every `interval.ms`, each task writes the next number of its own
//! sequence to `topic` (key: the task id, value: the number). A consumer that sees a gap
//! knows records were lost; the record timestamps show how late the pipeline runs. The
//! number is the source offset, so a restarted task continues where it stopped.

use std::sync::Arc;
use std::time::Duration;

use connect_api::config::validators::{NonEmptyString, Range};
use connect_api::plugin::PluginDesc;
use connect_api::{
    ConfigDef, ConfigKey, ConfigType, ConnectResult, Connector, ConnectorContext, Importance,
    Props, Schema, SourceConnector, SourceOffset, SourcePartition, SourceRecord, SourceTask,
    SourceTaskContext, Value, async_trait,
};
use serde_json::json;
use tokio::time::Instant;

pub const CLASS: &str = "io.tributary.examples.HeartbeatSourceConnector";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The connector's own keys: what `GET /connector-plugins/{class}/config` lists and
/// `PUT /connector-plugins/{class}/config/validate` checks.
pub fn config_def() -> ConfigDef {
    let topic = ConfigKey::new("topic", ConfigType::String)
        .validator(NonEmptyString)
        .importance(Importance::High)
        .doc("The topic to write the heartbeats to");
    let interval = ConfigKey::new("interval.ms", ConfigType::Long)
        .default_value("1000")
        .validator(Range::at_least(10))
        .doc("Milliseconds between two heartbeats of a task");
    ConfigDef::new().define(topic).define(interval)
}

/// Holds its config until the worker asks for the task configs.
#[derive(Default)]
pub struct HeartbeatConnector(Props);

#[async_trait]
impl Connector for HeartbeatConnector {
    fn version(&self) -> String {
        VERSION.to_string()
    }
    fn config_def(&self) -> ConfigDef {
        config_def()
    }
    async fn start(&mut self, _: Arc<dyn ConnectorContext>, props: Props) -> ConnectResult<()> {
        self.0 = props;
        Ok(())
    }
    /// `tasks.max` tasks with the same config; each counts its own sequence.
    async fn task_configs(&mut self, max_tasks: usize) -> ConnectResult<Vec<Props>> {
        Ok(vec![self.0.clone(); max_tasks])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for HeartbeatConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(HeartbeatTask::default())
    }
}

/// Sends one heartbeat per `poll`, `interval.ms` apart; its offset is the number it sent.
#[derive(Default)]
pub struct HeartbeatTask {
    topic: String,
    interval: Duration,
    key: String,
    partition: SourcePartition,
    last_seq: i64,
    next_beat: Option<Instant>,
}

#[async_trait]
impl SourceTask for HeartbeatTask {
    fn version(&self) -> String {
        VERSION.to_string()
    }
    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        let config = config_def().parse(&props)?;
        self.topic = config.string("topic").unwrap_or_default().to_string();
        self.interval = Duration::from_millis(config.long("interval.ms").unwrap_or(1000) as u64);
        self.key = context.task_id.to_string();
        self.partition = SourcePartition::from_iter([("task".to_string(), json!(context.task_id))]);
        let reader = context.offset_storage_reader();
        let committed = reader.offset(&self.partition).await?;
        self.last_seq = committed.and_then(|o| o.get("seq")?.as_i64()).unwrap_or(0);
        Ok(())
    }
    /// Cancel safe: the sleep is the only await, and nothing changes before it ends.
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        tokio::time::sleep_until(self.next_beat.unwrap_or_else(Instant::now)).await;
        self.next_beat = Some(Instant::now() + self.interval);
        self.last_seq += 1;
        let offset = SourceOffset::from_iter([("seq".to_string(), json!(self.last_seq))]);
        let (partition, value) = (self.partition.clone(), Value::Int64(self.last_seq));
        let record =
            SourceRecord::new(partition, offset, &self.topic, Some(Schema::int64()), value);
        let key = Value::String(self.key.clone());
        Ok(vec![record.with_key(Some(Schema::string()), key)])
    }
    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

/// The plugins this crate adds to a worker: `registry.register(heartbeat_source::plugins())`.
pub fn plugins() -> Vec<PluginDesc> {
    let heartbeat = PluginDesc::source(CLASS, VERSION, || Box::new(HeartbeatConnector::default()));
    vec![heartbeat.with_doc("Writes a numbered heartbeat per task every interval.ms.")]
}
