//! The sink task loop (Kafka's `WorkerSinkTask`).
//!
//! # Consume, put, pre-commit, commit
//!
//! The task's consumer joins the group `connect-<connector>` with auto-commit off and
//! `auto.offset.reset=earliest`. The loop takes what the consumer has (up to
//! `consumer.max.poll.records`, default 500), converts keys, values and headers, and hands
//! the batch to `put`. For every record delivered it remembers the next offset of its
//! partition. Every `offset.flush.interval.ms`, and on a graceful stop, it asks the task
//! to make its writes durable (`pre_commit`) and commits to Kafka exactly the offsets the
//! task returned. A record is therefore committed only after the task said it is durable;
//! records delivered after the last commit are delivered again after a crash or a
//! rebalance (at-least-once).
//!
//! Partition assignment changes are reported to the task through `open` and `close`
//! after the consumer applied them. Offsets are not committed from inside the rebalance
//! callback, so a partition that moves to another task may see records again from its
//! last commit.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use connect_api::sink::{
    CommitOffsets, SinkRecord, SinkTask, SinkTaskContext, TimestampType, TopicPartition,
};
use connect_api::{ConnectError, Headers, Props};
use futures_util::FutureExt;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::RDKafkaErrorCode;
use rdkafka::message::{Header as KafkaHeader, Headers as _, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::mpsc;

use super::source::Converters;
use super::{Stage, StageError, StatusReporter, TaskControl, TaskFailure, guarded};
use crate::errors::{ErrorHandling, FailureContext, context_headers, log_tolerated};
use crate::herder::entities::{ConnectorTaskId, State};
use crate::transforms::TransformationChain;

/// Reports partition assignment changes to the loop.
pub struct SinkConsumerContext {
    events: mpsc::UnboundedSender<AssignmentEvent>,
}

#[derive(Debug)]
pub enum AssignmentEvent {
    Assigned(Vec<TopicPartition>),
    Revoked(Vec<TopicPartition>),
    /// The consumer's TLS or SASL handshake failed (see [`crate::kafka::security_failure`]).
    SecurityFailure(crate::kafka::ClientSecurityError),
}

fn partitions_of(list: &TopicPartitionList) -> Vec<TopicPartition> {
    list.elements()
        .iter()
        .map(|e| TopicPartition::new(e.topic(), e.partition()))
        .collect()
}

impl ClientContext for SinkConsumerContext {
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        crate::kafka::log_client_error(&error, reason);
        if let Some(failure) = crate::kafka::security_failure(&error, reason) {
            let _ = self.events.send(AssignmentEvent::SecurityFailure(failure));
        }
    }
}

impl ConsumerContext for SinkConsumerContext {
    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let event = match rebalance {
            Rebalance::Assign(list) => AssignmentEvent::Assigned(partitions_of(list)),
            Rebalance::Revoke(list) => AssignmentEvent::Revoked(partitions_of(list)),
            Rebalance::Error(e) => {
                tracing::warn!(error = %e, "sink consumer rebalance error");
                return;
            }
        };
        let _ = self.events.send(event);
    }
}

pub type SinkConsumer = StreamConsumer<SinkConsumerContext>;

/// Creates a sink task's consumer with Kafka Connect's forced settings, then overrides.
pub fn sink_consumer(
    bootstrap_servers: &str,
    group_id: &str,
    client_id: &str,
    worker_overrides: &BTreeMap<String, String>,
    connector_overrides: &BTreeMap<String, String>,
) -> Result<(SinkConsumer, mpsc::UnboundedReceiver<AssignmentEvent>), rdkafka::error::KafkaError> {
    let mut forced = BTreeMap::new();
    forced.insert("group.id".to_string(), group_id.to_string());
    forced.insert("enable.auto.commit".to_string(), "false".to_string());
    forced.insert("auto.offset.reset".to_string(), "earliest".to_string());
    forced.insert("client.id".to_string(), client_id.to_string());
    let mut worker = worker_overrides.clone();
    worker.remove("max.poll.records");
    let mut connector = connector_overrides.clone();
    connector.remove("max.poll.records");
    let config = crate::kafka::client_config(bootstrap_servers, &[&forced, &worker, &connector])?;
    let (events, receiver) = mpsc::unbounded_channel();
    let consumer = config.create_with_context(SinkConsumerContext { events })?;
    Ok((consumer, receiver))
}

