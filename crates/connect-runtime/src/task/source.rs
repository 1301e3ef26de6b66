//! The source task loop (Kafka's `WorkerSourceTask`).
//!
//! # Poll, send, acknowledge, flush
//!
//! The loop polls the task for a batch, converts each record (key, value and header
//! converters) and hands it to the producer tagged with a sequence number. It does not
//! wait for Kafka: delivery reports arrive on a channel while the next poll runs.
//!
//! Offsets become committable in order per source partition. [`SubmittedRecords`] keeps,
//! for each source partition, the queue of records sent and not yet committable; an
//! acknowledgement marks its record, and the acknowledged prefix of each queue moves its
//! last offset to the committable set. So if records 1, 2, 3 of a partition were sent and
//! 1 and 3 are acknowledged, only 1's offset may be flushed; once 2 arrives, 3's offset is.
//! A record acknowledged in Kafka is therefore never skipped on restart, and a record not
//! yet acknowledged is never marked as done.
//!
//! The committable offsets are written to the offset store every
//! `offset.flush.interval.ms`, even while a poll is in progress, and once more when the
//! task stops gracefully, after waiting (up to `offset.flush.timeout.ms`) for every
//! outstanding delivery. After a crash a restarted task resumes from the last flush, so the
//! records sent after it are sent again; after a graceful stop nothing is sent twice.
//!
//! Connector callbacks (`commit_record`, `commit`) need the task, which the pending poll
//! holds; they are made as soon as the poll returns, in acknowledgement order.
//!
//! `commit_record` gets the record as the task returned it, not as transformed, so the
//! loop keeps a copy of each record until Kafka acknowledges it (Java keeps a reference;
//! here the transformations consume the record). A task that does not override
//! `commit_record` says so (`uses_commit_record`), and then, unless tolerated failures
//! need the record for the log and the dead letter queue, only its offset is kept and the
//! record itself moves through the transformations: no copy per record.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use connect_api::source::{
    RecordMetadata, SourceOffset, SourcePartition, SourceRecord, SourceTask, SourceTaskContext,
};
use connect_api::storage::{Converter, HeaderConverter};
use connect_api::{ConnectError, Props};
use rdkafka::message::{Header as KafkaHeader, OwnedHeaders};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use tokio::sync::mpsc;

use super::{Stage, StageError, StatusReporter, TaskControl, TaskFailure, guarded};
use crate::errors::{ErrorHandling, FailureContext, context_headers, headers, log_tolerated};
use crate::herder::entities::{ConnectorTaskId, State};
use crate::kafka::{Ack, SourceProducer, TopicAdmin};
use crate::metrics::TaskMetricsHandle;
use crate::storage::offset::{OffsetBackingStore, partition_key};
use crate::transforms::TransformationChain;

/// What a source task loop needs.
pub struct SourceTaskRunner {
    pub id: ConnectorTaskId,
    pub task: Box<dyn SourceTask>,
    pub task_props: Props,
    pub context: SourceTaskContext,
    pub converters: Converters,
    pub transforms: TransformationChain<SourceRecord>,
    pub errors: ErrorHandling,
    pub producer: Arc<SourceProducer>,
    pub acks: mpsc::UnboundedReceiver<Ack>,
    pub topic_admin: Option<Arc<TopicAdmin>>,
    pub topic_partitions: i32,
    pub topic_replication: i32,
    pub offset_store: Arc<dyn OffsetBackingStore>,
    pub flush_interval: Duration,
    pub flush_timeout: Duration,
    pub status: StatusReporter,
    pub control: TaskControl,
}

/// A task's converters and the class names used in error messages.
pub struct Converters {
    pub key: Box<dyn Converter>,
    pub key_class: String,
    pub value: Box<dyn Converter>,
    pub value_class: String,
    pub header: Box<dyn HeaderConverter>,
    pub header_class: String,
}

/// A record's converted key, value and headers.
type Converted = (
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Vec<(String, Option<Vec<u8>>)>,
);

/// A record ready for the producer.
struct Prepared {
    topic: String,
    partition: Option<i32>,
    timestamp: Option<i64>,
    key: Option<Vec<u8>>,
    value: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
}

/// The topics a task has sent to (created first when missing), and the last one's name
/// shared by the records in flight to it.
#[derive(Default)]
struct KnownTopics {
    known: HashSet<String>,
    last: Option<Arc<str>>,
    /// The topics recorded as the connector's active topics.
    active: super::ActiveTopics,
}

impl KnownTopics {
    fn last_if(&self, topic: &str) -> Option<Arc<str>> {
        self.last.as_ref().filter(|last| ***last == *topic).cloned()
    }

    fn remember(&mut self, topic: &str) -> Arc<str> {
        let topic: Arc<str> = Arc::from(topic);
        self.last = Some(Arc::clone(&topic));
        topic
    }
}

/// What is kept of a record in flight when nobody needs the record itself: its offset,
/// and the topic and partition an error message names.
fn offset_only(record: &SourceRecord) -> SourceRecord {
    SourceRecord {
        source_partition: SourcePartition::new(),
        source_offset: record.source_offset.clone(),
        topic: record.topic.clone(),
        kafka_partition: record.kafka_partition,
        key_schema: None,
        key: connect_api::Value::Null,
        value_schema: None,
        value: connect_api::Value::Null,
        timestamp: record.timestamp,
        headers: connect_api::Headers::new(),
    }
}

