//! `DatagenSourceConnector`: a synthetic source of numbered records, for benchmarks and as a
//! verifiable source in tests.
//!
//! # Records
//!
//! Every record goes to `topic` and has
//!
//! * the key `"<seq>"` (a STRING), the record's sequence number;
//! * the value `Struct{seq: INT64, task: INT32, payload: STRING}` with the schema
//!   [`VALUE_SCHEMA_NAME`], where `payload` is `payload.bytes` ASCII characters
//!   (`abc...xyz0123456789` repeated), the same for every record;
//! * the source partition `{"task": <task index>}` and the source offset `{"seq": <seq>}`;
//! * no timestamp (the producer stamps it) and no headers.
//!
//! # The sequence space and `tasks.max`
//!
//! The connector creates `tasks.max` tasks. Task `t` of `n` emits the sequence numbers
//! `t, t + n, t + 2n, ...`, so together the tasks emit every number from 0 exactly once, and
//! with `max.records` = `m` (0 = unlimited) exactly the numbers `0 .. m-1`. A consumer checks
//! a run by collecting the keys (or `seq` fields) and checking that they are `0 .. m-1`, each
//! once; per task they are increasing in steps of `n`.
//!
//! # Resuming
//!
//! A task resumes after the committed offset of its partition: with the committed `{"seq":
//! s}` it continues at the first number after `s` that belongs to it (`s + n` when the task
//! count is unchanged). A graceful restart therefore repeats nothing and skips nothing; after
//! a crash the records sent after the last offset flush are sent again (at-least-once, as
//! for every source). Changing `tasks.max` changes which numbers each task owns: offsets are
//! per task index, so resume then only approximately.
//!
//! # Pacing
//!
//! `poll` returns at most `records.per.poll` records. Without a rate limit it returns a full
//! batch at once. With `records.per.second` (for the whole connector: each task gets its
//! share) record `k` of a task is due `k / rate` seconds after the task started (the first
//! at once); a poll returns what is due, and when nothing is, waits until about a tenth of a
//! second's worth of records is (at least one, at most a batch), so the long-run rate is
//! exact and a slow rate does not wake the task for every record. A task that falls more
//! than a second behind (paused, or a slow broker) starts counting afresh rather than
//! bursting to catch up.
//!
//! Once a task has emitted its share of `max.records`, `poll` returns empty batches: every
//! 10 ms for the first second (so that the worker handles the last acknowledgements and
//! offset commits promptly) and every second after that.
//!
//! Waits happen before any state changes, so `poll` is cancel safe.
//!
//! # Observing progress in-process
//!
//! [`DatagenSourceConnector::with_progress`] makes the connector's tasks report, per
//! connector name, how many records they returned and how many the worker acknowledged
//! (through `commit_record`), and when the first and last acknowledgement arrived:
//! benchmarks measure delivery with it. A task counts acknowledgements on its own and
//! publishes them when it next polls (at least every 10 ms once it has nothing left to
//! send), commits or stops: shared counters touched per record by several tasks would
//! cost the pipeline more than what they measure.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use connect_api::config::validators::Range;
use connect_api::config::{ConfigError, ConfigValueT, Validator};
use connect_api::plugin::PluginDesc;
use connect_api::source::RecordMetadata;
use connect_api::{
    ConfigDef, ConfigKey, ConfigType, ConnectError, ConnectResult, Connector, ConnectorContext,
    Importance, Props, Schema, SchemaBuilder, SchemaType, SourceConnector, SourceOffset,
    SourcePartition, SourceRecord, SourceTask, SourceTaskContext, Struct, Value, async_trait,
};

/// The connector's class name (aliases `DatagenSourceConnector`, `DatagenSource`).
pub const CONNECTOR_CLASS: &str = "io.tributary.connect.datagen.DatagenSourceConnector";
/// The crate's version, reported by the connector and its tasks.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The topic every record goes to.
pub const TOPIC_CONFIG: &str = "topic";
/// The length of each record's `payload` string.
pub const PAYLOAD_BYTES_CONFIG: &str = "payload.bytes";
/// The most records one `poll` returns.
pub const RECORDS_PER_POLL_CONFIG: &str = "records.per.poll";
/// How many records the connector emits in total (0 = unlimited).
pub const MAX_RECORDS_CONFIG: &str = "max.records";
/// The connector's rate in records per second, shared by its tasks (0 = unlimited).
pub const RECORDS_PER_SECOND_CONFIG: &str = "records.per.second";

