//! Testing a connector without Kafka: a source task driven the way the worker drives it,
//! an in-memory offset store, and config validation answered key by key.
//!
//! # What a source connector has to get right
//!
//! A source task is judged by three behaviours the worker relies on but cannot check:
//!
//! 1. **Offsets.** Every record carries a source partition and a source offset, made up by
//!    the task. The worker stores, per partition, the offset of the last record Kafka
//!    acknowledged, and hands it back through the `OffsetStorageReader` when the task
//!    starts again. A task that reads its offsets wrongly (or not at all) re-sends
//!    everything after a restart, or skips records; nothing fails, the data is just wrong.
//! 2. **Resuming.** The offset must name the position *after* its record, so that a task
//!    started from it continues with the next record: after a graceful restart nothing is
//!    sent twice and nothing is skipped. After a crash, offsets not yet flushed are lost
//!    and the records since the last flush are sent again (at-least-once): that is the
//!    contract, and a task must not make it worse.
//! 3. **Cancel safety.** To stop or pause a task the worker drops the `poll` future at any
//!    await point. State the task changed before that await must not lose or duplicate
//!    records: records only count once `poll` has returned them.
//!
//! [`SourceTaskHarness`] tests exactly these, in memory and in milliseconds. It starts a
//! task with the given props and a [`MemoryOffsetStore`] (which a test may preload with
//! offsets, as if an earlier run had committed them), and then plays the worker:
//!
//! - [`SourceTaskHarness::poll_until`] polls until at least `n` records came back or a
//!   deadline passed (a `poll` still running at the deadline is dropped, as the worker
//!   drops it). Each returned record is *acknowledged* at once, as if Kafka had stored it:
//!   the task's `commit_record` is called with made-up [`RecordMetadata`], in order.
//!   [`SourceTaskHarness::poll_until_cancelling`] does the same but drops every `poll`
//!   that takes longer than a given time, to shake out cancel-safety bugs.
//! - [`SourceTaskHarness::commit_offsets`] flushes, as the worker does every
//!   `offset.flush.interval.ms`: for every source partition of the acknowledged records,
//!   the offset of the *last* one is written to the store ([`latest_offsets`]), then the
//!   task's `commit` is called.
//! - [`SourceTaskHarness::restart`] is a graceful restart: flush, `stop`, then a fresh task
//!   instance started from the store. [`SourceTaskHarness::crash_and_restart`] is a
//!   `kill -9`: the unflushed offsets are forgotten, the task is dropped without `stop`,
//!   and a fresh instance starts from what was flushed before.
//!
//! So a resume-after-restart test reads:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::time::Duration;
//! use connect_testkit::connector::{SourceTaskHarness, assert_no_replay, props};
//! # #[derive(Default)] struct MyConnector;
//! # #[connect_api::async_trait] impl connect_api::Connector for MyConnector {
//! #     fn version(&self) -> String { unimplemented!() }
//! #     fn config_def(&self) -> connect_api::ConfigDef { unimplemented!() }
//! #     async fn start(&mut self, _: std::sync::Arc<dyn connect_api::ConnectorContext>, _: connect_api::Props) -> connect_api::ConnectResult<()> { unimplemented!() }
//! #     async fn task_configs(&mut self, _: usize) -> connect_api::ConnectResult<Vec<connect_api::Props>> { unimplemented!() }
//! #     async fn stop(&mut self) -> connect_api::ConnectResult<()> { unimplemented!() }
//! # }
//! # impl connect_api::SourceConnector for MyConnector {
//! #     fn create_task(&self) -> Box<dyn connect_api::SourceTask> { unimplemented!() }
//! # }
//!
//! let props = props([("topic", "t")]);
//! let mut harness = SourceTaskHarness::for_connector(MyConnector::default(), props);
//! harness.start().await?;
//! let before = harness.poll_until(3, Duration::from_secs(5)).await?;
//! harness.restart().await?; // flush offsets, stop, start a new task from them
//! let after = harness.poll_until(3, Duration::from_secs(5)).await?;
//! assert_no_replay(&before, &after);
//! # Ok(()) }
//! ```
//!
//! Nothing here needs a broker, a converter or a runtime: records are the task's own
//! [`SourceRecord`]s, so tests can assert on Connect values and schemas directly. What the
//! harness cannot show is what converters, transformations and the producer make of them;
//! keep one end-to-end test with a real worker for that (see `examples/heartbeat-source`).
//!
//! # Validation
//!
//! [`validate`] runs a connector's own `validate` (its `ConfigDef`, plus any cross-key
//! checks it added) and returns the errors by key, only for keys that have errors, so a
//! test reads `assert!(errors["interval.ms"][0].contains("at least 10"))`. The worker adds
//! Kafka's common keys (`name`, `tasks.max`, converters, `transforms`, ...) around it;
//! those are the runtime's business and are not checked here. [`task_configs`] starts a
//! connector, asks it for its task configs and stops it, to test how the work is split.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use connect_api::{
    ConnectError, ConnectResult, Connector, ConnectorContext, OffsetStorageReader, Props,
    RecordMetadata, SourceConnector, SourceOffset, SourcePartition, SourceRecord, SourceTask,
    SourceTaskContext, async_trait,
};
use tokio::time::Instant;