/// Best-effort schemaless JSON of a failed record's key or value, for its dead letter
/// record; `None` when even that is impossible.
fn schemaless_json(
    schema: Option<&connect_api::Schema>,
    value: &connect_api::Value,
) -> Option<Vec<u8>> {
    use connect_api::storage::Converter;
    let mut converter = connect_json::JsonConverter::new();
    let mut props = connect_api::Props::new();
    props.insert("schemas.enable".to_string(), "false".to_string());
    Converter::configure(&mut converter, &props, false).ok()?;
    Converter::from_connect_data(&converter, "", &connect_api::Headers::new(), schema, value)
        .ok()
        .flatten()
}

struct InFlight {
    partition_key: Arc<str>,
    /// The topic the record was sent to (after transformations), for its metadata.
    topic: Arc<str>,
    /// The record, until it is acknowledged (it then moves to `acknowledged`).
    record: Option<SourceRecord>,
    /// The offset of a record acknowledged ahead of an earlier record of its partition.
    offset: Option<SourceOffset>,
}

/// Where a committable offset is: in a record still in `acknowledged` (so that the common
/// in-order acknowledgement copies nothing), or owned.
enum Committable {
    Acknowledged(usize),
    Offset(SourceOffset),
}

/// A partition's map and the queue of `(sequence, acknowledged)` in send order.
type PartitionQueue = (SourcePartition, VecDeque<(usize, bool)>);

/// Records in flight by sequence number: slot `i` is sequence `first_sequence + i`, `None`
/// once it became committable. Sequences are dense and mostly leave in order, so this is a
/// queue, not a map.
#[derive(Default)]
struct InFlightQueue {
    slots: VecDeque<Option<InFlight>>,
    first_sequence: usize,
    outstanding: usize,
}

/// Records sent and not yet committable, per source partition (see the module docs).
#[derive(Default)]
pub struct SubmittedRecords {
    next_sequence: usize,
    in_flight: InFlightQueue,
    /// Per partition: its map and the queue of `(sequence, acknowledged)` in send order.
    queues: HashMap<Arc<str>, PartitionQueue>,
    /// Offsets ready to flush, latest per partition.
    committable: HashMap<Arc<str>, (SourcePartition, Committable)>,
    /// Acknowledged records awaiting `commit_record`, in acknowledgement order.
    acknowledged: Vec<(SourceRecord, Option<RecordMetadata>)>,
    /// The partition of the last submitted record and its key: consecutive records of one
    /// partition (the common case) do not serialize the partition again.
    last_partition: Option<(SourcePartition, Arc<str>)>,
    /// Records registered but never handed to the producer (the task stopped while the
    /// producer's queue was full): they stay outstanding, so no later offset of their
    /// partition becomes committable, but no acknowledgement will come for them.
    unsent: usize,
    /// Records submitted and not acknowledged yet (`outstanding` also counts records
    /// acknowledged ahead of an earlier one of their partition).
    unacknowledged: usize,
}

impl SubmittedRecords {
    fn key_of(&mut self, partition: &SourcePartition) -> Arc<str> {
        if let Some((last, key)) = &self.last_partition
            && last == partition
        {
            return Arc::clone(key);
        }
        let key: Arc<str> = partition_key(partition).into();
        self.last_partition = Some((partition.clone(), Arc::clone(&key)));
        key
    }

    fn flight_mut(&mut self, sequence: usize) -> Option<&mut InFlight> {
        let index = sequence.checked_sub(self.in_flight.first_sequence)?;
        self.in_flight.slots.get_mut(index)?.as_mut()
    }

    fn flight(&self, sequence: usize) -> Option<&InFlight> {
        let index = sequence.checked_sub(self.in_flight.first_sequence)?;
        self.in_flight.slots.get(index)?.as_ref()
    }

    /// The topic a record in flight was sent to.
    fn topic_of(&self, sequence: usize) -> Option<&str> {
        self.flight(sequence).map(|f| &*f.topic)
    }

    /// Registers a record about to be sent to `topic`; returns its sequence number.
    pub fn submit(&mut self, record: SourceRecord, topic: Arc<str>) -> usize {
        let key = self.track(&record.source_partition);
        self.submit_tracked(key, record, topic)
    }

    /// The key of a record's source partition, its queue made ready: the record can then be
    /// transformed (moved) before [`submit_tracked`](Self::submit_tracked) registers what
    /// is kept of it.
    pub fn track(&mut self, partition: &SourcePartition) -> Arc<str> {
        let key = self.key_of(partition);
        if !self.queues.contains_key(&key) {
            self.queues
                .insert(Arc::clone(&key), (partition.clone(), VecDeque::new()));
        }
        key
    }

    /// Registers `kept` (the record, or only its offset) under a key from
    /// [`track`](Self::track); returns its sequence number.
    pub fn submit_tracked(&mut self, key: Arc<str>, kept: SourceRecord, topic: Arc<str>) -> usize {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let queue = match self.queues.get_mut(&key) {
            Some(queue) => queue,
            None => {
                // Tracked, then emptied by acknowledgements in between: the partition is
                // the key's JSON (see `partition_key`).
                let partition = match &self.last_partition {
                    Some((partition, last)) if *last == key => partition.clone(),
                    _ => serde_json::from_str(&key).unwrap_or_default(),
                };
                self.queues
                    .entry(Arc::clone(&key))
                    .or_insert((partition, VecDeque::new()))
            }
        };
        queue.1.push_back((sequence, false));
        let in_flight = &mut self.in_flight;
        if in_flight.slots.is_empty() {
            in_flight.first_sequence = sequence;
        }
        in_flight.slots.push_back(Some(InFlight {
            partition_key: key,
            topic,
            record: Some(kept),
            offset: None,
        }));
        in_flight.outstanding += 1;
        self.unacknowledged += 1;
        sequence
    }