/// Task keys the connector adds to each task's config.
pub const TASK_INDEX_CONFIG: &str = "task.index";
pub const TASK_COUNT_CONFIG: &str = "task.count";

/// The source partition key: the task index.
pub const TASK_FIELD: &str = "task";
/// The source offset key: the sequence number of the record.
pub const SEQ_FIELD: &str = "seq";
/// The value's payload field.
pub const PAYLOAD_FIELD: &str = "payload";
/// The name of the value schema.
pub const VALUE_SCHEMA_NAME: &str = "io.tributary.connect.datagen.Record";

const DEFAULT_PAYLOAD_BYTES: i32 = 100;
const DEFAULT_RECORDS_PER_POLL: i32 = 1000;
/// How often an exhausted task returns an empty batch, during its first second of idling.
const EXHAUSTED_FAST_WAIT: Duration = Duration::from_millis(10);
/// ... and after that.
const EXHAUSTED_SLOW_WAIT: Duration = Duration::from_secs(1);
/// A rate-limited poll waits until this much time's worth of records is due.
const PACING_SLICE_SECS: f64 = 0.1;
/// A task further behind its schedule than this restarts its schedule.
const MAX_LAG_SECS: f64 = 1.0;
const PAYLOAD_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `topic`: a single, non-empty topic.
struct SingleTopic;

impl Validator for SingleTopic {
    fn ensure_valid(&self, name: &str, value: &ConfigValueT) -> Result<(), ConfigError> {
        match value {
            ConfigValueT::String(s) if s.trim().is_empty() => Err(ConfigError::invalid(
                name,
                s.as_str(),
                "String must be non-empty",
            )),
            ConfigValueT::String(s) if s.contains(',') => Err(ConfigError::invalid(
                name,
                s.as_str(),
                "the datagen connector writes to a single topic",
            )),
            _ => Ok(()),
        }
    }

    fn describe(&self) -> Option<String> {
        Some("non-empty string".to_string())
    }
}

/// The connector's config keys.
pub fn config_def() -> ConfigDef {
    ConfigDef::new()
        .define(
            ConfigKey::new(TOPIC_CONFIG, ConfigType::String)
                .validator(SingleTopic)
                .importance(Importance::High)
                .doc("The topic to write the records to."),
        )
        .define(
            ConfigKey::new(PAYLOAD_BYTES_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_PAYLOAD_BYTES.to_string())
                .validator(Range::between(0, 64 * 1024 * 1024))
                .importance(Importance::Medium)
                .doc("The length of each record's payload string, in bytes (ASCII characters)."),
        )
        .define(
            ConfigKey::new(RECORDS_PER_POLL_CONFIG, ConfigType::Int)
                .default_value(DEFAULT_RECORDS_PER_POLL.to_string())
                .validator(Range::at_least(1))
                .importance(Importance::Low)
                .doc("The most records a task returns from one poll."),
        )
        .define(
            ConfigKey::new(MAX_RECORDS_CONFIG, ConfigType::Long)
                .default_value("0")
                .validator(Range::at_least(0))
                .importance(Importance::Medium)
                .doc(
                    "How many records the connector emits in total, sequence numbers 0 to \
                     max.records - 1 split among its tasks; 0 for no limit.",
                ),
        )
        .define(
            ConfigKey::new(RECORDS_PER_SECOND_CONFIG, ConfigType::Long)
                .default_value("0")
                .validator(Range::at_least(0))
                .importance(Importance::Medium)
                .doc(
                    "The connector's rate in records per second, shared equally by its tasks; \
                     0 for no limit.",
                ),
        )
}

/// The connector, for a worker's plugin list.
pub fn plugins() -> Vec<PluginDesc> {
    vec![plugin(None)]
}

/// The connector's plugin description; with `progress`, its tasks report to it.
pub fn plugin(progress: Option<Arc<DatagenProgress>>) -> PluginDesc {
    PluginDesc::source(CONNECTOR_CLASS, VERSION, move || {
        Box::new(DatagenSourceConnector {
            props: None,
            progress: progress.clone(),
        })
    })
    .with_doc(
        "A synthetic source: numbered records (key the sequence number, value a Struct of \
         seq, task and a payload string of configurable size), optionally rate-limited and \
         bounded, resuming exactly from its offsets. For benchmarks and tests.",
    )
}