/// A connector config from key/value pairs: `props([("topic", "t"), ("tasks.max", "2")])`.
pub fn props<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Props {
    pairs
        .into_iter()
        .map(|(key, value)| (key.into(), value.into()))
        .collect()
}

/// A source partition or offset from a JSON object: `json_map(json!({"task": 0}))`.
///
/// # Panics
///
/// When `value` is not a JSON object: a test that builds a partition from anything else is
/// wrong.
pub fn json_map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("a source partition or offset must be a JSON object, got {other}"),
    }
}

/// For every source partition of `records`, the offset of its last record, in the order
/// the partitions first appear: what the worker commits once all of `records` are
/// acknowledged.
pub fn latest_offsets(records: &[SourceRecord]) -> Vec<(SourcePartition, SourceOffset)> {
    let mut latest: Vec<(SourcePartition, SourceOffset)> = Vec::new();
    for record in records {
        match latest
            .iter_mut()
            .find(|(partition, _)| *partition == record.source_partition)
        {
            Some((_, offset)) => *offset = record.source_offset.clone(),
            None => latest.push((
                record.source_partition.clone(),
                record.source_offset.clone(),
            )),
        }
    }
    latest
}

/// Panics if a record of `after` has the source partition and offset of a record of
/// `before`: the task sent the same record again (after a graceful restart, it must not).
pub fn assert_no_replay(before: &[SourceRecord], after: &[SourceRecord]) {
    for record in after {
        let replayed = before.iter().any(|earlier| {
            earlier.source_partition == record.source_partition
                && earlier.source_offset == record.source_offset
        });
        assert!(
            !replayed,
            "record sent again: partition {:?}, offset {:?} (value {:?}) was already sent \
             before the restart",
            record.source_partition, record.source_offset, record.value
        );
    }
}