    /// Marks a record acknowledged and moves every now-contiguous offset to committable.
    pub fn acknowledge(&mut self, sequence: usize, metadata: Option<RecordMetadata>) {
        let Some(flight) = self.flight_mut(sequence) else {
            return;
        };
        let Some(record) = flight.record.take() else {
            return;
        };
        let key = Arc::clone(&flight.partition_key);
        self.unacknowledged = self.unacknowledged.saturating_sub(1);
        let Some((_, queue)) = self.queues.get_mut(&key) else {
            return;
        };
        if let Some(entry) = queue.iter_mut().find(|(s, _)| *s == sequence) {
            entry.1 = true;
        }
        let in_order = queue.front().map(|(s, _)| *s) == Some(sequence);
        if !in_order {
            // An earlier record of the partition is outstanding: keep this one's offset.
            let offset = record.source_offset.clone();
            if let Some(flight) = self.flight_mut(sequence) {
                flight.offset = Some(offset);
            }
        }
        let index = self.acknowledged.len();
        let InFlightQueue {
            slots,
            first_sequence,
            outstanding,
        } = &mut self.in_flight;
        let Some((partition, queue)) = self.queues.get_mut(&key) else {
            return;
        };
        let mut last = None;
        while let Some((front, true)) = queue.front().copied() {
            queue.pop_front();
            let Some(flight) = front
                .checked_sub(*first_sequence)
                .and_then(|i| slots.get_mut(i))
                .and_then(Option::take)
            else {
                continue;
            };
            *outstanding -= 1;
            last = Some(if front == sequence {
                Committable::Acknowledged(index)
            } else {
                match flight.offset {
                    Some(offset) => Committable::Offset(offset),
                    None => continue,
                }
            });
        }
        while let Some(None) = slots.front() {
            slots.pop_front();
            *first_sequence += 1;
        }
        if let Some(last) = last {
            match self.committable.get_mut(&key) {
                Some(entry) => entry.1 = last,
                None => {
                    self.committable
                        .insert(Arc::clone(&key), (partition.clone(), last));
                }
            }
        }
        if queue.is_empty() {
            self.queues.remove(&key);
        }
        self.acknowledged.push((record, metadata));
    }

    pub fn outstanding(&self) -> usize {
        self.in_flight.outstanding
    }

    /// Notes that a registered record was never sent (see `unsent`).
    pub fn mark_unsent(&mut self) {
        self.unsent += 1;
    }

    /// Records whose acknowledgement may still come.
    pub fn awaiting_acknowledgement(&self) -> usize {
        self.unacknowledged.saturating_sub(self.unsent)
    }

    pub fn take_committable(&mut self) -> Vec<(SourcePartition, SourceOffset)> {
        let acknowledged = &self.acknowledged;
        self.committable
            .drain()
            .map(|(_, (partition, committable))| {
                let offset = match committable {
                    Committable::Acknowledged(i) => acknowledged[i].0.source_offset.clone(),
                    Committable::Offset(offset) => offset,
                };
                (partition, offset)
            })
            .collect()
    }

    /// Puts back offsets whose flush failed, unless newer ones arrived meanwhile.
    pub fn restore_committable(&mut self, offsets: Vec<(SourcePartition, SourceOffset)>) {
        for (partition, offset) in offsets {
            self.committable
                .entry(partition_key(&partition).into())
                .or_insert((partition, Committable::Offset(offset)));
        }
    }

    pub fn take_acknowledged(&mut self) -> Vec<(SourceRecord, Option<RecordMetadata>)> {
        // Committable offsets still pointing into the records leave with a copy.
        for (_, committable) in self.committable.values_mut() {
            if let Committable::Acknowledged(i) = committable {
                *committable = Committable::Offset(self.acknowledged[*i].0.source_offset.clone());
            }
        }
        std::mem::take(&mut self.acknowledged)
    }
}

/// At most this many acknowledgements are handled before the loop looks at its other
/// duties (stop, pause, offset flush, the pending poll) again.
const ACK_BURST: usize = 4096;

enum LoopEnd {
    Stopped,
    Failed(TaskFailure),
}

impl SourceTaskRunner {
    /// Runs the task to its end; the final state is in the status store.
    pub async fn run(mut self) {
        let mut submitted = SubmittedRecords::default();
        let start = guarded(
            self.task
                .start(self.context.clone(), self.task_props.clone()),
        )
        .await;
        let end = match start {
            Err(source) => LoopEnd::Failed(TaskFailure::stage(self.stage_error(
                Stage::TaskStart,
                "",
                source,
            ))),
            Ok(()) => {
                self.status.report(State::Running, None);
                tracing::info!(task = %self.id, "source task started");
                self.execute(&mut submitted).await
            }
        };
        let failure = match end {
            LoopEnd::Stopped => None,
            LoopEnd::Failed(failure) => Some(failure),
        };
        // Records Kafka acknowledged are safe to mark done even when the task failed.
        self.finish_deliveries(&mut submitted, failure.is_none())
            .await;
        if let Err(e) = self.flush_offsets(&mut submitted).await {
            tracing::error!(task = %self.id, error = %e, "final offset flush failed");
        }
        self.commit_callbacks(&mut submitted).await;
        if let Err(e) = guarded(self.task.stop()).await {
            tracing::warn!(task = %self.id, error = %e, "source task stop failed");
        }
        match failure {
            Some(failure) => self.status.failed(&failure),
            None => {
                tracing::info!(task = %self.id, "source task stopped");
                self.status.report(State::Unassigned, None);
            }
        }
    }

