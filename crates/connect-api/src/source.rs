//! Source connectors and tasks: the contract between a source task and the worker.
//!
//! # Offsets, and when they are committed
//!
//! Every [`SourceRecord`] names where it came from: a *source partition* (a map that
//! identifies a stream in the external system, e.g. `{"file": "/var/log/app.log"}` or
//! `{"spreadsheet": "1AbC", "sheet": 0}`) and a *source offset* in that partition (a map
//! that says how far the stream has been read, e.g. `{"position": 4096}`). The task makes
//! up both; the worker never interprets them. The offset must describe the position *after*
//! the record, so that a task started from it resumes with the next record.
//!
//! The worker sends each record to Kafka, and only once Kafka acknowledges it does the
//! record's offset become committable. Offsets are committed per source partition, in the
//! order the task returned the records: an offset is flushed to the offset store only when
//! every earlier record of the same partition has been acknowledged too. Flushes happen
//! every `offset.flush.interval.ms` and when the task stops gracefully. After a crash the
//! task restarts from the last flushed offset, so records sent after that flush are sent
//! again (at-least-once); after a graceful stop nothing is sent twice.
//!
//! # The task's lifecycle
//!
//! 1. [`SourceTask::start`] with the task config and a [`SourceTaskContext`]; read the last
//!    committed offsets here through [`SourceTaskContext::offset_storage_reader`].
//! 2. [`SourceTask::poll`] in a loop. Return a batch of records, or an empty batch when
//!    there is nothing new (after waiting a little, so the loop does not spin). `poll` must
//!    be *cancel safe*: to stop or pause a task the worker drops the `poll` future at any
//!    await point, so any wait inside `poll` is interrupted at once. State changed before
//!    the future is dropped must not lose or duplicate data; records are only considered
//!    emitted once `poll` has returned them.
//! 3. [`SourceTask::commit_record`] for each record after Kafka acknowledged it, in send
//!    order, between polls; [`SourceTask::commit`] after offsets were flushed.
//! 4. [`SourceTask::stop`] once, after the last `poll` returned or was dropped.
//!
//! A task that returns an error from `start` or `poll` (or panics) becomes FAILED, with the
//! error and its causes as the status trace; other tasks and connectors keep running.

use std::sync::Arc;

use crate::Props;
use crate::connector::Connector;
use crate::data::{Schema, Value};
use crate::errors::ConnectResult;
use crate::header::Headers;
use crate::record::ConnectRecord;

/// Identifies a stream in the external system. Values are JSON scalars (string, number,
/// boolean, null), as in Kafka Connect.
pub type SourcePartition = serde_json::Map<String, serde_json::Value>;

/// A position in a [`SourcePartition`], the one after the record it belongs to.
pub type SourceOffset = serde_json::Map<String, serde_json::Value>;

/// A record read from the external system, on its way to Kafka.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceRecord {
    pub source_partition: SourcePartition,
    pub source_offset: SourceOffset,
    pub topic: String,
    /// The Kafka partition, or `None` to let the producer's partitioner choose.
    pub kafka_partition: Option<i32>,
    pub key_schema: Option<Schema>,
    pub key: Value,
    pub value_schema: Option<Schema>,
    pub value: Value,
    /// Milliseconds since the epoch, or `None` for the time the producer sends it.
    pub timestamp: Option<i64>,
    pub headers: Headers,
}

impl SourceRecord {
    /// A record with a value and its schema, no key.
    pub fn new(
        source_partition: SourcePartition,
        source_offset: SourceOffset,
        topic: impl Into<String>,
        value_schema: Option<Schema>,
        value: Value,
    ) -> Self {
        SourceRecord {
            source_partition,
            source_offset,
            topic: topic.into(),
            kafka_partition: None,
            key_schema: None,
            key: Value::Null,
            value_schema,
            value,
            timestamp: None,
            headers: Headers::new(),
        }
    }

    pub fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.key_schema = key_schema;
        self.key = key;
        self
    }

    pub fn with_timestamp(mut self, timestamp: Option<i64>) -> Self {
        self.timestamp = timestamp;
        self
    }

    pub fn with_partition(mut self, kafka_partition: Option<i32>) -> Self {
        self.kafka_partition = kafka_partition;
        self
    }
}