/// The offsets a worker would have committed, in memory: an [`OffsetStorageReader`] for
/// tasks under test, which a test can preload, inspect and change.
#[derive(Debug, Default)]
pub struct MemoryOffsetStore {
    committed: Mutex<Vec<(SourcePartition, SourceOffset)>>,
    lookups: Mutex<Vec<SourcePartition>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MemoryOffsetStore {
    pub fn new() -> Arc<MemoryOffsetStore> {
        Arc::new(MemoryOffsetStore::default())
    }

    /// A store holding these offsets, as if an earlier run had committed them.
    pub fn with_offsets(
        offsets: impl IntoIterator<Item = (SourcePartition, SourceOffset)>,
    ) -> Arc<MemoryOffsetStore> {
        let store = MemoryOffsetStore::default();
        for (partition, offset) in offsets {
            store.set(partition, offset);
        }
        Arc::new(store)
    }

    /// Sets (or replaces) the committed offset of `partition`.
    pub fn set(&self, partition: SourcePartition, offset: SourceOffset) {
        let mut committed = lock(&self.committed);
        match committed.iter_mut().find(|(p, _)| *p == partition) {
            Some((_, existing)) => *existing = offset,
            None => committed.push((partition, offset)),
        }
    }

    /// Forgets the committed offset of `partition` (an offsets reset).
    pub fn remove(&self, partition: &SourcePartition) {
        lock(&self.committed).retain(|(p, _)| p != partition);
    }

    /// Commits the offsets of acknowledged `records`: the last one of each partition wins.
    pub fn commit(&self, records: &[SourceRecord]) {
        for (partition, offset) in latest_offsets(records) {
            self.set(partition, offset);
        }
    }

    /// The committed offset of `partition`.
    pub fn get(&self, partition: &SourcePartition) -> Option<SourceOffset> {
        lock(&self.committed)
            .iter()
            .find(|(p, _)| p == partition)
            .map(|(_, offset)| offset.clone())
    }

    /// Every committed offset, in the order the partitions were first committed.
    pub fn all(&self) -> Vec<(SourcePartition, SourceOffset)> {
        lock(&self.committed).clone()
    }

    /// The partitions tasks asked for, in order: shows that a task looked up its offsets.
    pub fn lookups(&self) -> Vec<SourcePartition> {
        lock(&self.lookups).clone()
    }
}

#[async_trait]
impl OffsetStorageReader for MemoryOffsetStore {
    async fn offset(&self, partition: &SourcePartition) -> ConnectResult<Option<SourceOffset>> {
        lock(&self.lookups).push(partition.clone());
        Ok(self.get(partition))
    }
}

/// A [`ConnectorContext`] that remembers what the connector asked for.
#[derive(Debug, Default)]
pub struct RecordingConnectorContext {
    reconfigurations: Mutex<u32>,
    errors: Mutex<Vec<String>>,
}

impl RecordingConnectorContext {
    /// How often the connector called `request_task_reconfiguration`.
    pub fn reconfiguration_requests(&self) -> u32 {
        *lock(&self.reconfigurations)
    }

    /// The errors the connector raised, as text.
    pub fn raised_errors(&self) -> Vec<String> {
        lock(&self.errors).clone()
    }
}

impl ConnectorContext for RecordingConnectorContext {
    fn request_task_reconfiguration(&self) {
        *lock(&self.reconfigurations) += 1;
    }

    fn raise_error(&self, error: ConnectError) {
        lock(&self.errors).push(error.to_string());
    }
}

/// The errors of validating `props` against `connector`'s own keys, by key; keys without
/// errors are absent, so an empty map means the config is valid.
pub fn validate(connector: &dyn Connector, props: &Props) -> BTreeMap<String, Vec<String>> {
    connector
        .validate(props)
        .into_iter()
        .filter(|value| !value.errors.is_empty())
        .map(|value| (value.name, value.errors))
        .collect()
}

/// Starts `connector` with `props`, returns the task configs it makes for `max_tasks`, and
/// stops it: how it splits the work.
pub async fn task_configs(
    connector: &mut dyn Connector,
    props: Props,
    max_tasks: usize,
) -> Result<Vec<Props>> {
    connector
        .start(Arc::new(RecordingConnectorContext::default()), props)
        .await
        .context("the connector did not start")?;
    let configs = connector.task_configs(max_tasks).await;
    connector
        .stop()
        .await
        .context("the connector did not stop")?;
    configs.context("the connector did not make task configs")
}

type TaskFactory = Arc<dyn Fn() -> Box<dyn SourceTask> + Send + Sync>;

/// Drives one source task the way the worker does; see the module documentation.
pub struct SourceTaskHarness {
    new_task: TaskFactory,
    props: Props,
    connector_name: String,
    task_id: u32,
    offsets: Arc<MemoryOffsetStore>,
    task: Option<Box<dyn SourceTask>>,
    /// Acknowledged records whose offsets are not flushed yet.
    unflushed: Vec<SourceRecord>,
    /// The Kafka offset the next acknowledged record gets in its made-up metadata.
    next_kafka_offset: i64,
    starts: u32,
}

impl SourceTaskHarness {
    /// A harness for the tasks `new_task` makes, started with `props` (the task config, as
    /// the connector's `task_configs` would return it). Call [`SourceTaskHarness::start`].
    pub fn new(
        new_task: impl Fn() -> Box<dyn SourceTask> + Send + Sync + 'static,
        props: Props,
    ) -> SourceTaskHarness {
        SourceTaskHarness {
            new_task: Arc::new(new_task),
            props,
            connector_name: "connector-under-test".to_string(),
            task_id: 0,
            offsets: MemoryOffsetStore::new(),
            task: None,
            unflushed: Vec::new(),
            next_kafka_offset: 0,
            starts: 0,
        }
    }