    fn stage_error(&self, stage: Stage, class_name: &str, source: ConnectError) -> StageError {
        StageError {
            task: self.id.clone(),
            stage,
            class_name: class_name.to_string(),
            record: None,
            source,
        }
    }

    async fn execute(&mut self, submitted: &mut SubmittedRecords) -> LoopEnd {
        let mut flush_timer = tokio::time::interval_at(
            tokio::time::Instant::now() + self.flush_interval,
            self.flush_interval,
        );
        flush_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut known_topics = KnownTopics::default();
        let task_class = format!("{}Task", self.context.connector_name);
        // Tolerated failures log the record and send it to the dead letter queue as the
        // task returned it, so it is kept then too.
        let keep_records = self.task.uses_commit_record() || self.errors.tolerate_all;
        loop {
            let mut control = self.control.clone();
            if !control.wait_while_paused(&self.status).await {
                return LoopEnd::Stopped;
            }
            // Poll, while serving acknowledgements and offset flushes.
            let mut flushed = false;
            let polled = {
                let poll = guarded(self.task.poll());
                tokio::pin!(poll);
                loop {
                    tokio::select! {
                        biased;
                        _ = super::wait_for_stop(&mut control.stop) => break None,
                        changed = control.target.changed() => {
                            if changed.is_err() || control.is_paused() { break Some(Ok(Vec::new())); }
                        }
                        Some(ack) = self.acks.recv() => {
                            if let Err(failure) = Self::handle_ack_burst(&self.id, &self.status.metrics, submitted, &mut self.acks, ack) {
                                return LoopEnd::Failed(failure);
                            }
                        }
                        _ = flush_timer.tick() => {
                            if let Err(e) = flush(&self.id, &self.status.metrics, &self.context.connector_name, &self.offset_store, self.flush_timeout, submitted).await {
                                tracing::warn!(task = %self.id, error = %e, "offset flush failed; will retry");
                            }
                            flushed = true;
                        }
                        result = &mut poll => break Some(result),
                    }
                }
            };
            self.commit_callbacks(submitted).await;
            if flushed && let Err(e) = guarded(self.task.commit()).await {
                tracing::warn!(task = %self.id, error = %e, "source task commit failed");
            }
            let records = match polled {
                None => return LoopEnd::Stopped,
                Some(Err(source)) => {
                    return LoopEnd::Failed(TaskFailure::stage(self.stage_error(
                        Stage::TaskPoll,
                        &task_class,
                        source,
                    )));
                }
                Some(Ok(records)) => {
                    let metrics = &self.status.metrics;
                    if !records.is_empty() {
                        metrics
                            .metrics
                            .source_polled
                            .get_or_create(&metrics.labels)
                            .inc_by(records.len() as u64);
                        metrics
                            .metrics
                            .poll_batch_size
                            .get_or_create(&metrics.labels)
                            .observe(records.len() as f64);
                    }
                    records
                }
            };
            for record in records {
                // Records of the batch not sent yet are polled again after the restart.
                if self.control.is_stopping() {
                    return LoopEnd::Stopped;
                }
                if let Err(failure) = self
                    .send(record, keep_records, submitted, &mut known_topics)
                    .await
                {
                    return LoopEnd::Failed(failure);
                }
            }
        }
    }

    /// Handles `first` and the acknowledgements already waiting behind it, up to
    /// [`ACK_BURST`]: they come in bursts (one per record of a batch Kafka answered), and
    /// taking them together spares the loop a wake-up per record.
    fn handle_ack_burst(
        id: &ConnectorTaskId,
        metrics: &TaskMetricsHandle,
        submitted: &mut SubmittedRecords,
        acks: &mut mpsc::UnboundedReceiver<Ack>,
        first: Ack,
    ) -> Result<(), TaskFailure> {
        Self::handle_ack(id, metrics, submitted, first)?;
        for _ in 1..ACK_BURST {
            match acks.try_recv() {
                Ok(ack) => Self::handle_ack(id, metrics, submitted, ack)?,
                Err(_) => break,
            }
        }
        Ok(())
    }

    fn handle_ack(
        id: &ConnectorTaskId,
        metrics: &TaskMetricsHandle,
        submitted: &mut SubmittedRecords,
        ack: Ack,
    ) -> Result<(), TaskFailure> {
        if ack.sequence == crate::kafka::SECURITY_FAILURE {
            let explanation = match ack.result {
                Err(rdkafka::error::KafkaError::ClientCreation(explanation)) => explanation,
                other => format!("{other:?}"),
            };
            return Err(TaskFailure::runtime(
                "the task's producer cannot connect to Kafka",
                crate::kafka::ClientSecurityError(explanation),
            ));
        }
        let topic = submitted
            .topic_of(ack.sequence)
            .unwrap_or_default()
            .to_string();
        match ack.result {
            Ok((partition, offset, timestamp)) => {
                metrics.written.inc();
                submitted.acknowledge(
                    ack.sequence,
                    Some(RecordMetadata {
                        topic,
                        partition,
                        offset,
                        timestamp,
                    }),
                );
                Ok(())
            }
            Err(error) => Err(TaskFailure::stage(StageError {
                task: id.clone(),
                stage: Stage::KafkaProduce,
                class_name: "org.apache.kafka.clients.producer.KafkaProducer".to_string(),
                record: Some(format!("source record is for topic '{topic}'")),
                source: ConnectError::other_with(
                    "Unrecoverable exception from producer send callback",
                    error,
                ),
            })),
        }
    }

