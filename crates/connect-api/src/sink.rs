//! Sink connectors and tasks: the contract between a sink task and the worker.
//!
//! # Delivery and commits
//!
//! The worker consumes the connector's topics in the consumer group `connect-<name>`,
//! converts each Kafka record into a [`SinkRecord`] and hands batches to
//! [`SinkTask::put`]. `put` may write synchronously or buffer. Every
//! `offset.flush.interval.ms` (and before partitions are revoked, and on a graceful stop)
//! the worker calls [`SinkTask::pre_commit`] with the next offset to consume for each
//! partition it has delivered; the task makes everything it was given durable (the default
//! calls [`SinkTask::flush`]) and returns the offsets that are safe to commit. Only those
//! are committed to Kafka. After a crash, consumption resumes from the last committed
//! offsets, so records after them are delivered again (at-least-once).
//!
//! An error from `put` fails the task unless it is retriable, in which case the same batch
//! is delivered again after a backoff.

use std::collections::BTreeMap;

use crate::Props;
use crate::connector::Connector;
use crate::data::{Schema, Value};
use crate::errors::ConnectResult;
use crate::header::Headers;
use crate::record::ConnectRecord;

/// A topic and partition.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    pub topic: String,
    pub partition: i32,
}

impl TopicPartition {
    pub fn new(topic: impl Into<String>, partition: i32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl std::fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// How a record's timestamp was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampType {
    NoTimestampType,
    CreateTime,
    LogAppendTime,
}

/// A record read from Kafka, on its way to the external system.
#[derive(Clone, Debug, PartialEq)]
pub struct SinkRecord {
    pub topic: String,
    pub kafka_partition: i32,
    pub kafka_offset: i64,
    pub key_schema: Option<Schema>,
    pub key: Value,
    pub value_schema: Option<Schema>,
    pub value: Value,
    pub timestamp: Option<i64>,
    pub timestamp_type: TimestampType,
    pub headers: Headers,
    /// Where the record was read from before any transformation changed its topic or
    /// partition; offsets are committed for this one.
    pub original_topic: String,
    pub original_kafka_partition: i32,
}

impl SinkRecord {
    pub fn topic_partition(&self) -> TopicPartition {
        TopicPartition::new(self.original_topic.clone(), self.original_kafka_partition)
    }
}

impl ConnectRecord for SinkRecord {
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
        Some(self.kafka_partition)
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
        SinkRecord {
            topic,
            kafka_partition: kafka_partition.unwrap_or(self.kafka_partition),
            kafka_offset: self.kafka_offset,
            key_schema,
            key,
            value_schema,
            value,
            timestamp,
            timestamp_type: self.timestamp_type,
            headers,
            original_topic: self.original_topic.clone(),
            original_kafka_partition: self.original_kafka_partition,
        }
    }
}

/// Offsets to commit: for each partition, the offset of the next record to consume.
pub type CommitOffsets = BTreeMap<TopicPartition, i64>;

/// What the worker gives a sink task (Kafka's `SinkTaskContext`).
#[derive(Clone, Debug)]
pub struct SinkTaskContext {
    pub connector_name: String,
    pub task_id: u32,
    pub configs: Props,
}

impl SinkTaskContext {
    /// Counters of this task, exported by the worker's `/metrics`.
    pub fn metrics(&self) -> crate::metrics::TaskMetrics {
        crate::metrics::TaskMetrics::new(self.connector_name.clone(), self.task_id)
    }
}

/// A sink task: writes records to the external system (see the module documentation).
#[async_trait::async_trait]
pub trait SinkTask: Send + Sync {
    fn version(&self) -> String;

    async fn start(&mut self, context: SinkTaskContext, props: Props) -> ConnectResult<()>;

    /// Writes (or buffers) a batch of records.
    async fn put(&mut self, records: Vec<SinkRecord>) -> ConnectResult<()>;

    /// Makes everything given to `put` so far durable.
    async fn flush(&mut self, _offsets: &CommitOffsets) -> ConnectResult<()> {
        Ok(())
    }

    /// Returns the offsets that are safe to commit; the default flushes and returns all.
    async fn pre_commit(&mut self, offsets: CommitOffsets) -> ConnectResult<CommitOffsets> {
        self.flush(&offsets).await?;
        Ok(offsets)
    }

    /// Partitions newly assigned to this task.
    async fn open(&mut self, _partitions: &[TopicPartition]) -> ConnectResult<()> {
        Ok(())
    }

    /// Partitions taken away from this task (after a final `pre_commit`).
    async fn close(&mut self, _partitions: &[TopicPartition]) -> ConnectResult<()> {
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()>;
}

/// A sink connector: a [`Connector`] that creates [`SinkTask`]s.
pub trait SinkConnector: Connector {
    fn create_task(&self) -> Box<dyn SinkTask>;
}