    /// A harness for the tasks of `connector` (`create_task`), started with `props`.
    pub fn for_connector<C: SourceConnector + 'static>(
        connector: C,
        props: Props,
    ) -> SourceTaskHarness {
        let connector = Arc::new(connector);
        SourceTaskHarness::new(move || connector.create_task(), props)
    }

    /// Uses `offsets` as the offset store, e.g. one preloaded with
    /// [`MemoryOffsetStore::with_offsets`], or one shared with another harness.
    pub fn with_offsets(mut self, offsets: Arc<MemoryOffsetStore>) -> SourceTaskHarness {
        self.offsets = offsets;
        self
    }

    /// The task id in the task's context (default 0).
    pub fn with_task_id(mut self, task_id: u32) -> SourceTaskHarness {
        self.task_id = task_id;
        self
    }

    /// The connector name in the task's context (default `connector-under-test`).
    pub fn with_connector_name(mut self, name: impl Into<String>) -> SourceTaskHarness {
        self.connector_name = name.into();
        self
    }

    /// The offset store: what has been flushed so far.
    pub fn offsets(&self) -> &Arc<MemoryOffsetStore> {
        &self.offsets
    }

    /// Acknowledged records whose offsets have not been flushed yet.
    pub fn unflushed(&self) -> &[SourceRecord] {
        &self.unflushed
    }

    /// How many task instances were started so far.
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// Starts a new task instance with the props and the offset store.
    pub async fn start(&mut self) -> Result<()> {
        if self.task.is_some() {
            bail!("the task is already running; stop or restart it");
        }
        let mut task = (self.new_task)();
        let context = SourceTaskContext {
            connector_name: self.connector_name.clone(),
            task_id: self.task_id,
            configs: self.props.clone(),
            offset_storage_reader: self.offsets.clone(),
        };
        task.start(context, self.props.clone())
            .await
            .context("the task did not start")?;
        self.task = Some(task);
        self.starts += 1;
        Ok(())
    }

    fn running(&mut self) -> Result<&mut Box<dyn SourceTask>> {
        self.task
            .as_mut()
            .context("the task is not running; call start first")
    }

    /// One `poll`, given at most `timeout`: `Some(records)` (acknowledged), or `None` when
    /// the poll was still running and was dropped, as the worker drops it to stop a task.
    pub async fn poll_once(&mut self, timeout: Duration) -> Result<Option<Vec<SourceRecord>>> {
        let task = self.running()?;
        let batch = match tokio::time::timeout(timeout, task.poll()).await {
            Ok(batch) => batch.context("poll failed")?,
            Err(_) => return Ok(None),
        };
        self.acknowledge(&batch).await?;
        Ok(Some(batch))
    }

    /// Polls until at least `n` records came back, for at most `timeout`; returns them all
    /// (a last batch may take it past `n`). Fails, naming how many arrived, when the
    /// deadline passes first.
    pub async fn poll_until(&mut self, n: usize, timeout: Duration) -> Result<Vec<SourceRecord>> {
        self.poll_until_inner(n, timeout, None).await
    }

    /// Like [`SourceTaskHarness::poll_until`], but every `poll` that has not returned
    /// within `cancel_after` is dropped and a new one started: a cancel-safe task returns
    /// the same records as without the cancellations, only later.
    pub async fn poll_until_cancelling(
        &mut self,
        n: usize,
        timeout: Duration,
        cancel_after: Duration,
    ) -> Result<Vec<SourceRecord>> {
        self.poll_until_inner(n, timeout, Some(cancel_after)).await
    }

