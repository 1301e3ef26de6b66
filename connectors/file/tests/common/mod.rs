//! Test helpers shared by the integration tests: a fake offset store, contexts, configs.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use connect_api::sink::{SinkTaskContext, TimestampType};
use connect_api::{
    ConnectError, ConnectResult, ConnectorContext, Headers, OffsetStorageReader, Props, Schema,
    SinkRecord, SourceOffset, SourcePartition, SourceRecord, SourceTaskContext, Value, async_trait,
};

/// An offset store holding fixed offsets, remembering which partitions were asked for.
#[derive(Default)]
pub struct FakeOffsetReader {
    offsets: Vec<(SourcePartition, SourceOffset)>,
    pub requested: Mutex<Vec<SourcePartition>>,
    fail: bool,
}

impl FakeOffsetReader {
    pub fn empty() -> Self {
        FakeOffsetReader::default()
    }

    pub fn with(partition: SourcePartition, offset: SourceOffset) -> Self {
        FakeOffsetReader {
            offsets: vec![(partition, offset)],
            ..FakeOffsetReader::default()
        }
    }

    pub fn failing() -> Self {
        FakeOffsetReader {
            fail: true,
            ..FakeOffsetReader::default()
        }
    }

    pub fn requested(&self) -> Vec<SourcePartition> {
        self.requested.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl OffsetStorageReader for FakeOffsetReader {
    async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>> {
        if let Ok(mut requested) = self.requested.lock() {
            requested.push(partition.clone());
        }
        if self.fail {
            return Err(ConnectError::retriable("offset topic unavailable"));
        }
        Ok(self
            .offsets
            .iter()
            .find(|(p, _)| p == partition)
            .map(|(_, o)| o.clone()))
    }
}

pub fn source_context(reader: Arc<FakeOffsetReader>) -> SourceTaskContext {
    SourceTaskContext {
        connector_name: "file-source".to_string(),
        task_id: 0,
        configs: Props::new(),
        offset_storage_reader: reader,
    }
}

pub fn sink_context() -> SinkTaskContext {
    SinkTaskContext {
        connector_name: "file-sink".to_string(),
        task_id: 0,
        configs: Props::new(),
    }
}

pub struct NoopConnectorContext;

impl ConnectorContext for NoopConnectorContext {
    fn request_task_reconfiguration(&self) {}
    fn raise_error(&self, _error: ConnectError) {}
}

pub fn connector_context() -> Arc<dyn ConnectorContext> {
    Arc::new(NoopConnectorContext)
}

pub fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn partition(filename: &str) -> SourcePartition {
    let mut partition = SourcePartition::new();
    partition.insert("filename".to_string(), serde_json::json!(filename));
    partition
}

pub fn position(value: serde_json::Value) -> SourceOffset {
    let mut offset = SourceOffset::new();
    offset.insert("position".to_string(), value);
    offset
}

/// The `position` of a source record's offset.
pub fn record_position(record: &SourceRecord) -> Option<i64> {
    record
        .source_offset
        .get("position")
        .and_then(|p| p.as_i64())
}

pub fn record_line(record: &SourceRecord) -> &str {
    record.value.as_str().unwrap_or("<not a string>")
}

/// A sink record with a value, as the worker would deliver it.
pub fn sink_record(topic: &str, offset: i64, schema: Option<Schema>, value: Value) -> SinkRecord {
    SinkRecord {
        topic: topic.to_string(),
        kafka_partition: 0,
        kafka_offset: offset,
        key_schema: None,
        key: Value::Null,
        value_schema: schema,
        value,
        timestamp: None,
        timestamp_type: TimestampType::NoTimestampType,
        headers: Headers::new(),
        original_topic: topic.to_string(),
        original_kafka_partition: 0,
    }
}