    /// Transforms and converts a record: the bytes to send, or the stage that failed. A
    /// borrowed record is copied only if there are transformations to apply.
    async fn prepare(
        &self,
        original: Cow<'_, SourceRecord>,
    ) -> Result<Option<Prepared>, (Stage, String, ConnectError)> {
        let record = if self.transforms.is_empty() {
            original
        } else {
            match self.transforms.apply(original.into_owned()) {
                Ok(Some(record)) => Cow::Owned(record),
                Ok(None) => return Ok(None),
                Err(failure) => {
                    return Err((Stage::Transformation, failure.class_name, failure.error));
                }
            }
        };
        let (key, value, headers) = self.convert(&record).await?;
        let (partition, timestamp) = (record.kafka_partition, record.timestamp);
        let topic = match record {
            Cow::Owned(record) => record.topic,
            Cow::Borrowed(record) => record.topic.clone(),
        };
        Ok(Some(Prepared {
            topic,
            partition,
            timestamp,
            key,
            value,
            headers,
        }))
    }

    /// Converts a (transformed) record's key, value and headers.
    async fn convert(
        &self,
        record: &SourceRecord,
    ) -> Result<Converted, (Stage, String, ConnectError)> {
        let topic = &record.topic;
        let converters = &self.converters;
        let key = self
            .errors
            .retry(|| {
                converters.key.from_connect_data(
                    topic,
                    &record.headers,
                    record.key_schema.as_ref(),
                    &record.key,
                )
            })
            .await
            .map_err(|e| (Stage::KeyConverter, converters.key_class.clone(), e))?;
        let value = self
            .errors
            .retry(|| {
                converters.value.from_connect_data(
                    topic,
                    &record.headers,
                    record.value_schema.as_ref(),
                    &record.value,
                )
            })
            .await
            .map_err(|e| (Stage::ValueConverter, converters.value_class.clone(), e))?;
        let mut headers = Vec::with_capacity(record.headers.len());
        for header in record.headers.iter() {
            let bytes = self
                .errors
                .retry(|| {
                    converters.header.from_connect_header(
                        topic,
                        &header.key,
                        header.schema.as_ref(),
                        &header.value,
                    )
                })
                .await
                .map_err(|e| (Stage::HeaderConverter, converters.header_class.clone(), e))?;
            headers.push((header.key.clone(), bytes));
        }
        Ok((key, value, headers))
    }

    /// Transforms, converts and hands a record to the producer; a tolerated failure sends
    /// it to the dead letter queue instead (see [`crate::errors`]).
    async fn send(
        &mut self,
        original: SourceRecord,
        keep_records: bool,
        submitted: &mut SubmittedRecords,
        known_topics: &mut KnownTopics,
    ) -> Result<(), TaskFailure> {
        let key = submitted.track(&original.source_partition);
        // `commit_record` and the dead letter queue get the record as the task returned it,
        // as in Kafka, so it is kept until acknowledged; otherwise only its offset (and what
        // an error message names) is, and the record itself moves through the pipeline.
        let (kept, prepared) = if keep_records {
            let prepared = self.prepare(Cow::Borrowed(&original)).await;
            (original, prepared)
        } else {
            let kept = offset_only(&original);
            (kept, self.prepare(Cow::Owned(original)).await)
        };
        match prepared {
            Ok(Some(prepared)) => {
                self.produce(prepared, key, kept, submitted, known_topics)
                    .await
            }
            Ok(None) => {
                // Dropped by a transformation: its offset is done with.
                let sequence = submitted.submit_tracked(key, kept, Arc::from(""));
                submitted.acknowledge(sequence, None);
                Ok(())
            }
            Err(failure) => {
                self.tolerate(failure, key, kept, submitted, known_topics)
                    .await
            }
        }
    }