/// What tasks report when the connector was created [`DatagenSourceConnector::with_progress`].
#[derive(Debug, Default)]
pub struct DatagenProgress {
    connectors: Mutex<HashMap<String, Arc<ConnectorProgress>>>,
}

impl DatagenProgress {
    pub fn new() -> Arc<Self> {
        Arc::new(DatagenProgress::default())
    }

    /// The counters of one connector (created on first use).
    pub fn connector(&self, name: &str) -> Arc<ConnectorProgress> {
        let mut map = self
            .connectors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(name.to_string()).or_default())
    }
}

/// The counters of one connector's tasks.
#[derive(Debug, Default)]
pub struct ConnectorProgress {
    /// Records returned by `poll`.
    pub polled: AtomicU64,
    /// Records the worker acknowledged through `commit_record` (delivered or dropped).
    pub acknowledged: AtomicU64,
    /// Acknowledged records that Kafka stored (metadata present).
    pub delivered: AtomicU64,
    times: Mutex<(Option<Instant>, Option<Instant>)>,
}

impl ConnectorProgress {
    /// When the first and the latest acknowledgement arrived.
    pub fn ack_times(&self) -> (Option<Instant>, Option<Instant>) {
        *self
            .times
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a task's acknowledgements since it last published.
    fn publish(&self, pending: &mut PendingAcks) {
        let (Some(first), Some(last)) = (pending.first.take(), pending.last.take()) else {
            return;
        };
        {
            let mut times = self
                .times
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let earliest = times.0.map_or(first, |t| t.min(first));
            times.0 = Some(earliest);
            times.1 = Some(times.1.map_or(last, |t| t.max(last)));
        }
        self.delivered
            .fetch_add(std::mem::take(&mut pending.delivered), Ordering::Relaxed);
        self.acknowledged
            .fetch_add(std::mem::take(&mut pending.acknowledged), Ordering::Release);
    }
}

/// A task's acknowledgements not yet published to its [`ConnectorProgress`].
#[derive(Debug, Default)]
struct PendingAcks {
    acknowledged: u64,
    delivered: u64,
    first: Option<Instant>,
    last: Option<Instant>,
}

impl PendingAcks {
    fn record(&mut self, delivered: bool) {
        let now = Instant::now();
        self.first.get_or_insert(now);
        self.last = Some(now);
        self.acknowledged += 1;
        if delivered {
            self.delivered += 1;
        }
    }
}

/// The synthetic source connector (see the crate documentation).
#[derive(Debug, Default)]
pub struct DatagenSourceConnector {
    props: Option<Props>,
    progress: Option<Arc<DatagenProgress>>,
}

impl DatagenSourceConnector {
    pub fn new() -> Self {
        DatagenSourceConnector::default()
    }

    /// A connector whose tasks report their progress to `progress`.
    pub fn with_progress(progress: Arc<DatagenProgress>) -> Self {
        DatagenSourceConnector {
            props: None,
            progress: Some(progress),
        }
    }
}

#[async_trait]
impl Connector for DatagenSourceConnector {
    fn version(&self) -> String {
        VERSION.to_string()
    }

    fn config_def(&self) -> ConfigDef {
        config_def()
    }

    async fn start(
        &mut self,
        _context: Arc<dyn ConnectorContext>,
        props: Props,
    ) -> ConnectResult<()> {
        config_def().parse(&props)?;
        self.props = Some(props);
        Ok(())
    }

    /// `max_tasks` tasks, each owning every `max_tasks`-th sequence number.
    async fn task_configs(&mut self, max_tasks: usize) -> ConnectResult<Vec<Props>> {
        let props = self
            .props
            .clone()
            .ok_or_else(|| ConnectError::other("the datagen connector has not been started"))?;
        let count = max_tasks.max(1);
        Ok((0..count)
            .map(|index| {
                let mut task = props.clone();
                task.insert(TASK_INDEX_CONFIG.to_string(), index.to_string());
                task.insert(TASK_COUNT_CONFIG.to_string(), count.to_string());
                task
            })
            .collect())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        Ok(())
    }
}

impl SourceConnector for DatagenSourceConnector {
    fn create_task(&self) -> Box<dyn SourceTask> {
        Box::new(DatagenSourceTask {
            progress: self.progress.clone(),
            running: None,
        })
    }