    async fn poll_until_inner(
        &mut self,
        n: usize,
        timeout: Duration,
        cancel_after: Option<Duration>,
    ) -> Result<Vec<SourceRecord>> {
        let deadline = Instant::now() + timeout;
        let mut records = Vec::new();
        while records.len() < n {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                bail!(
                    "the task returned {} of {n} records within {timeout:?}; the first ones: \
                     {:?}",
                    records.len(),
                    records.iter().take(3).collect::<Vec<_>>()
                );
            }
            let budget = cancel_after.map_or(remaining, |c| c.min(remaining));
            if let Some(batch) = self.poll_once(budget).await? {
                records.extend(batch);
            }
        }
        Ok(records)
    }

    async fn acknowledge(&mut self, batch: &[SourceRecord]) -> Result<()> {
        for record in batch {
            let metadata = RecordMetadata {
                topic: record.topic.clone(),
                partition: record.kafka_partition.unwrap_or(0),
                offset: self.next_kafka_offset,
                timestamp: record.timestamp,
            };
            self.next_kafka_offset += 1;
            self.running()?
                .commit_record(record, Some(&metadata))
                .await
                .context("commit_record failed")?;
            self.unflushed.push(record.clone());
        }
        Ok(())
    }

    /// Flushes the offsets of the acknowledged records (the last one of each partition)
    /// to the store and calls the task's `commit`, as the worker's periodic flush does.
    pub async fn commit_offsets(&mut self) -> Result<()> {
        self.offsets.commit(&self.unflushed);
        self.unflushed.clear();
        self.running()?
            .commit()
            .await
            .context("the task's commit failed")
    }

    /// A graceful stop: flushes the offsets, then calls the task's `stop`.
    pub async fn stop(&mut self) -> Result<()> {
        self.commit_offsets().await?;
        let mut task = self.task.take().context("the task is not running")?;
        task.stop().await.context("the task did not stop")
    }

    /// A graceful restart: [`SourceTaskHarness::stop`], then a new task instance started
    /// from the flushed offsets.
    pub async fn restart(&mut self) -> Result<()> {
        self.stop().await?;
        self.start().await
    }

    /// A crash and a restart: the unflushed offsets are lost, the task is dropped without
    /// `stop`, and a new task instance starts from the offsets flushed before.
    pub async fn crash_and_restart(&mut self) -> Result<()> {
        self.unflushed.clear();
        self.task = None;
        self.start().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use connect_api::{ConfigDef, ConfigKey, ConfigType, Value};
    use serde_json::json;

    /// Counts from the committed `n`; waits `delay` before each record (cancel safe).
    struct Counter {
        next: i64,
        delay: Duration,
    }

    #[async_trait]
    impl SourceTask for Counter {
        fn version(&self) -> String {
            "test".to_string()
        }
        async fn start(&mut self, context: SourceTaskContext, _: Props) -> ConnectResult<()> {
            let partition = json_map(json!({"counter": "c"}));
            let committed = context.offset_storage_reader().offset(&partition).await?;
            self.next = committed.and_then(|o| o["n"].as_i64()).map_or(1, |n| n + 1);
            Ok(())
        }
        async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
            tokio::time::sleep(self.delay).await;
            let n = self.next;
            self.next += 1;
            Ok(vec![SourceRecord::new(
                json_map(json!({"counter": "c"})),
                json_map(json!({ "n": n })),
                "t",
                None,
                Value::Int64(n),
            )])
        }
        async fn stop(&mut self) -> ConnectResult<()> {
            Ok(())
        }
    }

    fn counter(delay: Duration) -> SourceTaskHarness {
        SourceTaskHarness::new(
            move || Box::new(Counter { next: 0, delay }),
            props([("topic", "t")]),
        )
    }

    fn values(records: &[SourceRecord]) -> Vec<Value> {
        records.iter().map(|r| r.value.clone()).collect()
    }

    #[test]
    fn latest_offsets_keeps_the_last_offset_of_each_partition_in_first_seen_order() {
        let record = |p: &str, n: i64| {
            SourceRecord::new(
                json_map(json!({ "p": p })),
                json_map(json!({ "n": n })),
                "t",
                None,
                Value::Null,
            )
        };
        let latest = latest_offsets(&[record("b", 1), record("a", 1), record("b", 2)]);
        assert_eq!(
            latest,
            vec![
                (json_map(json!({"p": "b"})), json_map(json!({"n": 2}))),
                (json_map(json!({"p": "a"})), json_map(json!({"n": 1}))),
            ]
        );
    }

    #[tokio::test]
    async fn a_graceful_restart_resumes_after_the_last_record() -> Result<()> {
        let mut harness = counter(Duration::ZERO);
        harness.start().await?;
        let before = harness.poll_until(3, Duration::from_secs(5)).await?;
        assert_eq!(values(&before), [1, 2, 3].map(Value::Int64));
        harness.restart().await?;
        let after = harness.poll_until(2, Duration::from_secs(5)).await?;
        assert_eq!(values(&after), [4, 5].map(Value::Int64));
        assert_no_replay(&before, &after);
        assert_eq!(harness.starts(), 2);
        Ok(())
    }

    #[tokio::test]
    async fn a_crash_replays_what_was_not_flushed() -> Result<()> {
        let mut harness = counter(Duration::ZERO);
        harness.start().await?;
        harness.poll_until(2, Duration::from_secs(5)).await?;
        harness.commit_offsets().await?;
        harness.poll_until(2, Duration::from_secs(5)).await?;
        assert_eq!(harness.unflushed().len(), 2);
        harness.crash_and_restart().await?;
        let after = harness.poll_until(1, Duration::from_secs(5)).await?;
        assert_eq!(values(&after), [Value::Int64(3)]);
        Ok(())
    }

    #[tokio::test]
    async fn preloaded_offsets_are_where_the_task_starts() -> Result<()> {
        let partition = json_map(json!({"counter": "c"}));
        let store =
            MemoryOffsetStore::with_offsets([(partition.clone(), json_map(json!({"n": 41})))]);
        let mut harness = counter(Duration::ZERO).with_offsets(store.clone());
        harness.start().await?;
        let records = harness.poll_until(1, Duration::from_secs(5)).await?;
        assert_eq!(values(&records), [Value::Int64(42)]);
        assert_eq!(store.lookups(), [partition]);
        Ok(())
    }

    #[tokio::test]
    async fn polls_still_running_at_the_timeout_are_dropped() -> Result<()> {
        let mut harness = counter(Duration::from_secs(60));
        harness.start().await?;
        assert!(
            harness
                .poll_once(Duration::from_millis(10))
                .await?
                .is_none()
        );
        let err = harness
            .poll_until(1, Duration::from_millis(50))
            .await
            .expect_err("nothing arrives in time");
        assert!(err.to_string().contains("0 of 1 records"), "{err}");
        Ok(())
    }

    #[test]
    fn validate_returns_errors_by_key() {
        struct OnlyDef;
        #[async_trait]
        impl Connector for OnlyDef {
            fn version(&self) -> String {
                "test".to_string()
            }
            fn config_def(&self) -> ConfigDef {
                ConfigDef::new()
                    .define(ConfigKey::new("topic", ConfigType::String))
                    .define(ConfigKey::new("n", ConfigType::Int).default_value("1"))
            }
            async fn start(&mut self, _: Arc<dyn ConnectorContext>, _: Props) -> ConnectResult<()> {
                Ok(())
            }
            async fn task_configs(&mut self, _: usize) -> ConnectResult<Vec<Props>> {
                Ok(Vec::new())
            }
            async fn stop(&mut self) -> ConnectResult<()> {
                Ok(())
            }
        }
        let errors = validate(&OnlyDef, &props([("n", "x")]));
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["n", "topic"]);
        assert!(errors["topic"][0].contains("Missing required configuration"));
        assert!(validate(&OnlyDef, &props([("topic", "t")])).is_empty());
    }
}