impl ConnectRecord for SourceRecord {
    fn with_topic(mut self, topic: String) -> Self {
        self.topic = topic;
        self
    }
    fn with_key(mut self, key_schema: Option<Schema>, key: Value) -> Self {
        self.key_schema = key_schema;
        self.key = key;
        self
    }
    fn with_value(mut self, value_schema: Option<Schema>, value: Value) -> Self {
        self.value_schema = value_schema;
        self.value = value;
        self
    }
    fn topic(&self) -> &str {
        &self.topic
    }
    fn kafka_partition(&self) -> Option<i32> {
        self.kafka_partition
    }
    fn key_schema(&self) -> Option<&Schema> {
        self.key_schema.as_ref()
    }
    fn key(&self) -> &Value {
        &self.key
    }
    fn value_schema(&self) -> Option<&Schema> {
        self.value_schema.as_ref()
    }
    fn value(&self) -> &Value {
        &self.value
    }
    fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }
    fn headers(&self) -> &Headers {
        &self.headers
    }
    fn headers_mut(&mut self) -> &mut Headers {
        &mut self.headers
    }
    fn new_record(
        &self,
        topic: String,
        kafka_partition: Option<i32>,
        key_schema: Option<Schema>,
        key: Value,
        value_schema: Option<Schema>,
        value: Value,
        timestamp: Option<i64>,
        headers: Headers,
    ) -> Self {
        SourceRecord {
            source_partition: self.source_partition.clone(),
            source_offset: self.source_offset.clone(),
            topic,
            kafka_partition,
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            headers,
        }
    }
}

/// Where Kafka stored a record (Kafka's `RecordMetadata`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMetadata {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
}

/// Reads the last committed offsets (Kafka's `OffsetStorageReader`).
#[async_trait::async_trait]
pub trait OffsetStorageReader: Send + Sync {
    /// The last committed offset of one partition, if any.
    async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>>;

    /// The last committed offsets of several partitions; partitions with none are absent.
    async fn offsets(
        &self,
        partitions: &[SourcePartition],
    ) -> ConnectResult<Vec<(SourcePartition, SourceOffset)>> {
        let mut found = Vec::new();
        for partition in partitions {
            if let Some(offset) = self.offset(partition).await? {
                found.push((partition.clone(), offset));
            }
        }
        Ok(found)
    }
}

/// What the worker gives a source task (Kafka's `SourceTaskContext`).
#[derive(Clone)]
pub struct SourceTaskContext {
    pub connector_name: String,
    pub task_id: u32,
    pub configs: Props,
    pub offset_storage_reader: Arc<dyn OffsetStorageReader>,
}

impl SourceTaskContext {
    pub fn offset_storage_reader(&self) -> &Arc<dyn OffsetStorageReader> {
        &self.offset_storage_reader
    }

    /// Counters of this task, exported by the worker's `/metrics`.
    pub fn metrics(&self) -> crate::metrics::TaskMetrics {
        crate::metrics::TaskMetrics::new(self.connector_name.clone(), self.task_id)
    }
}

/// A source task: reads from the external system and returns records (see the module
/// documentation for the full contract).
#[async_trait::async_trait]
pub trait SourceTask: Send + Sync {
    /// The task's version.
    fn version(&self) -> String;

    /// Starts the task; read committed offsets here.
    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()>;

    /// Returns the next batch; empty when there is nothing new. Must be cancel safe.
    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>>;

    /// Called after Kafka acknowledged `record`; `metadata` is `None` when the record was
    /// dropped by a transformation or filtered. Called between polls, in send order.
    async fn commit_record(
        &mut self,
        _record: &SourceRecord,
        _metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        Ok(())
    }

    /// Whether this task overrides [`commit_record`](Self::commit_record). The worker keeps
    /// each record from its send to Kafka's acknowledgement only to hand it to
    /// `commit_record`; a task that returns `false` spares it that copy (the worker then
    /// keeps just the record's offset, and does not call `commit_record`). The default is
    /// `true`, which is always correct; FileStreamSource returns `false`.
    fn uses_commit_record(&self) -> bool {
        true
    }

    /// Called after the worker flushed offsets to the offset store.
    async fn commit(&mut self) -> ConnectResult<()> {
        Ok(())
    }

    /// Stops the task. Called once, after the last `poll`.
    async fn stop(&mut self) -> ConnectResult<()>;
}

/// A source connector: a [`Connector`] that creates [`SourceTask`]s.
pub trait SourceConnector: Connector {
    /// A new, unstarted task instance.
    fn create_task(&self) -> Box<dyn SourceTask>;

    /// Whether the connector can say what offsets mean for `PATCH /connectors/{c}/offsets`:
    /// return `Ok(true)` when it checked and accepts the new offsets. The default accepts
    /// any offsets, as Kafka does for connectors that do not override `alterOffsets`.
    fn alter_offsets(
        &self,
        _props: &Props,
        _offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> ConnectResult<bool> {
        Ok(true)
    }
}