/// How a sink task meets its consumer's errors.
///
/// librdkafka's consumer recovers from almost every error by itself and reports them as
/// information: a subscribed topic that does not exist yet (`UNKNOWN_TOPIC_OR_PART`, until
/// the topic is created), a broker connection lost, a coordinator moving. Kafka's Java
/// consumer retries the same conditions silently, so Kafka Connect's sink task stays
/// RUNNING through them; so does ours, logging each kind of error once a minute at most.
/// What the consumer cannot recover from ends the task: a fatal error (fencing of a static
/// member) and authorization failures, which Kafka's consumer throws as well.
#[derive(Default)]
struct ConsumerErrors {
    last_logged: Option<(Option<RDKafkaErrorCode>, tokio::time::Instant)>,
}

impl ConsumerErrors {
    const LOG_INTERVAL: Duration = Duration::from_secs(60);

    fn handle(
        &mut self,
        task: &ConnectorTaskId,
        subscription: &str,
        error: rdkafka::error::KafkaError,
    ) -> Result<(), TaskFailure> {
        use rdkafka::error::KafkaError;
        let code = error.rdkafka_error_code();
        let fatal = match &error {
            KafkaError::MessageConsumption(code) => matches!(
                code,
                RDKafkaErrorCode::TopicAuthorizationFailed
                    | RDKafkaErrorCode::GroupAuthorizationFailed
                    | RDKafkaErrorCode::ClusterAuthorizationFailed
                    | RDKafkaErrorCode::SaslAuthenticationFailed
                    | RDKafkaErrorCode::Authentication
            ),
            KafkaError::PartitionEOF(_) => false,
            _ => true,
        };
        if fatal {
            return Err(TaskFailure::runtime("failed to consume from Kafka", error));
        }
        let now = tokio::time::Instant::now();
        let repeated = self
            .last_logged
            .is_some_and(|(last, at)| last == code && now.duration_since(at) < Self::LOG_INTERVAL);
        if !repeated {
            self.last_logged = Some((code, now));
            if matches!(
                code,
                Some(RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic)
            ) {
                tracing::warn!(
                    task = %task,
                    "a subscribed topic does not exist yet ({subscription}); the task consumes it once it is created"
                );
            } else {
                tracing::warn!(task = %task, %error, "the consumer reported an error; it retries by itself");
            }
        }
        Ok(())
    }
}

/// Kafka Connect's description of a consumed record in traces and logs (never its contents).
fn record_description(message: &OwnedMessage) -> String {
    format!(
        "consumed record is {{topic='{}', partition={}, offset={}, timestamp={}, timestampType={}}}",
        message.topic(),
        message.partition(),
        message.offset(),
        message.timestamp().to_millis().unwrap_or(-1),
        match message.timestamp() {
            rdkafka::Timestamp::CreateTime(_) => "CreateTime",
            rdkafka::Timestamp::LogAppendTime(_) => "LogAppendTime",
            rdkafka::Timestamp::NotAvailable => "NoTimestampType",
        }
    )
}

/// A sink task's dead letter queue producer: failures to deliver are logged.
pub struct DlqContext;

impl ClientContext for DlqContext {}

impl rdkafka::producer::ProducerContext for DlqContext {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &rdkafka::producer::DeliveryResult<'_>, _: ()) {
        if let Err((error, message)) = result {
            tracing::error!(topic = message.topic(), %error, "could not produce message to dead letter queue");
        }
    }
}

pub type DlqProducer = ThreadedProducer<DlqContext>;

/// What a sink task loop needs.
pub struct SinkTaskRunner {
    pub id: ConnectorTaskId,
    pub task: Box<dyn SinkTask>,
    pub task_props: Props,
    pub context: SinkTaskContext,
    pub converters: Converters,
    pub transforms: TransformationChain<SinkRecord>,
    pub errors: ErrorHandling,
    pub dlq: Option<Arc<DlqProducer>>,
    pub topic_admin: Option<Arc<crate::kafka::TopicAdmin>>,
    pub consumer: Arc<SinkConsumer>,
    pub assignment_events: mpsc::UnboundedReceiver<AssignmentEvent>,
    pub topics: Vec<String>,
    pub topics_regex: Option<String>,
    pub max_poll_records: usize,
    pub flush_interval: Duration,
    pub status: StatusReporter,
    pub control: TaskControl,
}