    /// Accepts resets, and offsets `{"seq": n >= 0}` of partitions `{"task": i >= 0}`.
    fn alter_offsets(
        &self,
        _props: &Props,
        offsets: &[(SourcePartition, Option<SourceOffset>)],
    ) -> ConnectResult<bool> {
        for (partition, offset) in offsets {
            if partition
                .get(TASK_FIELD)
                .and_then(serde_json::Value::as_u64)
                .is_none()
            {
                return Err(ConnectError::other(format!(
                    "partitions must be {{\"{TASK_FIELD}\": <task index>}}, got {}",
                    serde_json::Value::Object(partition.clone())
                )));
            }
            if let Some(offset) = offset
                && offset
                    .get(SEQ_FIELD)
                    .and_then(serde_json::Value::as_u64)
                    .is_none()
            {
                return Err(ConnectError::other(format!(
                    "offsets must be {{\"{SEQ_FIELD}\": <non-negative integer>}}, got {}",
                    serde_json::Value::Object(offset.clone())
                )));
            }
        }
        Ok(true)
    }
}

/// The value schema: `Struct{seq: INT64, task: INT32, payload: STRING}`.
pub fn value_schema() -> Schema {
    static SCHEMA: std::sync::LazyLock<Schema> = std::sync::LazyLock::new(|| {
        let build = || -> ConnectResult<Schema> {
            Ok(SchemaBuilder::new(SchemaType::Struct)
                .name(VALUE_SCHEMA_NAME)
                .field(SEQ_FIELD, Schema::int64())?
                .field(TASK_FIELD, Schema::int32())?
                .field(PAYLOAD_FIELD, Schema::string())?
                .build())
        };
        // The fields are distinct constants: building cannot fail.
        build().unwrap_or_else(|_| SchemaBuilder::new(SchemaType::Struct).build())
    });
    SCHEMA.clone()
}

/// The payload string of every record: `len` characters of `abc...xyz0123456789` repeated.
pub fn payload(len: usize) -> String {
    PAYLOAD_ALPHABET
        .iter()
        .cycle()
        .take(len)
        .map(|b| char::from(*b))
        .collect()
}

/// The source partition of task `index`.
pub fn source_partition(index: u64) -> SourcePartition {
    SourcePartition::from_iter([(TASK_FIELD.to_string(), serde_json::Value::from(index))])
}

/// The first sequence number after `committed` that task `index` of `count` owns.
pub fn resume_seq(committed: u64, index: u64, count: u64) -> u64 {
    let first = committed + 1;
    first + (index + count - first % count) % count
}

/// The rate limiter of a task: record `k` (since the anchor) is due at `anchor + k / rate`.
#[derive(Debug)]
struct Pacer {
    rate: f64,
    anchor: tokio::time::Instant,
    emitted: u64,
}

impl Pacer {
    fn due(&self, now: tokio::time::Instant) -> u64 {
        let elapsed = now.saturating_duration_since(self.anchor).as_secs_f64();
        // Truncation is the point: whole records due.
        let due = (elapsed * self.rate).floor() as u64 + 1;
        due.saturating_sub(self.emitted)
    }

    fn time_of(&self, k: u64) -> tokio::time::Instant {
        let secs = k as f64 / self.rate;
        self.anchor + Duration::from_secs_f64(secs)
    }
}

struct Running {
    topic: String,
    index: u64,
    count: u64,
    next_seq: u64,
    max_records: u64,
    batch: u64,
    payload: String,
    partition: SourcePartition,
    schema: Schema,
    key_schema: Schema,
    pacer: Option<Pacer>,
    exhausted_since: Option<tokio::time::Instant>,
    progress: Option<Arc<ConnectorProgress>>,
    pending: PendingAcks,
}

impl Running {
    fn publish(&mut self) {
        if let Some(progress) = &self.progress {
            progress.publish(&mut self.pending);
        }
    }

    /// How many sequence numbers this task still owns (`u64::MAX` when unlimited).
    fn remaining(&self) -> u64 {
        if self.max_records == 0 {
            return u64::MAX;
        }
        if self.next_seq >= self.max_records {
            return 0;
        }
        (self.max_records - self.next_seq).div_ceil(self.count)
    }