    /// Handles a failed stage: fails the task, or skips the record after logging it and
    /// sending it to the dead letter queue.
    async fn tolerate(
        &mut self,
        (stage, class_name, error): (Stage, String, ConnectError),
        key: Arc<str>,
        original: SourceRecord,
        submitted: &mut SubmittedRecords,
        known_topics: &mut KnownTopics,
    ) -> Result<(), TaskFailure> {
        let record_context = format!("source record is for topic '{}'", original.topic);
        self.status
            .metrics
            .metrics
            .record_failure(&self.id, stage.name());
        if !self.errors.tolerate_all || !ErrorHandling::is_tolerable(stage) {
            return Err(TaskFailure::tolerance(StageError {
                task: self.id.clone(),
                stage,
                class_name,
                record: Some(record_context),
                source: error,
            }));
        }
        let context = FailureContext {
            task: &self.id,
            stage,
            class_name: &class_name,
            error: &error,
            topic: &original.topic,
            partition: original.kafka_partition.unwrap_or(-1),
            offset: -1,
        };
        log_tolerated(&self.errors, &context, || format!("{original:?}"));
        let Some(dlq_topic) = self.errors.dlq_topic.clone() else {
            let sequence = submitted.submit_tracked(key, original, Arc::from(""));
            submitted.acknowledge(sequence, None);
            return Ok(());
        };
        let mut headers: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        if self.errors.dlq_context_headers {
            for (name, value) in context_headers(&context) {
                headers.push((name.to_string(), Some(value.into_bytes())));
            }
            let partition = serde_json::to_string(&original.source_partition).unwrap_or_default();
            let offset = serde_json::to_string(&original.source_offset).unwrap_or_default();
            headers.push((
                headers::SOURCE_PARTITION.to_string(),
                Some(partition.into_bytes()),
            ));
            headers.push((
                headers::SOURCE_OFFSET.to_string(),
                Some(offset.into_bytes()),
            ));
        }
        let dead_letter = Prepared {
            topic: dlq_topic,
            partition: None,
            timestamp: original.timestamp,
            key: schemaless_json(original.key_schema.as_ref(), &original.key),
            value: schemaless_json(original.value_schema.as_ref(), &original.value),
            headers,
        };
        let metrics = &self.status.metrics;
        metrics
            .metrics
            .dead_lettered
            .get_or_create(&metrics.labels)
            .inc();
        // The record's offset becomes committable once the dead letter record is acknowledged.
        self.produce(dead_letter, key, original, submitted, known_topics)
            .await
    }