impl SinkTaskRunner {
    pub async fn run(mut self) {
        let start = guarded(
            self.task
                .start(self.context.clone(), self.task_props.clone()),
        )
        .await;
        let mut delivered = CommitOffsets::new();
        let result = match start {
            Err(source) => Err(TaskFailure::stage(
                self.stage_error(Stage::TaskStart, source),
            )),
            Ok(()) => {
                self.status.report(State::Running, None);
                tracing::info!(task = %self.id, "sink task started");
                self.execute(&mut delivered).await
            }
        };
        let unreachable = self.status.metrics.metrics.kafka_unreachable();
        if result.is_ok() && unreachable {
            tracing::warn!(task = %self.id, "Kafka is unreachable: not committing the sink's offsets at stop; the records since the last commit are consumed again when the task next starts");
        }
        if result.is_ok()
            && !unreachable
            && let Err(failure) = self.commit(&delivered).await
        {
            tracing::warn!(task = %self.id, error = %failure, "final offset commit failed");
        }
        if let Err(e) = guarded(self.task.stop()).await {
            tracing::warn!(task = %self.id, error = %e, "sink task stop failed");
        }
        self.consumer.unsubscribe();
        match result {
            Err(failure) => self.status.failed(&failure),
            Ok(()) => {
                tracing::info!(task = %self.id, "sink task stopped");
                self.status.report(State::Unassigned, None);
            }
        }
    }

    fn stage_error(&self, stage: Stage, source: ConnectError) -> StageError {
        StageError {
            task: self.id.clone(),
            stage,
            class_name: format!("{}Task", self.context.connector_name),
            record: None,
            source,
        }
    }

    /// The connector's topics as configured, for log lines.
    fn subscription_text(&self) -> String {
        match &self.topics_regex {
            Some(regex) => format!("topics.regex {regex}"),
            None => format!("topics {}", self.topics.join(",")),
        }
    }

    fn subscribe(&self) -> Result<(), TaskFailure> {
        let subscription: Vec<String> = match &self.topics_regex {
            // librdkafka treats a subscription starting with '^' as a regular expression.
            Some(regex) if regex.starts_with('^') => vec![regex.clone()],
            Some(regex) => vec![format!("^{regex}")],
            None => self.topics.clone(),
        };
        let names: Vec<&str> = subscription.iter().map(String::as_str).collect();
        self.consumer
            .subscribe(&names)
            .map_err(|e| TaskFailure::runtime("failed to subscribe to the connector's topics", e))
    }

    async fn execute(&mut self, delivered: &mut CommitOffsets) -> Result<(), TaskFailure> {
        if let (Some(admin), Some(topic)) = (&self.topic_admin, &self.errors.dlq_topic) {
            match admin
                .create_topic_if_missing(topic, 1, self.errors.dlq_replication_factor)
                .await
            {
                Ok(true) => {
                    tracing::info!(task = %self.id, topic, "created dead letter queue topic")
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(task = %self.id, topic, error = %e, "could not create the dead letter queue topic")
                }
            }
        }
        self.subscribe()?;
        let mut flush_timer = tokio::time::interval_at(
            tokio::time::Instant::now() + self.flush_interval,
            self.flush_interval,
        );
        flush_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut assigned: BTreeSet<TopicPartition> = BTreeSet::new();
        let mut paused = false;
        let mut active_topics = super::ActiveTopics::default();
        let mut consumer_errors = ConsumerErrors::default();
        loop {
            let mut control = self.control.clone();
            if control.is_stopping() {
                return Ok(());
            }
            let want_paused = control.is_paused();
            if want_paused != paused {
                self.set_paused(&assigned, want_paused);
                paused = want_paused;
                self.status.report(
                    if paused {
                        State::Paused
                    } else {
                        State::Running
                    },
                    None,
                );
            }
            let consumer = Arc::clone(&self.consumer);
            let messages: Vec<OwnedMessage> = tokio::select! {
                biased;
                _ = super::wait_for_stop(&mut control.stop) => return Ok(()),
                _ = control.target.changed() => continue,
                Some(event) = self.assignment_events.recv() => {
                    self.on_assignment(event, &mut assigned, delivered, paused).await?;
                    continue;
                }
                _ = flush_timer.tick() => {
                    self.commit(delivered).await?;
                    continue;
                }
                first = consumer.recv() => {
                    let first = match first {
                        Ok(message) => message,
                        Err(e) => {
                            consumer_errors.handle(&self.id, &self.subscription_text(), e)?;
                            continue;
                        }
                    };
                    let mut messages = vec![first.detach()];
                    while messages.len() < self.max_poll_records {
                        match consumer.recv().now_or_never() {
                            Some(Ok(message)) => messages.push(message.detach()),
                            Some(Err(e)) => {
                                consumer_errors.handle(&self.id, &self.subscription_text(), e)?;
                                break;
                            }
                            None => break,
                        }
                    }
                    messages
                }
            };
            let metrics = &self.status.metrics;
            metrics
                .metrics
                .sink_read
                .get_or_create(&metrics.labels)
                .inc_by(messages.len() as u64);
            let mut batch = Vec::with_capacity(messages.len());
            for message in &messages {
                self.status
                    .record_active_topic(&mut active_topics, message.topic());
                delivered.insert(
                    TopicPartition::new(message.topic(), message.partition()),
                    message.offset() + 1,
                );
                if let Some(record) = self.process(message).await? {
                    batch.push(record);
                }
            }
            drop(messages);
            self.status
                .metrics
                .metrics
                .sink_put
                .get_or_create(&self.status.metrics.labels)
                .inc_by(batch.len() as u64);
            guarded(self.task.put(batch))
                .await
                .map_err(|source| TaskFailure::stage(self.stage_error(Stage::TaskPut, source)))?;
        }
    }