    fn build(&mut self, n: u64) -> ConnectResult<Vec<SourceRecord>> {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let mut records = Vec::with_capacity(n);
        let task = i32::try_from(self.index).unwrap_or(i32::MAX);
        for _ in 0..n {
            let seq = self.next_seq;
            let seq_i64 = i64::try_from(seq).unwrap_or(i64::MAX);
            let mut value = Struct::new(self.schema.clone())?;
            value
                .put(SEQ_FIELD, Value::Int64(seq_i64))?
                .put(TASK_FIELD, Value::Int32(task))?
                .put(PAYLOAD_FIELD, Value::String(self.payload.clone()))?;
            let offset =
                SourceOffset::from_iter([(SEQ_FIELD.to_string(), serde_json::Value::from(seq))]);
            records.push(
                SourceRecord::new(
                    self.partition.clone(),
                    offset,
                    self.topic.clone(),
                    Some(self.schema.clone()),
                    Value::Struct(value),
                )
                .with_key(
                    Some(self.key_schema.clone()),
                    Value::String(seq.to_string()),
                ),
            );
            self.next_seq += self.count;
        }
        if let Some(pacer) = self.pacer.as_mut() {
            pacer.emitted += records.len() as u64;
        }
        if let Some(progress) = &self.progress {
            progress
                .polled
                .fetch_add(records.len() as u64, Ordering::Relaxed);
        }
        Ok(records)
    }
}

/// The datagen task (see the crate documentation).
pub struct DatagenSourceTask {
    progress: Option<Arc<DatagenProgress>>,
    running: Option<Running>,
}

impl DatagenSourceTask {
    pub fn new() -> Self {
        DatagenSourceTask {
            progress: None,
            running: None,
        }
    }

    /// The next sequence number this task will emit (after `start`).
    pub fn next_seq(&self) -> Option<u64> {
        self.running.as_ref().map(|r| r.next_seq)
    }
}

impl Default for DatagenSourceTask {
    fn default() -> Self {
        Self::new()
    }
}

fn task_number(props: &Props, key: &str, default: u64) -> ConnectResult<u64> {
    match props.get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| {
            ConnectError::other(format!("'{key}' must be a non-negative integer, got '{v}'"))
        }),
    }
}

#[async_trait]
impl SourceTask for DatagenSourceTask {
    fn version(&self) -> String {
        VERSION.to_string()
    }