    /// Sends prepared bytes, tagged with the original record's sequence number.
    async fn produce(
        &mut self,
        prepared: Prepared,
        key: Arc<str>,
        kept: SourceRecord,
        submitted: &mut SubmittedRecords,
        known_topics: &mut KnownTopics,
    ) -> Result<(), TaskFailure> {
        let topic = match known_topics.last_if(&prepared.topic) {
            Some(topic) => topic,
            None => {
                if !known_topics.known.contains(&prepared.topic) {
                    // Both wait on Kafka; a stop must not wait for them (during an outage
                    // they would hold the stop up to their timeouts).
                    let mut control = self.control.clone();
                    tokio::select! {
                        biased;
                        _ = super::wait_for_stop(&mut control.stop) => {}
                        _ = async {
                            self.ensure_topic(&prepared.topic).await;
                            self.await_topic_metadata(&prepared.topic).await;
                        } => {}
                    }
                    known_topics.known.insert(prepared.topic.clone());
                }
                known_topics.remember(&prepared.topic)
            }
        };
        if self.errors.dlq_topic.as_deref() != Some(&*topic) {
            self.status
                .record_active_topic(&mut known_topics.active, &topic);
        }
        let sequence = submitted.submit_tracked(key, kept, Arc::clone(&topic));
        let mut base: BaseRecord<'_, [u8], [u8], usize> =
            BaseRecord::with_opaque_to(&topic, sequence);
        if !prepared.headers.is_empty() {
            // librdkafka allocates a header list even when it is empty: only records with
            // headers get one.
            let mut headers = OwnedHeaders::new_with_capacity(prepared.headers.len());
            for (key, value) in &prepared.headers {
                headers = headers.insert(KafkaHeader {
                    key,
                    value: value.as_deref(),
                });
            }
            base = base.headers(headers);
        }
        if let Some(key) = prepared.key.as_deref() {
            base = base.key(key);
        }
        if let Some(value) = prepared.value.as_deref() {
            base = base.payload(value);
        }
        if let Some(partition) = prepared.partition {
            base = base.partition(partition);
        }
        if let Some(timestamp) = prepared.timestamp {
            base = base.timestamp(timestamp);
        }
        loop {
            match self.producer.send(base) {
                Ok(()) => return Ok(()),
                Err((error, returned))
                    if error.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) =>
                {
                    if self.control.is_stopping() {
                        // The record stays registered and unacknowledged: its offset (and
                        // every later one of its partition) is not committed, and it is
                        // sent again after the restart.
                        submitted.mark_unsent();
                        return Ok(());
                    }
                    base = returned;
                    // Let deliveries drain, serving their acknowledgements meanwhile: all
                    // that are waiting, so that a full queue is refilled a response's
                    // worth at a time rather than one record per wake-up.
                    if let Ok(Some(ack)) =
                        tokio::time::timeout(Duration::from_millis(10), self.acks.recv()).await
                    {
                        Self::handle_ack_burst(
                            &self.id,
                            &self.status.metrics,
                            submitted,
                            &mut self.acks,
                            ack,
                        )?;
                    }
                }
                Err((error, _)) => {
                    return Err(TaskFailure::stage(StageError {
                        task: self.id.clone(),
                        stage: Stage::KafkaProduce,
                        class_name: "org.apache.kafka.clients.producer.KafkaProducer".to_string(),
                        record: Some(format!("source record is for topic '{topic}'")),
                        source: ConnectError::other_with("failed to send record to Kafka", error),
                    }));
                }
            }
        }
    }

    /// Waits, before the first record to `topic`, until the producer knows the topic's
    /// partitions and their leaders, as Kafka's producer does in `send` (`waitOnMetadata`),
    /// so that librdkafka does not hold the first records in its queue of records without a
    /// partition while it learns them (a topic just created answers without leaders for a
    /// moment). One CI run saw the first 100 records of a new topic land after the next 50;
    /// this is the likely place, not a proven one, and it has not recurred since.
    /// A topic that does not show up within the wait is left to librdkafka (the broker may
    /// create it on the first produce).
    async fn await_topic_metadata(&self, topic: &str) {
        const WAIT: Duration = Duration::from_secs(30);
        let producer = Arc::clone(&self.producer);
        let name = topic.to_string();
        let stop = self.control.stop.clone();
        let metrics = Arc::clone(&self.status.metrics.metrics);
        let known = tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + WAIT;
            loop {
                let remaining = deadline.saturating_duration_since(std::time::Instant::now());
                // Nothing to learn while Kafka is out of reach, or once the task stops.
                if remaining.is_zero()
                    || *stop.borrow()
                    || metrics.kafka_unreachable()
                    || producer.context().security_failed()
                {
                    return false;
                }
                let ready = producer
                    .client()
                    .fetch_metadata(Some(&name), remaining.min(Duration::from_secs(1)))
                    .is_ok_and(|metadata| {
                        metadata.topics().iter().any(|t| {
                            t.name() == name
                                && t.error().is_none()
                                && !t.partitions().is_empty()
                                && t.partitions().iter().all(|p| p.leader() >= 0)
                        })
                    });
                if ready {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
        .await
        .unwrap_or(false);
        if !known {
            tracing::warn!(task = %self.id, topic, "the topic's partitions are still unknown; sending anyway");
        }
    }

    async fn ensure_topic(&self, topic: &str) {
        let Some(admin) = &self.topic_admin else {
            return;
        };
        // A producer that cannot authenticate will fail the task (its failure is waiting
        // in the acknowledgements): no use waiting for the admin client's timeouts.
        let producer = Arc::clone(&self.producer);
        let security_failed = async move {
            while !producer.context().security_failed() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        let created = tokio::select! {
            created = admin.create_topic_if_missing(topic, self.topic_partitions, self.topic_replication) => created,
            _ = security_failed => return,
        };
        match created {
            Ok(true) => tracing::info!(task = %self.id, topic, "created topic"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(task = %self.id, topic, error = %e, "could not create topic; relying on the broker to have or create it")
            }
        }
    }

    async fn commit_callbacks(&mut self, submitted: &mut SubmittedRecords) {
        let acknowledged = submitted.take_acknowledged();
        if !self.task.uses_commit_record() {
            return;
        }
        for (record, metadata) in acknowledged {
            if let Err(e) = guarded(self.task.commit_record(&record, metadata.as_ref())).await {
                tracing::warn!(task = %self.id, error = %e, "commit_record failed");
            }
        }
    }

    /// Waits for outstanding deliveries (graceful stop) or just collects the ones that
    /// already arrived (failure), then folds them into `submitted`.
    async fn finish_deliveries(&mut self, submitted: &mut SubmittedRecords, wait: bool) {
        let awaiting = submitted.awaiting_acknowledgement();
        if wait && awaiting > 0 && self.status.metrics.metrics.kafka_unreachable() {
            // Nothing can be acknowledged during an outage: waiting would only hold up the
            // stop (and the REST call or shutdown behind it) for the whole timeout.
            tracing::warn!(
                task = %self.id,
                outstanding = awaiting,
                "Kafka is unreachable: not waiting for the records in flight to be acknowledged; \
                 they are sent again from the last committed offset when the task next starts"
            );
        } else if wait && awaiting > 0 {
            let producer = Arc::clone(&self.producer);
            let timeout = self.flush_timeout;
            let flushed = tokio::task::spawn_blocking(move || producer.flush(timeout)).await;
            if !matches!(flushed, Ok(Ok(()))) {
                tracing::warn!(task = %self.id, outstanding = submitted.awaiting_acknowledgement(), "timed out waiting for outstanding records; their offsets are not committed");
            }
            let deadline = tokio::time::Instant::now() + self.flush_timeout;
            while submitted.awaiting_acknowledgement() > 0 {
                match tokio::time::timeout_at(deadline, self.acks.recv()).await {
                    Ok(Some(ack)) => {
                        if let Err(failure) =
                            Self::handle_ack(&self.id, &self.status.metrics, submitted, ack)
                        {
                            tracing::error!(task = %self.id, error = %failure, "delivery failed during shutdown");
                        }
                    }
                    _ => break,
                }
            }
        }
        while let Ok(ack) = self.acks.try_recv() {
            let _ = Self::handle_ack(&self.id, &self.status.metrics, submitted, ack);
        }
    }

    async fn flush_offsets(
        &self,
        submitted: &mut SubmittedRecords,
    ) -> Result<(), crate::storage::StorageError> {
        flush(
            &self.id,
            &self.status.metrics,
            &self.context.connector_name,
            &self.offset_store,
            self.flush_timeout,
            submitted,
        )
        .await
    }
}

/// Writes committable offsets to the store; on failure they are kept for the next flush.
async fn flush(
    id: &ConnectorTaskId,
    metrics: &TaskMetricsHandle,
    connector: &str,
    store: &Arc<dyn OffsetBackingStore>,
    timeout: Duration,
    submitted: &mut SubmittedRecords,
) -> Result<(), crate::storage::StorageError> {
    let offsets = submitted.take_committable();
    if offsets.is_empty() {
        return Ok(());
    }
    let count = offsets.len();
    let write = store.set(
        connector,
        offsets
            .iter()
            .map(|(p, o)| (p.clone(), Some(o.clone())))
            .collect(),
    );
    let started = std::time::Instant::now();
    let result = tokio::time::timeout(timeout.max(Duration::from_millis(100)), write).await;
    metrics
        .metrics
        .observe_commit(id, started.elapsed(), matches!(result, Ok(Ok(()))));
    match result {
        Ok(Ok(())) => {
            tracing::debug!(task = %id, partitions = count, "flushed offsets");
            Ok(())
        }
        Ok(Err(e)) => {
            submitted.restore_committable(offsets);
            Err(e)
        }
        Err(_) => {
            submitted.restore_committable(offsets);
            Err(crate::storage::StorageError::Io {
                path: "offset store".to_string(),
                error: std::io::Error::new(std::io::ErrorKind::TimedOut, "offset flush timed out"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(partition: &str, position: i64) -> SourceRecord {
        let p = json!({ "file": partition })
            .as_object()
            .cloned()
            .unwrap_or_default();
        let o = json!({ "position": position })
            .as_object()
            .cloned()
            .unwrap_or_default();
        SourceRecord::new(p, o, "t", None, connect_api::Value::Null)
    }

    fn positions(offsets: Vec<(SourcePartition, SourceOffset)>) -> Vec<(String, i64)> {
        let mut v: Vec<_> = offsets
            .into_iter()
            .map(|(p, o)| {
                (
                    p["file"].as_str().unwrap_or_default().to_string(),
                    o["position"].as_i64().unwrap_or(-1),
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn offsets_commit_in_order_per_partition() {
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(record("a", 1), Arc::from("t"));
        let a2 = submitted.submit(record("a", 2), Arc::from("t"));
        let a3 = submitted.submit(record("a", 3), Arc::from("t"));
        let b1 = submitted.submit(record("b", 1), Arc::from("t"));
        submitted.acknowledge(a1, None);
        submitted.acknowledge(a3, None);
        submitted.acknowledge(b1, None);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 1), ("b".into(), 1)]
        );
        assert_eq!(submitted.outstanding(), 2);
        submitted.acknowledge(a2, None);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 3)]
        );
        assert_eq!(submitted.outstanding(), 0);
        assert_eq!(submitted.take_acknowledged().len(), 4);
    }

    /// A record never handed to the producer (the task stopped on a full queue) blocks its
    /// partition's later offsets, and nobody waits for its acknowledgement.
    #[test]
    fn an_unsent_record_blocks_later_offsets_but_is_not_awaited() {
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(record("a", 1), Arc::from("t"));
        let _a2 = submitted.submit(record("a", 2), Arc::from("t"));
        submitted.mark_unsent();
        let a3 = submitted.submit(record("a", 3), Arc::from("t"));
        submitted.acknowledge(a1, None);
        submitted.acknowledge(a3, None);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 1)]
        );
        // a2 never sent, a3 acknowledged behind it: both still outstanding, none awaited.
        assert_eq!(submitted.outstanding(), 2);
        assert_eq!(submitted.awaiting_acknowledgement(), 0);
    }

    #[test]
    fn committable_offsets_survive_commit_callbacks_taking_the_records() {
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(record("a", 1), Arc::from("t"));
        let a2 = submitted.submit(record("a", 2), Arc::from("t"));
        let a3 = submitted.submit(record("a", 3), Arc::from("t"));
        submitted.acknowledge(a1, None);
        submitted.acknowledge(a3, None);
        // commit_record gets the records, in acknowledgement order, before the flush.
        let acked: Vec<i64> = submitted
            .take_acknowledged()
            .iter()
            .map(|(r, _)| r.source_offset["position"].as_i64().unwrap_or(-1))
            .collect();
        assert_eq!(acked, vec![1, 3]);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 1)]
        );
        submitted.acknowledge(a2, None);
        assert_eq!(submitted.take_acknowledged().len(), 1);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 3)]
        );
        assert_eq!(submitted.outstanding(), 0);
    }

    #[test]
    fn a_tracked_partition_emptied_before_its_record_is_submitted_is_tracked_again() {
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(record("a", 1), Arc::from("t"));
        // The next record's partition is tracked while a1 is in flight; a1's
        // acknowledgement then empties the partition's queue before the record is submitted.
        let next = record("a", 2);
        let key = submitted.track(&next.source_partition);
        submitted.acknowledge(a1, None);
        let a2 = submitted.submit_tracked(key, offset_only(&next), Arc::from("t"));
        submitted.acknowledge(a2, None);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 2)]
        );
        assert_eq!(submitted.outstanding(), 0);
    }

    #[test]
    fn a_partition_known_only_by_its_key_is_rebuilt_from_it() {
        let mut submitted = SubmittedRecords::default();
        let next = record("a", 7);
        let key = submitted.track(&next.source_partition);
        // Another partition is tracked in between, and the first one's queue is gone.
        submitted.track(&record("b", 1).source_partition);
        submitted.queues.remove(&key);
        let a7 = submitted.submit_tracked(key, offset_only(&next), Arc::from("t"));
        submitted.acknowledge(a7, None);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 7)]
        );
    }

    #[test]
    fn failed_flush_keeps_offsets_without_overwriting_newer_ones() {
        let mut submitted = SubmittedRecords::default();
        let a1 = submitted.submit(record("a", 1), Arc::from("t"));
        submitted.acknowledge(a1, None);
        let failed = submitted.take_committable();
        let a2 = submitted.submit(record("a", 2), Arc::from("t"));
        submitted.acknowledge(a2, None);
        submitted.restore_committable(failed);
        assert_eq!(
            positions(submitted.take_committable()),
            vec![("a".into(), 2)]
        );
    }
}