    /// Converts and transforms one consumed record; `None` when a transformation dropped
    /// it or a tolerated failure skipped it (after the dead letter queue got it).
    async fn process(&self, message: &OwnedMessage) -> Result<Option<SinkRecord>, TaskFailure> {
        let converted = match self.convert(message).await {
            Ok(record) => record,
            Err((stage, class_name, error)) => {
                return self
                    .tolerate(message, stage, class_name, error)
                    .map(|()| None);
            }
        };
        if self.transforms.is_empty() {
            return Ok(Some(converted));
        }
        match self.transforms.apply(converted) {
            Ok(record) => Ok(record),
            Err(failure) => self
                .tolerate(
                    message,
                    Stage::Transformation,
                    failure.class_name,
                    failure.error,
                )
                .map(|()| None),
        }
    }

    /// Fails the task, or reports a tolerated failure (log, dead letter queue).
    fn tolerate(
        &self,
        message: &OwnedMessage,
        stage: Stage,
        class_name: String,
        error: ConnectError,
    ) -> Result<(), TaskFailure> {
        self.status
            .metrics
            .metrics
            .record_failure(&self.id, stage.name());
        if !self.errors.tolerate_all || !ErrorHandling::is_tolerable(stage) {
            return Err(TaskFailure::tolerance(StageError {
                task: self.id.clone(),
                stage,
                class_name,
                record: Some(record_description(message)),
                source: error,
            }));
        }
        let context = FailureContext {
            task: &self.id,
            stage,
            class_name: &class_name,
            error: &error,
            topic: message.topic(),
            partition: message.partition(),
            offset: message.offset(),
        };
        log_tolerated(&self.errors, &context, || record_description(message));
        let (Some(dlq), Some(topic)) = (&self.dlq, &self.errors.dlq_topic) else {
            return Ok(());
        };
        let mut headers = OwnedHeaders::new();
        if let Some(original) = message.headers() {
            for header in original.iter() {
                headers = headers.insert(KafkaHeader {
                    key: header.key,
                    value: header.value,
                });
            }
        }
        if self.errors.dlq_context_headers {
            for (name, value) in context_headers(&context) {
                headers = headers.insert(KafkaHeader {
                    key: name,
                    value: Some(value.as_bytes()),
                });
            }
        }
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic).headers(headers);
        if let Some(key) = message.key() {
            record = record.key(key);
        }
        if let Some(payload) = message.payload() {
            record = record.payload(payload);
        }
        if let Some(ts) = message.timestamp().to_millis() {
            record = record.timestamp(ts);
        }
        let metrics = &self.status.metrics;
        metrics
            .metrics
            .dead_lettered
            .get_or_create(&metrics.labels)
            .inc();
        if let Err((e, _)) = dlq.send(record) {
            tracing::error!(task = %self.id, topic, error = %e, "could not produce message to dead letter queue");
        }
        Ok(())
    }

    fn set_paused(&self, assigned: &BTreeSet<TopicPartition>, pause: bool) {
        let mut list = TopicPartitionList::new();
        for tp in assigned {
            list.add_partition(&tp.topic, tp.partition);
        }
        let result = if pause {
            self.consumer.pause(&list)
        } else {
            self.consumer.resume(&list)
        };
        if let Err(e) = result {
            tracing::warn!(task = %self.id, error = %e, "failed to pause or resume partitions");
        }
    }

    async fn on_assignment(
        &mut self,
        event: AssignmentEvent,
        assigned: &mut BTreeSet<TopicPartition>,
        delivered: &mut CommitOffsets,
        paused: bool,
    ) -> Result<(), TaskFailure> {
        match event {
            AssignmentEvent::SecurityFailure(failure) => Err(TaskFailure::runtime(
                "the task's consumer cannot connect to Kafka",
                failure,
            )),
            AssignmentEvent::Assigned(partitions) => {
                assigned.extend(partitions.iter().cloned());
                if paused {
                    self.set_paused(assigned, true);
                }
                guarded(self.task.open(&partitions))
                    .await
                    .map_err(|source| TaskFailure::stage(self.stage_error(Stage::TaskPut, source)))
            }
            AssignmentEvent::Revoked(partitions) => {
                for tp in &partitions {
                    assigned.remove(tp);
                    delivered.remove(tp);
                }
                guarded(self.task.close(&partitions))
                    .await
                    .map_err(|source| TaskFailure::stage(self.stage_error(Stage::TaskPut, source)))
            }
        }
    }

    /// Pre-commits with the task, then commits what it returned.
    async fn commit(&mut self, delivered: &CommitOffsets) -> Result<(), TaskFailure> {
        if delivered.is_empty() {
            return Ok(());
        }
        // Dead letter records go out before the offsets that skip their originals.
        if let Some(dlq) = &self.dlq {
            let dlq = Arc::clone(dlq);
            let flushed =
                tokio::task::spawn_blocking(move || dlq.flush(Duration::from_secs(30))).await;
            if !matches!(flushed, Ok(Ok(()))) {
                tracing::warn!(task = %self.id, "dead letter queue not flushed; offsets not committed this time");
                return Ok(());
            }
        }
        let committable = guarded(self.task.pre_commit(delivered.clone()))
            .await
            .map_err(|source| TaskFailure::stage(self.stage_error(Stage::TaskCommit, source)))?;
        if committable.is_empty() {
            return Ok(());
        }
        let mut list = TopicPartitionList::new();
        for (tp, offset) in &committable {
            list.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*offset))
                .map_err(|e| TaskFailure::runtime("invalid offset to commit", e))?;
        }
        let consumer = Arc::clone(&self.consumer);
        let started = std::time::Instant::now();
        let committed =
            tokio::task::spawn_blocking(move || consumer.commit(&list, CommitMode::Sync)).await;
        self.status.metrics.metrics.observe_commit(
            &self.id,
            started.elapsed(),
            matches!(committed, Ok(Ok(()))),
        );
        match committed {
            Ok(Ok(())) => {
                tracing::debug!(task = %self.id, partitions = committable.len(), "committed offsets");
                Ok(())
            }
            Ok(Err(e)) => {
                // Kafka Connect logs and retries at the next interval; records are redelivered
                // at worst.
                tracing::warn!(task = %self.id, error = %e, "offset commit failed; will retry");
                Ok(())
            }
            Err(e) => Err(TaskFailure::runtime("offset commit was interrupted", e)),
        }
    }

    async fn convert(
        &self,
        message: &OwnedMessage,
    ) -> Result<SinkRecord, (Stage, String, ConnectError)> {
        let topic = message.topic().to_string();
        let converters = &self.converters;
        let mut headers = Headers::new();
        if let Some(kafka_headers) = message.headers() {
            for header in kafka_headers.iter() {
                let value = self
                    .errors
                    .retry(|| {
                        converters
                            .header
                            .to_connect_header(&topic, header.key, header.value)
                    })
                    .await
                    .map_err(|e| (Stage::HeaderConverter, converters.header_class.clone(), e))?;
                headers.add(header.key, value);
            }
        }
        let key = self
            .errors
            .retry(|| {
                converters
                    .key
                    .to_connect_data(&topic, &headers, message.key())
            })
            .await
            .map_err(|e| (Stage::KeyConverter, converters.key_class.clone(), e))?;
        let value = self
            .errors
            .retry(|| {
                converters
                    .value
                    .to_connect_data(&topic, &headers, message.payload())
            })
            .await
            .map_err(|e| (Stage::ValueConverter, converters.value_class.clone(), e))?;
        let (timestamp, timestamp_type) = match message.timestamp() {
            rdkafka::Timestamp::CreateTime(ts) => (Some(ts), TimestampType::CreateTime),
            rdkafka::Timestamp::LogAppendTime(ts) => (Some(ts), TimestampType::LogAppendTime),
            rdkafka::Timestamp::NotAvailable => (None, TimestampType::NoTimestampType),
        };
        Ok(SinkRecord {
            topic: topic.clone(),
            kafka_partition: message.partition(),
            kafka_offset: message.offset(),
            key_schema: key.schema,
            key: key.value,
            value_schema: value.schema,
            value: value.value,
            timestamp,
            timestamp_type,
            headers,
            original_topic: topic,
            original_kafka_partition: message.partition(),
        })
    }
}