    async fn start(&mut self, context: SourceTaskContext, props: Props) -> ConnectResult<()> {
        let parsed = config_def().parse(&props)?;
        let topic = parsed
            .string(TOPIC_CONFIG)
            .ok_or_else(|| ConnectError::other("the datagen task has no 'topic'"))?
            .to_string();
        let non_negative = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
        let payload_bytes = non_negative(parsed.int(PAYLOAD_BYTES_CONFIG).map(i64::from));
        let batch = non_negative(parsed.int(RECORDS_PER_POLL_CONFIG).map(i64::from)).max(1);
        let max_records = non_negative(parsed.long(MAX_RECORDS_CONFIG));
        let rate = non_negative(parsed.long(RECORDS_PER_SECOND_CONFIG));
        let count = task_number(&props, TASK_COUNT_CONFIG, 1)?.max(1);
        let index = task_number(&props, TASK_INDEX_CONFIG, 0)?;
        if index >= count {
            return Err(ConnectError::other(format!(
                "'{TASK_INDEX_CONFIG}' ({index}) must be below '{TASK_COUNT_CONFIG}' ({count})"
            )));
        }
        let partition = source_partition(index);
        let committed = context
            .offset_storage_reader()
            .offset(&partition)
            .await
            .map_err(|e| {
                ConnectError::retriable_with(
                    format!("could not read the committed offset of datagen task {index}"),
                    e,
                )
            })?;
        let next_seq = match committed.as_ref().and_then(|o| o.get(SEQ_FIELD)) {
            None => index,
            Some(seq) => {
                let seq = seq.as_u64().ok_or_else(|| {
                    ConnectError::other(format!(
                        "the committed offset of datagen task {index} has '{SEQ_FIELD}' = {seq}, \
                         expected a non-negative integer; reset or alter the connector's offsets"
                    ))
                })?;
                let next = resume_seq(seq, index, count);
                tracing::debug!(task = index, committed = seq, next, "datagen resumes");
                next
            }
        };
        let pacer = (rate > 0).then(|| Pacer {
            rate: rate as f64 / count as f64,
            anchor: tokio::time::Instant::now(),
            emitted: 0,
        });
        self.running = Some(Running {
            topic,
            index,
            count,
            next_seq,
            max_records,
            batch,
            payload: payload(usize::try_from(payload_bytes).unwrap_or(0)),
            partition,
            schema: value_schema(),
            key_schema: Schema::string(),
            pacer,
            exhausted_since: None,
            progress: self
                .progress
                .as_ref()
                .map(|p| p.connector(&context.connector_name)),
            pending: PendingAcks::default(),
        });
        Ok(())
    }

    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let running = self.running.as_mut().ok_or_else(|| {
            ConnectError::other("the datagen task has not been started; call start before poll")
        })?;
        running.publish();
        let remaining = running.remaining();
        if remaining == 0 {
            let now = tokio::time::Instant::now();
            let since = *running.exhausted_since.get_or_insert(now);
            let wait = if now.duration_since(since) < Duration::from_secs(1) {
                EXHAUSTED_FAST_WAIT
            } else {
                EXHAUSTED_SLOW_WAIT
            };
            tokio::time::sleep(wait).await;
            return Ok(Vec::new());
        }
        let mut n = running.batch.min(remaining);
        if let Some(pacer) = running.pacer.as_mut() {
            let mut now = tokio::time::Instant::now();
            let lag = pacer.due(now) as f64 / pacer.rate;
            if lag > MAX_LAG_SECS {
                pacer.anchor = now;
                pacer.emitted = 0;
            }
            let slice = ((pacer.rate * PACING_SLICE_SECS).floor() as u64).clamp(1, n);
            if pacer.due(now) == 0 {
                // Nothing due: wait until a slice is (cancel safe: nothing changed yet).
                tokio::time::sleep_until(pacer.time_of(pacer.emitted + slice - 1)).await;
                now = tokio::time::Instant::now();
            }
            n = n.min(pacer.due(now));
        }
        running.build(n)
    }

    async fn commit_record(
        &mut self,
        _record: &SourceRecord,
        metadata: Option<&RecordMetadata>,
    ) -> ConnectResult<()> {
        if let Some(running) = self.running.as_mut()
            && running.progress.is_some()
        {
            running.pending.record(metadata.is_some());
        }
        Ok(())
    }

    async fn commit(&mut self) -> ConnectResult<()> {
        if let Some(running) = self.running.as_mut() {
            running.publish();
        }
        Ok(())
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        if let Some(running) = self.running.as_mut() {
            running.publish();
        }
        self.running = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::source::OffsetStorageReader;

    /// Offsets in memory, keyed by the partition's JSON.
    #[derive(Default)]
    struct MemoryOffsets(Mutex<HashMap<String, SourceOffset>>);

    impl MemoryOffsets {
        fn put(&self, partition: &SourcePartition, offset: &SourceOffset) {
            let key = serde_json::Value::Object(partition.clone()).to_string();
            self.0.lock().expect("lock").insert(key, offset.clone());
        }
    }

    #[async_trait]
    impl OffsetStorageReader for MemoryOffsets {
        async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>> {
            let key = serde_json::Value::Object(partition.clone()).to_string();
            Ok(self.0.lock().expect("lock").get(&key).cloned())
        }
    }

    struct NoContext;
    impl ConnectorContext for NoContext {
        fn request_task_reconfiguration(&self) {}
        fn raise_error(&self, _error: ConnectError) {}
    }

    fn props(pairs: &[(&str, &str)]) -> Props {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn context(offsets: Arc<MemoryOffsets>, props: &Props) -> SourceTaskContext {
        SourceTaskContext {
            connector_name: "gen".to_string(),
            task_id: 0,
            configs: props.clone(),
            offset_storage_reader: offsets,
        }
    }

    async fn started(props: &Props, offsets: Arc<MemoryOffsets>) -> DatagenSourceTask {
        let mut task = DatagenSourceTask::new();
        task.start(context(offsets, props), props.clone())
            .await
            .expect("start");
        task
    }

    fn seq_of(record: &SourceRecord) -> u64 {
        record.source_offset[SEQ_FIELD].as_u64().expect("seq")
    }

    /// Commits the offset of the last record, as the worker would after acknowledgement.
    fn commit_last(offsets: &MemoryOffsets, records: &[SourceRecord]) {
        let last = records.last().expect("a record");
        offsets.put(&last.source_partition, &last.source_offset);
    }

    #[tokio::test]
    async fn poll_returns_numbered_structs_with_the_payload() {
        let p = props(&[
            (TOPIC_CONFIG, "t"),
            (PAYLOAD_BYTES_CONFIG, "40"),
            (RECORDS_PER_POLL_CONFIG, "3"),
        ]);
        let mut task = started(&p, Arc::default()).await;
        let records = task.poll().await.expect("poll");
        assert_eq!(records.len(), 3);
        for (i, record) in records.iter().enumerate() {
            assert_eq!(record.topic, "t");
            assert_eq!(record.key, Value::String(i.to_string()));
            assert_eq!(record.key_schema, Some(Schema::string()));
            assert_eq!(record.source_partition, source_partition(0));
            assert_eq!(seq_of(record), i as u64);
            let value = record.value.as_struct().expect("struct");
            assert_eq!(value.schema().name(), Some(VALUE_SCHEMA_NAME));
            assert_eq!(value.get(SEQ_FIELD).expect("seq"), &Value::Int64(i as i64));
            assert_eq!(value.get(TASK_FIELD).expect("task"), &Value::Int32(0));
            let payload = value.get(PAYLOAD_FIELD).expect("payload");
            assert_eq!(
                payload.as_str(),
                Some("abcdefghijklmnopqrstuvwxyz0123456789abcd")
            );
            value.validate().expect("valid struct");
        }
        let next = task.poll().await.expect("poll");
        assert_eq!(next.iter().map(seq_of).collect::<Vec<_>>(), vec![3, 4, 5]);
    }

    #[tokio::test]
    async fn tasks_split_the_sequence_space_and_stop_at_max_records() {
        let mut connector = DatagenSourceConnector::new();
        connector
            .start(
                Arc::new(NoContext),
                props(&[
                    (TOPIC_CONFIG, "t"),
                    (MAX_RECORDS_CONFIG, "10"),
                    (RECORDS_PER_POLL_CONFIG, "100"),
                ]),
            )
            .await
            .expect("start");
        let configs = connector.task_configs(3).await.expect("configs");
        assert_eq!(configs.len(), 3);
        let mut all = Vec::new();
        for config in &configs {
            let mut task = connector.create_task();
            task.start(context(Arc::default(), config), config.clone())
                .await
                .expect("start");
            let records = task.poll().await.expect("poll");
            let seqs: Vec<u64> = records.iter().map(seq_of).collect();
            // Per task: increasing in steps of the task count.
            assert!(seqs.windows(2).all(|w| w[1] == w[0] + 3), "{seqs:?}");
            all.extend(seqs);
            // Exhausted: empty batches from now on.
            assert!(task.poll().await.expect("poll").is_empty());
        }
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_task_resumes_after_its_committed_offset() {
        let offsets = Arc::new(MemoryOffsets::default());
        let p = props(&[
            (TOPIC_CONFIG, "t"),
            (MAX_RECORDS_CONFIG, "25"),
            (RECORDS_PER_POLL_CONFIG, "7"),
            (TASK_INDEX_CONFIG, "1"),
            (TASK_COUNT_CONFIG, "2"),
        ]);
        let mut task = started(&p, Arc::clone(&offsets)).await;
        let first = task.poll().await.expect("poll");
        assert_eq!(
            first.iter().map(seq_of).collect::<Vec<_>>(),
            vec![1, 3, 5, 7, 9, 11, 13]
        );
        commit_last(&offsets, &first);
        task.stop().await.expect("stop");

        // A new task resumes after 13, and stops at the max.
        let mut resumed = started(&p, Arc::clone(&offsets)).await;
        assert_eq!(resumed.next_seq(), Some(15));
        let rest = resumed.poll().await.expect("poll");
        assert_eq!(
            rest.iter().map(seq_of).collect::<Vec<_>>(),
            vec![15, 17, 19, 21, 23]
        );
        commit_last(&offsets, &rest);
        let mut done = started(&p, offsets).await;
        assert!(done.poll().await.expect("poll").is_empty());
    }

    #[test]
    fn resume_seq_finds_the_tasks_next_number() {
        assert_eq!(resume_seq(13, 1, 2), 15);
        assert_eq!(resume_seq(0, 0, 1), 1);
        // The task count changed from 2 to 3: the next number task 2 of 3 owns after 13.
        assert_eq!(resume_seq(13, 2, 3), 14);
        assert_eq!(resume_seq(13, 0, 3), 15);
        assert_eq!(resume_seq(13, 1, 3), 16);
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_limit_paces_records() {
        // 100 records/s over two tasks: 50/s for this one, polled in slices of 5.
        let p = props(&[
            (TOPIC_CONFIG, "t"),
            (RECORDS_PER_SECOND_CONFIG, "100"),
            (TASK_COUNT_CONFIG, "2"),
        ]);
        let mut task = started(&p, Arc::default()).await;
        let start = tokio::time::Instant::now();
        let mut total = 0;
        let mut polls = 0;
        while total < 500 {
            total += task.poll().await.expect("poll").len();
            polls += 1;
        }
        let elapsed = start.elapsed();
        // Record k is due at k/50 s: the 500th (k = 499) at 9.98 s.
        assert!(
            elapsed >= Duration::from_millis(9_900) && elapsed <= Duration::from_millis(10_100),
            "{elapsed:?}"
        );
        assert!(polls <= 110, "about ten polls a second, got {polls}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_far_behind_does_not_burst() {
        let p = props(&[
            (TOPIC_CONFIG, "t"),
            (RECORDS_PER_SECOND_CONFIG, "10"),
            (RECORDS_PER_POLL_CONFIG, "1000"),
        ]);
        let mut task = started(&p, Arc::default()).await;
        assert_eq!(task.poll().await.expect("poll").len(), 1);
        // Paused for a minute: 600 records would be due; the schedule restarts instead.
        tokio::time::advance(Duration::from_secs(60)).await;
        let burst = task.poll().await.expect("poll").len();
        assert!(burst <= 10, "{burst}");
    }

    #[tokio::test]
    async fn progress_counts_polled_and_acknowledged_records() {
        let progress = DatagenProgress::new();
        let connector = DatagenSourceConnector::with_progress(Arc::clone(&progress));
        let p = props(&[(TOPIC_CONFIG, "t"), (RECORDS_PER_POLL_CONFIG, "4")]);
        let mut task = connector.create_task();
        task.start(context(Arc::default(), &p), p.clone())
            .await
            .expect("start");
        let records = task.poll().await.expect("poll");
        let metadata = RecordMetadata {
            topic: "t".into(),
            partition: 0,
            offset: 0,
            timestamp: None,
        };
        task.commit_record(&records[0], Some(&metadata))
            .await
            .expect("commit");
        task.commit_record(&records[1], None).await.expect("commit");
        let counters = progress.connector("gen");
        assert_eq!(counters.polled.load(Ordering::Relaxed), 4);
        // Published when the task next polls, commits or stops.
        assert_eq!(counters.acknowledged.load(Ordering::Relaxed), 0);
        task.commit().await.expect("commit");
        assert_eq!(counters.acknowledged.load(Ordering::Relaxed), 2);
        assert_eq!(counters.delivered.load(Ordering::Relaxed), 1);
        let (first, last) = counters.ack_times();
        assert!(first.is_some() && first <= last);
    }

    #[test]
    fn config_errors_and_offsets_are_checked() {
        assert!(
            config_def()
                .parse(&props(&[(TOPIC_CONFIG, "a,b")]))
                .is_err()
        );
        assert!(config_def().parse(&props(&[])).is_err());
        assert!(
            config_def()
                .parse(&props(&[(TOPIC_CONFIG, "t"), (PAYLOAD_BYTES_CONFIG, "-1")]))
                .is_err()
        );
        let connector = DatagenSourceConnector::new();
        let good = (
            source_partition(0),
            Some(SourceOffset::from_iter([(
                SEQ_FIELD.to_string(),
                serde_json::json!(5),
            )])),
        );
        assert!(connector.alter_offsets(&Props::new(), &[good]).is_ok());
        let bad = (
            source_partition(0),
            Some(SourceOffset::from_iter([(
                SEQ_FIELD.to_string(),
                serde_json::json!("x"),
            )])),
        );
        assert!(connector.alter_offsets(&Props::new(), &[bad]).is_err());
        assert!(
            connector
                .alter_offsets(&Props::new(), &[(SourcePartition::new(), None)])
                .is_err()
        );
    }

    #[test]
    fn the_plugin_answers_to_its_aliases() {
        let desc = &plugins()[0];
        for name in [CONNECTOR_CLASS, "DatagenSourceConnector", "DatagenSource"] {
            assert!(desc.matches(name), "{name}");
        }
    }
}
